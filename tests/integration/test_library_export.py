"""A library's own export (issue #9): what it contributed comes back, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymarc
import pytest
from pymarc import Field, Indicators, Leader, Record, Subfield

from mucluc.accounts.ports import ContributedRecord
from mucluc.accounts.roles import Principal, Role
from mucluc.accounts.service import SYSTEM_ACTOR
from mucluc.core.crosswalk.marcxml import marcxml_bytes
from mucluc.core.model import HoldingStatement
from mucluc.core.source_config import KOHA_HOLDINGS, SourceConfig
from mucluc.errors import PermissionDeniedError, QueryError
from mucluc.services.ingest import ingest_bytes, ingest_file
from mucluc.services.library_export import LibraryExport, library_records
from mucluc.storage.accounts import EXPORT_BATCH_SIZE, SqlSecurityStore
from mucluc.storage.repository import SqlCatalogue
from tests.builders import make_marc_file, make_marc_record

RECORDS_FILE = {"marc": "records.mrc", "marcxml": "records.xml", "json": "records.jsonl"}


def _fields(record: Record) -> list[dict[str, Any]]:
    fields: list[dict[str, Any]] = record.as_dict()["fields"]
    return fields


@pytest.fixture
def contributed(catalogue: SqlCatalogue, tmp_path: Path) -> dict[str, Any]:
    """VN-NLV sends ISO 2709 and MARCXML, deletes one record, has one quarantined."""
    kept = make_marc_record(
        "NLV-1",
        "Lịch sử Việt Nam",
        author="Phan Huy Lê",
        holdings=(("Kho mượn", "959.7 L302S", 2), ("Phòng đọc", "959.7 L302S", 1)),
    )
    also_kept = make_marc_record("NLV-2", "Truyện Kiều", author="Nguyễn Du")
    gone = make_marc_record("NLV-3", "Sẽ bị xoá")
    quarantined = make_marc_record("NLV-4", None)  # no 245: ingest quarantines it
    iso2709 = make_marc_file(kept, also_kept, gone, quarantined)
    ingest_bytes(catalogue, "VN-NLV", iso2709, source_name="nlv.mrc")
    as_xml = make_marc_record("NLV-X", "Địa chí Hà Nội", holdings=(("Kho địa chí", "915.97", 1),))
    xml_file = tmp_path / "nlv.xml"
    xml_file.write_bytes(marcxml_bytes([as_xml]))
    ingest_file(catalogue, "VN-NLV", xml_file)
    deletion = Record(force_utf8=True)
    deletion.leader = Leader("00000dam a2200000 a 4500")
    deletion.add_field(Field(tag="001", data="NLV-3"))
    ingest_bytes(catalogue, "VN-NLV", deletion.as_marc(), source_name="delete.mrc")
    ingest_bytes(
        catalogue,
        "VN-HCM",
        make_marc_file(make_marc_record("HCM-1", "Of another library")),
        source_name="hcm.mrc",
    )
    return {
        "active": {"NLV-1": kept, "NLV-2": also_kept, "NLV-X": as_xml},
        "raw": {"NLV-1": kept.as_marc(), "NLV-2": also_kept.as_marc()},
        "quarantined": quarantined.as_marc(),
        "holdings": [
            ["NLV-1", "Kho mượn", "959.7 L302S", "2", "true"],
            ["NLV-1", "Phòng đọc", "959.7 L302S", "1", "true"],
            ["NLV-2", "Kho mượn", "959.7 L302S", "1", "true"],
            ["NLV-X", "Kho địa chí", "915.97", "1", "true"],
        ],
    }


def _export(catalogue: SqlCatalogue, code: str, format_name: str) -> tuple[bytes, LibraryExport]:
    security = SqlSecurityStore(catalogue.engine)
    export = LibraryExport(code, library_records(security, SYSTEM_ACTOR, code), format_name)
    return b"".join(export.chunks()), export


def _read_records(format_name: str, data: bytes) -> dict[str, Record]:
    if format_name == "marc":
        records = list(pymarc.MARCReader(data, to_unicode=True, force_utf8=True))
    elif format_name == "marcxml":
        records = pymarc.parse_xml_to_array(io.BytesIO(data))
    else:
        entries = [json.loads(line)["record"] for line in data.decode("utf-8").splitlines()]
        records = list(pymarc.JSONReader(json.dumps(entries)))
    read = {}
    for record in records:
        assert record is not None
        read[record["001"].data] = record
    return read


@pytest.mark.parametrize("format_name", ["marc", "marcxml", "json"])
def test_an_export_gives_back_what_the_library_contributed(
    catalogue: SqlCatalogue, contributed: dict[str, Any], format_name: str
) -> None:
    data, export = _export(catalogue, "VN-NLV", format_name)
    archive = zipfile.ZipFile(io.BytesIO(data))
    records_file = RECORDS_FILE[format_name]
    assert sorted(archive.namelist()) == sorted(
        [records_file, "holdings.csv", "quarantined.jsonl", "manifest.json"]
    )
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest == export.manifest
    for name, described in manifest["files"].items():
        content = archive.read(name)
        assert described["bytes"] == len(content)
        assert described["sha256"] == hashlib.sha256(content).hexdigest()
    assert manifest["counts"] == {
        "active": 3,
        "deleted": 1,
        "quarantined": 1,
        "holdings": 4,
        "copies": 5,
    }

    read = _read_records(format_name, archive.read(records_file))
    assert sorted(read) == ["NLV-1", "NLV-2", "NLV-3", "NLV-X"]  # not VN-HCM's record
    for local_id, sent in contributed["active"].items():
        assert _fields(read[local_id]) == _fields(sent)
        assert read[local_id].leader[5] == "n"
    assert read["NLV-3"].leader[5] == "d"  # the deletion, as a deletion
    assert manifest["files"][records_file]["entries"] == 4

    holdings = list(csv.reader(io.StringIO(archive.read("holdings.csv").decode("utf-8"))))
    assert holdings[0] == ["local_id", "location", "call_number", "copies", "lendable"]
    assert holdings[1:] == contributed["holdings"]

    (quarantined,) = [json.loads(line) for line in archive.read("quarantined.jsonl").splitlines()]
    assert base64.b64decode(quarantined["raw_base64"]) == contributed["quarantined"]
    assert any(problem["tag"] == "245" for problem in quarantined["problems"])


def test_json_lines_carry_each_record_byte_for_byte(
    catalogue: SqlCatalogue, contributed: dict[str, Any]
) -> None:
    data, _ = _export(catalogue, "VN-NLV", "json")
    lines = zipfile.ZipFile(io.BytesIO(data)).read("records.jsonl").decode("utf-8").splitlines()
    entries = {entry["local_id"]: entry for entry in map(json.loads, lines)}
    for local_id, raw in contributed["raw"].items():
        original = base64.b64decode(entries[local_id]["raw_base64"])
        assert original == raw
        assert hashlib.sha256(original).hexdigest() == entries[local_id]["content_hash"]
    assert (entries["NLV-X"]["format"], entries["NLV-3"]["status"]) == ("marcxml", "deleted")


@pytest.mark.skipif(shutil.which("yaz-marcdump") is None, reason="yaz-marcdump is not installed")
def test_yaz_reads_the_iso2709_file(
    catalogue: SqlCatalogue, contributed: dict[str, Any], tmp_path: Path
) -> None:
    data, _ = _export(catalogue, "VN-NLV", "marc")
    path = tmp_path / "records.mrc"
    path.write_bytes(zipfile.ZipFile(io.BytesIO(data)).read("records.mrc"))
    dumped = subprocess.run(
        ["yaz-marcdump", "-i", "marc", "-o", "line", str(path)],
        capture_output=True,
        check=True,
        timeout=60,
    )
    assert dumped.stderr == b""
    lines = dumped.stdout.decode("utf-8").splitlines()
    assert sorted(line for line in lines if line.startswith("001 ")) == [
        "001 NLV-1",
        "001 NLV-2",
        "001 NLV-3",
        "001 NLV-X",
    ]
    titles = [line.removeprefix("245 00 $a ") for line in lines if line.startswith("245 ")]
    assert sorted(titles) == ["Lịch sử Việt Nam", "Truyện Kiều", "Địa chí Hà Nội"]


def test_holdings_keep_lendability_from_a_koha_mapping(
    catalogue: SqlCatalogue, tmp_path: Path
) -> None:
    record = make_marc_record("VNU-1", "Giáo trình kinh tế", holdings=())
    record.add_field(
        Field(
            tag="952",
            indicators=Indicators(" ", " "),
            subfields=[
                Subfield("c", "Tham khảo"),
                Subfield("o", "330 GI-108T"),
                Subfield("p", "B0001"),
                Subfield("7", "1"),
            ],
        )
    )
    path = tmp_path / "vnu.mrc"
    path.write_bytes(make_marc_file(record))
    ingest_file(
        catalogue, "VN-VNU", path, source=SourceConfig(library="VN-VNU", holdings=KOHA_HOLDINGS)
    )
    data, _ = _export(catalogue, "VN-VNU", "marc")
    rows = list(
        csv.reader(io.StringIO(zipfile.ZipFile(io.BytesIO(data)).read("holdings.csv").decode()))
    )
    assert rows[1:] == [["VNU-1", "Tham khảo", "330 GI-108T", "1", "false"]]


def test_only_that_library_or_a_national_administrator_may_export(
    catalogue: SqlCatalogue, contributed: dict[str, Any]
) -> None:
    security = SqlSecurityStore(catalogue.engine)
    other = Principal("key:other", Role.API_READER, "VN-HCM")
    with pytest.raises(PermissionDeniedError):
        library_records(security, other, "VN-NLV")
    own = Principal("key:own", Role.API_READER, "VN-NLV")
    assert sum(1 for _ in library_records(security, own, "VN-NLV")) == 5
    with pytest.raises(QueryError, match="marc, marcxml, json"):
        LibraryExport("VN-NLV", library_records(security, own, "VN-NLV"), "csv")


def test_the_archive_streams_out_while_records_are_still_being_read() -> None:
    total = 3000
    read = 0

    def records() -> Iterator[ContributedRecord]:
        nonlocal read
        for number in range(total):
            record = make_marc_record(f"R{number:05d}", f"Sách số {number} về lịch sử Việt Nam")
            read += 1
            yield ContributedRecord(
                local_id=f"R{number:05d}",
                status="active",
                record_format="marc21",
                raw=record.as_marc(),
                record=record.as_dict(),
                content_hash="",
                union_record_id=None,
                problems=(),
                provenance={},
                holdings=(HoldingStatement("Kho", str(number)),),
            )

    chunks = LibraryExport("VN-NLV", records(), "marc").chunks()
    first = next(chunk for chunk in chunks if chunk)
    assert first.startswith(b"PK")
    assert read < total
    assert sum(1 for _ in chunks) > 1
    assert read == total


def test_a_library_larger_than_one_batch_comes_back_whole(catalogue: SqlCatalogue) -> None:
    count = EXPORT_BATCH_SIZE * 2 + 100
    records = [make_marc_record(f"B{number:05d}", f"Sách {number}") for number in range(count)]
    ingest_bytes(catalogue, "VN-HCM", make_marc_file(*records), source_name="many.mrc")
    data, export = _export(catalogue, "VN-HCM", "marc")
    archive = zipfile.ZipFile(io.BytesIO(data))
    read = list(pymarc.MARCReader(archive.read("records.mrc"), to_unicode=True, force_utf8=True))
    assert [record["001"].data for record in read if record] == [
        f"B{number:05d}" for number in range(count)
    ]
    assert (export.manifest["counts"]["active"], export.manifest["counts"]["holdings"]) == (
        count,
        count,
    )
