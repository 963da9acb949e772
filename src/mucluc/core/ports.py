"""The ports: what services need from a store and a search index, as typing Protocols.

Adapters in `mucluc.storage` and `mucluc.search` implement these; services
depend only on them, so a service can be tested with any implementation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from mucluc.core.model import HoldingStatement, LibraryInfo, LibraryStatistics, UnionRecordView


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

    def start_job(self, library_id: int, source_name: str, record_format: str) -> int:
        """Record the start of an ingest job and return its id."""

    def finish_job(self, job_id: int, status: str, counts: dict[str, int], message: str) -> None:
        """Record how an ingest job ended."""

    def find_source_record(self, library_id: int, local_id: str) -> StoredSourceRecord | None:
        """The stored record of a library with this local id, if any."""

    def save_source_record(
        self,
        *,
        library_id: int,
        local_id: str,
        record_format: str,
        raw: bytes,
        record: dict[str, Any] | None,
        content_hash: str,
        status: str,
        problems: list[dict[str, Any]],
        job_id: int | None,
    ) -> int:
        """Insert or replace a library's source record; return its id."""

    def replace_match_keys(self, source_record_id: int, keys: Iterable[tuple[str, str]]) -> None:
        """Set the blocking keys of a source record."""

    def replace_holdings(
        self, source_record_id: int, library_id: int, holdings: Iterable[HoldingStatement]
    ) -> None:
        """Set the holdings of a source record."""

    def union_records_sharing_keys(
        self, keys: Iterable[tuple[str, str]], excluding_source_record_id: int
    ) -> list[int]:
        """Active union records whose members share any key, lowest id first."""

    def union_record_libraries(self, union_record_id: int) -> set[int]:
        """Ids of the libraries with a member in the union record."""

    def create_union_record(self) -> int:
        """A new, empty, active union record; its id is never reused."""

    def set_union_record(self, source_record_id: int, union_record_id: int | None) -> None:
        """Make the source record a member of a union record (or of none)."""

    def member_count(self, union_record_id: int) -> int:
        """How many active source records the union record has."""

    def set_union_status(self, union_record_id: int, status: str, title: str | None) -> None:
        """Change a union record's status and (if given) its display title."""

    def append_change(self, union_record_id: int, operation: str) -> None:
        """Append to the ordered change log."""

    def union_record_view(self, union_record_id: int) -> UnionRecordView | None:
        """A union record with its members, libraries and holdings."""

    def changes_after(self, sequence: int, limit: int) -> list[ChangeEntry]:
        """Up to `limit` changes with a sequence above `sequence`, in order."""

    def latest_change_sequence(self) -> int:
        """The highest sequence in the change log, 0 if empty."""

    def active_union_record_ids(self) -> Iterator[int]:
        """Every active union record id, in id order."""

    def export_rows(self) -> Iterator[ExportRow]:
        """Every active union record with its members, in id order."""

    def counts(self) -> CatalogueCounts:
        """How much the catalogue holds."""


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
class SearchResults:
    """A page of hits and the total number of matching records."""

    total: int
    hits: tuple[SearchHit, ...]


class SearchIndex(Protocol):
    """The derived search index."""

    def search(self, text: str, offset: int, limit: int) -> SearchResults:
        """Records matching a reader's query text, best first."""

    def upsert(self, records: Iterable[UnionRecordView]) -> None:
        """Add or replace these union records."""

    def delete(self, union_record_ids: Iterable[int]) -> None:
        """Remove these union records."""

    def commit(self, applied_sequence: int) -> None:
        """Make changes visible, remembering the last change-log sequence applied."""

    def applied_sequence(self) -> int:
        """The last change-log sequence the index reflects."""


class LibraryDirectory(Protocol):
    """Per-library figures for the directory pages and API."""

    def library_statistics(self, code: str | None = None) -> list[LibraryStatistics]:
        """Counts for every member library (or only `code`), ordered by code."""
