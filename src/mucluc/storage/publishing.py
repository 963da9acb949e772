"""Union records' published metadata: rendered outside ingest, kept as text with its change.

Ingest only logs changes (and forgets the text of records it deletes). The
text is rendered afterwards, a batch per short transaction of its own, by
`SqlMetadataPublisher` (driven by `mucluc.services.publishing`: the web
server's follower and `mucluc publish`), and each stored text carries the
sequence of the change it was rendered for. Harvesting serves stored text
only when that sequence is the record's latest; any other record (not yet
rendered, or changed since) is rendered afresh, so stale metadata is never
served. Rendering is `mucluc.core.crosswalk.published`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Table, and_, delete, exists, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from mucluc.core.crosswalk.published import MARC21, OAI_DC, render_published_metadata
from mucluc.core.model import HoldingStatement
from mucluc.core.preference import preference_rank
from mucluc.core.publication import PublishedMember
from mucluc.services.publishing import PublishedBatch
from mucluc.storage.database import in_chunks
from mucluc.storage.tables import (
    Change,
    Holding,
    Library,
    PublishedMetadata,
    SourceRecord,
    UnionRecord,
)

logger = logging.getLogger(__name__)

published_table: Table = PublishedMetadata.__table__  # type: ignore[assignment]
# Every format `render_published_metadata` renders: a record lacking one is stale.
PUBLISHED_FORMATS = (MARC21, OAI_DC)


def published_members(
    session: Session, union_record_ids: Iterable[int]
) -> dict[int, list[PublishedMember]]:
    """Active members of these union records with their holdings, the preferred member first."""
    rows: list[Any] = []
    for chunk in in_chunks(sorted(set(union_record_ids))):
        rows.extend(
            session.execute(
                select(
                    SourceRecord.union_record_id,
                    SourceRecord.id,
                    SourceRecord.local_id,
                    SourceRecord.library_id,
                    SourceRecord.record,
                    SourceRecord.completeness,
                )
                .where(SourceRecord.union_record_id.in_(chunk), SourceRecord.status == "active")
                .order_by(SourceRecord.id)
            )
        )
    if not rows:
        return {}
    libraries = {
        library.id: library.to_info()
        for library in session.scalars(
            select(Library).where(Library.id.in_({row.library_id for row in rows}))
        )
    }
    holdings: dict[int, list[HoldingStatement]] = {}
    for chunk in in_chunks([row.id for row in rows]):
        for holding in session.scalars(
            select(Holding).where(Holding.source_record_id.in_(chunk)).order_by(Holding.id)
        ):
            holdings.setdefault(holding.source_record_id, []).append(holding.to_statement())
    members: dict[int, list[PublishedMember]] = {}
    for row in rows:
        members.setdefault(row.union_record_id, []).append(
            PublishedMember(
                library=libraries[row.library_id],
                local_id=row.local_id,
                record=dict(row.record or {}),
                holdings=tuple(holdings.get(row.id, ())),
                completeness=row.completeness,
            )
        )
    return {union_id: _preferred_first(found) for union_id, found in members.items()}


def _preferred_first(members: list[PublishedMember]) -> list[PublishedMember]:
    """Members with the preferred one first, ranked by the completeness ingest stored."""
    ranked = sorted(
        enumerate(members),
        key=lambda indexed: preference_rank(
            indexed[1].library.type, indexed[1].completeness, indexed[0]
        ),
    )
    return [member for _, member in ranked]


def render_union_records(
    session: Session, union_record_ids: Iterable[int]
) -> dict[int, dict[str, str]]:
    """The metadata of these union records by format, rendered now; memberless ones left out."""
    return {
        union_id: render_published_metadata(union_id, members)
        for union_id, members in published_members(session, union_record_ids).items()
    }


def _rendered_or_none(union_id: int, members: list[PublishedMember]) -> dict[str, str] | None:
    """A union record's metadata by format, or None (logged with its id) if it cannot be rendered.

    One record the crosswalk fails on must not stop every record after it
    from being published: it stays stale, and the next round tries again.
    """
    try:
        return render_published_metadata(union_id, members)
    except Exception:
        logger.exception("published_metadata_not_rendered", extra={"union_record_id": union_id})
        return None


def publish_union_records(session: Session, sequences: Mapping[int, int]) -> int:
    """Render these union records and keep the text, stamped with their change's sequence.

    `sequences` maps each union record to the sequence of its latest change,
    read before its members (so the text is never older than its stamp: a
    change committed in between has a later sequence, and the provider will
    not serve this text for it). A row already stamped with a later sequence
    (another publisher that saw a later change) is left as it is. Records
    are rendered a batch at a time, so a rebuild of every record stays in
    bounded memory. Migration 0005 backfills with this function. Returns
    how many records were rendered: one that fails is logged and left stale.
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(published_table)
    upsert = statement.on_conflict_do_update(
        index_elements=[published_table.c.union_record_id, published_table.c.metadata_format],
        set_={"sequence": statement.excluded.sequence, "xml": statement.excluded.xml},
        where=published_table.c.sequence < statement.excluded.sequence,
    )
    rendered_records = 0
    for chunk in in_chunks(sorted(sequences)):
        rendered = {
            union_id: by_format
            for union_id, members in sorted(published_members(session, chunk).items())
            if (by_format := _rendered_or_none(union_id, members)) is not None
        }
        rows = [
            {
                "union_record_id": union_id,
                "metadata_format": metadata_format,
                "sequence": sequences[union_id],
                "xml": xml,
            }
            for union_id, by_format in rendered.items()
            for metadata_format, xml in by_format.items()
        ]
        if rows:
            session.execute(upsert, rows)
        rendered_records += len(rendered)
    return rendered_records


@dataclass(frozen=True)
class LogSlice:
    """A stretch of the change log: the last sequence read, and the stale records in it."""

    last_sequence: int
    stale: dict[int, int]


def stale_union_records(session: Session, after_sequence: int, limit: int) -> LogSlice | None:
    """The next `limit` log entries after `after_sequence`, and the records stale among them.

    A record is stale there when the entry is its latest change, it is
    active, and its kept text is missing or older in some format; each comes
    with that latest sequence, in log order. None past the end of the log.
    The entries are read first (a range of the primary key), then each is
    checked through the index on `changes (union_record_id, sequence)` and
    the kept text's primary key, so a slice costs its own entries whatever
    the planner thinks of the rest of the log.
    """
    entries = (
        select(Change.sequence, Change.union_record_id)
        .where(Change.sequence > after_sequence)
        .order_by(Change.sequence)
        .limit(limit)
        .subquery()
    )
    later = aliased(Change)
    superseded = exists().where(
        later.union_record_id == entries.c.union_record_id, later.sequence > entries.c.sequence
    )
    active = exists().where(
        UnionRecord.id == entries.c.union_record_id, UnionRecord.status == "active"
    )
    kept_in_every_format = and_(
        *(
            exists().where(
                published_table.c.union_record_id == entries.c.union_record_id,
                published_table.c.metadata_format == metadata_format,
                published_table.c.sequence >= entries.c.sequence,
            )
            for metadata_format in PUBLISHED_FORMATS
        )
    )
    is_stale = and_(~superseded, active, ~kept_in_every_format)
    rows = session.execute(
        select(entries.c.sequence, entries.c.union_record_id, is_stale.label("is_stale")).order_by(
            entries.c.sequence
        )
    ).all()
    if not rows:
        return None
    return LogSlice(
        last_sequence=rows[-1].sequence,
        stale={row.union_record_id: row.sequence for row in rows if row.is_stale},
    )


class SqlMetadataPublisher:
    """Renders stale published metadata, a batch per short transaction (`MetadataPublisher`).

    Nothing is rendered inside an ingest's write transaction, and a batch
    takes the write lock (on SQLite, the whole store's) only at the upsert
    that ends it: one statement for up to 900 records.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def latest_change_sequence(self) -> int:
        """The highest sequence in the change log, 0 if empty."""
        with Session(self.engine) as session:
            return session.scalar(select(func.max(Change.sequence))) or 0

    def publish_stale_records(self, after_sequence: int, limit: int) -> PublishedBatch | None:
        """Render the stale records among the next `limit` log entries after `after_sequence`.

        None past the end of the log. Their sequences are read before their
        members, in the same transaction (see `publish_union_records`).
        """
        with Session(self.engine) as session, session.begin():
            found = stale_union_records(session, after_sequence, limit)
            if found is None:
                return None
            rendered = publish_union_records(session, found.stale)
        return PublishedBatch(records=rendered, last_sequence=found.last_sequence)


def withdraw_published(session: Session, union_record_ids: Iterable[int]) -> None:
    """Forget the metadata of union records that are deleted or absorbed (none is served)."""
    for chunk in in_chunks(sorted(set(union_record_ids))):
        session.execute(delete(published_table).where(published_table.c.union_record_id.in_(chunk)))


def stored_metadata(
    session: Session, sequences: Mapping[int, int], metadata_format: str
) -> dict[int, str]:
    """The kept text of these union records in one format, by union record id.

    Only text rendered for the sequence given (the record's latest change)
    is returned; the records without it are left out.
    """
    found: dict[int, str] = {}
    for chunk in in_chunks(sorted(sequences)):
        rows = session.execute(
            select(
                published_table.c.union_record_id,
                published_table.c.sequence,
                published_table.c.xml,
            ).where(
                published_table.c.union_record_id.in_(chunk),
                published_table.c.metadata_format == metadata_format,
            )
        )
        found.update(
            (union_id, xml) for union_id, sequence, xml in rows if sequence == sequences[union_id]
        )
    return found
