"""Read side for the index: many union-record views in a few queries, and changes by sequence.

`SqlTransaction.union_record_view` assembles one union record in three
queries; rebuilding the index or following a busy change log that way costs
three round trips per record. Here a batch of ids costs three queries in
all (union records, active members with their libraries, holdings), and
the views are assembled exactly as the single-record path does: members
described by the core, the preferred member first. Each member's description
is the one ingest kept beside it (`description_from_store`); a record kept
before descriptions were, or under an older DESCRIPTION_VERSION, is described
again from its lean record.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from mucluc.core.marc.describe import describe_record, description_from_store
from mucluc.core.marc.lean import LeanRecord
from mucluc.core.model import (
    BibDescription,
    HoldingStatement,
    LibraryInfo,
    MemberView,
    UnionRecordView,
)
from mucluc.core.ports import ChangeEntry
from mucluc.core.preference import choose_preferred_member
from mucluc.storage.database import in_chunks
from mucluc.storage.tables import Change, Holding, Library, SourceRecord, UnionRecord

# Bound on the ids in one IN (...) list, well inside SQLite's and PostgreSQL's limits.
IDS_PER_QUERY = 1000


def load_union_record_views(
    session: Session, union_record_ids: Sequence[int]
) -> list[UnionRecordView]:
    """The views of these union records, in the order asked; unknown ids are left out."""
    views: list[UnionRecordView] = []
    for chunk in in_chunks(union_record_ids, IDS_PER_QUERY):
        views.extend(_load_batch(session, chunk))
    return views


def _load_batch(session: Session, union_record_ids: Sequence[int]) -> list[UnionRecordView]:
    unions = {
        union.id: union
        for union in session.scalars(
            select(UnionRecord).where(UnionRecord.id.in_(union_record_ids))
        )
    }
    rows = session.execute(
        # Only the columns a view needs: whole ORM rows would also load the raw bytes.
        select(
            SourceRecord.id,
            SourceRecord.union_record_id,
            SourceRecord.local_id,
            SourceRecord.record,
            SourceRecord.description,
            Library,
        )
        .join(Library, Library.id == SourceRecord.library_id)
        .where(
            SourceRecord.union_record_id.in_(list(unions)),
            SourceRecord.status == "active",
        )
        .order_by(SourceRecord.id)
    ).all()
    holdings_by_source: dict[int, list[HoldingStatement]] = {}
    source_ids = [row.id for row in rows]
    for chunk in in_chunks(source_ids, IDS_PER_QUERY):
        for holding in session.scalars(
            select(Holding).where(Holding.source_record_id.in_(chunk)).order_by(Holding.id)
        ):
            holdings_by_source.setdefault(holding.source_record_id, []).append(
                holding.to_statement()
            )
    members_by_union: dict[int, list[MemberView]] = {}
    libraries: dict[int, LibraryInfo] = {}
    for source_id, union_record_id, local_id, record, kept, library in rows:
        if library.id not in libraries:
            libraries[library.id] = library.to_info()
        members_by_union.setdefault(union_record_id or 0, []).append(
            MemberView(
                library=libraries[library.id],
                local_id=local_id,
                description=description_from_store(kept)
                or describe_record(LeanRecord.from_dict(record or {})),
                holdings=tuple(holdings_by_source.get(source_id, ())),
                record=dict(record or {}),
            )
        )
    views = []
    for union_record_id in union_record_ids:
        union = unions.get(union_record_id)
        if union is None:
            continue
        ordered = choose_preferred_member(members_by_union.get(union.id, []))
        description = ordered[0].description if ordered else BibDescription(title=union.title)
        views.append(
            UnionRecordView(
                id=union.id,
                status=union.status,
                merged_into_id=union.merged_into_id,
                description=description,
                members=tuple(ordered),
                updated_at=union.updated_at,
            )
        )
    return views


def load_changes(session: Session, sequences: Iterable[int]) -> list[ChangeEntry]:
    """The change-log entries with these sequences that exist now, in sequence order."""
    wanted = sorted(set(sequences))
    changes: list[ChangeEntry] = []
    for chunk in in_chunks(wanted, IDS_PER_QUERY):
        rows = session.execute(
            select(Change.sequence, Change.union_record_id, Change.operation)
            .where(Change.sequence.in_(chunk))
            .order_by(Change.sequence)
        )
        changes.extend(ChangeEntry(*row) for row in rows)
    return changes
