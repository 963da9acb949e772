"""Ingest and the first matcher, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from mucluc.errors import IngestError, LibraryError
from mucluc.services.catalogue import catalogue_counts, get_union_record
from mucluc.services.ingest import ingest_bytes, ingest_file
from mucluc.storage.repository import SqlCatalogue
from mucluc.storage.tables import SourceRecord
from tests.builders import make_marc_file, make_marc_record


def union_ids(store: SqlCatalogue) -> dict[tuple[str, str], int | None]:
    with store.transaction() as transaction:
        return {
            (row.library_id, row.local_id): row.union_record_id
            for row in transaction.session.scalars(select(SourceRecord))
        }


def test_ingest_keeps_raw_bytes_and_parsed_record(catalogue: SqlCatalogue) -> None:
    record = make_marc_record("1", "Lịch sử Việt Nam /", isbn="978-604-0-00001-9")
    data = make_marc_file(record)
    ingest_bytes(catalogue, "VN-NLV", data, source_name="nlv.mrc")
    with catalogue.transaction() as transaction:
        stored = transaction.session.scalars(select(SourceRecord)).one()
    assert stored.raw == data
    assert stored.status == "active"
    assert stored.record is not None
    assert {
        "245": {"ind1": "0", "ind2": "0", "subfields": [{"a": "Lịch sử Việt Nam /"}]}
    } in stored.record["fields"]


def test_same_isbn_in_two_libraries_makes_one_union_record(catalogue: SqlCatalogue) -> None:
    ingest_bytes(
        catalogue,
        "VN-NLV",
        make_marc_file(make_marc_record("n1", "Truyện Kiều", isbn="978-604-0-00001-9")),
        source_name="a",
    )
    summary = ingest_bytes(
        catalogue,
        "VN-HCM",
        make_marc_file(make_marc_record("h1", "Truyện Kiều", isbn="9786040000019")),
        source_name="b",
    )
    assert summary.merged == 1
    (union_id,) = set(union_ids(catalogue).values())
    assert union_id is not None
    view = get_union_record(catalogue, union_id)
    assert view.library_codes == ("VN-NLV", "VN-HCM")


def test_isbn10_and_isbn13_forms_match(catalogue: SqlCatalogue) -> None:
    ingest_bytes(
        catalogue,
        "VN-HCM",
        make_marc_file(make_marc_record("h1", "Số đỏ", isbn="0-19-852663-6 (bìa mềm)")),
        source_name="a",
    )
    ingest_bytes(
        catalogue,
        "VN-VNU",
        make_marc_file(make_marc_record("v1", "Số đỏ", isbn="978-0-19-852663-6")),
        source_name="b",
    )
    assert len(set(union_ids(catalogue).values())) == 1


def test_one_library_never_merges_its_own_records(catalogue: SqlCatalogue) -> None:
    data = make_marc_file(
        make_marc_record("n1", "Dế Mèn phiêu lưu ký", isbn="978-604-0-00001-9"),
        make_marc_record("n2", "Dế Mèn phiêu lưu ký", isbn="978-604-0-00001-9"),
    )
    summary = ingest_bytes(catalogue, "VN-NLV", data, source_name="a")
    assert summary.loaded == 2
    assert summary.merged == 0
    assert len(set(union_ids(catalogue).values())) == 2


def test_records_without_isbn_stay_apart(catalogue: SqlCatalogue) -> None:
    ingest_bytes(
        catalogue, "VN-NLV", make_marc_file(make_marc_record("n1", "Nhật ký")), source_name="a"
    )
    ingest_bytes(
        catalogue, "VN-HCM", make_marc_file(make_marc_record("h1", "Nhật ký")), source_name="b"
    )
    assert len(set(union_ids(catalogue).values())) == 2


def test_bad_record_is_kept_with_its_reason_and_the_rest_loads(catalogue: SqlCatalogue) -> None:
    good = make_marc_record("n1", "Lịch sử Đảng", isbn="978-604-0-00001-9").as_marc()
    no_title = make_marc_record("n2", None).as_marc()
    latin1 = make_marc_record("n3", "Caf\u00e9").as_marc().replace("é".encode(), b"\xe9 ")
    data = good + no_title + latin1
    summary = ingest_bytes(catalogue, "VN-NLV", data, source_name="nlv-2026.mrc")
    assert (summary.read, summary.loaded, summary.rejected) == (3, 1, 2)
    with catalogue.transaction() as transaction:
        rejected = {
            row.local_id: row
            for row in transaction.session.scalars(
                select(SourceRecord).where(SourceRecord.status == "quarantined")
            )
        }
    no_title_row = rejected["nlv-2026.mrc#2"]
    assert no_title_row.raw == no_title
    assert no_title_row.problems[0]["tag"] == "245"
    assert no_title_row.problems[0]["offset"] == len(good)
    assert no_title_row.problems[0]["file"] == "nlv-2026.mrc"
    assert "UTF-8" in rejected["nlv-2026.mrc#3"].problems[0]["message"]
    assert catalogue_counts(catalogue).rejected_records == 2


def test_reingesting_the_same_file_changes_nothing(catalogue: SqlCatalogue) -> None:
    data = make_marc_file(make_marc_record("n1", "Văn học", isbn="978-604-0-00001-9"))
    ingest_bytes(catalogue, "VN-NLV", data, source_name="a")
    with catalogue.transaction() as transaction:
        before = transaction.latest_change_sequence()
    summary = ingest_bytes(catalogue, "VN-NLV", data, source_name="a")
    with catalogue.transaction() as transaction:
        after = transaction.latest_change_sequence()
    assert (summary.unchanged, summary.loaded) == (1, 0)
    assert after == before


def test_changed_isbn_moves_the_record_and_deletes_its_empty_union_record(
    catalogue: SqlCatalogue,
) -> None:
    ingest_bytes(
        catalogue,
        "VN-NLV",
        make_marc_file(make_marc_record("n1", "Địa lý", isbn="978-604-0-00001-9")),
        source_name="a",
    )
    ingest_bytes(
        catalogue,
        "VN-HCM",
        make_marc_file(make_marc_record("h1", "Địa lý", isbn="978-604-0-00002-6")),
        source_name="b",
    )
    old_union = union_ids(catalogue)
    ingest_bytes(
        catalogue,
        "VN-HCM",
        make_marc_file(make_marc_record("h1", "Địa lý", isbn="978-604-0-00001-9")),
        source_name="c",
    )
    new_union = union_ids(catalogue)
    assert len(set(new_union.values())) == 1
    abandoned = (set(old_union.values()) - set(new_union.values())).pop()
    with catalogue.transaction() as transaction:
        operations = {(c.union_record_id, c.operation) for c in transaction.changes_after(0, 100)}
    assert (abandoned, "delete") in operations


def test_holdings_come_from_852_with_copies_from_barcodes(catalogue: SqlCatalogue) -> None:
    record = make_marc_record(
        "n1",
        "Y học cổ truyền",
        holdings=(("Kho mượn", "615.8 Y600H", 3), ("Kho đọc", "615.8 Y600H", 1)),
    )
    ingest_bytes(catalogue, "VN-NLV", make_marc_file(record), source_name="a")
    (union_id,) = set(union_ids(catalogue).values())
    assert union_id is not None
    (member,) = get_union_record(catalogue, union_id).members
    assert [(h.location, h.call_number, h.copies) for h in member.holdings] == [
        ("Kho mượn", "615.8 Y600H", 3),
        ("Kho đọc", "615.8 Y600H", 1),
    ]


def test_ingest_for_an_unknown_library_is_refused(catalogue: SqlCatalogue) -> None:
    with pytest.raises(LibraryError, match="VN-NOPE"):
        ingest_bytes(catalogue, "VN-NOPE", b"", source_name="a")


def test_ingest_of_a_missing_file_names_it(catalogue: SqlCatalogue, tmp_path: Path) -> None:
    with pytest.raises(IngestError, match=r"missing\.mrc"):
        ingest_file(catalogue, "VN-NLV", tmp_path / "missing.mrc")
