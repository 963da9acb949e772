"""`mucluc publish`: bring the kept OAI-PMH text of every union record up to date."""

from __future__ import annotations

import typer

from mucluc.cli.context import command_context
from mucluc.services.publishing import publish_stale_metadata


def publish(context: typer.Context) -> None:
    """Render the OAI-PMH metadata (marc21, oai_dc) of union records changed since last rendered.

    Ingest does not render it; `mucluc serve` renders it in the background,
    and harvesters are served a fresh render of any record not yet reached.
    Run this to have it all kept before a large harvest, or when no server
    runs. Safe beside a running server or ingest.
    """
    runtime = command_context(context)
    done = publish_stale_metadata(runtime.publisher())
    typer.echo(f"rendered the published metadata of {done.records} union records")
