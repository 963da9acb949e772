"""Union records' published metadata: rendered once when a change is logged, kept as text.

`record_union_states` (storage/loading.py) calls `publish_union_records` in
the transaction that logs the changes, so each stored text carries the
sequence of the change it was rendered for. Harvesting serves stored text
only when that sequence is the record's latest; any other record (a change
logged some other way, a concurrent writer's older text) is rendered afresh,
so stale metadata is never served. Rendering is `mucluc.core.crosswalk.published`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from mucluc.core.crosswalk.published import render_published_metadata
from mucluc.core.model import HoldingStatement
from mucluc.core.preference import preference_rank
from mucluc.core.publication import PublishedMember
from mucluc.storage.database import in_chunks
from mucluc.storage.tables import Holding, Library, PublishedMetadata, SourceRecord

published_table: Table = PublishedMetadata.__table__  # type: ignore[assignment]


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


def publish_union_records(session: Session, sequences: Mapping[int, int]) -> None:
    """Render these union records and keep the text, stamped with their change's sequence.

    `sequences` maps each union record to the sequence of the change just
    logged for it. A row already stamped with a later sequence (a concurrent
    transaction that logged a later change) is left as it is. Records are
    rendered a batch at a time, so a rebuild of every record stays in bounded
    memory.
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(published_table)
    upsert = statement.on_conflict_do_update(
        index_elements=[published_table.c.union_record_id, published_table.c.metadata_format],
        set_={"sequence": statement.excluded.sequence, "xml": statement.excluded.xml},
        where=published_table.c.sequence < statement.excluded.sequence,
    )
    for chunk in in_chunks(sorted(sequences)):
        rows = [
            {
                "union_record_id": union_id,
                "metadata_format": metadata_format,
                "sequence": sequences[union_id],
                "xml": xml,
            }
            for union_id, by_format in sorted(render_union_records(session, chunk).items())
            for metadata_format, xml in by_format.items()
        ]
        if rows:
            session.execute(upsert, rows)


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
