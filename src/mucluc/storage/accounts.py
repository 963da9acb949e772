"""The SQLAlchemy implementation of `mucluc.accounts.ports.SecurityStore`.

Each method is one transaction; a method that changes something appends its
audit event in that same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from mucluc.accounts.ports import (
    AccountView,
    ApiKeyView,
    ContributedRecord,
    ContributionJobView,
    SessionView,
    StoredAccount,
    StoredApiKey,
)
from mucluc.accounts.roles import Role
from mucluc.core.audit import AuditEvent, StoredAuditEvent
from mucluc.core.model import HoldingStatement
from mucluc.errors import AccountError, LibraryNotFoundError
from mucluc.storage.audit import append_audit_event, read_audit_events
from mucluc.storage.database import in_chunks
from mucluc.storage.tables import (
    Account,
    ApiKey,
    ContributionJob,
    Holding,
    Library,
    SourceRecord,
    StaffSession,
    as_utc,
    utc_now,
)

EXPORT_BATCH_SIZE = 500


def contribution_job_view(row: ContributionJob, library_code: str) -> ContributionJobView:
    """A contribution job row as the services see it."""
    return ContributionJobView(
        id=row.id,
        library_code=library_code,
        operation=row.operation,
        record_format=row.record_format,
        status=row.status,
        size_bytes=row.size_bytes,
        actor=row.actor,
        summary=dict(row.summary or {}),
        message=row.message,
        created_at=as_utc(row.created_at) or utc_now(),
        finished_at=as_utc(row.finished_at),
    )


class SqlSecurityStore:
    """Accounts, keys, sessions, contribution jobs and the audit log in the catalogue's store."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    def _library_id(self, session: Session, code: str) -> int:
        library_id = session.scalar(select(Library.id).where(Library.code == code))
        if library_id is None:
            raise LibraryNotFoundError(f"no member library has the code {code!r}")
        return library_id

    def _library_codes(self, session: Session) -> dict[int, str]:
        return {row.id: row.code for row in session.execute(select(Library.id, Library.code))}

    def has_library(self, code: str) -> bool:
        """Whether a member library has this code."""
        with self._transaction() as session:
            return session.scalar(select(Library.id).where(Library.code == code)) is not None

    # Audit log

    def append_audit_event(self, event: AuditEvent) -> int:
        """Append one event in its own transaction; return its id."""
        with self._transaction() as session:
            return append_audit_event(session, event)

    def read_audit_events(
        self, *, library_code: str | None, after_id: int, limit: int
    ) -> list[StoredAuditEvent]:
        """Events after `after_id`, of one library when a code is given."""
        with self._transaction() as session:
            events = read_audit_events(
                session, library_code=library_code, after_id=after_id, limit=limit
            )
        return [
            StoredAuditEvent(**{**vars(event), "occurred_at": as_utc(event.occurred_at)})
            for event in events
        ]

    # Accounts

    def _account_view(self, row: Account, codes: dict[int, str]) -> AccountView:
        return AccountView(
            id=row.id,
            username=row.username,
            display_name=row.display_name,
            role=Role(row.role),
            library_code=codes.get(row.library_id) if row.library_id is not None else None,
            active=row.active,
            created_at=as_utc(row.created_at) or utc_now(),
            last_sign_in_at=as_utc(row.last_sign_in_at),
        )

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
        with self._transaction() as session:
            if session.scalar(select(Account.id).where(Account.username == username)):
                raise AccountError(f"an account named {username!r} exists")
            library_id = self._library_id(session, library_code) if library_code else None
            row = Account(
                username=username,
                display_name=display_name,
                password_hash=password_hash,
                role=role.value,
                library_id=library_id,
                active=True,
            )
            session.add(row)
            try:
                session.flush()
            except IntegrityError as error:
                raise AccountError(f"account {username!r} rejected: {error.orig}") from error
            append_audit_event(session, audit)
            return self._account_view(row, self._library_codes(session))

    def find_account(self, username: str) -> StoredAccount | None:
        """The account with this username, if any."""
        with self._transaction() as session:
            row = session.scalar(select(Account).where(Account.username == username))
            if row is None:
                return None
            return StoredAccount(
                self._account_view(row, self._library_codes(session)), row.password_hash
            )

    def list_accounts(self, library_code: str | None) -> list[AccountView]:
        """Accounts, of one library when a code is given, by username."""
        with self._transaction() as session:
            query = select(Account).order_by(Account.username)
            if library_code is not None:
                query = query.where(Account.library_id == self._library_id(session, library_code))
            codes = self._library_codes(session)
            return [self._account_view(row, codes) for row in session.scalars(query)]

    def set_account_active(self, username: str, active: bool, audit: AuditEvent) -> None:
        """Enable or disable an account; disabling ends its sessions."""
        with self._transaction() as session:
            row = session.scalar(select(Account).where(Account.username == username))
            if row is None:
                raise AccountError(f"no account is named {username!r}")
            row.active = active
            if not active:
                for staff_session in session.scalars(
                    select(StaffSession).where(StaffSession.account_id == row.id)
                ):
                    session.delete(staff_session)
            append_audit_event(session, audit)

    def note_sign_in(self, account_id: int) -> None:
        """Remember when an account last signed in."""
        with self._transaction() as session:
            session.execute(
                update(Account).where(Account.id == account_id).values(last_sign_in_at=utc_now())
            )

    # Sessions

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
        with self._transaction() as session:
            session.add(
                StaffSession(
                    token_hash=token_hash,
                    account_id=account_id,
                    csrf_token=csrf_token,
                    client_address=client_address[:100],
                    expires_at=expires_at,
                )
            )
            append_audit_event(session, audit)

    def find_session(self, token_hash: str, now: datetime) -> SessionView | None:
        """The unexpired session of an active account with this token hash."""
        with self._transaction() as session:
            found = session.get(StaffSession, token_hash)
            if found is None:
                return None
            expires_at = as_utc(found.expires_at)
            account = session.get(Account, found.account_id)
            if expires_at is None or expires_at <= now or account is None or not account.active:
                return None
            return SessionView(
                self._account_view(account, self._library_codes(session)),
                found.csrf_token,
                expires_at,
            )

    def remove_session(self, token_hash: str, audit: AuditEvent) -> None:
        """End a session."""
        with self._transaction() as session:
            found = session.get(StaffSession, token_hash)
            if found is not None:
                session.delete(found)
                append_audit_event(session, audit)

    # API keys

    def _key_view(self, row: ApiKey, codes: dict[int, str]) -> ApiKeyView:
        return ApiKeyView(
            key_id=row.key_id,
            library_code=codes[row.library_id],
            scope=row.scope,
            label=row.label,
            created_at=as_utc(row.created_at) or utc_now(),
            last_used_at=as_utc(row.last_used_at),
            revoked_at=as_utc(row.revoked_at),
        )

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
        with self._transaction() as session:
            row = ApiKey(
                key_id=key_id,
                secret_hash=secret_hash,
                library_id=self._library_id(session, library_code),
                scope=scope,
                label=label[:200],
            )
            session.add(row)
            session.flush()
            append_audit_event(session, audit)
            return self._key_view(row, self._library_codes(session))

    def find_api_key(self, key_id: str) -> StoredApiKey | None:
        """The key with this public id, revoked or not."""
        with self._transaction() as session:
            row = session.scalar(select(ApiKey).where(ApiKey.key_id == key_id))
            if row is None:
                return None
            return StoredApiKey(self._key_view(row, self._library_codes(session)), row.secret_hash)

    def note_key_used(self, key_id: str, now: datetime) -> None:
        """Remember when a key was last used."""
        with self._transaction() as session:
            session.execute(update(ApiKey).where(ApiKey.key_id == key_id).values(last_used_at=now))

    def list_api_keys(self, library_code: str | None) -> list[ApiKeyView]:
        """Keys, of one library when a code is given, newest first."""
        with self._transaction() as session:
            query = select(ApiKey).order_by(ApiKey.id.desc())
            if library_code is not None:
                query = query.where(ApiKey.library_id == self._library_id(session, library_code))
            codes = self._library_codes(session)
            return [self._key_view(row, codes) for row in session.scalars(query)]

    def revoke_api_key(self, key_id: str, now: datetime, audit: AuditEvent) -> ApiKeyView:
        """Revoke a key; raises AccountError if unknown. Revoking twice keeps the first time."""
        with self._transaction() as session:
            row = session.scalar(select(ApiKey).where(ApiKey.key_id == key_id))
            if row is None:
                raise AccountError(f"no API key has the id {key_id!r}")
            if row.revoked_at is None:
                row.revoked_at = now
                append_audit_event(session, audit)
            session.flush()
            return self._key_view(row, self._library_codes(session))

    # Contribution jobs

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
        with self._transaction() as session:
            row = ContributionJob(
                library_id=self._library_id(session, library_code),
                operation=operation,
                record_format=record_format,
                status="queued",
                size_bytes=size_bytes,
                actor=actor[:200],
                summary={},
                message="",
                owner=owner,
            )
            session.add(row)
            session.flush()
            return row.id

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
        values: dict[str, Any] = {"status": status, "message": message}
        if summary is not None:
            values["summary"] = summary
        if finished:
            values["finished_at"] = utc_now()
        with self._transaction() as session:
            session.execute(
                update(ContributionJob).where(ContributionJob.id == job_id).values(**values)
            )

    def find_contribution_job(self, job_id: int) -> ContributionJobView | None:
        """The job with this id, if any."""
        with self._transaction() as session:
            row = session.get(ContributionJob, job_id)
            if row is None:
                return None
            return contribution_job_view(row, self._library_codes(session)[row.library_id])

    def interrupt_orphaned_jobs(self, owner_is_gone: Callable[[str], bool]) -> int:
        """Mark the queued or running jobs of ended owner processes interrupted; return how many."""
        with self._transaction() as session:
            unfinished = session.execute(
                select(ContributionJob.id, ContributionJob.owner).where(
                    ContributionJob.status.in_(("queued", "running"))
                )
            ).all()
            orphaned = [job_id for job_id, owner in unfinished if owner_is_gone(owner)]
            for chunk in in_chunks(orphaned):
                session.execute(
                    update(ContributionJob)
                    .where(ContributionJob.id.in_(chunk))
                    .values(
                        status="interrupted",
                        message="the server stopped before this job finished; send the body again",
                        finished_at=utc_now(),
                    )
                )
            return len(orphaned)

    # A library's own records

    def source_record_status(self, library_code: str, local_id: str) -> str | None:
        """The status of a library's source record, or None if it has none with that id."""
        with self._transaction() as session:
            return session.scalar(
                select(SourceRecord.status).where(
                    SourceRecord.library_id == self._library_id(session, library_code),
                    SourceRecord.local_id == local_id,
                )
            )

    def iter_contributed_records(self, library_code: str) -> Iterator[ContributedRecord]:
        """Every source record of a library with its holdings, by local id, streamed.

        One read transaction on one connection (REPEATABLE READ on PostgreSQL;
        on SQLite the open cursor keeps one snapshot), so an export taken while
        an ingest runs is a consistent picture; rows come in batches.
        """
        with self._transaction() as session:
            library_id = self._library_id(session, library_code)
        with self.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                result = connection.execution_options(yield_per=EXPORT_BATCH_SIZE).execute(
                    select(
                        SourceRecord.id,
                        SourceRecord.local_id,
                        SourceRecord.status,
                        SourceRecord.format,
                        SourceRecord.raw,
                        SourceRecord.record,
                        SourceRecord.content_hash,
                        SourceRecord.union_record_id,
                        SourceRecord.problems,
                        SourceRecord.provenance,
                    )
                    .where(SourceRecord.library_id == library_id)
                    .order_by(SourceRecord.local_id)
                )
                for rows in result.partitions():
                    holdings: dict[int, list[HoldingStatement]] = {}
                    for holding in connection.execute(
                        select(
                            Holding.source_record_id,
                            Holding.location,
                            Holding.call_number,
                            Holding.copies,
                            Holding.lendable,
                        )
                        .where(Holding.source_record_id.in_([row.id for row in rows]))
                        .order_by(Holding.id)
                    ):
                        holdings.setdefault(holding.source_record_id, []).append(
                            HoldingStatement(
                                location=holding.location or "",
                                call_number=holding.call_number or "",
                                copies=holding.copies,
                                lendable=holding.lendable,
                            )
                        )
                    for row in rows:
                        yield ContributedRecord(
                            local_id=row.local_id,
                            status=row.status,
                            record_format=row.format,
                            raw=bytes(row.raw),
                            record=row.record,
                            content_hash=row.content_hash,
                            union_record_id=row.union_record_id,
                            problems=tuple(row.problems or ()),
                            provenance=dict(row.provenance or {}),
                            holdings=tuple(holdings.get(row.id, ())),
                        )
