"""What the Z39.50 server reads from mucluc: searches of the query model and union records.

The association depends on the small `Z3950Catalogue` protocol, so that the
server can be built over whatever store and index an entry point wires up;
`ServiceCatalogue` is the implementation over the services.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from mucluc.core.model import UnionRecordView
from mucluc.core.ports import CatalogueStore, SearchIndex, SearchResults
from mucluc.core.query import SearchRequest
from mucluc.errors import RecordNotFoundError
from mucluc.services.catalogue import get_union_record
from mucluc.services.search import search_catalogue


class Z3950Catalogue(Protocol):
    """Searches and records, as the association needs them."""

    def search(self, request: SearchRequest) -> SearchResults:
        """Run one search of the query model."""

    def union_records(self, union_record_ids: Sequence[int]) -> dict[int, UnionRecordView]:
        """The union records with these ids that exist, by id."""


class ServiceCatalogue:
    """The catalogue through the services, over a store and the live search index.

    `index` is called for every search, so an index the follower reopens
    after a rebuild is picked up without restarting the server.
    """

    def __init__(self, store: CatalogueStore, index: Callable[[], SearchIndex]) -> None:
        self.store = store
        self.index = index

    def search(self, request: SearchRequest) -> SearchResults:
        """Run one search of the query model on the live index."""
        return search_catalogue(self.index(), request)

    def union_records(self, union_record_ids: Sequence[int]) -> dict[int, UnionRecordView]:
        """The union records with these ids that exist, by id (deleted ones are left out)."""
        found = {}
        for union_record_id in union_record_ids:
            try:
                found[union_record_id] = get_union_record(self.store, union_record_id)
            except RecordNotFoundError:
                continue  # the caller answers a surrogate diagnostic for each missing id
        return found
