"""`mucluc backup DEST [--verify]` and `mucluc restore SRC`: backups that are proved to restore."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mucluc.cli.context import command_context
from mucluc.storage.backup import restore_backup, take_backup, verify_backup
from mucluc.storage.database import make_engine
from mucluc.wiring import open_store, rebuild_live_index


def backup(
    context: typer.Context,
    destination: Annotated[Path, typer.Argument(help="A new or empty folder for the backup.")],
    verify: Annotated[
        bool, typer.Option(help="Then restore it into a scratch store and compare.")
    ] = False,
) -> None:
    """Take a consistent online backup of the store, with a manifest of counts and checksums."""
    engine = command_context(context).store().engine
    manifest = take_backup(engine, destination)
    rows = sum(table.get("rows", 0) for table in manifest["tables"].values())
    typer.echo(f"backed up {rows} rows of {len(manifest['tables'])} tables to {destination}")
    if verify:
        verify_backup(destination, engine)
        typer.echo("verified: the backup restores and matches its manifest")


def restore(
    context: typer.Context,
    source: Annotated[Path, typer.Argument(help="A folder written by `mucluc backup`.")],
) -> None:
    """Restore a backup into an empty data folder and rebuild the search index."""
    settings = command_context(context).settings
    if settings.resolved_database_url.startswith("sqlite"):
        settings.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    manifest = restore_backup(source, engine)
    count = rebuild_live_index(settings, open_store(settings))
    typer.echo(f"restored the backup of {manifest['created_at']}; indexed {count} union records")
