"""Legacy Vietnamese ISO 2709 files (TCVN3, VNI …) read back as their Unicode originals."""

from __future__ import annotations

import io

import pytest
from pymarc import Record

from mucluc.core.marc.iso2709 import read_iso2709_stream
from mucluc.core.normalise.encoding import encode_legacy
from tests.builders import make_marc_record

TITLES = (
    "Lịch sử Việt Nam /",
    "Truyện Kiều /",
    "Thư viện Quốc gia Việt Nam : Báo cáo thường niên /",
    "Đại cương văn hóa Việt Nam /",
    "Tiếng Việt thực hành /",
    "Những người khốn khổ /",
)
AUTHORS = (
    "Trần Trọng Kim",
    "Nguyễn Du",
    "Lê Văn Hưu",
    "Đặng Thùy Trâm",
    "Phan Ngọc",
    "Hồ Chí Minh",
)


def unicode_records() -> list[Record]:
    return [
        make_marc_record(f"r{number}", title, author=author, isbn=None)
        for number, (title, author) in enumerate(zip(TITLES, AUTHORS, strict=True))
    ]


def legacy_iso2709(record: Record, encoding: str) -> bytes:
    """The record as an old Vietnamese system exports it: 8-bit text, leader/09 blank."""
    directory = b""
    body = b""
    for field in record.fields:
        if field.is_control_field():
            data = field.data.encode("ascii")
        else:
            data = (field.indicator1 + field.indicator2).encode("ascii") + b"".join(
                b"\x1f" + subfield.code.encode("ascii") + encode_legacy(subfield.value, encoding)
                for subfield in field.subfields
            )
        data += b"\x1e"
        directory += f"{field.tag}{len(data):04d}{len(body):05d}".encode("ascii")
        body += data
    base = 24 + len(directory) + 1
    length = base + len(body) + 1
    leader = f"{length:05d}nam  22{base:05d} i 4500".encode("ascii")
    return leader + directory + b"\x1e" + body + b"\x1d"


@pytest.mark.parametrize("encoding", ["tcvn3", "vni", "vps", "viscii", "windows-1258"])
def test_legacy_file_reads_identical_to_unicode_original(encoding: str) -> None:
    records = unicode_records()
    data = b"".join(legacy_iso2709(record, encoding) for record in records)
    original = b"".join(record.as_marc() for record in records)
    legacy = list(read_iso2709_stream(io.BytesIO(data), f"{encoding}.mrc"))
    unicode = list(read_iso2709_stream(io.BytesIO(original), "unicode.mrc"))
    assert [outcome.problems for outcome in legacy] == [[] for _ in records]
    assert [outcome.encoding for outcome in legacy] == [encoding] * len(records)
    assert [outcome.record.as_dict()["fields"] for outcome in legacy if outcome.record] == [
        outcome.record.as_dict()["fields"] for outcome in unicode if outcome.record
    ]


def test_legacy_file_is_decoded_with_configured_encoding() -> None:
    data = legacy_iso2709(unicode_records()[0], "vni")
    (outcome,) = read_iso2709_stream(io.BytesIO(data), "vni.mrc", encoding="vni")
    assert outcome.record is not None
    assert outcome.record.get("245").get("a") == TITLES[0]
    assert outcome.confidence == 1.0


def test_undetectable_8bit_record_is_an_error_not_mojibake() -> None:
    record = make_marc_record("x1", "Café à Paris, élève /", author="Dupont")
    data = legacy_iso2709_latin1(record)
    (outcome,) = read_iso2709_stream(io.BytesIO(data), "latin1.mrc")
    assert outcome.has_errors
    assert (
        "not UTF-8, MARC-8 or a recognised Vietnamese encoding" in outcome.problems[-1]["message"]
    )


def legacy_iso2709_latin1(record: Record) -> bytes:
    data = legacy_iso2709(_ascii_only(record), "vni")
    return data.replace(b"Cafe a Paris, eleve", "Café à Paris, élève".encode("latin-1"))


def _ascii_only(record: Record) -> Record:
    for field in record.get_fields("245"):
        field.subfields[0] = field.subfields[0]._replace(value="Cafe a Paris, eleve /")
    for field in record.get_fields("264"):
        field.subfields[0] = field.subfields[0]._replace(value="Paris :")
        field.subfields[1] = field.subfields[1]._replace(value="Gallimard,")
    for field in record.get_fields("852"):
        field.subfields[0] = field.subfields[0]._replace(value="Stock")
        field.subfields[1] = field.subfields[1]._replace(value="843 D")
    return record
