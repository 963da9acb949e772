"""Ingest of legacy-encoded MARC, book lists and configured sources, into a real store."""

from __future__ import annotations

import json
from pathlib import Path

from pymarc import Field, Indicators, Subfield
from sqlalchemy import select

from mucluc.core.source_config import parse_source_configs
from mucluc.services.ingest import ingest_bytes
from mucluc.storage.repository import SqlCatalogue
from mucluc.storage.tables import Holding, SourceRecord
from tests.builders import make_marc_file, make_marc_record
from tests.integration.test_cli import mucluc
from tests.unit.test_marc_legacy import legacy_iso2709, unicode_records


def stored_records(store: SqlCatalogue) -> list[SourceRecord]:
    with store.transaction() as transaction:
        return list(
            transaction.session.scalars(select(SourceRecord).order_by(SourceRecord.local_id))
        )


def test_tcvn3_and_vni_files_store_the_same_records_as_the_unicode_file(
    catalogue: SqlCatalogue,
) -> None:
    records = unicode_records()
    unicode = make_marc_file(*records)
    ingest_bytes(catalogue, "VN-NLV", unicode, source_name="unicode.mrc")
    for library, encoding in (("VN-HCM", "tcvn3"), ("VN-VNU", "vni")):
        data = b"".join(legacy_iso2709(record, encoding) for record in records)
        summary = ingest_bytes(catalogue, library, data, source_name=f"{encoding}.mrc")
        assert summary.quarantined == 0
    stored = stored_records(catalogue)
    by_file: dict[str, list[list[object]]] = {}
    for record in stored:
        by_file.setdefault(record.provenance["file"], []).append(record.record["fields"])
    assert by_file["tcvn3.mrc"] == by_file["unicode.mrc"]
    assert by_file["vni.mrc"] == by_file["unicode.mrc"]
    tcvn3 = [record for record in stored if record.provenance["file"] == "tcvn3.mrc"]
    assert {record.provenance["encoding"] for record in tcvn3} == {"tcvn3"}
    assert all(record.provenance["confidence"] >= 0.5 for record in tcvn3)
    assert all(record.raw.startswith(b"0") for record in tcvn3)  # original bytes kept


def test_csv_book_list_ingests_with_holdings_and_line_numbers(catalogue: SqlCatalogue) -> None:
    data = (
        "Nhan đề,Tác giả,Năm xuất bản,ISBN,Số ĐKCB,Số bản,Kho\n"
        "Truyện Kiều,Nguyễn Du,2015,978-604-0-00001-9,DK1,2,Kho mượn\n"
        ",Không nhan đề,2016,,DK2,1,Kho mượn\n"
    ).encode("utf-8-sig")
    summary = ingest_bytes(catalogue, "VN-HCM", data, source_name="list.csv", record_format=None)
    assert (summary.read, summary.added, summary.quarantined) == (2, 1, 1)
    good, bad = stored_records(catalogue)
    assert good.local_id == "DK1"
    assert good.title == "Truyện Kiều"
    assert bad.status == "quarantined"
    assert bad.problems[0]["line"] == 3
    with catalogue.transaction() as transaction:
        copies = transaction.session.scalars(select(Holding.copies)).all()
    assert sum(copies) == 2


def test_koha_952_holdings_and_configured_local_id(catalogue: SqlCatalogue) -> None:
    record = make_marc_record("ignored", "Lịch sử Việt Nam", holdings=())
    record.add_field(
        Field(tag="035", indicators=Indicators(" ", " "), subfields=[Subfield("a", "KOHA-7")])
    )
    record.add_field(
        Field(
            tag="952",
            indicators=Indicators(" ", " "),
            subfields=[
                Subfield("a", "HCM"),
                Subfield("c", "Kho đọc"),
                Subfield("o", "959.7 L302S"),
                Subfield("p", "B1"),
                Subfield("p", "B2"),
            ],
        )
    )
    record.add_field(
        Field(
            tag="952",
            indicators=Indicators(" ", " "),
            subfields=[Subfield("c", "Kho tra cứu"), Subfield("p", "B3"), Subfield("7", "1")],
        )
    )
    source = parse_source_configs(
        {"VN-HCM": {"local_id": "035$a", "holdings": "koha"}}, "sources.toml"
    )["VN-HCM"]
    ingest_bytes(catalogue, "VN-HCM", make_marc_file(record), source_name="koha.mrc", source=source)
    (stored,) = stored_records(catalogue)
    assert stored.local_id == "KOHA-7"
    with catalogue.transaction() as transaction:
        holdings = transaction.session.scalars(select(Holding).order_by(Holding.id)).all()
        found = [(h.location, h.call_number, h.copies, h.lendable) for h in holdings]
    assert found == [
        ("Kho đọc", "959.7 L302S", 2, True),
        ("Kho tra cứu", None, 1, False),  # 952$7 "not for loan"
    ]


def test_content_problems_are_stored_as_warnings_with_place(catalogue: SqlCatalogue) -> None:
    record = make_marc_record("w1", "Sách", isbn="978-604-0-00001-8")
    record.add_field(
        Field(tag="041", indicators=Indicators("x", " "), subfields=[Subfield("a", "Viet")])
    )
    ingest_bytes(catalogue, "VN-NLV", make_marc_file(record), source_name="w.mrc")
    (stored,) = stored_records(catalogue)
    assert stored.status == "active"
    messages = {(problem["tag"], problem["severity"]) for problem in stored.problems}
    assert messages == {("020", "warning"), ("041", "warning")}
    assert all(problem["file"] == "w.mrc" and problem["record"] == 1 for problem in stored.problems)


def test_cli_ingests_csv_with_columns_and_reports_json(tmp_path: Path, database_url: str) -> None:
    home = tmp_path / "home"
    book_list = tmp_path / "list.txt"
    book_list.write_bytes("Book;Writer;When\nCafé society;Renée Roe;1999\n".encode("latin-1"))
    for arguments in (
        ("init",),
        ("library", "add", "VN-HCM", "--name", "HCM", "--type", "provincial"),
    ):
        assert mucluc(home, *arguments, database_url=database_url).returncode == 0
    result = mucluc(
        home,
        "ingest",
        "--library",
        "VN-HCM",
        "--format",
        "csv",
        "--columns",
        "title=Book,author=Writer,year=When",
        "--json",
        str(book_list),
        database_url=database_url,
    )
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout)
    assert (counts["read"], counts["added"], counts["quarantined"]) == (1, 1, 0)
