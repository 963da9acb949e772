"""What the account services need from a store, as a typing Protocol, and what it returns.

Every method that writes takes the `AuditEvent` describing the write and
appends it in the same transaction, so no change is ever unaudited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from mucluc.accounts.roles import Role
from mucluc.core.audit import AuditEvent
from mucluc.core.model import HoldingStatement
from mucluc.services.audit import AuditLog


@dataclass(frozen=True)
class AccountView:
    """A staff account, without its password hash."""

    id: int
    username: str
    display_name: str
    role: Role
    library_code: str | None
    active: bool
    created_at: datetime
    last_sign_in_at: datetime | None


@dataclass(frozen=True)
class StoredAccount:
    """An account with the hash its password is checked against."""

    account: AccountView
    password_hash: str


@dataclass(frozen=True)
class ApiKeyView:
    """An API key as lists show it: its public id, never its secret."""

    key_id: str
    library_code: str
    scope: str
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        """Whether the key still works."""
        return self.revoked_at is None


@dataclass(frozen=True)
class StoredApiKey:
    """An API key with the hash its secret is checked against."""

    key: ApiKeyView
    secret_hash: str


@dataclass(frozen=True)
class SessionView:
    """A signed-in session: whose, its CSRF token, until when."""

    account: AccountView
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class ContributionJobView:
    """A body sent to the contribution API and what became of it."""

    id: int
    library_code: str
    operation: str
    record_format: str
    status: str
    size_bytes: int
    actor: str
    summary: dict[str, Any]
    message: str
    created_at: datetime
    finished_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        """The job as JSON-ready values."""
        return {
            "id": self.id,
            "library": self.library_code,
            "operation": self.operation,
            "format": self.record_format,
            "status": self.status,
            "size_bytes": self.size_bytes,
            "summary": self.summary,
            "message": self.message,
            "created_at": self.created_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }


@dataclass(frozen=True)
class ContributedRecord:
    """One of a library's own source records with its holdings, for the library's export."""

    local_id: str
    status: str  # "active", "quarantined" or "deleted"
    record_format: str  # the format it came in
    raw: bytes  # exactly as it came
    record: dict[str, Any] | None  # as read and decoded (MARC-in-JSON); None if unreadable
    content_hash: str
    union_record_id: int | None
    problems: tuple[dict[str, Any], ...]
    provenance: dict[str, Any]
    holdings: tuple[HoldingStatement, ...]


class SecurityStore(AuditLog, Protocol):
    """Accounts, keys, sessions, contribution jobs and the audit log."""

    def has_library(self, code: str) -> bool:
        """Whether a member library has this code."""

    def add_account(
        self,
        *,
        username: str,
        display_name: str,
        password_hash: str,
        role: Role,
        library_code: str | None,
        audit: AuditEvent,
    ) -> AccountView:
        """Add an account; raises AccountError if the username is taken."""

    def find_account(self, username: str) -> StoredAccount | None:
        """The account with this username, if any."""

    def list_accounts(self, library_code: str | None) -> list[AccountView]:
        """Accounts, of one library when a code is given, by username."""

    def set_account_active(self, username: str, active: bool, audit: AuditEvent) -> None:
        """Enable or disable an account; disabling ends its sessions."""

    def note_sign_in(self, account_id: int) -> None:
        """Remember when an account last signed in."""

    def add_session(
        self,
        *,
        token_hash: str,
        account_id: int,
        csrf_token: str,
        client_address: str,
        expires_at: datetime,
        audit: AuditEvent,
    ) -> None:
        """Start a session."""

    def find_session(self, token_hash: str, now: datetime) -> SessionView | None:
        """The unexpired session of an active account with this token hash."""

    def remove_session(self, token_hash: str, audit: AuditEvent) -> None:
        """End a session."""

    def add_api_key(
        self,
        *,
        key_id: str,
        secret_hash: str,
        library_code: str,
        scope: str,
        label: str,
        audit: AuditEvent,
    ) -> ApiKeyView:
        """Store a new key's hash."""

    def find_api_key(self, key_id: str) -> StoredApiKey | None:
        """The key with this public id, revoked or not."""

    def note_key_used(self, key_id: str, now: datetime) -> None:
        """Remember when a key was last used."""

    def list_api_keys(self, library_code: str | None) -> list[ApiKeyView]:
        """Keys, of one library when a code is given, newest first."""

    def revoke_api_key(self, key_id: str, now: datetime, audit: AuditEvent) -> ApiKeyView:
        """Revoke a key; raises AccountError if unknown."""

    def add_contribution_job(
        self,
        *,
        library_code: str,
        operation: str,
        record_format: str,
        size_bytes: int,
        actor: str,
        owner: str,
    ) -> int:
        """Record a job as queued by the process `owner` names, and return its id."""

    def update_contribution_job(
        self,
        job_id: int,
        *,
        status: str,
        summary: dict[str, Any] | None = None,
        message: str = "",
        finished: bool = False,
    ) -> None:
        """Move a job on."""

    def find_contribution_job(self, job_id: int) -> ContributionJobView | None:
        """The job with this id, if any."""

    def interrupt_orphaned_jobs(self, owner_is_gone: Callable[[str], bool]) -> int:
        """Mark the queued or running jobs of ended owner processes interrupted; return how many."""

    def source_record_status(self, library_code: str, local_id: str) -> str | None:
        """The status of a library's source record, or None if it has none with that id."""

    def iter_contributed_records(self, library_code: str) -> Iterator[ContributedRecord]:
        """Every source record of a library with its holdings, by local id, from one snapshot."""
