"""Plain, frozen data that passes between the core, the services and the adapters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

MAX_RECORD_ID = 2**31 - 1
"""The largest id the store can hold (32-bit INTEGER keys on PostgreSQL): any larger is unknown."""

LIBRARY_TYPES = (  # the kinds of member library the programme names
    "national",
    "provincial",
    "district",
    "commune",
    "university",
    "school",
    "specialised",
    "armed_forces",
    "private_community",
)


@dataclass(frozen=True)
class BibDescription:
    """What a catalogue shows and searches, taken from one MARC21 bibliographic record.

    Text is NFC. `isbns` holds normalised ISBN-13s (valid ones only).
    """

    title: str
    subtitle: str = ""
    part: str = ""
    responsibility: str = ""
    authors: tuple[str, ...] = ()
    edition: str = ""
    place: str = ""
    publisher: str = ""
    year: int | None = None
    isbns: tuple[str, ...] = ()
    issns: tuple[str, ...] = ()
    language: str = ""
    subjects: tuple[str, ...] = ()
    classification: str = ""
    series: tuple[str, ...] = ()
    extent: str = ""

    @property
    def full_title(self) -> str:
        """Title, part and subtitle in ISBD order: "Lịch sử sinh học. Tập 1 : giáo trình"."""
        title = f"{self.title}. {self.part}" if self.part else self.title
        return f"{title} : {self.subtitle}" if self.subtitle else title


@dataclass(frozen=True)
class HoldingStatement:
    """Copies held at one location of a library under one call number (MARC 852)."""

    location: str = ""
    call_number: str = ""
    copies: int = 1
    lendable: bool = True


@dataclass(frozen=True)
class LibraryInfo:
    """A member library as the services and adapters see it."""

    code: str
    name_vi: str
    name_en: str
    type: str
    province: str | None = None
    contact: str | None = None


@dataclass(frozen=True)
class MemberView:
    """One member source record of a union record, with its library and holdings."""

    library: LibraryInfo
    local_id: str
    description: BibDescription
    holdings: tuple[HoldingStatement, ...] = ()
    record: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class UnionRecordView:
    """A union record with everything a page, the API or the index needs about it."""

    id: int
    status: str
    merged_into_id: int | None
    description: BibDescription
    members: tuple[MemberView, ...] = ()
    updated_at: datetime | None = None

    @property
    def library_codes(self) -> tuple[str, ...]:
        """Codes of the libraries holding this edition, each once, in member order."""
        return tuple(dict.fromkeys(member.library.code for member in self.members))


@dataclass(frozen=True)
class LibraryStatistics:
    """What one member library contributes: its records, the union records it is in, copies."""

    library: LibraryInfo
    source_records: int
    union_records: int
    holdings: int
    copies: int
