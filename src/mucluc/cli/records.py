"""`mucluc ingest`, `search`, `export`, `stats`: records in and out."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, replace
from pathlib import Path
from typing import Annotated

import typer

from mucluc.accounts.service import SYSTEM_ACTOR
from mucluc.cli.context import CommandContext, command_context, print_json
from mucluc.core.marc.formats import FORMATS
from mucluc.core.marc.tabular import ROLES, parse_columns
from mucluc.core.source_config import SourceConfig
from mucluc.errors import ConfigurationError, IndexBusyError
from mucluc.indexing_alongside import IndexingAlongside, IndexingOutcome
from mucluc.services.audit import record_audit_event
from mucluc.services.catalogue import catalogue_counts, export_jsonl
from mucluc.services.indexing import apply_pending_changes
from mucluc.services.ingest import IngestSummary, ingest_files
from mucluc.services.search import parse_filters, reader_search_request, search_catalogue
from mucluc.services.sources import load_source_configs


def update_index_now(runtime: CommandContext) -> str:
    """Apply pending changes to the index, unless a running server is doing so."""
    try:
        applied = apply_pending_changes(runtime.store(), runtime.index())
    except IndexBusyError:
        return index_message(IndexingOutcome(0, busy=True))
    return index_message(IndexingOutcome(applied))


def index_message(outcome: IndexingOutcome) -> str:
    """What a command says about the index after changing the store."""
    if outcome.busy:
        return "the index is busy (is `mucluc serve` running?); it will apply the changes"
    return f"index updated ({outcome.applied} changes)"


INGEST_FORMATS = ("auto", *FORMATS)


def ingest(
    context: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(help="MARC 21 (ISO 2709, MARCXML, MARC-in-JSON, .mrk) or CSV/XLSX files."),
    ],
    library: Annotated[str, typer.Option(help="Code of the contributing library.")],
    record_format: Annotated[
        str,
        typer.Option(
            "--format",
            help="Input format: auto (detected from the content) or one of "
            "marc21, marcxml, marc-json, mrk, csv, xlsx.",
        ),
    ] = "auto",
    columns: Annotated[
        str,
        typer.Option(
            "--columns",
            help="CSV/XLSX columns as ROLE=COLUMN,... (COLUMN a header or a number from 1); "
            "roles: " + ", ".join(ROLES) + ".",
        ),
    ] = "",
    sources: Annotated[
        Path | None,
        typer.Option(
            "--sources",
            help="Per-library source configuration (TOML): format, encoding, local_id, "
            "holdings, columns; see docs/sources.md.",
        ),
    ] = None,
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="The files are the library's whole catalogue: withdraw its records absent "
            "from them. Nothing is withdrawn, and the exit status is 1, when a file was not "
            "read to its end or no record could be stored.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Ingest a member library's files (MARC 21, MARCXML, MARC-in-JSON, .mrk, CSV, XLSX).

    Records are matched into union records and the index is updated. Every
    record read ends as added, updated, unchanged, deleted or quarantined;
    the first quarantine reasons are printed with their place in the file.
    Files of MUCLUC_INDEX_ALONGSIDE_BYTES (4 MB) or more in all are indexed by
    a second process while they are stored.
    """
    if record_format not in INGEST_FORMATS:
        raise typer.BadParameter(
            f"unknown format {record_format!r}; supported: {', '.join(INGEST_FORMATS)}"
        )
    try:
        column_mapping = parse_columns(columns)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error
    source = load_source_configs(sources).get(library) if sources else None
    if column_mapping:
        source = replace(
            source or SourceConfig(library=library),
            columns={**(source.columns if source else {}), **column_mapping},
        )
    runtime = command_context(context)
    show_progress = sys.stderr.isatty() and not as_json
    input_bytes = sum(path.stat().st_size for path in files if path.is_file())
    indexing = (
        IndexingAlongside(runtime.settings)
        if input_bytes >= runtime.settings.index_alongside_bytes
        else None
    )
    with _progress_bar(show_progress) as advance, indexing or nullcontext():
        summaries = ingest_files(
            runtime.store(),
            library,
            files,
            full=full,
            progress=advance,
            record_format=None if record_format == "auto" else record_format,
            source=source,
        )
    for summary in summaries:
        record_audit_event(
            runtime.audit_log(),
            actor=SYSTEM_ACTOR.actor,
            action="records.ingest",
            library_code=library,
            target=summary.source_name,
            details={**summary.counts(), "ingest_job": summary.job_id},
        )
    indexed = index_message(indexing.finish()) if indexing else update_index_now(runtime)
    totals = {name: sum(getattr(summary, name) for summary in summaries) for name in INGEST_KEYS}
    refusal = summaries[-1].withdrawal_refused if summaries else ""
    if as_json:
        print_json({**totals, "files": [asdict(summary) for summary in summaries]})
    else:
        for summary in summaries:
            _echo_summary(summary)
        if refusal:
            typer.echo(f"nothing withdrawn: {refusal}", err=True)
        elif full:
            typer.echo(f"withdrawn (absent from the complete load): {totals['withdrawn']}")
        typer.echo(indexed)
    if refusal:
        raise typer.Exit(1)  # a complete load was asked for and did not happen


def _echo_summary(summary: IngestSummary) -> None:
    """One file's counts, where reading stopped, and why its first records were quarantined."""
    typer.echo(
        f"{summary.source_name}: read {summary.read}, added {summary.added}, "
        f"updated {summary.updated}, unchanged {summary.unchanged}, "
        f"deleted {summary.deleted}, quarantined {summary.quarantined}; "
        f"joined an existing union record {summary.merged}"
    )
    if summary.reading_stopped:
        typer.echo(f"  reading stopped at {summary.reading_stopped}")
    for reason in summary.quarantine_reasons:
        if reason != summary.reading_stopped:  # said just above
            typer.echo(f"  quarantined {reason}")
    unlisted = summary.quarantined - len(summary.quarantine_reasons)
    if unlisted > 0:
        typer.echo(f"  and {unlisted} more quarantined (every reason: /admin/quarantine)")


INGEST_KEYS = (
    "read",
    "added",
    "updated",
    "unchanged",
    "deleted",
    "quarantined",
    "merged",
    "withdrawn",
)


@contextmanager
def _progress_bar(shown: bool) -> Iterator[Callable[[int], None] | None]:
    """A records/s progress bar on a terminal; nothing otherwise."""
    if not shown:
        yield None
        return
    started = time.monotonic()
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        rate = done / max(time.monotonic() - started, 1e-9)
        sys.stderr.write(f"\r{done:,} records, {rate:,.0f} records/s")
        sys.stderr.flush()

    yield advance
    sys.stderr.write("\n")


def search(
    context: typer.Context,
    query: Annotated[
        str,
        typer.Argument(
            help='Words with or without tones, an ISBN, "a phrase", kinh tế*, '
            "title:/author:/subject:/isbn:/year:1990-2000 …, AND, OR, NOT."
        ),
    ],
    page: Annotated[int, typer.Option(help="Page number, from 1.")] = 1,
    limit: Annotated[int, typer.Option(help="Results per page.")] = 20,
    sort: Annotated[
        str, typer.Option(help="relevance, year_desc, year_asc, title or author.")
    ] = "relevance",
    facet: Annotated[
        list[str] | None,
        typer.Option(help="A facet to count (repeatable): library, province, year, decade …"),
    ] = None,
    filter_: Annotated[
        list[str] | None,
        typer.Option("--filter", help="Narrow to facet:value, e.g. library:VN-NLV (repeatable)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Search the catalogue."""
    runtime = command_context(context)
    request = reader_search_request(
        query,
        page=page,
        page_size=limit,
        sort=sort,
        filters=parse_filters(filter_ or []),
        facets=facet or [],
    )
    if not runtime.settings.index_path.exists():  # opening it would create an empty one
        raise ConfigurationError(
            f"no search index at {runtime.settings.index_path}: run `mucluc init` first, "
            "or check MUCLUC_HOME"
        )
    results = search_catalogue(runtime.index(), request)
    if as_json:
        print_json(
            {
                "total": results.total,
                "hits": [asdict(hit) for hit in results.hits],
                "facets": {
                    name: [asdict(count) for count in counts]
                    for name, counts in results.facets.items()
                },
            }
        )
        return
    typer.echo(f"{results.total} records")
    for hit in results.hits:
        year = f" ({hit.year})" if hit.year else ""
        typer.echo(f"{hit.id}\t{hit.title}{year}\t{', '.join(hit.library_codes)}")
    for name, counts in results.facets.items():
        typer.echo(f"{name}: " + ", ".join(f"{count.value} ({count.count})" for count in counts))


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
