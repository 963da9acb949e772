"""`/sru`: the SRU endpoint, answering GET and POST (SRU 1.2; searchRetrieve 2.0 part 3).

The handler reads the parameters as sent, repeats included, and hands them
to `operations.respond`; the answer is always HTTP 200 with XML, diagnostics
included, as SRU prescribes.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from mucluc.protocols.arguments import protocol_arguments
from mucluc.protocols.sru.operations import (
    DEFAULT_RECORDS,
    MAXIMUM_RECORDS,
    respond,
)
from mucluc.protocols.sru.responses import ServerDescription
from mucluc.services.retrieval import CatalogueReader
from mucluc.web.state import web_state

DATABASE_TITLE = "Mục lục liên hợp tài liệu quốc gia (mucluc)"
DATABASE_DESCRIPTION = (
    "The national union catalogue of Vietnam's libraries: one record per edition, "
    "with the holdings of every member library."
)

sru_router = APIRouter(tags=["SRU"])


@sru_router.api_route("/sru", methods=["GET", "POST"], name="sru")
async def sru(request: Request) -> Response:
    """Answer one SRU request (explain, searchRetrieve or scan)."""
    arguments = await protocol_arguments(request)
    state = web_state(request)
    catalogue = CatalogueReader(state.store, lambda: state.follower.index)
    url = request.url
    server = ServerDescription(
        host=url.hostname or "localhost",
        port=url.port or (443 if url.scheme == "https" else 80),
        database=url.path.lstrip("/") or "sru",
        title=DATABASE_TITLE,
        description=DATABASE_DESCRIPTION,
        default_records=DEFAULT_RECORDS,
        maximum_records=MAXIMUM_RECORDS,
    )
    document = await run_in_threadpool(respond, arguments, catalogue, server)
    return Response(document, media_type="text/xml; charset=utf-8")
