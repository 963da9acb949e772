"""`mucluc ingest`, `search`, `export`, `stats`: records in and out."""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from mucluc.cli.context import CommandContext, command_context, print_json
from mucluc.errors import IndexBusyError
from mucluc.services.catalogue import catalogue_counts, export_jsonl, search_catalogue
from mucluc.services.indexing import apply_pending_changes
from mucluc.services.ingest import IngestSummary, ingest_file


def update_index_now(runtime: CommandContext) -> str:
    """Apply pending changes to the index, unless a running server is doing so."""
    try:
        applied = apply_pending_changes(runtime.store(), runtime.index())
    except IndexBusyError:
        return "the index is busy (is `mucluc serve` running?); it will apply the changes"
    return f"index updated ({applied} changes)"


def ingest(
    context: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="MARC21 (ISO 2709) files.")],
    library: Annotated[str, typer.Option(help="Code of the contributing library.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Ingest MARC21 files from a member library, match them and update the index."""
    runtime = command_context(context)
    summaries: list[IngestSummary] = [ingest_file(runtime.store(), library, path) for path in files]
    index_message = update_index_now(runtime)
    if as_json:
        print_json([asdict(summary) for summary in summaries])
        return
    for summary in summaries:
        typer.echo(
            f"{summary.source_name}: read {summary.read}, loaded {summary.loaded}, "
            f"unchanged {summary.unchanged}, rejected {summary.rejected}, "
            f"joined an existing union record {summary.merged}"
        )
    typer.echo(index_message)


def search(
    context: typer.Context,
    query: Annotated[str, typer.Argument(help="Words to find, with or without tones, or an ISBN.")],
    page: Annotated[int, typer.Option(help="Page number, from 1.")] = 1,
    limit: Annotated[int, typer.Option(help="Results per page.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Search the catalogue."""
    runtime = command_context(context)
    results = search_catalogue(runtime.index(), query, page, limit)
    if as_json:
        print_json({"total": results.total, "hits": [asdict(hit) for hit in results.hits]})
        return
    typer.echo(f"{results.total} records")
    for hit in results.hits:
        year = f" ({hit.year})" if hit.year else ""
        typer.echo(f"{hit.id}\t{hit.title}{year}\t{', '.join(hit.library_codes)}")


def export(
    context: typer.Context,
    output: Annotated[str, typer.Argument(help="File to write, or - for standard output.")],
    export_format: Annotated[
        str, typer.Option("--format", help="Export format: jsonl (one union record per line).")
    ] = "jsonl",
) -> None:
    """Export the union records with their members."""
    if export_format != "jsonl":
        raise typer.BadParameter(f"unknown format {export_format!r}; supported: jsonl")
    store = command_context(context).store()
    if output == "-":
        export_jsonl(store, sys.stdout)
        return
    with Path(output).open("w", encoding="utf-8") as stream:
        count = export_jsonl(store, stream)
    typer.echo(f"wrote {count} union records to {output}", err=True)


def stats(
    context: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """How much the catalogue holds."""
    counts = asdict(catalogue_counts(command_context(context).store()))
    if as_json:
        print_json(counts)
        return
    for name, value in counts.items():
        typer.echo(f"{name.replace('_', ' ')}: {value}")
