"""Keep the search index in step with the change log, or rebuild it from the store.

The index remembers the highest change-log sequence it applied, so an
updater that stops (or crashes) resumes where the index left off; applying
a change twice is harmless because each change re-renders the union record
as it is now.

Gap safety: on PostgreSQL a sequence number is taken when a change is
written but becomes visible only when its transaction commits, so a
transaction holding sequence 10 may commit after one holding 11. An updater
that has read 11 must not pass over 10 for good: every sequence it jumps
over is kept as a pending gap (with when it was first missed) and looked
for again on every round until it appears or `GAP_PATIENCE_SECONDS` pass —
a rolled-back transaction leaves a hole that never fills.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from mucluc.core.ports import CatalogueStore, ChangeEntry, SearchIndex

logger = logging.getLogger(__name__)

CHANGES_PER_BATCH = 500
# A long catch-up commits the index this often by default, not after every
# batch: each tantivy commit and its merges cost about a quarter of a second.
CHANGES_PER_COMMIT = 10_000
RECORDS_PER_REBUILD_BATCH = 500
# How long a missing sequence is awaited: longer than any ingest transaction runs.
GAP_PATIENCE_SECONDS = 900.0
# At most this many missing sequences are awaited; the oldest are given up first.
MAX_PENDING_GAPS = 10_000
# A rebuild awaits the missing sequences among this many before its starting point.
REBUILD_GAP_WINDOW = 10_000


def apply_pending_changes(
    store: CatalogueStore,
    index: SearchIndex,
    *,
    clock: Callable[[], float] = time.time,
    changes_per_commit: int = CHANGES_PER_COMMIT,
) -> int:
    """Apply every change logged after the index's position, and any gap now filled.

    The index commits (and records its position) every `changes_per_commit`
    entries and at the end. Returns how many change-log entries were applied.
    """
    sequence = index.applied_sequence()
    gaps = index.pending_gaps()
    applied = 0
    uncommitted = 0
    first_round = True
    while True:
        now = clock()
        with store.transaction() as transaction:
            filled = transaction.changes_in(gaps) if first_round and gaps else []
            changes = transaction.changes_after(sequence, CHANGES_PER_BATCH)
            if not changes and not filled:
                break
            operations = _last_operation_by_record([*filled, *changes])
            views = transaction.union_record_views(
                [union_id for union_id, operation in operations.items() if operation == "upsert"]
            )
        first_round = False
        for change in filled:
            gaps.pop(change.sequence, None)
        expected = sequence + 1
        for change in changes:
            for missing in range(expected, change.sequence):
                gaps[missing] = now
            expected = change.sequence + 1
        if changes:
            sequence = changes[-1].sequence
        gaps = _forget_old_gaps(gaps, now)
        live = [view for view in views if view.status == "active"]
        live_ids = {view.id for view in live}
        index.delete(union_id for union_id in operations if union_id not in live_ids)
        index.upsert(live)
        uncommitted += len(changes) + len(filled)
        if uncommitted >= changes_per_commit:
            index.commit(sequence, gaps)
            applied += uncommitted
            uncommitted = 0
    if uncommitted:
        index.commit(sequence, gaps)
        applied += uncommitted
    if applied:
        logger.info(
            "index_updated",
            extra={"changes": applied, "sequence": sequence, "pending_gaps": len(gaps)},
        )
    return applied


def _last_operation_by_record(changes: Sequence[ChangeEntry]) -> dict[int, str]:
    ordered = sorted(changes, key=lambda change: change.sequence)
    return {change.union_record_id: change.operation for change in ordered}


def _forget_old_gaps(gaps: dict[int, float], now: float) -> dict[int, float]:
    """Drop gaps awaited longer than GAP_PATIENCE_SECONDS, and the oldest beyond the cap."""
    kept = {sequence: seen for sequence, seen in gaps.items() if now - seen <= GAP_PATIENCE_SECONDS}
    if len(kept) > MAX_PENDING_GAPS:
        kept = dict(sorted(kept.items())[-MAX_PENDING_GAPS:])
    if len(kept) < len(gaps):
        logger.info("change_log_gaps_given_up", extra={"count": len(gaps) - len(kept)})
    return kept


def rebuild_index(
    store: CatalogueStore,
    fresh_index: Callable[[], SearchIndex],
    *,
    clock: Callable[[], float] = time.time,
) -> int:
    """Fill a new, empty index with every active union record; return how many.

    The index is marked with the change-log sequence read before the first
    record, so changes made during the rebuild are applied afterwards; the
    sequences missing just below it (transactions still running) are marked
    as pending gaps, so they are applied when they commit.
    """
    index = fresh_index()
    with store.transaction() as transaction:
        sequence = transaction.latest_change_sequence()
        recent = transaction.changes_after(
            max(0, sequence - REBUILD_GAP_WINDOW), REBUILD_GAP_WINDOW
        )
        union_record_ids = list(transaction.active_union_record_ids())
    seen = {change.sequence for change in recent}
    now = clock()
    gaps = {
        missing: now
        for missing in range(max(1, sequence - REBUILD_GAP_WINDOW + 1), sequence + 1)
        if missing not in seen
    }
    count = 0
    for start in range(0, len(union_record_ids), RECORDS_PER_REBUILD_BATCH):
        batch_ids = union_record_ids[start : start + RECORDS_PER_REBUILD_BATCH]
        with store.transaction() as transaction:
            views = transaction.union_record_views(batch_ids)
        live = [view for view in views if view.status == "active"]
        index.upsert(live)
        count += len(live)
        logger.info(
            "index_rebuild_progress",
            extra={"done": start + len(batch_ids), "of": len(union_record_ids)},
        )
    index.commit(sequence, gaps)
    return count
