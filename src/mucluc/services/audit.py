"""The audit log: every write appends who, which library, when, from where and what changed.

Call `record_audit_event` after a write that has no transaction of its own to
share; inside a store transaction, `mucluc.storage.audit.append_audit_event`
writes the same event atomically with the change. Events are never updated
or deleted through the application (database triggers refuse it too).

    record_audit_event(log, actor="account:lan", action="record.delete",
                       library_code="VN-HCM", target="h1", client_address="10.0.0.7")
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

from mucluc.core.audit import AuditEvent, StoredAuditEvent

AUDIT_PAGE_LIMIT = 1_000
AUDIT_EXPORT_COLUMNS = (
    "id",
    "occurred_at",
    "actor",
    "library_code",
    "action",
    "target",
    "client_address",
    "details",
)


class AuditLog(Protocol):
    """Where audit events are appended and read back, oldest first."""

    def append_audit_event(self, event: AuditEvent) -> int:
        """Append one event in its own transaction; return its id."""

    def read_audit_events(
        self, *, library_code: str | None, after_id: int, limit: int
    ) -> list[StoredAuditEvent]:
        """Events after `after_id`, of one library when `library_code` is given."""


def record_audit_event(
    log: AuditLog,
    *,
    actor: str,
    action: str,
    library_code: str | None = None,
    target: str = "",
    client_address: str = "",
    details: Mapping[str, Any] | None = None,
) -> int:
    """Append one event to the audit log and return its id."""
    return log.append_audit_event(
        AuditEvent(actor, action, library_code, target, client_address, dict(details or {}))
    )


def read_audit_page(
    log: AuditLog, *, library_code: str | None, after_id: int = 0, limit: int = 100
) -> list[StoredAuditEvent]:
    """One page of events, at most AUDIT_PAGE_LIMIT, for the web and API readers."""
    return log.read_audit_events(
        library_code=library_code,
        after_id=max(after_id, 0),
        limit=min(max(limit, 1), AUDIT_PAGE_LIMIT),
    )


def iter_audit_events(log: AuditLog, *, library_code: str | None) -> Iterator[StoredAuditEvent]:
    """Every event, oldest first, read page by page so an export never holds them all."""
    after_id = 0
    while True:
        page = log.read_audit_events(
            library_code=library_code, after_id=after_id, limit=AUDIT_PAGE_LIMIT
        )
        yield from page
        if len(page) < AUDIT_PAGE_LIMIT:
            return
        after_id = page[-1].id


def audit_json_lines(events: Iterable[StoredAuditEvent]) -> Iterator[str]:
    """Events as JSON lines, Vietnamese letters kept readable."""
    for event in events:
        yield json.dumps(event.to_json(), ensure_ascii=False) + "\n"


def audit_csv_lines(events: Iterable[StoredAuditEvent]) -> Iterator[str]:
    """Events as CSV rows with a header; `details` is a JSON cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(AUDIT_EXPORT_COLUMNS)
    for event in events:
        row = event.to_json()
        row["details"] = json.dumps(row["details"], ensure_ascii=False, sort_keys=True)
        writer.writerow([row[column] for column in AUDIT_EXPORT_COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()
