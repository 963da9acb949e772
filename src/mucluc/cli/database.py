"""`mucluc init` and `mucluc db upgrade`: create and migrate the data folder and store."""

from __future__ import annotations

import typer

from mucluc.cli.context import command_context
from mucluc.wiring import initialise_home, open_store

database_app = typer.Typer(help="The store: migrations.", no_args_is_help=True)


def init(context: typer.Context) -> None:
    """Create a fresh data folder (MUCLUC_HOME): the store, migrated, and an empty index."""
    settings = command_context(context).settings
    initialise_home(settings)
    typer.echo(f"initialised {settings.home.resolve()}")


@database_app.command("upgrade")
def upgrade(context: typer.Context) -> None:
    """Migrate the store to the newest schema (safe to run at any time)."""
    open_store(command_context(context).settings, migrate=True)
    typer.echo("the store is at the newest schema")
