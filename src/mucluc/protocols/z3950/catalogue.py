"""What the Z39.50 server reads from mucluc: searches of the query model and union records.

The association depends on the small `Z3950Catalogue` protocol, so that the
server can be built over whatever store and index an entry point wires up;
`mucluc.services.retrieval.CatalogueReader` implements it over the services.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from mucluc.core.model import UnionRecordView
from mucluc.core.ports import SearchResults
from mucluc.core.query import SearchRequest


class Z3950Catalogue(Protocol):
    """Searches and records, as the association needs them."""

    def search(self, request: SearchRequest) -> SearchResults:
        """Run one search of the query model."""

    def union_records(self, union_record_ids: Sequence[int]) -> dict[int, UnionRecordView]:
        """The union records with these ids that exist, by id."""
