"""The ports: what services need from a store and a search index, as typing Protocols.

Adapters in `mucluc.storage` and `mucluc.search` implement these; services
depend only on them, so a service can be tested with any implementation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from mucluc.core.audit import AuditEvent
from mucluc.core.dedup.cluster import Override
from mucluc.core.dedup.decide import DedupPolicy, MatchDecision
from mucluc.core.dedup.profile import MatchProfile
from mucluc.core.model import (
    BibDescription,
    HoldingStatement,
    LibraryInfo,
    LibraryStatistics,
    UnionRecordView,
)
from mucluc.core.query import SearchRequest


@dataclass(frozen=True)
class StoredSourceRecord:
    """What ingest needs to know about a source record already in the store."""

    id: int
    content_hash: str
    status: str
    union_record_id: int | None


@dataclass(frozen=True)
class ChangeEntry:
    """One entry of the ordered change log."""

    sequence: int
    union_record_id: int
    operation: str


@dataclass(frozen=True)
class ExportRow:
    """A union record's id, title and members as `(library code, local id)` pairs."""

    id: int
    title: str
    members: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class CatalogueCounts:
    """How much the catalogue holds."""

    libraries: int
    source_records: int
    rejected_records: int
    union_records: int
    holdings: int
    copies: int


class CatalogueTransaction(Protocol):
    """One unit of work on the store; everything in it commits or nothing does."""

    def library_id(self, code: str) -> int:
        """The internal id of a library; raises LibraryError if unknown."""

    def add_library(self, library: LibraryInfo) -> None:
        """Add a member library; raises LibraryError if the code exists."""

    def list_libraries(self) -> list[LibraryInfo]:
        """All member libraries, by code."""

    def update_library(self, library: LibraryInfo) -> None:
        """Replace the details of the library with this code; raises LibraryNotFoundError."""

    def start_job(self, library_id: int, source_name: str, record_format: str) -> int:
        """Record the start of an ingest job and return its id."""

    def finish_job(self, job_id: int, status: str, counts: dict[str, int], message: str) -> None:
        """Record how an ingest job ended."""

    def create_union_record(self) -> int:
        """A new, empty, active union record; its id is never reused."""

    def append_change(self, union_record_id: int, operation: str) -> None:
        """Append to the ordered change log."""

    def union_record_view(self, union_record_id: int) -> UnionRecordView | None:
        """A union record with its members, libraries and holdings."""

    def changes_after(self, sequence: int, limit: int) -> list[ChangeEntry]:
        """Up to `limit` changes with a sequence above `sequence`, in order."""

    def changes_in(self, sequences: Iterable[int]) -> list[ChangeEntry]:
        """The changes with these sequences that exist now, in order."""

    def union_record_views(self, union_record_ids: Sequence[int]) -> list[UnionRecordView]:
        """Many union records at once (any status), in a few queries; unknown ids are left out."""

    def latest_change_sequence(self) -> int:
        """The highest sequence in the change log, 0 if empty."""

    def active_union_record_ids(self) -> Iterator[int]:
        """Every active union record id, in id order."""

    def export_rows(self) -> Iterator[ExportRow]:
        """Every active union record with its members, in id order."""

    def counts(self) -> CatalogueCounts:
        """How much the catalogue holds."""


@dataclass(frozen=True)
class SourceRecordWrite:
    """A source record as ingest writes it, with its derived keys, holdings and summary.

    `status` is active, quarantined or deleted; `title` and `completeness`
    let the union record's title be chosen without re-reading every member.
    """

    local_id: str
    record_format: str
    raw: bytes
    record: dict[str, Any] | None
    content_hash: str
    status: str
    problems: tuple[dict[str, Any], ...] = ()
    provenance: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    completeness: int = 0
    keys: frozenset[tuple[str, str]] = frozenset()
    holdings: tuple[HoldingStatement, ...] = ()
    profile: MatchProfile | None = None
    description: BibDescription | None = None  # of an active record


@dataclass(frozen=True)
class UnionMember:
    """One active member of a union record, with what choosing its title needs."""

    union_record_id: int
    source_record_id: int
    library_id: int
    library_code: str
    library_type: str
    completeness: int
    title: str


class IngestTransaction(CatalogueTransaction, Protocol):
    """The batch operations ingest and matching use: a few statements per batch, not per record."""

    def hold_catalogue_lock(self) -> None:
        """Wait until no other transaction changes the catalogue, then hold that until commit.

        Every transaction that writes source records or places them in union
        records takes this first, so each sees every record committed before
        it and matching is the same as if batches had come one by one.
        """

    def refresh_stale_statistics(self) -> list[str]:
        """Have the database re-estimate the tables much changed since it last did; their names.

        Ingest asks after each batch, so a long load keeps the query plans of
        its look-ups right even where the database does not do it by itself.
        """

    def find_source_records(
        self, library_id: int, local_ids: Iterable[str]
    ) -> dict[str, StoredSourceRecord]:
        """The stored records of a library with these local ids, by local id."""

    def active_local_ids(self, library_id: int) -> dict[str, StoredSourceRecord]:
        """Every active source record of a library, by local id."""

    def write_source_records(
        self, library_id: int, job_id: int, writes: list[SourceRecordWrite]
    ) -> dict[str, int]:
        """Insert or replace these records with their keys and holdings; ids by local id."""

    def union_members(self, union_record_ids: Iterable[int]) -> list[UnionMember]:
        """The active members of these union records, by source record id."""

    def create_union_records(self, count: int) -> list[int]:
        """`count` new, empty, active union records, ids ascending; ids are never reused."""

    def assign_union_records(self, assignments: dict[int, int | None]) -> None:
        """Make each source record (key) a member of a union record (value) or of none."""

    def record_union_states(self, states: list[tuple[int, str, str]]) -> None:
        """Set (union record id, status, title) and log one change for each."""

    def withdraw_source_records(self, source_record_ids: list[int]) -> None:
        """Mark these source records deleted and drop their keys and holdings."""


@dataclass(frozen=True)
class RecordPlacement:
    """Where a source record is now: its library, status and union record."""

    source_record_id: int
    library_id: int
    status: str
    union_record_id: int | None


@dataclass(frozen=True)
class SourceRecordDocument:
    """A stored source record's MARC-in-JSON with its library and local id."""

    source_record_id: int
    library_id: int
    library_code: str
    local_id: str
    record: dict[str, Any] | None


@dataclass(frozen=True)
class BlockedIsbnEntry:
    """An ISBN on the blocklist: who put it there, when and why."""

    isbn: str
    reason: str
    actor: str
    created_at: datetime


class MatchingTransaction(IngestTransaction, Protocol):
    """What the matcher keeps: profiles, decisions with evidence, overrides, the blocklist.

    Record ids inside decisions and overrides are source record ids as decimal strings.
    """

    def dedup_policy(self) -> DedupPolicy:
        """How strictly records are matched here, as configured (the blocklist comes apart)."""

    def save_match_profiles(self, profiles: Mapping[int, MatchProfile]) -> None:
        """Replace the stored profiles of these source records."""

    def drop_match_profiles(self, source_record_ids: Iterable[int]) -> None:
        """Forget the profiles of these source records."""

    def match_profiles(self, source_record_ids: Iterable[int]) -> dict[int, MatchProfile]:
        """The stored profiles of these source records."""

    def records_sharing_keys(
        self, keys: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], set[int]]:
        """The active source records holding each of these blocking keys."""

    def key_holder_counts(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """How many active source records hold each of these keys (0 for none)."""

    def blocking_keys_of(
        self, source_record_ids: Iterable[int]
    ) -> dict[int, frozenset[tuple[str, str]]]:
        """The stored blocking keys of these source records."""

    def replace_blocking_keys(self, keys: Mapping[int, Iterable[tuple[str, str]]]) -> None:
        """Set the blocking keys of these source records."""

    def replace_match_decisions(
        self, source_record_ids: Iterable[int], decisions: Iterable[MatchDecision]
    ) -> None:
        """Drop every decision involving these records, then store these."""

    def clear_match_decisions(self) -> None:
        """Drop every stored decision."""

    def match_decisions_touching(self, source_record_ids: Iterable[int]) -> list[MatchDecision]:
        """Stored decisions with either record among these."""

    def add_overrides(self, overrides: Iterable[Override], actor: str) -> None:
        """Append staff overrides."""

    def overrides_touching(self, source_record_ids: Iterable[int]) -> list[Override]:
        """Overrides with either record among these, oldest first."""

    def all_overrides(self) -> list[Override]:
        """Every override, oldest first."""

    def isbn_blocklist(self) -> list[BlockedIsbnEntry]:
        """The blocked ISBNs, in order."""

    def block_isbn(self, isbn: str, reason: str, actor: str) -> bool:
        """Add an ISBN to the blocklist; False if it was there already."""

    def unblock_isbn(self, isbn: str) -> bool:
        """Remove an ISBN from the blocklist; False if it was not there."""

    def append_audit_event(self, event: AuditEvent) -> int:
        """Append to the audit log in this transaction, so it commits with the change it records."""

    def record_placements(self, source_record_ids: Iterable[int]) -> list[RecordPlacement]:
        """Where these source records are now."""

    def active_record_placements(self) -> Iterator[RecordPlacement]:
        """Every active source record with its library and union record."""

    def source_record_documents(
        self, source_record_ids: Iterable[int]
    ) -> list[SourceRecordDocument]:
        """The stored MARC-in-JSON of these source records."""

    def mark_union_records_merged(self, redirects: Mapping[int, int]) -> None:
        """Make each absorbed union record (key) redirect to its survivor (value)."""

    def merged_into(self, union_record_id: int) -> int | None:
        """The union record an absorbed one redirects to, or None."""


class MatchingStore(Protocol):
    """The system of record, as matching and staff overrides use it."""

    def transaction(self) -> AbstractContextManager[MatchingTransaction]:
        """Open a unit of work that commits on success and rolls back on error."""


class IngestStore(Protocol):
    """The system of record, as ingest uses it (ingest places records with the matcher)."""

    def transaction(self) -> AbstractContextManager[MatchingTransaction]:
        """Open a unit of work that commits on success and rolls back on error."""


class CatalogueStore(Protocol):
    """The system of record."""

    def transaction(self) -> AbstractContextManager[CatalogueTransaction]:
        """Open a unit of work that commits on success and rolls back on error."""


@dataclass(frozen=True)
class SearchHit:
    """One search result as the index stores it."""

    id: int
    title: str
    authors: tuple[str, ...]
    publisher: str
    year: int | None
    library_codes: tuple[str, ...]
    score: float


@dataclass(frozen=True)
class FacetCount:
    """How many matching records have one value of a facet ("VN-NLV": 120)."""

    value: str
    count: int


@dataclass(frozen=True)
class SearchResults:
    """A page of hits, the total number of matching records, and the facets asked for."""

    total: int
    hits: tuple[SearchHit, ...]
    facets: dict[str, tuple[FacetCount, ...]] = field(default_factory=dict)


class SearchIndex(Protocol):
    """The derived search index."""

    def search(self, request: SearchRequest) -> SearchResults:
        """Run one search of the query model: a page of hits, the total, the facets."""

    def upsert(self, records: Iterable[UnionRecordView]) -> None:
        """Add or replace these union records."""

    def delete(self, union_record_ids: Iterable[int]) -> None:
        """Remove these union records."""

    def commit(
        self, applied_sequence: int, pending_gaps: Mapping[int, float] | None = None
    ) -> None:
        """Make changes visible, remembering the change-log position reached.

        `pending_gaps` are sequences below `applied_sequence` not seen yet
        (a transaction may still commit them), with when each was first missed.
        """

    def applied_sequence(self) -> int:
        """The highest change-log sequence the index reflects."""

    def pending_gaps(self) -> dict[int, float]:
        """Sequences below the applied one not seen yet, with when each was first missed."""


class LibraryDirectory(Protocol):
    """Per-library figures for the directory pages and API."""

    def library_statistics(self, code: str | None = None) -> list[LibraryStatistics]:
        """Counts for every member library (or only `code`), ordered by code."""
