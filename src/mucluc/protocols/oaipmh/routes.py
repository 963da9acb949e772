"""`/oai`: the OAI-PMH 2.0 endpoint, answering GET and POST (OAI-PMH 2.0 §3.1.1).

The handler reads the arguments as sent, repeats included, and hands them to
`verbs.respond`; the answer is always HTTP 200 with `text/xml`, errors
included, as the protocol requires.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from mucluc.core.publication import PublicationSource
from mucluc.protocols.arguments import protocol_arguments
from mucluc.protocols.oaipmh.verbs import Repository, respond
from mucluc.web.state import web_state

REPOSITORY_NAME = "Mục lục liên hợp tài liệu quốc gia (mucluc)"

oaipmh_router = APIRouter(tags=["OAI-PMH"])


@oaipmh_router.api_route("/oai", methods=["GET", "POST"], name="oai_pmh")
async def oai_pmh(request: Request) -> Response:
    """Answer one OAI-PMH request."""
    arguments = await protocol_arguments(request)
    settings = web_state(request).settings
    source: PublicationSource = request.app.state.publication
    repository = Repository(
        name=REPOSITORY_NAME,
        base_url=str(request.url_for("oai_pmh")),
        admin_email=settings.oai_admin_email,
        repository_identifier=settings.oai_repository_identifier,
        page_size=settings.oai_page_size,
    )
    document = await run_in_threadpool(respond, arguments, source, repository, datetime.now(UTC))
    return Response(document, media_type="text/xml; charset=utf-8")
