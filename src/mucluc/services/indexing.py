"""Keep the search index in step with the change log, or rebuild it from the store.

The index remembers the last change-log sequence it applied, so an updater
that stops (or crashes) resumes where the index left off; applying a change
twice is harmless because an upsert replaces the document by id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from mucluc.core.model import UnionRecordView
from mucluc.core.ports import CatalogueStore, SearchIndex

logger = logging.getLogger(__name__)

CHANGES_PER_BATCH = 500
RECORDS_PER_REBUILD_BATCH = 500


def apply_pending_changes(store: CatalogueStore, index: SearchIndex) -> int:
    """Apply every change logged after the index's sequence; return how many were applied."""
    sequence = index.applied_sequence()
    applied = 0
    while True:
        with store.transaction() as transaction:
            changes = transaction.changes_after(sequence, CHANGES_PER_BATCH)
            if not changes:
                break
            last_operation = {change.union_record_id: change.operation for change in changes}
            views = [
                transaction.union_record_view(union_record_id)
                for union_record_id, operation in last_operation.items()
                if operation == "upsert"
            ]
        live = [view for view in views if view is not None and view.status == "active"]
        live_ids = {view.id for view in live}
        index.delete(union_id for union_id in last_operation if union_id not in live_ids)
        index.upsert(live)
        sequence = changes[-1].sequence
        index.commit(sequence)
        applied += len(changes)
    if applied:
        logger.info("index_updated", extra={"changes": applied, "sequence": sequence})
    return applied


def rebuild_index(store: CatalogueStore, fresh_index: Callable[[], SearchIndex]) -> int:
    """Fill a new, empty index with every active union record; return how many.

    The index is marked with the change-log sequence read before the first
    record, so changes made during the rebuild are applied afterwards.
    """
    index = fresh_index()
    with store.transaction() as transaction:
        sequence = transaction.latest_change_sequence()
        union_record_ids = list(transaction.active_union_record_ids())
    count = 0
    for start in range(0, len(union_record_ids), RECORDS_PER_REBUILD_BATCH):
        batch_ids = union_record_ids[start : start + RECORDS_PER_REBUILD_BATCH]
        with store.transaction() as transaction:
            views = [transaction.union_record_view(union_id) for union_id in batch_ids]
        live: list[UnionRecordView] = [v for v in views if v is not None and v.status == "active"]
        index.upsert(live)
        count += len(live)
    index.commit(sequence)
    return count
