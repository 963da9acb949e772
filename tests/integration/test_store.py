"""The store on SQLite and PostgreSQL: migrations, libraries, the change log, counts."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from mucluc.core.model import LibraryInfo
from mucluc.errors import LibraryError
from mucluc.services.catalogue import add_library, list_libraries
from mucluc.storage.repository import SqlCatalogue
from mucluc.storage.tables import Base


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
