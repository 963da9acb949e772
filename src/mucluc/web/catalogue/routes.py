"""The pages: home with the search box, results, a record with its holding libraries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from mucluc.services.catalogue import (
    catalogue_counts,
    get_union_record,
    list_libraries,
)
from mucluc.services.exports import EXPORT_FORMATS, marc_display
from mucluc.services.matching import explain_union_record, resolve_merged_record
from mucluc.services.search import (
    DEFAULT_FACETS,
    other_editions,
    parse_filters,
    reader_search_request,
    search_catalogue,
)
from mucluc.web.catalogue.directory import LIBRARY_TYPE_NAMES
from mucluc.web.catalogue.presentation import (
    EVIDENCE_FIELDS,
    EVIDENCE_RULES,
    FACET_LABELS,
    MATERIAL_TYPE_NAMES,
    SORT_LABELS,
    highlight,
    language_name,
    query_suggestions,
)
from mucluc.web.catalogue.templates import render
from mucluc.web.identifiers import UnionRecordId
from mucluc.web.state import web_state

catalogue_router = APIRouter(include_in_schema=False)


@catalogue_router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    """The search box and what the catalogue holds."""
    state = web_state(request)
    return render(
        request,
        "home.html",
        {"counts": catalogue_counts(state.store), "libraries": list_libraries(state.store)},
    )


@catalogue_router.get("/search", response_class=HTMLResponse)
def search(
    request: Request,
    q: Annotated[str, Query()] = "",
    page: Annotated[int, Query(ge=1)] = 1,
    sort: Annotated[str, Query()] = "relevance",
    filters: Annotated[list[str] | None, Query(alias="filter")] = None,
) -> HTMLResponse:
    """A page of results for the reader's query, with facets to narrow it and a sort.

    A phrase left open ('"lịch sử') is closed at the end of the query, as the
    reader most likely meant; the search box shows the query as searched.
    The API and the protocols keep refusing it with the reason.
    """
    state = web_state(request)
    size = state.settings.page_size
    chosen = filters or []
    if q.count('"') % 2:
        q = f'{q}"'
    search_request = reader_search_request(
        q,
        page=page,
        page_size=size,
        sort=sort,
        filters=parse_filters(chosen),
        facets=[facet.value for facet in DEFAULT_FACETS],
    )
    results = search_catalogue(state.follower.index, search_request)
    last_page = max(1, -(-results.total // size))
    return render(
        request,
        "results.html",
        {
            "query": q,
            "results": results,
            "page": page,
            "page_size": size,
            "last_page": last_page,
            "sort": search_request.sort.value,
            "chosen_filters": chosen,
            "base_query": [("q", q), ("sort", search_request.sort.value)]
            + [("filter", pair) for pair in chosen],
            "sort_labels": SORT_LABELS,
            "facet_labels": FACET_LABELS,
            "libraries_by_code": {library.code: library for library in list_libraries(state.store)},
            "library_type_names": LIBRARY_TYPE_NAMES,
            "material_type_names": MATERIAL_TYPE_NAMES,
            "language_name": language_name,
            "highlight": highlight,
            "suggestions": query_suggestions(q) if not results.total else [],
            "export_formats": EXPORT_FORMATS.values(),
        },
    )


@catalogue_router.get(
    "/records/{union_record_id}", response_class=HTMLResponse, response_model=None
)
def record_page(
    request: Request, union_record_id: UnionRecordId
) -> HTMLResponse | RedirectResponse:
    """A union record: its description, every library that holds it, why its members are one.

    An id absorbed by a merge redirects (301) to the record that stands for it now.
    """
    store = web_state(request).store
    survivor = resolve_merged_record(store, union_record_id)
    if survivor is not None:
        return RedirectResponse(
            str(request.url_for("record_page", union_record_id=survivor)), status_code=301
        )
    view = get_union_record(store, union_record_id)
    return render(
        request,
        "record.html",
        {
            "record": view,
            "explanation": explain_union_record(store, union_record_id),
            "export_formats": EXPORT_FORMATS.values(),
            "marc_text": marc_display(view),
            "other_editions": other_editions(web_state(request).follower.index, view),
            "language_name": language_name,
            "evidence_rules": EVIDENCE_RULES,
            "evidence_fields": EVIDENCE_FIELDS,
        },
    )
