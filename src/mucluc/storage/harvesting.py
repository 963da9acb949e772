"""Read-side queries for harvesters (OAI-PMH): union records in change-log order.

A record's bookmark is the sequence of its latest entry in `changes`, its
datestamp that entry's time. Pages are read in a few set-wise queries
(records, members, holdings), never one query per record, so the provider
can serve thousands of records a second. Implements
`mucluc.core.publication.PublicationSource`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, or_, select
from sqlalchemy.orm import Session

from mucluc.core.model import HoldingStatement, LibraryInfo
from mucluc.core.preference import preference_rank
from mucluc.core.publication import PublicationQuery, PublishedMember, PublishedRecord
from mucluc.storage.tables import Change, Holding, Library, SourceRecord, UnionRecord


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time in the store is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class SqlPublicationSource:
    """The store's published records, read through its own short sessions."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def earliest_datestamp(self) -> datetime | None:
        """The time of the first change ever logged, or None for an empty catalogue."""
        with Session(self.engine) as session:
            earliest = session.scalar(select(func.min(Change.changed_at)))
        return as_utc(earliest) if earliest is not None else None

    def list_libraries(self) -> list[LibraryInfo]:
        """Every member library, by code."""
        with Session(self.engine) as session:
            return [
                library.to_info()
                for library in session.scalars(select(Library).order_by(Library.code))
            ]

    def published_records(self, query: PublicationQuery, limit: int) -> list[PublishedRecord]:
        """Up to `limit` records after the bookmark, in change-log order."""
        latest = (
            select(
                Change.union_record_id.label("union_record_id"),
                func.max(Change.sequence).label("sequence"),
            )
            .group_by(Change.union_record_id)
            .having(func.max(Change.sequence) > query.after_sequence)
            .subquery()
        )
        statement = (
            select(
                latest.c.sequence,
                latest.c.union_record_id,
                Change.changed_at,
                UnionRecord.status,
                UnionRecord.merged_into_id,
            )
            .join(Change, Change.sequence == latest.c.sequence)
            .join(UnionRecord, UnionRecord.id == latest.c.union_record_id)
            .order_by(latest.c.sequence)
            .limit(limit)
        )
        if query.from_time is not None:
            statement = statement.where(Change.changed_at >= query.from_time)
        if query.until_time is not None:
            statement = statement.where(Change.changed_at < query.until_time)
        if query.library_codes is not None:
            members = (
                select(SourceRecord.union_record_id)
                .join(Library, Library.id == SourceRecord.library_id)
                .where(
                    Library.code.in_(query.library_codes),
                    SourceRecord.status == "active",
                    SourceRecord.union_record_id.is_not(None),
                )
            )
            statement = statement.where(
                or_(UnionRecord.status != "active", UnionRecord.id.in_(members))
            )
        with Session(self.engine) as session:
            rows = session.execute(statement).all()
            return self._assemble(session, rows, with_members=query.with_members)

    def published_record(self, union_record_id: int) -> PublishedRecord | None:
        """One record with its members, or None if the id was never given out."""
        statement = (
            select(
                Change.sequence,
                Change.union_record_id,
                Change.changed_at,
                UnionRecord.status,
                UnionRecord.merged_into_id,
            )
            .join(UnionRecord, UnionRecord.id == Change.union_record_id)
            .where(Change.union_record_id == union_record_id)
            .order_by(Change.sequence.desc())
            .limit(1)
        )
        with Session(self.engine) as session:
            rows = session.execute(statement).all()
            records = self._assemble(session, rows, with_members=True)
        return records[0] if records else None

    def _assemble(
        self, session: Session, rows: Sequence[Any], *, with_members: bool
    ) -> list[PublishedRecord]:
        active_ids = [row.union_record_id for row in rows if row.status == "active"]
        members = self._members(session, active_ids, with_members=with_members)
        published = []
        for sequence, union_record_id, changed_at, status, merged_into_id in rows:
            record_members = members.get(union_record_id, [])
            active = status == "active" and bool(record_members)
            published.append(
                PublishedRecord(
                    union_record_id=union_record_id,
                    sequence=sequence,
                    datestamp=as_utc(changed_at),
                    deleted=not active,
                    merged_into_id=merged_into_id,
                    libraries=tuple(dict.fromkeys(member.library for member in record_members))
                    if active
                    else (),
                    members=_preferred_first(record_members) if active and with_members else (),
                )
            )
        return published

    def _members(
        self, session: Session, union_record_ids: list[int], *, with_members: bool
    ) -> dict[int, list[PublishedMember]]:
        """Active members of these union records, in contribution order, with holdings."""
        if not union_record_ids:
            return {}
        columns: list[Any] = [
            SourceRecord.union_record_id,
            SourceRecord.id,
            SourceRecord.local_id,
            SourceRecord.library_id,
        ]
        if with_members:
            columns.extend([SourceRecord.record, SourceRecord.completeness])
        rows = session.execute(
            select(*columns)
            .where(
                SourceRecord.union_record_id.in_(union_record_ids),
                SourceRecord.status == "active",
            )
            .order_by(SourceRecord.id)
        ).all()
        libraries = {
            library.id: library.to_info()
            for library in session.scalars(
                select(Library).where(Library.id.in_({row.library_id for row in rows}))
            )
        }
        holdings: dict[int, list[HoldingStatement]] = {}
        if with_members:
            for holding in session.scalars(
                select(Holding)
                .where(Holding.source_record_id.in_([row.id for row in rows]))
                .order_by(Holding.id)
            ):
                holdings.setdefault(holding.source_record_id, []).append(holding.to_statement())
        members: dict[int, list[PublishedMember]] = {}
        for row in rows:
            members.setdefault(row.union_record_id, []).append(
                PublishedMember(
                    library=libraries[row.library_id],
                    local_id=row.local_id,
                    record=dict(row.record or {}) if with_members else {},
                    holdings=tuple(holdings.get(row.id, ())),
                    completeness=row.completeness if with_members else 0,
                )
            )
        return members


def _preferred_first(members: list[PublishedMember]) -> tuple[PublishedMember, ...]:
    """Members with the preferred one first, ranked by the completeness ingest stored."""
    ranked = sorted(
        enumerate(members),
        key=lambda indexed: preference_rank(
            indexed[1].library.type, indexed[1].completeness, indexed[0]
        ),
    )
    return tuple(member for _, member in ranked)
