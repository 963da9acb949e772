"""The index follows the change log without skipping late commits; views load in bulk."""

from __future__ import annotations

from sqlalchemy import delete

from mucluc.search.index import TantivyIndex
from mucluc.services.indexing import GAP_PATIENCE_SECONDS, apply_pending_changes
from mucluc.services.ingest import ingest_bytes
from mucluc.services.search import reader_search_request, search_catalogue
from mucluc.storage.repository import SqlCatalogue
from mucluc.storage.tables import Change
from tests.builders import make_marc_file, make_marc_record


def ingest_titles(store: SqlCatalogue, *titles: str) -> None:
    records = [make_marc_record(f"g{n}", title) for n, title in enumerate(titles)]
    ingest_bytes(store, "VN-NLV", make_marc_file(*records), source_name="gaps.mrc")


def found(index: TantivyIndex, text: str) -> set[str]:
    return {hit.title for hit in search_catalogue(index, reader_search_request(text)).hits}


def hold_back_first_change(store: SqlCatalogue) -> Change:
    """Remove the lowest change as if its transaction had not committed yet; return it."""
    with store.transaction() as transaction:
        (first,) = transaction.changes_after(0, 1)
        transaction.session.execute(delete(Change).where(Change.sequence == first.sequence))
    return Change(
        sequence=first.sequence, union_record_id=first.union_record_id, operation="upsert"
    )


def test_a_change_committed_late_below_the_applied_sequence_is_applied(
    catalogue: SqlCatalogue, index: TantivyIndex
) -> None:
    ingest_titles(catalogue, "Sông Đà", "Sông Hồng")
    held_back = hold_back_first_change(catalogue)
    apply_pending_changes(catalogue, index, clock=lambda: 1000.0)
    assert found(index, "song") == {"Sông Hồng"}
    assert list(index.pending_gaps()) == [held_back.sequence]
    with catalogue.transaction() as transaction:
        transaction.session.add(held_back)
    assert apply_pending_changes(catalogue, index, clock=lambda: 1001.0) == 1
    assert found(index, "song") == {"Sông Đà", "Sông Hồng"}
    assert index.pending_gaps() == {}


def test_a_gap_that_never_fills_is_given_up_after_the_patience(
    catalogue: SqlCatalogue, index: TantivyIndex
) -> None:
    ingest_titles(catalogue, "Sông Đà", "Sông Hồng")
    hold_back_first_change(catalogue)
    apply_pending_changes(catalogue, index, clock=lambda: 1000.0)
    ingest_titles(catalogue, "Sông Đà", "Sông Hồng", "Sông Cửu Long")
    apply_pending_changes(catalogue, index, clock=lambda: 1000.0 + GAP_PATIENCE_SECONDS + 1)
    assert index.pending_gaps() == {}
    assert found(index, "song cuu long") == {"Sông Cửu Long"}


def test_gaps_survive_a_restart_of_the_updater(
    catalogue: SqlCatalogue, index: TantivyIndex
) -> None:
    ingest_titles(catalogue, "Sông Đà", "Sông Hồng")
    held_back = hold_back_first_change(catalogue)
    apply_pending_changes(catalogue, index, clock=lambda: 1000.0)
    with catalogue.transaction() as transaction:
        transaction.session.add(held_back)
    reopened = TantivyIndex(index.path)
    assert apply_pending_changes(catalogue, reopened, clock=lambda: 1001.0) == 1
    assert found(reopened, "song da") == {"Sông Đà"}


def test_bulk_views_equal_one_by_one_views(catalogue: SqlCatalogue) -> None:
    ingest_titles(catalogue, "Sông Đà", "Sông Hồng", "Sông Cửu Long")
    ingest_bytes(
        catalogue,
        "VN-HCM",
        make_marc_file(make_marc_record("h1", "Sông Đà", isbn="978-604-0-00001-9")),
        source_name="h.mrc",
    )
    with catalogue.transaction() as transaction:
        union_ids = list(transaction.active_union_record_ids())
        one_by_one = [transaction.union_record_view(union_id) for union_id in union_ids]
        in_bulk = transaction.union_record_views([*union_ids, 999_999])
    assert in_bulk == one_by_one
