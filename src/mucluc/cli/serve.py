"""`mucluc serve`: the web catalogue and JSON API, and Z39.50 for copy cataloguing when asked."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Annotated, Any

import typer

from mucluc.cli.context import command_context
from mucluc.config import Settings


def serve(
    context: typer.Context,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    z3950: Annotated[
        int | None,
        typer.Option(
            "--z3950",
            metavar="PORT",
            help="Also serve Z39.50 for copy cataloguing on this port (2100 is usual).",
        ),
    ] = None,
) -> None:
    """Serve the catalogue over HTTP (and Z39.50 when asked) until interrupted."""
    # Imported here so that every other command starts without the web stack.
    import uvicorn

    from mucluc.web.app import create_app

    settings = command_context(context).settings
    host = host or settings.host
    port = port or settings.port
    app = create_app(settings)
    typer.echo(f"mucluc is serving the catalogue at http://{host}:{port}/")
    z3950_port = z3950 or settings.z3950_port
    web_server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            timeout_keep_alive=settings.keep_alive_seconds,
        )
    )
    if z3950_port is None:
        web_server.run()
        return
    asyncio.run(_serve_with_z3950(web_server, app, settings, host, z3950_port))


async def _serve_with_z3950(
    web_server: Any, app: Any, settings: Settings, host: str, z3950_port: int
) -> None:
    """Run the web and Z39.50 servers in one event loop, over the app's store and index."""
    from mucluc.accounts.service import is_key_of_library
    from mucluc.protocols.z3950.server import Z3950Server
    from mucluc.services.retrieval import CatalogueReader

    state = app.state.mucluc
    security_store = app.state.security.store
    check_login = (
        partial(is_key_of_library, security_store) if settings.z3950_require_login else None
    )
    z3950_server = Z3950Server(
        CatalogueReader(state.store, lambda: state.follower.index), check_login=check_login
    )
    await z3950_server.start(host, z3950_port)
    login = "with library API keys as logins" if check_login else "open to every client"
    typer.echo(f"mucluc is serving Z39.50 at tcp:{host}:{z3950_port}/mucluc ({login})")
    try:
        await web_server.serve()
    finally:
        await z3950_server.close()
