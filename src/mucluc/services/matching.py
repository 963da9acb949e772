"""Place a source record in its union record and log what changed.

Incremental by design: only the record's old and new union records are
touched, and each touched union record gets one entry in the change log.
"""

from __future__ import annotations

from mucluc.core.dedup.decide import choose_union_record
from mucluc.core.ports import CatalogueTransaction


def assign_union_record(
    transaction: CatalogueTransaction,
    *,
    source_record_id: int,
    library_id: int,
    keys: set[tuple[str, str]],
    previous_union_record_id: int | None,
) -> tuple[int, bool]:
    """Attach the record to a matching union record or a new one.

    Returns the union record id and whether the record joined an existing one.
    """
    candidates = transaction.union_records_sharing_keys(keys, source_record_id)
    if previous_union_record_id is not None:
        still_shares_a_key = previous_union_record_id in candidates
        alone = transaction.member_count(previous_union_record_id) == 1
        if still_shares_a_key or (alone and not candidates):
            refresh_union_record(transaction, previous_union_record_id)
            return previous_union_record_id, False
        release_union_record(transaction, source_record_id, previous_union_record_id)
    chosen = choose_union_record(candidates, library_id, transaction.union_record_libraries)
    joined = chosen is not None
    if chosen is None:
        chosen = transaction.create_union_record()
    transaction.set_union_record(source_record_id, chosen)
    refresh_union_record(transaction, chosen)
    return chosen, joined


def release_union_record(
    transaction: CatalogueTransaction, source_record_id: int, union_record_id: int
) -> None:
    """Take the record out of its union record; an emptied union record is deleted."""
    transaction.set_union_record(source_record_id, None)
    refresh_union_record(transaction, union_record_id)


def refresh_union_record(transaction: CatalogueTransaction, union_record_id: int) -> None:
    """Recompute a union record's status and title from its members and log the change."""
    if transaction.member_count(union_record_id) == 0:
        transaction.set_union_status(union_record_id, "deleted", None)
        transaction.append_change(union_record_id, "delete")
        return
    view = transaction.union_record_view(union_record_id)
    title = view.description.full_title if view else ""
    transaction.set_union_status(union_record_id, "active", title)
    transaction.append_change(union_record_id, "upsert")
