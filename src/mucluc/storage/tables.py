"""The tables of the system of record, as SQLAlchemy 2 declarative classes.

Only `storage` knows these classes; services see plain dataclasses from
`mucluc.core`. Alembic migrations in `storage/alembic/versions` create them;
the classes and the migrations must agree (a test compares them).
"""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
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

from mucluc.core.model import LIBRARY_TYPES, LibraryInfo

SOURCE_RECORD_STATUSES = ("active", "rejected", "deleted")
UNION_RECORD_STATUSES = ("active", "merged", "deleted")
CHANGE_OPERATIONS = ("upsert", "delete")
JOB_STATUSES = ("running", "finished", "failed")

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
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    problems: Mapped[list[Any]] = mapped_column(JSON, default=list)
    provenance: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    union_record_id: Mapped[int | None] = mapped_column(ForeignKey("union_records.id"))
    ingest_job_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_jobs.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class MatchKey(Base):
    """A blocking key of a source record (e.g. kind 'isbn', an ISBN-13)."""

    __tablename__ = "match_keys"
    __table_args__ = (Index(None, "kind", "value"),)

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


class Change(Base):
    """The ordered log of union-record changes that the index and harvesters follow."""

    __tablename__ = "changes"
    __table_args__ = (
        CheckConstraint(_one_of("operation", CHANGE_OPERATIONS), name="operation"),
        {"sqlite_autoincrement": True},
    )

    sequence: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True
    )
    union_record_id: Mapped[int] = mapped_column(ForeignKey("union_records.id"))
    operation: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


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
    records_loaded: Mapped[int] = mapped_column(Integer, default=0)
    records_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    records_rejected: Mapped[int] = mapped_column(Integer, default=0)
    records_merged: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
