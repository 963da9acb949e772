"""`create_app(settings)`: the FastAPI application serving the catalogue and the API.

The app owns one store and two followers of the change log while the server
runs: one applies it to the search index, the other renders the OAI-PMH
text of changed union records (ingest leaves that to it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from mucluc import __version__
from mucluc.config import Settings
from mucluc.protocols.oaipmh.routes import oaipmh_router
from mucluc.protocols.sru.routes import sru_router
from mucluc.storage.directory import SqlDirectory
from mucluc.storage.harvesting import SqlPublicationSource
from mucluc.storage.repository import SqlCatalogue
from mucluc.web.api.directory import directory_api_router
from mucluc.web.api.exports import exports_router
from mucluc.web.api.routes import api_router
from mucluc.web.catalogue.directory import directory_router
from mucluc.web.catalogue.routes import catalogue_router
from mucluc.web.errors import install_error_handlers
from mucluc.web.operations import RequestMetrics, operations_router
from mucluc.web.security import install_security
from mucluc.wiring import IndexFollower, PublishingFollower, open_store

STATIC_FOLDER = Path(__file__).parent / "catalogue" / "static"


@dataclass
class WebState:
    """What route handlers reach through `request.app.state.mucluc`."""

    settings: Settings
    store: SqlCatalogue
    follower: IndexFollower
    directory: SqlDirectory


def create_app(settings: Settings) -> FastAPI:
    """Build the web application for the given settings."""
    store = open_store(settings)
    follower = IndexFollower(store, settings)
    publishing = PublishingFollower(store, settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        follower.start()
        publishing.start()
        try:
            yield
        finally:
            publishing.stop()
            follower.stop()

    app = FastAPI(
        title="mucluc",
        summary="Mục lục liên hợp: the national union catalogue of Vietnam's libraries",
        version=__version__,
        lifespan=lifespan,
    )
    app.state.mucluc = WebState(
        settings=settings, store=store, follower=follower, directory=SqlDirectory(store.engine)
    )
    app.state.metrics = RequestMetrics(store)
    app.state.metrics.install(app)
    # Anyone may read the catalogue from a browser script; nothing is written this way.
    app.add_middleware(
        CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD"], allow_headers=["*"]
    )
    app.mount("/static", StaticFiles(directory=STATIC_FOLDER), name="static")
    app.include_router(api_router)
    app.include_router(directory_api_router)
    app.include_router(exports_router)
    app.include_router(catalogue_router)
    app.include_router(directory_router)
    app.include_router(operations_router)
    # Interconnection protocols (issue #7): OAI-PMH reads the change log through its own reader.
    app.state.publication = SqlPublicationSource(store.engine)
    app.include_router(oaipmh_router)
    # SRU 1.2 and 2.0 over the same search service (issue #7).
    app.include_router(sru_router)
    # Accounts, the contribution API, the admin, limits and security headers (issue #9).
    install_security(app, settings, store.engine)
    install_error_handlers(app)
    return app
