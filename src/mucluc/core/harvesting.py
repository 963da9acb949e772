"""What harvesting a member library exchanges: requests, harvested records and pages.

`Harvester` is the port the harvest service uses; `mucluc.harvest.oai`
implements it for OAI-PMH. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from pymarc import Record


@dataclass(frozen=True)
class HarvestRequest:
    """What to harvest: a provider, a format, optionally a set, a start date or a token."""

    url: str
    metadata_prefix: str = "marc21"
    set_spec: str | None = None
    from_date: str | None = None
    resumption_token: str | None = None


@dataclass(frozen=True)
class HarvestedRecord:
    """One record of a page: its MARC form, or the reason it could not be converted."""

    identifier: str
    datestamp: str
    deleted: bool
    record: Record | None
    problem: str = ""


@dataclass
class HarvestedPage:
    """The records of one response and the token that continues the list ("" at the end)."""

    number: int
    records: list[HarvestedRecord] = field(default_factory=list)
    resumption_token: str = ""


class Harvester(Protocol):
    """A source of harvested pages."""

    def pages(self, request: HarvestRequest) -> Iterator[HarvestedPage]:
        """Every page of the list, in order, until the provider ends it."""
