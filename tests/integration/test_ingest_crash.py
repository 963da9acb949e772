"""Crash safety: a `mucluc ingest` killed mid-file and run again ends as an uninterrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from mucluc.services.ingest import ingest_bytes
from mucluc.storage.database import make_engine, upgrade_database
from mucluc.storage.repository import SqlCatalogue
from mucluc.storage.tables import Holding, Library, MatchKey, SourceRecord
from tests.builders import make_marc_file, make_marc_record
from tests.conftest import LIBRARIES

RECORDS = 3_000
KILL_AFTER_COMMITTED = 2_000


def library_file(prefix: str, offset: int) -> bytes:
    """Records whose ISBNs overlap the other library's, so matching has work to do."""
    records = []
    for number in range(RECORDS):
        body = f"978604{(number + offset) % (RECORDS + offset):06d}"
        check = (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body)) % 10) % 10
        records.append(
            make_marc_record(f"{prefix}{number}", f"Sách {number}", isbn=body + str(check))
        )
    return make_marc_file(*records)


def catalogue_state(store: SqlCatalogue) -> tuple[object, ...]:
    """Statuses, union groupings (ids aside) and row counts, by (library, local id)."""
    with store.transaction() as transaction:
        session = transaction.session
        rows = session.execute(
            select(
                Library.code,
                SourceRecord.local_id,
                SourceRecord.status,
                SourceRecord.union_record_id,
            ).join(Library, Library.id == SourceRecord.library_id)
        ).all()
        groups: dict[int, set[tuple[str, str]]] = {}
        for code, local_id, _, union_id in rows:
            if union_id is not None:
                groups.setdefault(union_id, set()).add((code, local_id))
        return (
            sorted((code, local_id, status) for code, local_id, status, _ in rows),
            sorted(sorted(group) for group in groups.values()),
            session.scalar(select(func.count()).select_from(MatchKey)),
            session.scalar(select(func.count()).select_from(Holding)),
        )


def committed(store: SqlCatalogue, code: str) -> int:
    with store.transaction() as transaction:
        return (
            transaction.session.scalar(
                select(func.count())
                .select_from(SourceRecord)
                .join(Library, Library.id == SourceRecord.library_id)
                .where(Library.code == code)
            )
            or 0
        )


def test_ingest_killed_and_rerun_ends_as_an_uninterrupted_run(
    catalogue: SqlCatalogue, database_url: str, tmp_path: Path
) -> None:
    first, second = library_file("n", 0), library_file("h", 3)
    path = tmp_path / "hcm.mrc"
    path.write_bytes(second)
    ingest_bytes(catalogue, "VN-NLV", first, source_name="nlv.mrc")

    environment = {key: value for key, value in os.environ.items() if not key.startswith("MUCLUC_")}
    environment["MUCLUC_HOME"] = str(tmp_path / "home")
    environment["MUCLUC_DATABASE_URL"] = database_url
    command = [sys.executable, "-m", "mucluc", "ingest", "--library", "VN-HCM", str(path)]
    process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while committed(catalogue, "VN-HCM") < KILL_AFTER_COMMITTED and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert 0 < committed(catalogue, "VN-HCM") < RECORDS, "the kill should land mid-file"
    rerun = subprocess.run(command, env=environment, capture_output=True, timeout=120, check=False)
    assert rerun.returncode == 0, rerun.stderr

    reference = SqlCatalogue(make_engine(f"sqlite:///{tmp_path / 'reference.db'}"))
    upgrade_database(reference.engine)
    with reference.transaction() as transaction:
        for library in LIBRARIES:
            transaction.add_library(library)
    ingest_bytes(reference, "VN-NLV", first, source_name="nlv.mrc")
    ingest_bytes(reference, "VN-HCM", second, source_name="hcm.mrc")
    assert catalogue_state(catalogue) == catalogue_state(reference)
    reference.engine.dispose()
