"""`mucluc serve`: the web catalogue and JSON API, and Z39.50 for copy cataloguing when asked."""

from __future__ import annotations

import asyncio
import os
import socket
from functools import partial
from typing import Annotated, Any

import typer

from mucluc.cli.context import command_context
from mucluc.config import Settings
from mucluc.errors import ConfigurationError


def serve(
    context: typer.Context,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Worker processes answering HTTP on the one port (default: MUCLUC_WEB_WORKERS "
            "or 1). One writes the search index; every one sees its commits within seconds.",
        ),
    ] = None,
    z3950: Annotated[
        int | None,
        typer.Option(
            "--z3950",
            metavar="PORT",
            help="Also serve Z39.50 for copy cataloguing on this port (2100 is usual); "
            "with one worker only.",
        ),
    ] = None,
) -> None:
    """Serve the catalogue over HTTP (and Z39.50 when asked) until interrupted."""
    # Imported here so that every other command starts without the web stack.
    import uvicorn

    command = command_context(context)
    settings = command.settings
    host = host or settings.host
    port = port or settings.port
    workers = workers or settings.web_workers
    z3950_port = z3950 or settings.z3950_port
    if workers > 1:
        if z3950_port is not None:
            raise ConfigurationError(
                "Z39.50 is served by a single-process server: run `mucluc serve --z3950 PORT` "
                "on another HTTP port beside `mucluc serve --workers N`"
            )
        # Opened once here, a missing or outdated index is made anew before workers race to.
        command.index()
        _serve_with_workers(settings, host, port, workers, debug=command.debug)
        return

    from mucluc.web.app import create_app

    app = create_app(settings)
    typer.echo(f"mucluc is serving the catalogue at http://{host}:{port}/")
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


def _serve_with_workers(
    settings: Settings, host: str, port: int, workers: int, *, debug: bool
) -> None:
    """Run `workers` uvicorn processes on one socket; each builds its own app from the settings."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from mucluc.web.workers import WORKER_APP_FACTORY, worker_environment

    # uvicorn's workers are new interpreters: they inherit the environment, not objects.
    os.environ.update(worker_environment(settings, debug=debug))
    config = uvicorn.Config(
        WORKER_APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        timeout_keep_alive=settings.keep_alive_seconds,
    )
    listener = as_tcp_listener(config.bind_socket())
    typer.echo(f"mucluc is serving the catalogue at http://{host}:{port}/ with {workers} workers")
    Multiprocess(config, sockets=[listener]).run()


def as_tcp_listener(bound: socket.socket) -> socket.socket:
    """The bound socket, declared TCP so that asyncio turns Nagle off on each connection.

    uvicorn binds with protocol 0, and asyncio sets TCP_NODELAY only on
    sockets that say IPPROTO_TCP: every keep-alive answer then waited ~40 ms
    for the client's delayed ACK (Kludex/uvicorn#3149, open at uvicorn 0.54).
    """
    return socket.socket(bound.family, bound.type, socket.IPPROTO_TCP, fileno=bound.detach())


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
