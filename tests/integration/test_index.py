"""The index updater follows the change log; search finds Vietnamese text as readers type it."""

from __future__ import annotations

from pathlib import Path

from mucluc.search.index import TantivyIndex
from mucluc.services.indexing import apply_pending_changes, rebuild_index
from mucluc.services.ingest import ingest_bytes
from mucluc.services.search import reader_search_request, search_catalogue
from mucluc.storage.repository import SqlCatalogue
from tests.builders import make_marc_file, make_marc_record


def ingest_titles(store: SqlCatalogue, library: str, *titles: str, prefix: str = "r") -> None:
    records = [make_marc_record(f"{prefix}{n}", title) for n, title in enumerate(titles)]
    ingest_bytes(store, library, make_marc_file(*records), source_name=f"{library}.mrc")


def titles_found(index: TantivyIndex, query: str) -> list[str]:
    return [
        hit.title
        for hit in search_catalogue(index, reader_search_request(query, page_size=50)).hits
    ]


def test_updater_makes_ingested_records_searchable(
    catalogue: SqlCatalogue, index: TantivyIndex
) -> None:
    ingest_titles(catalogue, "VN-NLV", "Lịch sử Việt Nam", "Kinh tế học")
    applied = apply_pending_changes(catalogue, index)
    assert applied == 2
    assert titles_found(index, "lich su") == ["Lịch sử Việt Nam"]


def test_query_without_tones_finds_toned_records_and_d_bar(
    catalogue: SqlCatalogue, index: TantivyIndex
) -> None:
    ingest_titles(catalogue, "VN-NLV", "Đường về Đà Nẵng", "Dương cầm")
    apply_pending_changes(catalogue, index)
    assert titles_found(index, "da nang") == ["Đường về Đà Nẵng"]
    assert set(titles_found(index, "DUONG")) == {"Đường về Đà Nẵng", "Dương cầm"}


def test_query_with_tones_ranks_the_exact_tones_first(
    catalogue: SqlCatalogue, index: TantivyIndex
) -> None:
    ingest_titles(
        catalogue, "VN-NLV", "Lich su Viet Nam", "Lịch sự trong giao tiếp", "Lịch sử Việt Nam"
    )
    apply_pending_changes(catalogue, index)
    found = titles_found(index, "lịch sử")
    assert found[0] == "Lịch sử Việt Nam"
    assert set(found) == {"Lich su Viet Nam", "Lịch sự trong giao tiếp", "Lịch sử Việt Nam"}


def test_tone_placement_variants_find_each_other(
    catalogue: SqlCatalogue, index: TantivyIndex
) -> None:
    ingest_titles(catalogue, "VN-NLV", "Hoà bình và phát triển")
    apply_pending_changes(catalogue, index)
    assert titles_found(index, "hòa bình") == ["Hoà bình và phát triển"]


def test_isbn_query_finds_either_form(catalogue: SqlCatalogue, index: TantivyIndex) -> None:
    record = make_marc_record("n1", "Số đỏ", isbn="978-0-19-852663-6")
    ingest_bytes(catalogue, "VN-NLV", make_marc_file(record), source_name="a")
    apply_pending_changes(catalogue, index)
    assert titles_found(index, "0198526636") == ["Số đỏ"]
    assert titles_found(index, "978-0-19-852663-6") == ["Số đỏ"]


def test_deleted_union_record_disappears_from_search(
    catalogue: SqlCatalogue, index: TantivyIndex
) -> None:
    first = make_marc_record("h1", "Địa chí Huế", isbn="978-604-0-00002-6")
    ingest_bytes(catalogue, "VN-HCM", make_marc_file(first), source_name="a")
    ingest_bytes(
        catalogue,
        "VN-NLV",
        make_marc_file(make_marc_record("n1", "Địa chí", isbn="978-604-0-00001-9")),
        source_name="b",
    )
    apply_pending_changes(catalogue, index)
    assert len(titles_found(index, "dia chi")) == 2
    # Now the same edition as n1 (the matcher wants the title to agree with the ISBN, #4).
    moved = make_marc_record("h1", "Địa chí", isbn="978-604-0-00001-9")
    ingest_bytes(catalogue, "VN-HCM", make_marc_file(moved), source_name="c")
    apply_pending_changes(catalogue, index)
    results = search_catalogue(index, reader_search_request("dia chi", page_size=10))
    assert results.total == 1
    assert results.hits[0].library_codes == ("VN-NLV", "VN-HCM")


def test_updater_resumes_where_the_index_left_off(catalogue: SqlCatalogue, tmp_path: Path) -> None:
    ingest_titles(catalogue, "VN-NLV", "Văn học dân gian", prefix="a")
    assert apply_pending_changes(catalogue, TantivyIndex(tmp_path / "index")) == 1
    ingest_titles(catalogue, "VN-HCM", "Văn học hiện đại", prefix="b")
    reopened = TantivyIndex(tmp_path / "index")
    assert apply_pending_changes(catalogue, reopened) == 1
    assert apply_pending_changes(catalogue, reopened) == 0
    assert reopened.document_count() == 2


def test_rebuild_indexes_every_active_union_record(catalogue: SqlCatalogue, tmp_path: Path) -> None:
    ingest_titles(catalogue, "VN-NLV", "Tin học đại cương", "Hóa học hữu cơ", "Nông nghiệp")
    rebuilt = TantivyIndex(tmp_path / "rebuilt")
    count = rebuild_index(catalogue, lambda: rebuilt)
    assert count == 3
    assert rebuilt.document_count() == 3
    with catalogue.transaction() as transaction:
        assert rebuilt.applied_sequence() == transaction.latest_change_sequence()
    assert titles_found(rebuilt, "hoa hoc") == ["Hóa học hữu cơ"]


def test_results_page_through_without_repeats(catalogue: SqlCatalogue, index: TantivyIndex) -> None:
    ingest_titles(catalogue, "VN-NLV", *(f"Giáo trình kinh tế tập {n}" for n in range(25)))
    apply_pending_changes(catalogue, index)
    pages = [
        search_catalogue(index, reader_search_request("giao trinh", page=page, page_size=10))
        for page in (1, 2, 3)
    ]
    ids = [hit.id for page in pages for hit in page.hits]
    assert pages[0].total == 25
    assert len(ids) == 25
    assert len(set(ids)) == 25
