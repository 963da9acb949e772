"""The SQLAlchemy implementation of the store ports (`mucluc.core.ports`).

Each `SqlTransaction` wraps one session; `SqlCatalogue.transaction()` commits
it on success. Union-record views are assembled here from the members' stored
MARC-in-JSON, described by the core.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any

from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from mucluc.core.audit import AuditEvent
from mucluc.core.dedup.cluster import Override
from mucluc.core.dedup.decide import DedupPolicy, MatchDecision
from mucluc.core.dedup.profile import MatchProfile
from mucluc.core.model import (
    LibraryInfo,
    UnionRecordView,
)
from mucluc.core.ports import (
    BlockedIsbnEntry,
    CatalogueCounts,
    ChangeEntry,
    ExportRow,
    RecordPlacement,
    SourceRecordDocument,
    SourceRecordWrite,
    StoredSourceRecord,
    UnionMember,
)
from mucluc.errors import LibraryError, LibraryNotFoundError
from mucluc.storage import dedup, loading
from mucluc.storage.audit import append_audit_event
from mucluc.storage.database import analyse_stale_tables
from mucluc.storage.tables import (
    Change,
    Holding,
    IngestJob,
    Library,
    SourceRecord,
    UnionRecord,
    utc_now,
)
from mucluc.storage.views import load_changes, load_union_record_views

ID_BATCH_SIZE = 1000
CATALOGUE_LOCK_KEY = 0x6D75_636C  # "mucl": PostgreSQL advisory lock held while changing records


class SqlTransaction:
    """One unit of work on the store (see `mucluc.core.ports.CatalogueTransaction`)."""

    def __init__(self, session: Session, dedup_policy: DedupPolicy | None = None) -> None:
        self.session = session
        self._dedup_policy = dedup_policy or DedupPolicy()

    def hold_catalogue_lock(self) -> None:
        """Take PostgreSQL's transaction advisory lock for catalogue changes.

        Under READ COMMITTED, two ingest batches committing side by side did
        not see each other's records, so their duplicates were never compared
        (a rebuild would merge them). SQLite needs no lock: it lets one
        transaction write at a time, from its first write to its commit.
        """
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": CATALOGUE_LOCK_KEY}
            )

    def refresh_stale_statistics(self) -> list[str]:
        """ANALYZE the much-changed tables on PostgreSQL (`analyse_stale_tables`)."""
        return analyse_stale_tables(self.session)

    def library_id(self, code: str) -> int:
        """The internal id of a library; raises LibraryError if unknown."""
        library_id = self.session.scalar(select(Library.id).where(Library.code == code))
        if library_id is None:
            raise LibraryError(f"no member library has the code {code!r}")
        return library_id

    def add_library(self, library: LibraryInfo) -> None:
        """Add a member library; raises LibraryError if the code exists."""
        if self.session.scalar(select(Library.id).where(Library.code == library.code)):
            raise LibraryError(f"a member library with the code {library.code!r} exists")
        self.session.add(Library(**asdict(library)))
        try:
            self.session.flush()
        except IntegrityError as error:
            raise LibraryError(
                f"library {library.code!r} rejected by the store: {error.orig}"
            ) from error

    def list_libraries(self) -> list[LibraryInfo]:
        """All member libraries, by code."""
        libraries = self.session.scalars(select(Library).order_by(Library.code))
        return [library.to_info() for library in libraries]

    def update_library(self, library: LibraryInfo) -> None:
        """Replace the details of the library with this code; raises LibraryNotFoundError."""
        row = self.session.scalar(select(Library).where(Library.code == library.code))
        if row is None:
            raise LibraryNotFoundError(f"no member library has the code {library.code!r}")
        for name, value in asdict(library).items():
            setattr(row, name, value)
        self.session.flush()

    def start_job(self, library_id: int, source_name: str, record_format: str) -> int:
        """Record the start of an ingest job and return its id.

        An earlier job of the same library and source still marked running
        was killed (a run that ends always says so), and this run takes up
        its work: it is marked interrupted, naming this job.
        """
        job = IngestJob(library_id=library_id, source_name=source_name, format=record_format)
        self.session.add(job)
        self.session.flush()
        self.session.execute(
            update(IngestJob)
            .where(
                IngestJob.library_id == library_id,
                IngestJob.source_name == source_name,
                IngestJob.status == "running",
                IngestJob.id < job.id,
            )
            .values(
                status="interrupted",
                message=f"stopped before the end; job {job.id} ran this source again",
            )
        )
        return job.id

    def finish_job(self, job_id: int, status: str, counts: dict[str, int], message: str) -> None:
        """Record how an ingest job ended."""
        job = self.session.get_one(IngestJob, job_id)
        job.status = status
        job.message = message
        job.finished_at = utc_now()
        for name, value in counts.items():
            setattr(job, f"records_{name}", value)

    def create_union_record(self) -> int:
        """A new, empty, active union record; its id is never reused."""
        union = UnionRecord(status="active", title="")
        self.session.add(union)
        self.session.flush()
        return union.id

    def append_change(self, union_record_id: int, operation: str) -> None:
        """Append to the ordered change log."""
        self.session.add(Change(union_record_id=union_record_id, operation=operation))

    def union_record_view(self, union_record_id: int) -> UnionRecordView | None:
        """A union record with its members (preferred member first), libraries and holdings."""
        views = load_union_record_views(self.session, [union_record_id])
        return views[0] if views else None

    def changes_after(self, sequence: int, limit: int) -> list[ChangeEntry]:
        """Up to `limit` changes with a sequence above `sequence`, in order."""
        rows = self.session.execute(
            select(Change.sequence, Change.union_record_id, Change.operation)
            .where(Change.sequence > sequence)
            .order_by(Change.sequence)
            .limit(limit)
        )
        return [ChangeEntry(*row) for row in rows]

    def changes_in(self, sequences: Iterable[int]) -> list[ChangeEntry]:
        """The changes with these sequences that exist now, in order (storage/views.py)."""
        return load_changes(self.session, sequences)

    def union_record_views(self, union_record_ids: Sequence[int]) -> list[UnionRecordView]:
        """Many union records in a few queries, for the index (storage/views.py)."""
        return load_union_record_views(self.session, union_record_ids)

    def latest_change_sequence(self) -> int:
        """The highest sequence in the change log, 0 if empty."""
        return self.session.scalar(select(func.max(Change.sequence))) or 0

    def active_union_record_ids(self) -> Iterator[int]:
        """Every active union record id, in id order, fetched in batches."""
        last_id = 0
        while True:
            batch = list(
                self.session.scalars(
                    select(UnionRecord.id)
                    .where(UnionRecord.status == "active", UnionRecord.id > last_id)
                    .order_by(UnionRecord.id)
                    .limit(ID_BATCH_SIZE)
                )
            )
            if not batch:
                return
            yield from batch
            last_id = batch[-1]

    def export_rows(self) -> Iterator[ExportRow]:
        """Every active union record with its members, in id order."""
        rows = self.session.execute(
            select(UnionRecord.id, UnionRecord.title, Library.code, SourceRecord.local_id)
            .join(SourceRecord, SourceRecord.union_record_id == UnionRecord.id)
            .join(Library, Library.id == SourceRecord.library_id)
            .where(UnionRecord.status == "active", SourceRecord.status == "active")
            .order_by(UnionRecord.id, SourceRecord.id)
            .execution_options(yield_per=ID_BATCH_SIZE)
        )
        current: tuple[int, str] | None = None
        members: list[tuple[str, str]] = []
        for union_id, title, code, local_id in rows:
            if current is not None and current[0] != union_id:
                yield ExportRow(current[0], current[1], tuple(members))
                members = []
            current = (union_id, title)
            members.append((code, local_id))
        if current is not None:
            yield ExportRow(current[0], current[1], tuple(members))

    def counts(self) -> CatalogueCounts:
        """How much the catalogue holds."""

        def count(statement: Any) -> int:
            return int(self.session.scalar(statement) or 0)

        return CatalogueCounts(
            libraries=count(select(func.count()).select_from(Library)),
            source_records=count(
                select(func.count())
                .select_from(SourceRecord)
                .where(SourceRecord.status == "active")
            ),
            rejected_records=count(
                select(func.count())
                .select_from(SourceRecord)
                .where(SourceRecord.status == "quarantined")
            ),
            union_records=count(
                select(func.count()).select_from(UnionRecord).where(UnionRecord.status == "active")
            ),
            holdings=count(select(func.count()).select_from(Holding)),
            copies=count(select(func.sum(Holding.copies))),
        )

    # Ingest-side batch operations (`mucluc.core.ports.IngestTransaction`), in storage/loading.py.

    def find_source_records(
        self, library_id: int, local_ids: Iterable[str]
    ) -> dict[str, StoredSourceRecord]:
        """The stored records of a library with these local ids, by local id."""
        return loading.find_source_records(self.session, library_id, local_ids)

    def active_local_ids(self, library_id: int) -> dict[str, StoredSourceRecord]:
        """Every active source record of a library, by local id."""
        return loading.active_local_ids(self.session, library_id)

    def write_source_records(
        self, library_id: int, job_id: int, writes: list[SourceRecordWrite]
    ) -> dict[str, int]:
        """Insert or replace these records with their keys and holdings; ids by local id."""
        self.session.flush()
        return loading.write_source_records(self.session, library_id, job_id, writes)

    def union_members(self, union_record_ids: Iterable[int]) -> list[UnionMember]:
        """The active members of these union records, by source record id."""
        return loading.union_members(self.session, union_record_ids)

    def create_union_records(self, count: int) -> list[int]:
        """`count` new, empty, active union records, ids ascending."""
        return loading.create_union_records(self.session, count)

    def assign_union_records(self, assignments: dict[int, int | None]) -> None:
        """Make each source record a member of a union record, or of none."""
        loading.assign_union_records(self.session, assignments)

    def record_union_states(self, states: list[tuple[int, str, str]]) -> None:
        """Set (union record id, status, title) and log one change for each."""
        loading.record_union_states(self.session, states)

    def withdraw_source_records(self, source_record_ids: list[int]) -> None:
        """Mark these source records deleted and drop their keys and holdings."""
        loading.withdraw_source_records(self.session, source_record_ids)

    # Matching-side operations (`mucluc.core.ports.MatchingTransaction`), in storage/dedup.py.

    def dedup_policy(self) -> DedupPolicy:
        """How strictly records are matched, as the store was opened with (from the settings)."""
        return self._dedup_policy

    def save_match_profiles(self, profiles: Mapping[int, MatchProfile]) -> None:
        """Replace the stored profiles of these source records."""
        dedup.save_match_profiles(self.session, profiles)

    def drop_match_profiles(self, source_record_ids: Iterable[int]) -> None:
        """Forget the profiles of these source records."""
        dedup.drop_match_profiles(self.session, source_record_ids)

    def match_profiles(self, source_record_ids: Iterable[int]) -> dict[int, MatchProfile]:
        """The stored profiles of these source records."""
        return dedup.match_profiles(self.session, source_record_ids)

    def records_sharing_keys(
        self, keys: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], set[int]]:
        """The active source records holding each of these blocking keys."""
        return dedup.records_sharing_keys(self.session, keys)

    def key_holder_counts(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """How many active source records hold each of these keys (0 for none)."""
        return dedup.key_holder_counts(self.session, keys)

    def blocking_keys_of(
        self, source_record_ids: Iterable[int]
    ) -> dict[int, frozenset[tuple[str, str]]]:
        """The stored blocking keys of these source records."""
        return dedup.blocking_keys_of(self.session, source_record_ids)

    def replace_blocking_keys(self, keys: Mapping[int, Iterable[tuple[str, str]]]) -> None:
        """Set the blocking keys of these source records."""
        dedup.replace_blocking_keys(self.session, keys)

    def replace_match_decisions(
        self, source_record_ids: Iterable[int], decisions: Iterable[MatchDecision]
    ) -> None:
        """Drop every decision involving these records, then store these."""
        dedup.replace_match_decisions(self.session, source_record_ids, decisions)

    def clear_match_decisions(self) -> None:
        """Drop every stored decision."""
        dedup.clear_match_decisions(self.session)

    def match_decisions_touching(self, source_record_ids: Iterable[int]) -> list[MatchDecision]:
        """Stored decisions with either record among these."""
        return dedup.match_decisions_touching(self.session, source_record_ids)

    def add_overrides(self, overrides: Iterable[Override], actor: str) -> None:
        """Append staff overrides."""
        dedup.add_overrides(self.session, overrides, actor)

    def overrides_touching(self, source_record_ids: Iterable[int]) -> list[Override]:
        """Overrides with either record among these, oldest first."""
        return dedup.overrides_touching(self.session, source_record_ids)

    def all_overrides(self) -> list[Override]:
        """Every override, oldest first."""
        return dedup.all_overrides(self.session)

    def isbn_blocklist(self) -> list[BlockedIsbnEntry]:
        """The blocked ISBNs, in order."""
        return dedup.isbn_blocklist(self.session)

    def block_isbn(self, isbn: str, reason: str, actor: str) -> bool:
        """Add an ISBN to the blocklist; False if it was there already."""
        return dedup.block_isbn(self.session, isbn, reason, actor)

    def unblock_isbn(self, isbn: str) -> bool:
        """Remove an ISBN from the blocklist; False if it was not there."""
        return dedup.unblock_isbn(self.session, isbn)

    def append_audit_event(self, event: AuditEvent) -> int:
        """Append to the audit log in this transaction."""
        return append_audit_event(self.session, event)

    def record_placements(self, source_record_ids: Iterable[int]) -> list[RecordPlacement]:
        """Where these source records are now."""
        return dedup.record_placements(self.session, source_record_ids)

    def active_record_placements(self) -> Iterator[RecordPlacement]:
        """Every active source record with its library and union record."""
        return dedup.active_record_placements(self.session)

    def source_record_documents(
        self, source_record_ids: Iterable[int]
    ) -> list[SourceRecordDocument]:
        """The stored MARC-in-JSON of these source records."""
        return dedup.source_record_documents(self.session, source_record_ids)

    def mark_union_records_merged(self, redirects: Mapping[int, int]) -> None:
        """Make each absorbed union record redirect to its survivor."""
        dedup.mark_union_records_merged(self.session, redirects)

    def merged_into(self, union_record_id: int) -> int | None:
        """The union record an absorbed one redirects to, or None."""
        return dedup.merged_into(self.session, union_record_id)


class SqlCatalogue:
    """The system of record on SQLite or PostgreSQL.

    `dedup_policy` is the matching policy the settings name (wiring.py); every
    transaction hands it to the matcher, so ingest, rebuilds and staff
    changes all match alike.
    """

    def __init__(self, engine: Engine, dedup_policy: DedupPolicy | None = None) -> None:
        self.engine = engine
        self.dedup_policy = dedup_policy or DedupPolicy()
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[SqlTransaction]:
        """Open a unit of work that commits on success and rolls back on error."""
        with self._sessions.begin() as session:
            yield SqlTransaction(session, self.dedup_policy)
