"""`/api/v1/search` and `/api/v1/records/{id}`: the catalogue for machines."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from mucluc.core.model import UnionRecordView
from mucluc.services.catalogue import get_union_record, search_catalogue
from mucluc.web.state import web_state

api_router = APIRouter(prefix="/api/v1", tags=["catalogue"])


def record_representation(view: UnionRecordView) -> dict[str, Any]:
    """A union record as JSON: the preferred description, members and their holdings."""
    return {
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


@api_router.get("/search")
def search(
    request: Request,
    q: Annotated[str, Query(description="Words, with or without tones, or an ISBN.")] = "",
    page: Annotated[int, Query(ge=1, description="Page number, from 1.")] = 1,
    page_size: Annotated[int | None, Query(ge=1, description="Results per page.")] = None,
) -> dict[str, Any]:
    """Search the union catalogue."""
    state = web_state(request)
    size = min(page_size or state.settings.page_size, state.settings.max_page_size)
    results = search_catalogue(state.follower.index, q, page, size)
    return {
        "query": q,
        "total": results.total,
        "page": page,
        "page_size": size,
        "hits": [
            {
                "id": hit.id,
                "title": hit.title,
                "authors": list(hit.authors),
                "publisher": hit.publisher,
                "year": hit.year,
                "libraries": list(hit.library_codes),
                "url": str(request.url_for("record_page", union_record_id=hit.id)),
            }
            for hit in results.hits
        ],
    }


@api_router.get("/records/{union_record_id}")
def record(request: Request, union_record_id: int) -> dict[str, Any]:
    """One union record with its members and holdings."""
    return record_representation(get_union_record(web_state(request).store, union_record_id))
