"""`/api/v1/search` and `/api/v1/records/{id}`: the catalogue for machines."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from mucluc.core.model import UnionRecordView
from mucluc.services.catalogue import get_union_record
from mucluc.services.matching import (
    UnionExplanation,
    explain_union_record,
    resolve_merged_record,
)
from mucluc.services.search import parse_filters, reader_search_request, search_catalogue
from mucluc.web.identifiers import UnionRecordId, record_page_url_prefix
from mucluc.web.state import web_state

api_router = APIRouter(prefix="/api/v1", tags=["catalogue"])


def explanation_representation(explanation: UnionExplanation) -> dict[str, Any]:
    """The answer to "why these records are one" as JSON: each link with its evidence."""
    return {
        "members": [
            {"library": member.library_code, "local_id": member.local_id}
            for member in explanation.members
        ],
        "links": [
            {
                "left": f"{link.left.library_code}:{link.left.local_id}",
                "right": f"{link.right.library_code}:{link.right.local_id}",
                "kind": link.kind,
                "score": link.score,
                "threshold": link.threshold,
                "reason": link.reason,
                "evidence": [asdict(item) for item in link.evidence],
            }
            for link in explanation.links
        ],
    }


def record_representation(
    view: UnionRecordView, explanation: UnionExplanation | None = None
) -> dict[str, Any]:
    """A union record as JSON: the preferred description, members and their holdings.

    With an explanation, `why` lists the links that make the members one record.
    """
    representation = {
        "id": view.id,
        "status": view.status,
        "merged_into": view.merged_into_id,
        "title": view.description.full_title,
        "description": asdict(view.description),
        "libraries": list(view.library_codes),
        "members": [
            {
                "library": member.library.code,
                "library_name": member.library.name_vi,
                "local_id": member.local_id,
                "title": member.description.full_title,
                "holdings": [asdict(holding) for holding in member.holdings],
            }
            for member in view.members
        ],
    }
    if explanation is not None:
        representation["why"] = explanation_representation(explanation)
    return representation


# Named "api_search": "search" is the catalogue page.
@api_router.get("/search", name="api_search", response_model=None)
async def search(
    request: Request,
    q: Annotated[
        str,
        Query(
            description=(
                "Words with or without tones, an ISBN, or fielded terms: "
                'title:, author:, subject:, isbn:, year:1990-2000, "a phrase", kinh tế*, '
                "AND, OR, NOT."
            )
        ),
    ] = "",
    page: Annotated[int, Query(ge=1, description="Page number, from 1.")] = 1,
    page_size: Annotated[int | None, Query(ge=1, description="Results per page.")] = None,
    sort: Annotated[
        str, Query(description="relevance, year_desc, year_asc, title or author.")
    ] = "relevance",
    facet: Annotated[
        list[str] | None,
        Query(
            description="Facets to count: library, province, library_type, year, decade, "
            "language, material_type, subject, ddc_class."
        ),
    ] = None,
    filters: Annotated[
        list[str] | None,
        Query(
            alias="filter",
            description="Narrow to a facet value, as facet:value (e.g. library:VN-NLV).",
        ),
    ] = None,
) -> JSONResponse:
    """Search the union catalogue.

    Answers a prepared JSONResponse: FastAPI would otherwise validate and
    re-encode the whole body on every request (issue #5, search speed).

    Runs on the event loop, not in a worker thread: a search takes
    milliseconds, and with eight clients the hop to a thread and the threads'
    contention for the GIL cost more than that (measured: 1.6-2.4 times the
    queries/s for cheap searches). Each worker process answers one search at
    a time; `mucluc serve --workers N` uses N cores.
    """
    state = web_state(request)
    size = min(page_size or state.settings.page_size, state.settings.max_page_size)
    search_request = reader_search_request(
        q,
        page=page,
        page_size=size,
        sort=sort,
        filters=parse_filters(filters or []),
        facets=facet or [],
    )
    results = search_catalogue(state.follower.index, search_request)
    record_url = record_page_url_prefix(request)
    body = {
        "query": q,
        "total": results.total,
        "page": page,
        "page_size": size,
        "sort": search_request.sort.value,
        "hits": [
            {
                "id": hit.id,
                "title": hit.title,
                "authors": list(hit.authors),
                "publisher": hit.publisher,
                "year": hit.year,
                "libraries": list(hit.library_codes),
                "url": f"{record_url}{hit.id}",
            }
            for hit in results.hits
        ],
        "facets": {
            name: [{"value": count.value, "count": count.count} for count in counts]
            for name, counts in results.facets.items()
        },
    }
    return JSONResponse(body)


def cacheable_json(request: Request, body: Any, modified: datetime | None) -> Response:
    """JSON with a strong ETag (and Last-Modified when known); 304 when the client has it."""
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    etag = f'"{hashlib.sha256(content).hexdigest()[:32]}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if modified is not None:
        moment = modified if modified.tzinfo else modified.replace(tzinfo=UTC)
        headers["Last-Modified"] = format_datetime(moment.astimezone(UTC), usegmt=True)
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(content, media_type="application/json", headers=headers)


@api_router.get("/records/{union_record_id}", response_model=None)
def record(request: Request, union_record_id: UnionRecordId) -> Response:
    """One union record with its members, holdings and why its members are one.

    An id absorbed by a merge answers 301 with a Location header and a body
    naming the survivor: `{"id": 7, "status": "merged", "merged_into": 3}`.
    Answers carry an ETag and Last-Modified; `If-None-Match` gives 304.
    """
    store = web_state(request).store
    survivor = resolve_merged_record(store, union_record_id)
    if survivor is not None:
        return JSONResponse(
            {"id": union_record_id, "status": "merged", "merged_into": survivor},
            status_code=301,
            headers={"Location": str(request.url_for("record", union_record_id=survivor))},
        )
    view = get_union_record(store, union_record_id)
    body = record_representation(view, explain_union_record(store, union_record_id))
    return cacheable_json(request, body, view.updated_at)


@api_router.get("/records/{union_record_id}/holdings")
def holdings(request: Request, union_record_id: UnionRecordId) -> dict[str, Any]:
    """Which libraries hold a union record: location, call number, copies, lendable."""
    view = get_union_record(web_state(request).store, union_record_id)
    return {
        "id": view.id,
        "holdings": [
            {
                "library": member.library.code,
                "library_name": member.library.name_vi,
                "province": member.library.province,
                "local_id": member.local_id,
                **asdict(holding),
            }
            for member in view.members
            for holding in member.holdings
        ],
    }
