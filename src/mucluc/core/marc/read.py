"""Read MARC21 ISO 2709 files record by record, keeping every record's bytes.

A bad record never stops the file: the reader yields a `RejectedRecord`
carrying its position, byte offset, raw bytes and the reason, and goes on.
This first reader accepts UTF-8 only; legacy encodings are detected and
converted by the fuller ingest (see the ingest issue).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

from pymarc import MARCReader, Record


@dataclass(frozen=True)
class ReadRecord:
    """A record that parsed, with the bytes it was parsed from."""

    record: Record
    raw: bytes
    position: int
    offset: int


@dataclass(frozen=True)
class RejectedRecord:
    """A record that could not be parsed; `reason` says why in a cataloguer's words."""

    raw: bytes
    position: int
    offset: int
    reason: str


ReadOutcome = ReadRecord | RejectedRecord


def read_iso2709(data: bytes) -> Iterator[ReadOutcome]:
    """Yield one outcome per record in `data`, numbered from 1 with their byte offsets."""
    reader = MARCReader(
        io.BytesIO(data),
        to_unicode=True,
        force_utf8=True,
        utf8_handling="strict",
        permissive=True,
    )
    offset = 0
    for position, record in enumerate(reader, start=1):
        raw = bytes(reader.current_chunk or b"")
        if record is None:
            yield RejectedRecord(raw, position, offset, _describe_failure(reader.current_exception))
        else:
            yield ReadRecord(record, raw, position, offset)
        offset += len(raw)


def _describe_failure(exception: BaseException | None) -> str:
    if isinstance(exception, UnicodeDecodeError):
        return (
            f"not valid UTF-8 at byte {exception.start} of the record "
            "(legacy encodings such as MARC-8 or TCVN3 are not accepted yet)"
        )
    if exception is None:
        return "unreadable record"
    name = type(exception).__name__
    detail = str(exception) or "structure does not match ISO 2709"
    return f"{name}: {detail}"
