"""Every MARC file in shared/data ingests into a real store: no crash, all records accounted for."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

import pytest
from sqlalchemy import select

from mucluc.core.marc.iso2709 import read_iso2709_stream
from mucluc.services.ingest import ingest_bytes, ingest_files
from mucluc.storage.database import make_engine, upgrade_database
from mucluc.storage.repository import SqlCatalogue
from mucluc.storage.tables import SourceRecord
from tests.conftest import LIBRARIES

SHARED_DATA = Path(__file__).parents[3] / "shared" / "data"
ISO2709_SUFFIXES = (".mrc", ".marc", ".dat", ".iso", ".utf8", ".mrc8")
# Files kept in shared/data because they are broken (SOURCES.md): each must quarantine something.
MALFORMED = {"bad_records.mrc", "utf8_with_bad_bytes.marc", "1251.dat", "cp866_multirecord.marc"}
# The 20,000-record LoC slice is read whole by tests/unit/test_marc_iso2709.py and bench/;
# here its first records stand for it, so the suite stays inside its time budget.
LARGE_FILE_BYTES = 1_000_000
LARGE_FILE_RECORDS = 1_000


def marc_files() -> list[Path]:
    files = []
    for path in sorted(SHARED_DATA.rglob("*")):
        if path.suffix.lower() in ISO2709_SUFFIXES:
            files.append(path)
        elif path.suffix.lower() in (".xml", ".json") and path.stat().st_size < 5_000_000:
            head = path.read_bytes()[:20_000]
            if b"MARC21/slim" in head or b"<leader" in head or b'"leader"' in head:
                files.append(path)
    return files


def first_records(path: Path) -> bytes:
    """The file's first `LARGE_FILE_RECORDS` records, cut at a record boundary."""
    with path.open("rb") as stream:
        records = read_iso2709_stream(stream, path.name)
        return b"".join(outcome.raw for outcome in islice(records, LARGE_FILE_RECORDS))


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory: pytest.TempPathFactory) -> SqlCatalogue:
    path = tmp_path_factory.mktemp("shared") / "shared.db"
    store = SqlCatalogue(make_engine(f"sqlite:///{path}"))
    upgrade_database(store.engine)
    with store.transaction() as transaction:
        for library in LIBRARIES:
            transaction.add_library(library)
    return store


def test_every_shared_marc_file_ingests_with_every_record_accounted_for(
    shared_store: SqlCatalogue,
) -> None:
    files = marc_files()
    assert len(files) > 100
    large = [
        path
        for path in files
        if path.stat().st_size >= LARGE_FILE_BYTES and path.suffix in ISO2709_SUFFIXES
    ]
    summaries = ingest_files(shared_store, "VN-NLV", [path for path in files if path not in large])
    for path in large:
        summaries.append(
            ingest_bytes(shared_store, "VN-NLV", first_records(path), source_name=path.name)
        )
    for summary in summaries:
        outcomes = (
            summary.added + summary.updated + summary.unchanged + summary.deleted
        ) + summary.quarantined
        assert outcomes == summary.read, summary
    by_name = {summary.source_name: summary for summary in summaries}
    for name in MALFORMED:
        assert by_name[name].quarantined > 0, name
    assert by_name["loc_booksall_2016_p01_000000-019999.mrc"].read == LARGE_FILE_RECORDS
    assert by_name["loc_booksall_2016_p01_vie_even.mrc"].quarantined == 0
    with shared_store.transaction() as transaction:
        quarantined = transaction.session.scalars(
            select(SourceRecord).where(SourceRecord.status == "quarantined")
        ).all()
    assert quarantined
    for record in quarantined:
        assert record.raw
        assert any(problem["severity"] == "error" for problem in record.problems)
        assert all(problem["file"] and problem["message"] for problem in record.problems)
