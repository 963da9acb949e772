"""The tables of the system of record, as SQLAlchemy 2 declarative classes.

Only `storage` knows these classes; services see plain dataclasses from
`mucluc.core`. Alembic migrations in `storage/alembic/versions` create them;
the classes and the migrations must agree (a test compares them).
"""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime
from typing import Any, overload

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from mucluc.core.model import LIBRARY_TYPES, HoldingStatement, LibraryInfo

SOURCE_RECORD_STATUSES = ("active", "quarantined", "deleted")
UNION_RECORD_STATUSES = ("active", "merged", "deleted")
CHANGE_OPERATIONS = ("upsert", "delete")
JOB_STATUSES = ("running", "finished", "failed", "interrupted")

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utc_now() -> datetime:
    """Timestamps are stored in UTC, timezone-aware."""
    return datetime.now(UTC)


@overload
def as_utc(moment: datetime) -> datetime: ...
@overload
def as_utc(moment: None) -> None: ...
def as_utc(moment: datetime | None) -> datetime | None:
    """A stored time as UTC: SQLite hands back naive datetimes, and every time kept is UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class Base(DeclarativeBase):
    """Declarative base with stable constraint names for migrations."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Library(Base):
    """A member library of the union catalogue."""

    __tablename__ = "libraries"
    __table_args__ = (CheckConstraint(_one_of("type", LIBRARY_TYPES), name="type"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_vi: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    type: Mapped[str] = mapped_column(String(32))
    province: Mapped[str | None] = mapped_column(String(100))
    contact: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)

    def to_info(self) -> LibraryInfo:
        """The library as the core sees it."""
        return LibraryInfo(
            **{field.name: getattr(self, field.name) for field in fields(LibraryInfo)}
        )


class UnionRecord(Base):
    """One entry per edition; its members are the libraries' source records.

    Ids are never reused (AUTOINCREMENT on SQLite, a sequence on PostgreSQL).
    """

    __tablename__ = "union_records"
    __table_args__ = (
        CheckConstraint(_one_of("status", UNION_RECORD_STATUSES), name="status"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("union_records.id"))
    title: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class SourceRecord(Base):
    """A record exactly as a member library contributed it, and what we derived from it."""

    __tablename__ = "source_records"
    __table_args__ = (
        UniqueConstraint("library_id", "local_id"),
        CheckConstraint(_one_of("status", SOURCE_RECORD_STATUSES), name="status"),
        Index(None, "union_record_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id"))
    local_id: Mapped[str] = mapped_column(String(200))
    format: Mapped[str] = mapped_column(String(32))
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    record: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # `describe_record` of an active record, as `description_to_store` keeps it.
    description: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    problems: Mapped[list[Any]] = mapped_column(JSON, default=list)
    provenance: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    title: Mapped[str] = mapped_column(Text, default="", server_default="")
    completeness: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    union_record_id: Mapped[int | None] = mapped_column(ForeignKey("union_records.id"))
    ingest_job_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_jobs.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class MatchKey(Base):
    """A blocking key of a source record (e.g. kind 'isbn', an ISBN-13)."""

    __tablename__ = "match_keys"
    # Covering: a key's holders and their count come from the index alone.
    __table_args__ = (Index(None, "kind", "value", "source_record_id"),)

    source_record_id: Mapped[int] = mapped_column(
        ForeignKey("source_records.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)


class Holding(Base):
    """Copies of an item a library holds, from the source record's 852 fields."""

    __tablename__ = "holdings"
    __table_args__ = (Index(None, "source_record_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_record_id: Mapped[int] = mapped_column(
        ForeignKey("source_records.id", ondelete="CASCADE")
    )
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id"))
    location: Mapped[str | None] = mapped_column(String(200))
    call_number: Mapped[str | None] = mapped_column(String(200))
    copies: Mapped[int] = mapped_column(Integer, default=1)
    lendable: Mapped[bool] = mapped_column(Boolean, default=True)

    def to_statement(self) -> HoldingStatement:
        """The holding as the core sees it."""
        return HoldingStatement(
            location=self.location or "",
            call_number=self.call_number or "",
            copies=self.copies,
            lendable=self.lendable,
        )


class Change(Base):
    """The ordered log of union-record changes that the index and harvesters follow."""

    __tablename__ = "changes"
    __table_args__ = (
        CheckConstraint(_one_of("operation", CHANGE_OPERATIONS), name="operation"),
        # A record's latest change, found without reading the whole log (harvesting.py).
        Index(None, "union_record_id", "sequence"),
        {"sqlite_autoincrement": True},
    )

    sequence: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True
    )
    union_record_id: Mapped[int] = mapped_column(ForeignKey("union_records.id"))
    operation: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class PublishedMetadata(Base):
    """A union record's metadata as harvesters are served it, in one format, as text.

    Rendered from the members after the record's change is logged (storage/
    publishing.py); `sequence` is that change, so text older than the record's
    latest change is never served. Derived: rendering again makes it anew.
    """

    __tablename__ = "published_metadata"

    union_record_id: Mapped[int] = mapped_column(ForeignKey("union_records.id"), primary_key=True)
    metadata_format: Mapped[str] = mapped_column(String(16), primary_key=True)
    sequence: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    xml: Mapped[str] = mapped_column(Text)


class IngestJob(Base):
    """One run of ingest over one file, with its counts."""

    __tablename__ = "ingest_jobs"
    __table_args__ = (CheckConstraint(_one_of("status", JOB_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id"))
    source_name: Mapped[str] = mapped_column(String(500))
    format: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="running")
    records_read: Mapped[int] = mapped_column(Integer, default=0)
    records_added: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    records_updated: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    records_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    records_deleted: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    records_quarantined: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    records_merged: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# Accounts, API keys, the audit log and contribution jobs (issue #9).

ROLES = (
    "national_administrator",
    "library_administrator",
    "cataloguer",
    "merge_reviewer",
    "api_reader",
)
KEY_SCOPES = ("read", "write")
CONTRIBUTION_JOB_STATUSES = ("queued", "running", "finished", "failed", "interrupted")


class Account(Base):
    """A person who signs in to the web admin; library roles name their library."""

    __tablename__ = "accounts"
    __table_args__ = (CheckConstraint(_one_of("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(300), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    library_id: Mapped[int | None] = mapped_column(ForeignKey("libraries.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiKey(Base):
    """A member library's key for the contribution API: only a hash of the secret is kept."""

    __tablename__ = "api_keys"
    __table_args__ = (CheckConstraint(_one_of("scope", KEY_SCOPES), name="scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id"))
    scope: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class StaffSession(Base):
    """A signed-in web admin session; the cookie holds a secret whose hash is the key."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    client_address: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditEvent(Base):
    """One write, appended and never changed: who, which library, when, from where, what.

    Database triggers (migration 0003) refuse UPDATE and DELETE on this table.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index(None, "library_code", "id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    actor: Mapped[str] = mapped_column(String(200))
    library_code: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(300), default="")
    client_address: Mapped[str] = mapped_column(String(100), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ContributionJob(Base):
    """A body sent to the contribution API and what ingest made of it."""

    __tablename__ = "contribution_jobs"
    __table_args__ = (CheckConstraint(_one_of("status", CONTRIBUTION_JOB_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id"))
    operation: Mapped[str] = mapped_column(String(16))
    record_format: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    actor: Mapped[str] = mapped_column(String(200))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The server process holding the body (`mucluc.process_identity`); "" before revision 0007.
    owner: Mapped[str] = mapped_column(String(300), default="", server_default="")


# Union records: match profiles, match decisions with evidence, staff overrides,
# the ISBN blocklist (issue #4).

OVERRIDE_KINDS = ("merge", "never-merge")


class MatchProfileRow(Base):
    """What the matcher reads of an active source record (`core/dedup/profile.py`), as JSON.

    Derived from the stored record, so `mucluc dedup --rebuild` can make it again.
    """

    __tablename__ = "match_profiles"

    source_record_id: Mapped[int] = mapped_column(
        ForeignKey("source_records.id", ondelete="CASCADE"), primary_key=True
    )
    profile: Mapped[dict[str, Any]] = mapped_column(JSON)


class MatchDecisionRow(Base):
    """A pair of source records the matcher judged one edition, with its score and evidence.

    The left record has the smaller id. Only matches are kept: they are the
    links clusters are built from and the answer to "why are these one?".
    """

    __tablename__ = "match_decisions"
    __table_args__ = (Index(None, "right_source_record_id"),)

    left_source_record_id: Mapped[int] = mapped_column(
        ForeignKey("source_records.id", ondelete="CASCADE"), primary_key=True
    )
    right_source_record_id: Mapped[int] = mapped_column(
        ForeignKey("source_records.id", ondelete="CASCADE"), primary_key=True
    )
    outcome: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    evidence: Mapped[list[Any]] = mapped_column(JSON, default=list)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class DedupOverride(Base):
    """A staff decision about two source records: merge or never-merge; appended, never changed.

    The latest override for a pair wins; every later automatic run respects it.
    """

    __tablename__ = "dedup_overrides"
    __table_args__ = (
        CheckConstraint(_one_of("kind", OVERRIDE_KINDS), name="kind"),
        Index(None, "left_source_record_id"),
        Index(None, "right_source_record_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    left_source_record_id: Mapped[int] = mapped_column(
        ForeignKey("source_records.id", ondelete="CASCADE")
    )
    right_source_record_id: Mapped[int] = mapped_column(
        ForeignKey("source_records.id", ondelete="CASCADE")
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class BlockedIsbn(Base):
    """An ISBN printed in many different books: it is no evidence, and no blocking key."""

    __tablename__ = "isbn_blocklist"

    isbn: Mapped[str] = mapped_column(String(13), primary_key=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
