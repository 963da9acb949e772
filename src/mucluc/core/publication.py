"""What the catalogue publishes to harvesters: union records in change-log order.

OAI-PMH (and any later feed) pages through `PublishedRecord`s ordered by the
sequence of each union record's latest change, so a position in that order
is a stable bookmark: a record changed while a harvest is paging moves to
the end and is served again with its new datestamp; none is skipped.
Pure: the port is a Protocol the storage adapter implements.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from mucluc.core.model import HoldingStatement, LibraryInfo


@dataclass(frozen=True)
class PublishedMember:
    """One member source record as published: its library, local id, MARC-in-JSON, holdings."""

    library: LibraryInfo
    local_id: str
    record: dict[str, Any]
    holdings: tuple[HoldingStatement, ...] = ()
    completeness: int = 0  # as ingest stored it; ranks the members without re-reading them


@dataclass(frozen=True)
class PublishedRecord:
    """A union record as a harvester sees it.

    `datestamp` is the UTC time of the record's latest change; `sequence` its
    position in the change log. A deleted union record, or one absorbed by a
    merge (`merged_into_id` set), has `deleted` true and no metadata.
    `libraries` are the member libraries (empty for deleted records);
    `metadata` is the record's metadata element serialised in the format
    asked for (`mucluc.core.crosswalk.published`), empty when none was asked.
    """

    union_record_id: int
    sequence: int
    datestamp: datetime
    deleted: bool
    merged_into_id: int | None
    libraries: tuple[LibraryInfo, ...]
    metadata: str = ""


@dataclass(frozen=True)
class PublicationQuery:
    """Which published records a page holds.

    `after_sequence` is the bookmark; `from_time` is inclusive and
    `until_time` exclusive (UTC); `library_codes`, when given, keeps active
    records with a member in one of those libraries (deleted records are
    always kept, see docs/crosswalks.md, "Sets"); `metadata_format` names
    the format whose metadata to read (None: headers only).
    """

    after_sequence: int = 0
    from_time: datetime | None = None
    until_time: datetime | None = None
    library_codes: tuple[str, ...] | None = None
    metadata_format: str | None = None


class PublicationSource(Protocol):
    """The read side harvesters need from the store."""

    def earliest_datestamp(self) -> datetime | None:
        """The time of the first change ever logged, or None for an empty catalogue."""

    def list_libraries(self) -> list[LibraryInfo]:
        """Every member library, by code."""

    def published_records(self, query: PublicationQuery, limit: int) -> list[PublishedRecord]:
        """Up to `limit` records after the bookmark, in change-log order."""

    def published_record(
        self, union_record_id: int, metadata_format: str | None
    ) -> PublishedRecord | None:
        """One record (with its metadata in that format), or None if the id was never given out."""
