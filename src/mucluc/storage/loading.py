"""Batched ingest writes: a few Core statements per batch of records, not twenty per record.

`SqlTransaction` delegates its ingest-side methods here. Inserts and updates
go through SQLAlchemy Core with executemany (and RETURNING for new ids, in
parameter order), so SQLite and PostgreSQL both see multi-row statements.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from mucluc.core.marc.describe import description_to_store
from mucluc.core.ports import SourceRecordWrite, StoredSourceRecord, UnionMember
from mucluc.storage.database import in_chunks
from mucluc.storage.publishing import withdraw_published
from mucluc.storage.tables import (
    Change,
    Holding,
    Library,
    MatchKey,
    SourceRecord,
    UnionRecord,
    utc_now,
)

source_table: Table = SourceRecord.__table__  # type: ignore[assignment]
key_table: Table = MatchKey.__table__  # type: ignore[assignment]
holding_table: Table = Holding.__table__  # type: ignore[assignment]
union_table: Table = UnionRecord.__table__  # type: ignore[assignment]
change_table: Table = Change.__table__  # type: ignore[assignment]
library_table: Table = Library.__table__  # type: ignore[assignment]


def find_source_records(
    session: Session, library_id: int, local_ids: Iterable[str]
) -> dict[str, StoredSourceRecord]:
    """The stored records of a library with these local ids, by local id."""
    found: dict[str, StoredSourceRecord] = {}
    columns = (
        source_table.c.local_id,
        source_table.c.id,
        source_table.c.content_hash,
        source_table.c.status,
        source_table.c.union_record_id,
    )
    for chunk in in_chunks(list(set(local_ids))):
        rows = session.execute(
            select(*columns).where(
                source_table.c.library_id == library_id, source_table.c.local_id.in_(chunk)
            )
        )
        for local_id, *stored in rows:
            found[local_id] = StoredSourceRecord(*stored)
    return found


def active_local_ids(session: Session, library_id: int) -> dict[str, StoredSourceRecord]:
    """Every active source record of a library, by local id."""
    rows = session.execute(
        select(
            source_table.c.local_id,
            source_table.c.id,
            source_table.c.content_hash,
            source_table.c.status,
            source_table.c.union_record_id,
        ).where(source_table.c.library_id == library_id, source_table.c.status == "active")
    )
    return {local_id: StoredSourceRecord(*stored) for local_id, *stored in rows}


def write_source_records(
    session: Session, library_id: int, job_id: int, writes: list[SourceRecordWrite]
) -> dict[str, int]:
    """Insert new records, update known ones, replace their keys and holdings; ids by local id."""
    if not writes:
        return {}
    known = find_source_records(session, library_id, (write.local_id for write in writes))
    now = utc_now()
    new_rows = []
    changed_rows = []
    for write in writes:
        values = {
            "format": write.record_format,
            "raw": write.raw,
            "record": write.record,
            "description": (description_to_store(write.description) if write.description else None),
            "content_hash": write.content_hash,
            "status": write.status,
            "problems": list(write.problems),
            "provenance": write.provenance,
            "title": write.title,
            "completeness": write.completeness,
            "ingest_job_id": job_id,
            "updated_at": now,
        }
        existing = known.get(write.local_id)
        if existing is None:
            new_rows.append(
                {"library_id": library_id, "local_id": write.local_id, "created_at": now, **values}
            )
        else:
            changed_rows.append({"target_id": existing.id, **values})
    ids = {local_id: stored.id for local_id, stored in known.items()}
    if new_rows:
        result = session.execute(
            insert(source_table).returning(
                source_table.c.id, source_table.c.local_id, sort_by_parameter_order=True
            ),
            new_rows,
        )
        ids.update({local_id: source_id for source_id, local_id in result})
    if changed_rows:
        statement = (
            update(source_table)
            .where(source_table.c.id == bindparam("target_id"))
            .values({name: bindparam(name) for name in changed_rows[0] if name != "target_id"})
        )
        session.execute(statement, changed_rows)
        changed_ids = [row["target_id"] for row in changed_rows]
        for chunk in in_chunks(changed_ids):
            session.execute(delete(key_table).where(key_table.c.source_record_id.in_(chunk)))
            session.execute(
                delete(holding_table).where(holding_table.c.source_record_id.in_(chunk))
            )
    key_rows = [
        {"source_record_id": ids[write.local_id], "kind": kind, "value": value}
        for write in writes
        for kind, value in write.keys
    ]
    if key_rows:
        session.execute(insert(key_table), key_rows)
    holding_rows = [
        {
            "source_record_id": ids[write.local_id],
            "library_id": library_id,
            "location": holding.location or None,
            "call_number": holding.call_number or None,
            "copies": holding.copies,
            "lendable": holding.lendable,
        }
        for write in writes
        for holding in write.holdings
    ]
    if holding_rows:
        session.execute(insert(holding_table), holding_rows)
    return ids


def union_members(session: Session, union_record_ids: Iterable[int]) -> list[UnionMember]:
    """The active members of these union records, by source record id."""
    members: list[UnionMember] = []
    for chunk in in_chunks(sorted(set(union_record_ids))):
        rows = session.execute(
            select(
                source_table.c.union_record_id,
                source_table.c.id,
                source_table.c.library_id,
                library_table.c.code,
                library_table.c.type,
                source_table.c.completeness,
                source_table.c.title,
            )
            .join(library_table, library_table.c.id == source_table.c.library_id)
            .where(source_table.c.union_record_id.in_(chunk), source_table.c.status == "active")
            .order_by(source_table.c.id)
        )
        members.extend(UnionMember(*row) for row in rows)
    return members


def create_union_records(session: Session, count: int) -> list[int]:
    """`count` new, empty, active union records, ids ascending."""
    if count == 0:
        return []
    now = utc_now()
    rows = [{"status": "active", "title": "", "created_at": now, "updated_at": now}] * count
    result = session.execute(
        insert(union_table).returning(union_table.c.id, sort_by_parameter_order=True), rows
    )
    return [union_id for (union_id,) in result]


def assign_union_records(session: Session, assignments: dict[int, int | None]) -> None:
    """Make each source record a member of a union record, or of none."""
    if not assignments:
        return
    session.execute(
        update(source_table)
        .where(source_table.c.id == bindparam("target_id"))
        .values(union_record_id=bindparam("union_id")),
        [
            {"target_id": source_id, "union_id": union_id}
            for source_id, union_id in assignments.items()
        ],
    )


def record_union_states(session: Session, states: list[tuple[int, str, str]]) -> None:
    """Set each union record's status and title, and log one change each, in id order.

    The published metadata of a deleted record is forgotten with its change;
    that of an active one is left to be rendered outside this transaction
    (storage/publishing.py): its kept text is older than the change just
    logged, so until then harvesters are served a fresh render.
    """
    if not states:
        return
    now = utc_now()
    ordered = sorted(states)
    session.execute(
        update(union_table)
        .where(union_table.c.id == bindparam("target_id"))
        .values(status=bindparam("new_status"), title=bindparam("new_title"), updated_at=now),
        [
            {"target_id": union_id, "new_status": status, "new_title": title}
            for union_id, status, title in ordered
        ],
    )
    session.execute(
        insert(change_table),
        [
            {
                "union_record_id": union_id,
                "operation": "upsert" if status == "active" else "delete",
                "changed_at": now,
            }
            for union_id, status, _ in ordered
        ],
    )
    withdraw_published(session, [union_id for union_id, status, _ in ordered if status != "active"])


def withdraw_source_records(session: Session, source_record_ids: list[int]) -> None:
    """Mark these source records deleted and drop their keys and holdings."""
    now = utc_now()
    for chunk in in_chunks(source_record_ids):
        session.execute(
            update(source_table)
            .where(source_table.c.id.in_(chunk))
            .values(status="deleted", updated_at=now)
        )
        session.execute(delete(key_table).where(key_table.c.source_record_id.in_(chunk)))
        session.execute(delete(holding_table).where(holding_table.c.source_record_id.in_(chunk)))
