"""Read-side queries for harvesters (OAI-PMH): union records in change-log order.

A record's bookmark is the sequence of its latest entry in `changes`, its
datestamp that entry's time. Pages are read in a few set-wise queries
(records, member libraries, stored metadata), never one query per record,
and the metadata is the text the publisher kept for each record's latest
change (storage/publishing.py), so the provider serves thousands of records
a second. Implements `mucluc.core.publication.PublicationSource`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from mucluc.core.model import LibraryInfo
from mucluc.core.publication import PublicationQuery, PublishedRecord
from mucluc.storage.publishing import render_union_records, stored_metadata
from mucluc.storage.tables import Change, Library, SourceRecord, UnionRecord, as_utc


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
        """Up to `limit` records after the bookmark, in change-log order.

        A record's latest change is one no later change of the same record
        follows. The log is read from the bookmark, each entry checked in the
        index on (union_record_id, sequence), so a page costs the entries it
        reads (its own and the superseded ones among them), not the whole log.
        """
        later = aliased(Change)
        superseded = exists().where(
            later.union_record_id == Change.union_record_id, later.sequence > Change.sequence
        )
        statement = (
            select(
                Change.sequence,
                Change.union_record_id,
                Change.changed_at,
                UnionRecord.status,
                UnionRecord.merged_into_id,
            )
            .join(UnionRecord, UnionRecord.id == Change.union_record_id)
            .where(Change.sequence > query.after_sequence, ~superseded)
            .order_by(Change.sequence)
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
            return _assemble(session, rows, query.metadata_format)

    def published_record(
        self, union_record_id: int, metadata_format: str | None
    ) -> PublishedRecord | None:
        """One record (with its metadata in that format), or None if the id was never given out."""
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
            records = _assemble(session, rows, metadata_format)
        return records[0] if records else None


def _assemble(
    session: Session, rows: Sequence[Any], metadata_format: str | None
) -> list[PublishedRecord]:
    """Published records from (sequence, id, changed_at, status, merged_into_id) rows.

    Each comes with its member libraries (its sets) and, when a format is
    asked for, its metadata: the text kept for its latest change, or
    rendered now where none was kept for that change (not rendered yet).
    """
    libraries = _member_libraries(
        session, [row.union_record_id for row in rows if row.status == "active"]
    )
    live = {row.union_record_id: row.sequence for row in rows if row.union_record_id in libraries}
    metadata: dict[int, str] = {}
    if metadata_format is not None:
        metadata = stored_metadata(session, live, metadata_format)
        missing = live.keys() - metadata.keys()
        if missing:
            rendered = render_union_records(session, missing)
            metadata.update(
                (union_id, texts[metadata_format]) for union_id, texts in rendered.items()
            )
    return [
        PublishedRecord(
            union_record_id=union_record_id,
            sequence=sequence,
            datestamp=as_utc(changed_at),
            deleted=union_record_id not in live,
            merged_into_id=merged_into_id,
            libraries=libraries.get(union_record_id, ()),
            metadata=metadata.get(union_record_id, ""),
        )
        for sequence, union_record_id, changed_at, _status, merged_into_id in rows
    ]


def _member_libraries(
    session: Session, union_record_ids: list[int]
) -> dict[int, tuple[LibraryInfo, ...]]:
    """The libraries with an active member in each union record, in contribution order.

    Union records with no active member are left out.
    """
    if not union_record_ids:
        return {}
    rows = session.execute(
        select(SourceRecord.union_record_id, SourceRecord.library_id)
        .where(SourceRecord.union_record_id.in_(union_record_ids), SourceRecord.status == "active")
        .order_by(SourceRecord.id)
    ).all()
    by_id = {library.id: library.to_info() for library in session.scalars(select(Library))}
    found: dict[int, dict[LibraryInfo, None]] = {}
    for union_record_id, library_id in rows:
        found.setdefault(union_record_id or 0, {})[by_id[library_id]] = None  # never None here
    return {union_record_id: tuple(held) for union_record_id, held in found.items()}
