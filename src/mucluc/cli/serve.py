"""`mucluc serve`: the web catalogue and JSON API."""

from __future__ import annotations

from typing import Annotated

import typer

from mucluc.cli.context import command_context


def serve(
    context: typer.Context,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Serve the catalogue over HTTP until interrupted."""
    # Imported here so that every other command starts without the web stack.
    import uvicorn

    from mucluc.web.app import create_app

    settings = command_context(context).settings
    host = host or settings.host
    port = port or settings.port
    app = create_app(settings)
    typer.echo(f"mucluc is serving the catalogue at http://{host}:{port}/")
    uvicorn.run(app, host=host, port=port, log_level="warning")
