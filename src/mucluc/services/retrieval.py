"""Searches and records as the search protocols (SRU, Z39.50) read them.

One reader serves both, so a record looks the same whichever protocol
fetches it; a page of records is loaded in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mucluc.core.model import UnionRecordView
from mucluc.core.ports import CatalogueStore, SearchIndex, SearchResults
from mucluc.core.query import SearchRequest
from mucluc.services.search import search_catalogue


class CatalogueReader:
    """The catalogue over a store and the live search index.

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
        with self.store.transaction() as transaction:
            views = transaction.union_record_views(list(union_record_ids))
        return {view.id: view for view in views if view.status != "deleted"}
