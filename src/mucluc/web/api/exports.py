"""`/api/v1/records/{id}/export` and `/api/v1/export`: records as files in any export format."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from mucluc.services.catalogue import get_union_record
from mucluc.services.exports import (
    EXPORT_FORMATS,
    MAX_EXPORT_RECORDS,
    export_format,
    export_records,
    export_search_results,
)
from mucluc.services.search import parse_filters, reader_search_request
from mucluc.web.identifiers import UnionRecordId, record_page_url_prefix
from mucluc.web.state import web_state

exports_router = APIRouter(prefix="/api/v1", tags=["exports"])


@exports_router.get("/records/{union_record_id}/export")
def export_record(
    request: Request,
    union_record_id: UnionRecordId,
    format_name: Annotated[
        str, Query(alias="format", description=f"One of: {', '.join(EXPORT_FORMATS)}.")
    ] = "marcxml",
) -> Response:
    """Download one union record as MARC 21, MARCXML, MARC-in-JSON, DC, BibTeX, RIS or CSL-JSON."""
    export = export_format(format_name)
    view = get_union_record(web_state(request).store, union_record_id)
    record_url = str(request.url_for("record_page", union_record_id=view.id))
    body = export_records([view], export.name, record_url)
    filename = f"mucluc-{view.id}.{export.extension}"
    return Response(
        body,
        media_type=export.media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@exports_router.get("/export")
def export_results(
    request: Request,
    q: Annotated[str, Query(description="The search, as in /api/v1/search.")] = "",
    format_name: Annotated[
        str, Query(alias="format", description=f"One of: {', '.join(EXPORT_FORMATS)}.")
    ] = "marcxml",
    sort: Annotated[str, Query()] = "relevance",
    filters: Annotated[list[str] | None, Query(alias="filter")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_EXPORT_RECORDS)] = 100,
) -> Response:
    """Download the records a search finds (the first `limit`, at most 500) in one format."""
    export = export_format(format_name)
    state = web_state(request)
    search_request = reader_search_request(
        q, page_size=limit, sort=sort, filters=parse_filters(filters or [])
    )
    record_url = record_page_url_prefix(request) + "{id}"
    body = export_search_results(
        state.store, state.follower.index, search_request, export.name, record_url
    )
    return Response(
        body,
        media_type=export.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="mucluc-results.{export.extension}"'
        },
    )
