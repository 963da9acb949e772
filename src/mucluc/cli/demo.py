"""`mucluc demo`: load the project's own generated demo libraries and records."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from mucluc.cli.context import command_context
from mucluc.cli.records import update_index_now
from mucluc.demo.generate import write_demo_files
from mucluc.demo.libraries import DEMO_LIBRARIES
from mucluc.services.catalogue import add_library, list_libraries
from mucluc.services.ingest import ingest_file
from mucluc.wiring import initialise_home


def demo(
    context: typer.Context,
    seed: Annotated[int, typer.Option(help="Seed of the record generator.")] = 2026,
) -> None:
    """Initialise the data folder if needed and load the demo libraries and records.

    Safe to run again: libraries are added once, unchanged records are skipped.
    """
    runtime = command_context(context)
    initialise_home(runtime.settings)
    store = runtime.store()
    known = {library.code for library in list_libraries(store)}
    for library in DEMO_LIBRARIES:
        if library.code not in known:
            add_library(store, library)
    with tempfile.TemporaryDirectory(prefix="mucluc-demo-") as folder:
        for code, path in write_demo_files(Path(folder), seed).items():
            summary = ingest_file(store, code, path)
            typer.echo(
                f"{code}: read {summary.read}, loaded {summary.loaded}, "
                f"unchanged {summary.unchanged}, quarantined {summary.quarantined}"
            )
    typer.echo(update_index_now(runtime))
