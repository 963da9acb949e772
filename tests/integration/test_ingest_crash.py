"""Crash safety: a `mucluc ingest` killed mid-file and run again ends as an uninterrupted run.

The killed run's job is then marked interrupted, not left running for good.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from mucluc.services.ingest import ingest_bytes
from mucluc.storage.repository import SqlCatalogue
from mucluc.storage.tables import IngestJob, Library
from tests.crash import (
    RunningMucluc,
    catalogue_state,
    committed,
    library_file,
    mucluc_environment,
    reference_catalogue,
    run_mucluc,
)

RECORDS = 3_000
KILL_AFTER_COMMITTED = 2_000


def test_ingest_killed_and_rerun_ends_as_an_uninterrupted_run(
    catalogue: SqlCatalogue, database_url: str, tmp_path: Path
) -> None:
    first, second = library_file("n", 0, RECORDS), library_file("h", 3, RECORDS)
    path = tmp_path / "hcm.mrc"
    path.write_bytes(second)
    ingest_bytes(catalogue, "VN-NLV", first, source_name="nlv.mrc")

    environment = mucluc_environment(tmp_path / "home", database_url)
    command = ("ingest", "--library", "VN-HCM", str(path))
    RunningMucluc(environment, *command).kill_when(
        lambda: committed(catalogue, "VN-HCM") >= KILL_AFTER_COMMITTED
    )
    assert 0 < committed(catalogue, "VN-HCM") < RECORDS, "the kill should land mid-file"
    run_mucluc(environment, *command)

    reference = reference_catalogue(tmp_path / "reference.db")
    ingest_bytes(reference, "VN-NLV", first, source_name="nlv.mrc")
    ingest_bytes(reference, "VN-HCM", second, source_name="hcm.mrc")
    assert catalogue_state(catalogue) == catalogue_state(reference)
    reference.engine.dispose()
    assert job_statuses(catalogue, "VN-HCM") == ["interrupted", "finished"]


def job_statuses(store: SqlCatalogue, code: str) -> list[str]:
    """The library's ingest jobs' statuses, oldest first."""
    with store.transaction() as transaction:
        return list(
            transaction.session.scalars(
                select(IngestJob.status)
                .join(Library, Library.id == IngestJob.library_id)
                .where(Library.code == code)
                .order_by(IngestJob.id)
            )
        )
