"""`mucluc reindex`: rebuild the search index from the store."""

from __future__ import annotations

import typer

from mucluc.cli.context import command_context
from mucluc.wiring import rebuild_live_index


def reindex(context: typer.Context) -> None:
    """Rebuild the search index beside the live one, then switch to it."""
    runtime = command_context(context)
    count = rebuild_live_index(runtime.settings, runtime.store())
    typer.echo(f"indexed {count} union records")
