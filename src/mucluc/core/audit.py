"""An audit event as every layer sees it: who did what, to which target, from where.

The audit log itself (appending, reading, exporting) is `mucluc.services.audit`;
the event lives here so that store transactions can append one together with
the change it records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class AuditEvent:
    """One write to record. `action` is `noun.verb` (`key.create`, `record.delete`)."""

    actor: str
    action: str
    library_code: str | None = None
    target: str = ""
    client_address: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredAuditEvent:
    """An event as the log keeps it, with its sequence number and time."""

    id: int
    occurred_at: datetime
    actor: str
    library_code: str | None
    action: str
    target: str
    client_address: str
    details: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The event as JSON-ready values (time in ISO 8601)."""
        return {
            "id": self.id,
            "occurred_at": self.occurred_at.isoformat(),
            "actor": self.actor,
            "library_code": self.library_code,
            "action": self.action,
            "target": self.target,
            "client_address": self.client_address,
            "details": self.details,
        }
