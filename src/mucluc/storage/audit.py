"""Append audit events inside a store transaction, and read them back.

Other storage code calls `append_audit_event(session, event)` in the same
session as the change it records, so the change and its audit entry commit
together. There is no update or delete here on purpose.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mucluc.core.audit import AuditEvent, StoredAuditEvent
from mucluc.storage.tables import AuditEvent as AuditEventRow
from mucluc.storage.tables import utc_now

CLIENT_ADDRESS_LENGTH = 100
TARGET_LENGTH = 300


def append_audit_event(session: Session, event: AuditEvent) -> int:
    """Add the event to the session's transaction and return its id."""
    row = AuditEventRow(
        occurred_at=utc_now(),
        actor=event.actor[:200],
        library_code=event.library_code,
        action=event.action,
        target=event.target[:TARGET_LENGTH],
        client_address=event.client_address[:CLIENT_ADDRESS_LENGTH],
        details=dict(event.details),
    )
    session.add(row)
    session.flush()
    return row.id


def read_audit_events(
    session: Session, *, library_code: str | None, after_id: int, limit: int
) -> list[StoredAuditEvent]:
    """Events after `after_id`, oldest first, of one library when a code is given."""
    query = select(AuditEventRow).where(AuditEventRow.id > after_id)
    if library_code is not None:
        query = query.where(AuditEventRow.library_code == library_code)
    rows = session.scalars(query.order_by(AuditEventRow.id).limit(limit))
    return [
        StoredAuditEvent(
            id=row.id,
            occurred_at=row.occurred_at,
            actor=row.actor,
            library_code=row.library_code,
            action=row.action,
            target=row.target,
            client_address=row.client_address,
            details=dict(row.details or {}),
        )
        for row in rows
    ]
