"""Search the catalogue: the one service every way into search calls.

The web form, the JSON API and the CLI give reader syntax plus page, sort,
filters and facets (`reader_search_request`); CQL (SRU) and Bib-1
(Z39.50) build a `SearchRequest` themselves. Either way the request is
checked and run by `search_catalogue`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from mucluc.core.model import UnionRecordView
from mucluc.core.ports import SearchHit, SearchIndex, SearchResults
from mucluc.core.query import (
    MAX_PAGE_SIZE,
    And,
    FacetField,
    Filter,
    QueryNode,
    SearchField,
    SearchRequest,
    Term,
    facet_named,
    parse_query,
    sort_named,
)
from mucluc.errors import QueryError

# The facets a result page shows unless asked otherwise.
DEFAULT_FACETS = (
    FacetField.LIBRARY,
    FacetField.PROVINCE,
    FacetField.LIBRARY_TYPE,
    FacetField.DECADE,
    FacetField.LANGUAGE,
    FacetField.MATERIAL_TYPE,
    FacetField.SUBJECT,
    FacetField.DDC_CLASS,
)


def reader_search_request(
    text: str,
    *,
    page: int = 1,
    page_size: int = 20,
    sort: str = "relevance",
    filters: Mapping[str, Iterable[str]] | None = None,
    facets: Iterable[str] = (),
    facet_size: int = 10,
) -> SearchRequest:
    """A request from what a reader typed and chose (pages count from 1).

    Raises QueryError naming the problem: a malformed query, an unknown
    field, facet or sort, a page out of range.
    """
    if page < 1:
        raise QueryError(f"page must be 1 or more, not {page}", problem="value")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise QueryError(
            f"the page size must be between 1 and {MAX_PAGE_SIZE}, not {page_size}",
            problem="value",
        )
    chosen_filters = tuple(
        Filter(facet_named(name), tuple(value for value in values if value))
        for name, values in (filters or {}).items()
        if any(values)
    )
    return SearchRequest(
        query=parse_query(text),
        filters=chosen_filters,
        sort=sort_named(sort),
        offset=(page - 1) * page_size,
        limit=page_size,
        facets=tuple(dict.fromkeys(facet_named(name) for name in facets)),
        facet_size=facet_size,
    )


def search_catalogue(index: SearchIndex, request: SearchRequest) -> SearchResults:
    """Run a search request: one page of hits, the total and the asked facets."""
    return index.search(request)


def parse_filters(pairs: Iterable[str]) -> dict[str, list[str]]:
    """Filters written "facet:value" (as in a URL), grouped by facet.

    "library:VN-NLV" and "library:VN-HCM" give {"library": ["VN-NLV",
    "VN-HCM"]}: records held by either. Raises QueryError for a pair
    without a colon or naming an unknown facet.
    """
    grouped: dict[str, list[str]] = {}
    for pair in pairs:
        name, separator, value = pair.partition(":")
        if not separator:
            raise QueryError(
                f"a filter is written facet:value, like library:VN-NLV, not {pair!r}",
                problem="syntax",
            )
        grouped.setdefault(facet_named(name).value, []).append(value.strip())
    return grouped


OTHER_EDITIONS_SHOWN = 5


def other_editions(index: SearchIndex, view: UnionRecordView) -> list[SearchHit]:
    """Other union records of the same work: the same title phrase and first author.

    These are the editions, translations and reprints the matcher rightly
    keeps apart (another year, publisher or volume), shown so a reader can
    pick any copy of the work.
    """
    description = view.description
    if not description.title:
        return []
    parts: list[QueryNode] = [Term(description.title, SearchField.TITLE, phrase=True)]
    if description.authors:
        parts.append(Term(description.authors[0], SearchField.AUTHOR))
    request = SearchRequest(query=And(tuple(parts)), limit=OTHER_EDITIONS_SHOWN + 1)
    hits = [hit for hit in index.search(request).hits if hit.id != view.id]
    return hits[:OTHER_EDITIONS_SHOWN]
