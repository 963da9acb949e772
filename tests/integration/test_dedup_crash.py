"""Crash safety: `mucluc dedup --rebuild` SIGKILLed mid-run leaves the catalogue as it was.

A re-run then ends with exactly the union records (ids included) of an
uninterrupted rebuild, staff overrides respected.
"""

from __future__ import annotations

import random
from pathlib import Path

from sqlalchemy import func, select

from mucluc.services.ingest import ingest_bytes
from mucluc.services.matching import (
    merge_union_records,
    rebuild_union_records,
    split_union_record,
)
from mucluc.storage.repository import SqlCatalogue
from mucluc.storage.tables import (
    Change,
    DedupOverride,
    Library,
    MatchDecisionRow,
    MatchKey,
    MatchProfileRow,
    SourceRecord,
    UnionRecord,
)
from tests.crash import (
    RunningMucluc,
    library_file,
    mucluc_environment,
    reference_catalogue,
    run_mucluc,
)

RECORDS = 1_000  # enough that a kill after either cue lands well before the commit
# Log lines `mucluc --debug dedup --rebuild` writes once its transaction has written.
CUES = ("dedup_rebuild_profiled", "dedup_rebuild_decided")


def union_of(store: SqlCatalogue, code: str, local_id: str) -> int:
    with store.transaction() as transaction:
        union_id = transaction.session.scalar(
            select(SourceRecord.union_record_id)
            .join(Library, Library.id == SourceRecord.library_id)
            .where(Library.code == code, SourceRecord.local_id == local_id)
        )
    assert union_id is not None
    return union_id


def matched_catalogue(store: SqlCatalogue) -> None:
    """Two libraries whose records match by ISBN, a staff merge and a staff split."""
    ingest_bytes(store, "VN-NLV", library_file("n", 0, RECORDS), source_name="nlv.mrc")
    # h2 carries n5's ISBN: library_file offsets the HCM numbers by 3.
    ingest_bytes(store, "VN-HCM", library_file("h", 3, RECORDS), source_name="hcm.mrc")
    merge_union_records(
        store,
        [union_of(store, "VN-NLV", "n0"), union_of(store, "VN-NLV", "n1")],
        reason="one work in two parts",
    )
    split_union_record(
        store, union_of(store, "VN-NLV", "n5"), ["VN-HCM:h2"], reason="different printings"
    )


def dedup_state(store: SqlCatalogue) -> tuple[object, ...]:
    """Every member's union record, every union record's status and redirect, the row counts."""
    with store.transaction() as transaction:
        session = transaction.session
        members = session.execute(
            select(Library.code, SourceRecord.local_id, SourceRecord.union_record_id)
            .join(Library, Library.id == SourceRecord.library_id)
            .order_by(Library.code, SourceRecord.local_id)
        ).all()
        unions = session.execute(
            select(
                UnionRecord.id, UnionRecord.status, UnionRecord.merged_into_id, UnionRecord.title
            ).order_by(UnionRecord.id)
        ).all()
        counts = [
            session.scalar(select(func.count()).select_from(table))
            for table in (MatchProfileRow, MatchKey, MatchDecisionRow, DedupOverride, Change)
        ]
    return ([tuple(row) for row in members], [tuple(row) for row in unions], counts)


def test_dedup_rebuild_killed_mid_run_changes_nothing_and_a_rerun_converges(
    catalogue: SqlCatalogue, database_url: str, tmp_path: Path
) -> None:
    matched_catalogue(catalogue)
    before = dedup_state(catalogue)
    environment = mucluc_environment(tmp_path / "home", database_url)
    seeded = random.Random(4)
    for cue in (*CUES, seeded.choice(CUES)):
        running = RunningMucluc(environment, "--debug", "dedup", "--rebuild")
        running.kill_when(
            lambda cue=cue, running=running: running.said(cue) > 0,
            then_wait=seeded.random() / 100,
        )
        assert dedup_state(catalogue) == before, "a killed rebuild must leave no trace"
    # With --debug the rebuild logs at INFO, which once raised at its very end.
    summary = run_mucluc(environment, "--debug", "dedup", "--rebuild")
    assert f"records {2 * RECORDS}," in summary

    reference = reference_catalogue(tmp_path / "reference.db")
    matched_catalogue(reference)
    rebuild_union_records(reference)
    assert dedup_state(catalogue) == dedup_state(reference)
    reference.engine.dispose()
