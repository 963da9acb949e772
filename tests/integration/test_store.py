"""The store on SQLite and PostgreSQL: migrations, libraries, the change log, counts."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text, update
from sqlalchemy.orm import Session

from mucluc.core.marc.describe import (
    DESCRIPTION_VERSION,
    describe_record,
    description_from_store,
    description_to_store,
)
from mucluc.core.model import LibraryInfo
from mucluc.errors import LibraryError
from mucluc.services.catalogue import add_library, list_libraries
from mucluc.services.ingest import ingest_bytes
from mucluc.storage.repository import SqlCatalogue
from mucluc.storage.tables import Base, SourceRecord
from tests.builders import make_marc_file, make_marc_record


def test_migrations_create_every_table(store: SqlCatalogue) -> None:
    tables = set(inspect(store.engine).get_table_names())
    assert {
        "libraries",
        "source_records",
        "holdings",
        "union_records",
        "match_keys",
        "changes",
        "ingest_jobs",
    } <= tables


def test_migrations_match_the_table_classes(store: SqlCatalogue) -> None:
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_library_add_and_list_keep_vietnamese_names(store: SqlCatalogue) -> None:
    add_library(
        store,
        LibraryInfo(
            "VN-DN",
            "Thư viện Khoa học Tổng hợp Đà Nẵng",
            "Da Nang Library",
            "provincial",
            "Đà Nẵng",
        ),
    )
    (library,) = list_libraries(store)
    assert library.name_vi == "Thư viện Khoa học Tổng hợp Đà Nẵng"
    assert library.province == "Đà Nẵng"


def test_library_add_refuses_a_code_twice(catalogue: SqlCatalogue) -> None:
    with pytest.raises(LibraryError, match="VN-NLV"):
        add_library(catalogue, LibraryInfo("VN-NLV", "Khác", "Other", "school"))


def test_library_add_refuses_an_unknown_type(store: SqlCatalogue) -> None:
    with pytest.raises(LibraryError, match="unknown library type 'museum'"):
        add_library(store, LibraryInfo("VN-X", "Bảo tàng", "Museum", "museum"))


def test_change_log_sequence_grows_in_order(catalogue: SqlCatalogue) -> None:
    with catalogue.transaction() as transaction:
        first = transaction.create_union_record()
        second = transaction.create_union_record()
        transaction.append_change(first, "upsert")
        transaction.append_change(second, "upsert")
        transaction.append_change(first, "delete")
    with catalogue.transaction() as transaction:
        changes = transaction.changes_after(0, 10)
        latest = transaction.latest_change_sequence()
    sequences = [change.sequence for change in changes]
    assert sequences == sorted(sequences)
    assert len(set(sequences)) == 3
    assert [(c.union_record_id, c.operation) for c in changes] == [
        (first, "upsert"),
        (second, "upsert"),
        (first, "delete"),
    ]
    assert latest == sequences[-1]


def test_union_record_ids_are_never_reused(catalogue: SqlCatalogue) -> None:
    with catalogue.transaction() as transaction:
        first = transaction.create_union_record()
    with catalogue.engine.begin() as connection:
        connection.exec_driver_sql(f"DELETE FROM union_records WHERE id = {first}")
    with catalogue.transaction() as transaction:
        second = transaction.create_union_record()
    assert second > first


def test_rolled_back_transaction_leaves_nothing(catalogue: SqlCatalogue) -> None:
    def abandon_after_creating() -> None:
        with catalogue.transaction() as transaction:
            transaction.create_union_record()
            raise RuntimeError("abandon")

    with pytest.raises(RuntimeError):
        abandon_after_creating()
    with catalogue.transaction() as transaction:
        assert list(transaction.active_union_record_ids()) == []


def test_the_index_reads_the_description_ingest_kept_unless_describing_changed(
    catalogue: SqlCatalogue,
) -> None:
    record = make_marc_record("k1", "Truyện Kiều /", author="Nguyễn Du")
    ingest_bytes(catalogue, "VN-NLV", make_marc_file(record), source_name="k.mrc")
    with Session(catalogue.engine) as session:
        row = session.scalars(select(SourceRecord)).one()
        assert description_from_store(row.description) == describe_record(record)
        union_record_id = row.union_record_id
        assert union_record_id is not None

    def described_title(kept: dict[str, Any]) -> str:
        with Session(catalogue.engine) as session, session.begin():
            session.execute(update(SourceRecord).values(description=kept))
        with catalogue.transaction() as transaction:
            (view,) = transaction.union_record_views([union_record_id])
        return view.members[0].description.title

    kept = description_to_store(describe_record(record))
    assert described_title({**kept, "title": "Kept title"}) == "Kept title"
    stale = {**kept, "title": "Stale title", "version": DESCRIPTION_VERSION - 1}
    assert described_title(stale) == "Truyện Kiều"


def test_tables_much_changed_since_last_analysed_are_analysed(catalogue: SqlCatalogue) -> None:
    """On PostgreSQL a load keeps the planner's statistics fresh; SQLite needs none.

    A backend's row counts reach the statistics views when it next flushes
    them (at most once a second): ingest's own refresh after the batch, or
    the one here after a forced flush, analyses `match_keys`.
    """
    records = [make_marc_record(f"r{number}", f"Sách số {number}") for number in range(60)]
    with catalogue.transaction() as transaction:
        is_postgresql = transaction.session.get_bind().dialect.name == "postgresql"
    ingest_bytes(catalogue, "VN-NLV", make_marc_file(*records), source_name="sach.mrc")
    if not is_postgresql:
        with catalogue.transaction() as transaction:
            assert transaction.refresh_stale_statistics() == []
        return
    with catalogue.transaction() as transaction:
        transaction.session.execute(text("SELECT pg_stat_force_next_flush()"))
    with catalogue.transaction() as transaction:
        transaction.refresh_stale_statistics()
    with catalogue.transaction() as transaction:
        assert "match_keys" not in transaction.refresh_stale_statistics()
        analysed = transaction.session.execute(
            text(
                "SELECT relname FROM pg_stat_user_tables "
                "WHERE schemaname = current_schema() AND last_analyze IS NOT NULL"
            )
        ).scalars()
        assert {"match_keys", "source_records", "holdings"} <= set(analysed)
