"""A member library's own export: every record it contributed and its holdings, as one ZIP.

A library can take its own backup at any time (issue #9), from the CLI
(`mucluc library export`) or with its key (`GET /api/v1/libraries/{code}/export`).
Both write the same archive, streamed as the records are read, so memory
stays bounded whatever the library's size:

    records.mrc | records.xml | records.jsonl
                        active records, and deleted ones as deletions (leader/05 'd')
    quarantined.jsonl   records ingest could not accept, byte for byte, with their problems
    holdings.csv        local_id, location, call_number, copies, lendable
    manifest.json       library, format, counts, and each file's size and SHA-256

MARC 21 (ISO 2709) and MARCXML records are written in UTF-8 from the record
as it was read and decoded (a record sent in a legacy Vietnamese encoding
comes back in Unicode); JSON lines also carry each record's original bytes
in base64. Quarantined records always go to JSON lines, whatever the format:
their bytes may not be MARC at all.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from mucluc import __version__
from mucluc.accounts.ports import ContributedRecord, SecurityStore
from mucluc.accounts.roles import Action, Principal, authorise
from mucluc.core.crosswalk.marcxml import MARCXML_NAMESPACE, marcxml_text
from mucluc.core.marc.marc_json import record_from_dict
from mucluc.core.model import HoldingStatement
from mucluc.errors import LibraryNotFoundError, QueryError
from mucluc.services.contribution import utf8_record

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
QUARANTINED_NAME = "quarantined.jsonl"
HOLDINGS_NAME = "holdings.csv"
HOLDINGS_COLUMNS = ("local_id", "location", "call_number", "copies", "lendable")
SPOOL_BYTES = 8 << 20  # holdings and quarantined records wait in memory up to this, then on disk
COPY_BLOCK_BYTES = 1 << 20
LEADER_LENGTH = 24


@dataclass(frozen=True)
class LibraryExportFormat:
    """How the records file of an export is written."""

    name: str
    file_name: str
    description: str


LIBRARY_EXPORT_FORMATS = {
    export.name: export
    for export in (
        LibraryExportFormat("marc", "records.mrc", "MARC 21 (ISO 2709), UTF-8"),
        LibraryExportFormat("marcxml", "records.xml", "MARCXML collection, UTF-8"),
        LibraryExportFormat(
            "json", "records.jsonl", "JSON lines: MARC-in-JSON plus the original bytes"
        ),
    )
}


def library_export_format(name: str) -> LibraryExportFormat:
    """The export format with this name; raises QueryError naming the known ones."""
    if name not in LIBRARY_EXPORT_FORMATS:
        known = ", ".join(LIBRARY_EXPORT_FORMATS)
        raise QueryError(f"unknown export format {name!r}; use one of: {known}", field="format")
    return LIBRARY_EXPORT_FORMATS[name]


def library_records(
    security: SecurityStore, principal: Principal, library_code: str
) -> Iterator[ContributedRecord]:
    """Every record and holding a library contributed, for a principal allowed to export them.

    Checks happen now, before any record is read, so a web answer can still
    be an error; the records are read as the iterator is consumed.
    """
    authorise(principal, Action.EXPORT_LIBRARY, library_code)
    if not security.has_library(library_code):
        raise LibraryNotFoundError(f"no member library has the code {library_code!r}")
    return security.iter_contributed_records(library_code)


def _as_written(record: ContributedRecord) -> dict[str, Any]:
    """The stored record as the export writes it: a deleted one with leader/05 'd'."""
    assert record.record is not None  # only quarantined records may be unreadable
    if record.status != "deleted":
        return record.record
    leader = str(record.record.get("leader", "")).ljust(LEADER_LENGTH)[:LEADER_LENGTH]
    return {**record.record, "leader": leader[:5] + "d" + leader[6:]}


def _json_line(value: dict[str, Any]) -> bytes:
    return (json.dumps(value, ensure_ascii=False) + "\n").encode("utf-8")


def _record_bytes(record: ContributedRecord, export: LibraryExportFormat) -> bytes:
    data = _as_written(record)
    if export.name == "marc":
        return bytes(utf8_record(record_from_dict(data)).as_marc())
    if export.name == "marcxml":
        return (marcxml_text(data, schema_location=False) + "\n").encode("utf-8")
    return _json_line(
        {
            "local_id": record.local_id,
            "status": record.status,
            "union_record_id": record.union_record_id,
            "format": record.record_format,
            "content_hash": record.content_hash,
            "record": data,
            "raw_base64": base64.b64encode(record.raw).decode("ascii"),
        }
    )


def _quarantined_line(record: ContributedRecord) -> bytes:
    return _json_line(
        {
            "local_id": record.local_id,
            "format": record.record_format,
            "content_hash": record.content_hash,
            "problems": list(record.problems),
            "provenance": record.provenance,
            "record": record.record,
            "raw_base64": base64.b64encode(record.raw).decode("ascii"),
        }
    )


class _Summed:
    """Bytes written through to a stream, counted and hashed for the manifest."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.size = 0
        self.digest = hashlib.sha256()
        self.entries = 0

    def write(self, data: bytes, *, entries: int = 0) -> None:
        self.stream.write(data)
        self.size += len(data)
        self.digest.update(data)
        self.entries += entries

    def described(self) -> dict[str, Any]:
        return {"entries": self.entries, "bytes": self.size, "sha256": self.digest.hexdigest()}


class _Pipe(io.RawIOBase):
    """A write-only, unseekable stream whose bytes the archive's reader takes away in pieces."""

    def __init__(self) -> None:
        super().__init__()
        self.pending = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.pending += data
        return len(data)

    def take(self) -> bytes:
        taken = bytes(self.pending)
        self.pending.clear()
        return taken


class LibraryExport:
    """One library's export as a ZIP: iterate `chunks()`, then read `manifest`."""

    def __init__(
        self, library_code: str, records: Iterable[ContributedRecord], format_name: str
    ) -> None:
        self.library_code = library_code
        self.export = library_export_format(format_name)
        self.records = records
        self.manifest: dict[str, Any] = {}

    def chunks(self) -> Iterator[bytes]:
        """The archive's bytes, a piece at a time, as the records are read."""
        pipe = _Pipe()
        counts = dict.fromkeys(("active", "deleted", "quarantined", "holdings", "copies"), 0)
        with (
            zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive,
            tempfile.SpooledTemporaryFile(SPOOL_BYTES) as holdings_spool,
            tempfile.SpooledTemporaryFile(SPOOL_BYTES) as quarantined_spool,
        ):
            holdings = _Summed(holdings_spool)
            quarantined = _Summed(quarantined_spool)
            header = ",".join(HOLDINGS_COLUMNS) + "\r\n"
            holdings.write(header.encode("utf-8"))
            with archive.open(self.export.file_name, "w", force_zip64=True) as member:
                records = _Summed(member)
                if self.export.name == "marcxml":
                    records.write(
                        f'<?xml version="1.0" encoding="UTF-8"?>\n'
                        f'<collection xmlns="{MARCXML_NAMESPACE}">\n'.encode()
                    )
                for record in self.records:
                    counts[record.status] += 1
                    if record.status == "quarantined":
                        quarantined.write(_quarantined_line(record), entries=1)
                        continue
                    records.write(_record_bytes(record, self.export), entries=1)
                    for holding in record.holdings:
                        holdings.write(_csv_row(record.local_id, holding), entries=1)
                        counts["holdings"] += 1
                        counts["copies"] += holding.copies
                    if pipe.pending:
                        yield pipe.take()
                if self.export.name == "marcxml":
                    records.write(b"</collection>\n")
            files = {self.export.file_name: records.described()}
            for name, spooled in ((HOLDINGS_NAME, holdings), (QUARANTINED_NAME, quarantined)):
                spooled.stream.seek(0)
                with archive.open(name, "w", force_zip64=True) as member:
                    while block := spooled.stream.read(COPY_BLOCK_BYTES):
                        member.write(block)
                        if pipe.pending:
                            yield pipe.take()
                files[name] = spooled.described()
            self.manifest = {
                "format": MANIFEST_FORMAT,
                "library": self.library_code,
                "record_format": self.export.name,
                "record_format_description": self.export.description,
                "mucluc_version": __version__,
                "created_at": datetime.now(UTC).isoformat(),
                "counts": counts,
                "files": files,
            }
            archive.writestr(
                MANIFEST_NAME, json.dumps(self.manifest, indent=2, ensure_ascii=False) + "\n"
            )
        yield pipe.take()


def _csv_row(local_id: str, holding: HoldingStatement) -> bytes:
    line = io.StringIO()
    csv.writer(line).writerow(
        (
            local_id,
            holding.location,
            holding.call_number,
            holding.copies,
            "true" if holding.lendable else "false",
        )
    )
    return line.getvalue().encode("utf-8")
