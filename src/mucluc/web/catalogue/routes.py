"""The pages: home with the search box, results, a record with its holding libraries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from mucluc.services.catalogue import (
    catalogue_counts,
    get_union_record,
    list_libraries,
    search_catalogue,
)
from mucluc.web.catalogue.templates import render
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
) -> HTMLResponse:
    """A page of results for the reader's query."""
    state = web_state(request)
    size = state.settings.page_size
    results = search_catalogue(state.follower.index, q, page, size)
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
        },
    )


@catalogue_router.get("/records/{union_record_id}", response_class=HTMLResponse)
def record_page(request: Request, union_record_id: int) -> HTMLResponse:
    """A union record: its description and every library that holds it."""
    view = get_union_record(web_state(request).store, union_record_id)
    return render(request, "record.html", {"record": view})
