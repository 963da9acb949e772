"""The `mucluc` entry point: builds the settings once and hands them to every command.

Errors mucluc raises on purpose print as one line on stderr with exit code 1
(usage errors exit 2); `--debug` shows the traceback instead.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from mucluc.cli import backup as backups
from mucluc.cli import database, dedup, demo, harvest, index, library, publish, records, serve
from mucluc.cli import keys as security_commands
from mucluc.cli.context import CommandContext
from mucluc.config import load_settings
from mucluc.errors import MuclucError
from mucluc.gc_tuning import tune_garbage_collection
from mucluc.logging import configure_logging

app = typer.Typer(
    name="mucluc",
    help="Mục lục liên hợp: the national union catalogue of Vietnam's libraries.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


@app.callback()
def main(
    context: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(help="Data folder (default: MUCLUC_HOME or ./mucluc-data)."),
    ] = None,
    debug: Annotated[bool, typer.Option(help="Show tracebacks and debug logs.")] = False,
) -> None:
    """Mục lục liên hợp: the national union catalogue of Vietnam's libraries."""
    configure_logging(debug=debug)
    tune_garbage_collection()
    context.obj = CommandContext(settings=load_settings(home=home), debug=debug)


app.command()(database.init)
app.add_typer(database.database_app, name="db")
app.add_typer(library.library_app, name="library")
app.command()(records.ingest)
app.command()(harvest.harvest)
app.command()(records.search)
app.command()(records.export)
app.command()(records.stats)
app.command()(index.reindex)
app.command()(publish.publish)  # OAI-PMH text, rendered off the ingest path (issue #3)
app.add_typer(dedup.dedup_app, name="dedup")  # union records (issue #4)
app.command()(serve.serve)
app.command()(demo.demo)
# Accounts, API keys, the audit log (issue #9).
app.add_typer(security_commands.key_app, name="key")
app.add_typer(security_commands.account_app, name="account")
app.add_typer(security_commands.audit_app, name="audit")
app.command()(backups.backup)
app.command()(backups.restore)


def run() -> None:
    """Console-script entry point with mucluc's error policy."""
    try:
        app()
    except MuclucError as error:
        if "--debug" in sys.argv:
            raise
        typer.echo(f"mucluc: {error}", err=True)
        sys.exit(1)
    except ValidationError as error:
        typer.echo(f"mucluc: invalid setting: {error}", err=True)
        sys.exit(1)
