"""The lean ISO 2709 reader on every real MARC file in shared/data: no crash, nothing lost."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from mucluc.core.marc.iso2709 import read_iso2709_stream
from tests.builders import make_marc_file, make_marc_record

SHARED_DATA = Path(__file__).parents[3] / "shared" / "data"
MARC_FILES = sorted(
    path
    for path in SHARED_DATA.rglob("*")
    if path.suffix.lower() in (".mrc", ".marc", ".dat", ".iso", ".utf8", ".mrc8")
)


@pytest.mark.parametrize("path", MARC_FILES, ids=lambda path: path.name)
def test_read_iso2709_stream_accounts_for_every_byte_of_shared_files(path: Path) -> None:
    data = path.read_bytes()
    with path.open("rb") as stream:
        outcomes = list(read_iso2709_stream(stream, path.name))
    kept = sum(len(outcome.raw) for outcome in outcomes)
    assert kept <= len(data)
    assert data.strip(b"\r\n \t\x00\x1a") == b"" or outcomes


def test_read_iso2709_stream_reads_marc8_as_nfc_unicode() -> None:
    record = make_marc_record("1", "Cafe")
    raw = bytearray(make_marc_file(record))
    raw[9] = ord(" ")  # leader/09 blank: MARC-8
    raw = raw.replace(b"Cafe", b"Caf\xe2e")  # MARC-8 acute before the letter it marks
    (outcome,) = read_iso2709_stream(io.BytesIO(bytes(raw)), "m8.mrc")
    assert outcome.encoding == "marc-8"
    assert outcome.record is not None
    assert outcome.record.get("245") is not None
    assert outcome.record.get_fields("245")[0].get_subfields("a") == ["Café"]


def test_read_iso2709_stream_says_where_a_truncated_file_stops() -> None:
    data = make_marc_file(make_marc_record("1", "Một"), make_marc_record("2", "Hai"))
    first, second = read_iso2709_stream(io.BytesIO(data[:-20]), "cut.mrc")
    assert not first.has_errors
    assert second.has_errors
    assert "reading stopped here" in second.problems[0]["message"]


def test_read_iso2709_stream_numbers_records_and_keeps_offsets_and_bytes() -> None:
    first = make_marc_record("1", "Văn học").as_marc()
    second = make_marc_record("2", "Lịch sử").as_marc()
    outcomes = list(read_iso2709_stream(io.BytesIO(first + second), "two.mrc"))
    assert [(o.position, o.offset, o.raw) for o in outcomes] == [
        (1, 0, first),
        (2, len(first), second),
    ]
    assert not any(outcome.has_errors for outcome in outcomes)
