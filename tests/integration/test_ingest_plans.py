"""Ingest's queries on SQLite find rows by index: none reads a whole catalogue table.

A statement that scans source records or blocking keys costs in proportion to
the catalogue, once per batch, so ingest slows down quadratically as the
catalogue grows (a row-value `(kind, value) IN (...)` did exactly that). The
speed itself is measured by bench/ingest.py; this checks the plans SQLite
chooses. Without statistics (no ANALYZE) SQLite plans a small store as it plans
a large one, so a few records are enough.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event

from mucluc.services.catalogue import add_library
from mucluc.services.ingest import ingest_bytes
from mucluc.storage.database import make_engine, upgrade_database
from mucluc.storage.repository import SqlCatalogue
from tests.builders import make_marc_file, make_marc_record
from tests.conftest import LIBRARIES

CATALOGUE_TABLES = frozenset(
    {
        "source_records",
        "match_keys",
        "match_profiles",
        "match_decisions",
        "holdings",
        "union_records",
        "changes",
    }
)


def _records(prefix: str) -> bytes:
    return make_marc_file(
        make_marc_record(f"{prefix}1", "Truyện Kiều", isbn="978-604-0-00001-9", author="Nguyễn Du"),
        make_marc_record(f"{prefix}2", "Lịch sử Việt Nam. Tập 2", author="Trần Trọng Kim"),
        make_marc_record(f"{prefix}3", "Số đỏ", author="Vũ Trọng Phụng", year=1936),
    )


def test_ingest_reads_catalogue_tables_by_index_only(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade_database(engine)
    store = SqlCatalogue(engine)
    for library in LIBRARIES:
        add_library(store, library)
    ingest_bytes(store, "VN-NLV", _records("n"), source_name="nlv.mrc")
    statements: list[tuple[str, Any]] = []

    def capture(*arguments: Any) -> None:
        _connection, _cursor, statement, parameters, _context, many = arguments
        if not many and statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    # A second library's copies: candidates are looked up, matched and clustered.
    summary = ingest_bytes(store, "VN-HCM", _records("h"), source_name="hcm.mrc")
    ingest_bytes(store, "VN-HCM", _records("h"), source_name="hcm.mrc")  # unchanged
    event.remove(engine, "before_cursor_execute", capture)
    assert summary.merged == 3

    scans = set()
    with engine.connect() as connection:
        for statement, parameters in statements:
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            for *_, detail in plan:
                words = detail.split()
                if words[0] == "SCAN" and words[1] in CATALOGUE_TABLES:
                    scans.add((detail, " ".join(statement.split())))
    engine.dispose()
    assert not scans
