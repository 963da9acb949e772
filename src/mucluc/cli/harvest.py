"""`mucluc harvest`: harvest a member library's catalogue over OAI-PMH, incrementally.

The harvest state of each library (provider, set, format, last datestamp,
pending resumption token) is kept in `<home>/harvest/<CODE>.json`, so the
next run continues where the last one stopped.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import httpx
import typer

from mucluc.accounts.service import SYSTEM_ACTOR
from mucluc.cli.context import command_context, print_json
from mucluc.cli.records import update_index_now
from mucluc.errors import ConfigurationError
from mucluc.harvest.oai import METADATA_PREFIXES, OaiHarvester
from mucluc.services.audit import record_audit_event
from mucluc.services.harvest import HarvestState, HarvestSummary, harvest_library


def state_path(home: Path, library_code: str) -> Path:
    """Where a library's harvest state is kept."""
    return home / "harvest" / f"{library_code}.json"


def load_state(path: Path, url: str, prefix: str, set_spec: str | None) -> HarvestState:
    """The saved state if it is for the same provider, format and set; else a fresh one."""
    fresh = HarvestState(url=url, metadata_prefix=prefix, set_spec=set_spec)
    if not path.exists():
        return fresh
    try:
        saved = HarvestState(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as error:
        raise ConfigurationError(f"{path}: not a harvest state file ({error})") from error
    same = (saved.url, saved.metadata_prefix, saved.set_spec) == (url, prefix, set_spec)
    return saved if same else fresh


def save_state(path: Path, state: HarvestState) -> None:
    """Write the state atomically (a crash never leaves half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(asdict(state), ensure_ascii=False, indent=2), encoding="utf-8")
    partial.replace(path)


def harvest(
    context: typer.Context,
    url: Annotated[str, typer.Argument(help="Base URL of the library's OAI-PMH provider.")],
    library: Annotated[str, typer.Option(help="Code of the library the records belong to.")],
    set_spec: Annotated[
        str | None, typer.Option("--set", help="Harvest only this OAI-PMH set.")
    ] = None,
    prefix: Annotated[
        str, typer.Option(help=f"Metadata format: {' or '.join(METADATA_PREFIXES)}.")
    ] = "marc21",
    from_date: Annotated[
        str | None,
        typer.Option("--from", help="Harvest records changed since this date (YYYY-MM-DD)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Harvest a member library over OAI-PMH: incremental, resumable, deletions honoured."""
    if prefix not in METADATA_PREFIXES:
        raise typer.BadParameter(f"unknown prefix {prefix!r}; use {' or '.join(METADATA_PREFIXES)}")
    runtime = command_context(context)
    path = state_path(runtime.settings.home, library)
    state = load_state(path, url, prefix, set_spec)

    def report(summary: HarvestSummary) -> None:
        if not as_json:
            typer.echo(f"page {summary.pages}: {summary.harvested} records so far", err=True)

    with httpx.Client(follow_redirects=True) as client:
        summary = harvest_library(
            runtime.store(),
            library,
            OaiHarvester(client),
            state,
            from_date=from_date,
            save_state=lambda new_state: save_state(path, new_state),
            progress=report,
        )
    record_audit_event(
        runtime.audit_log(),
        actor=SYSTEM_ACTOR.actor,
        action="records.harvest",
        library_code=library,
        target=url,
        details={**summary.counts, "pages": summary.pages, "deletions": summary.deleted},
    )
    index_message = update_index_now(runtime)
    if as_json:
        print_json(asdict(summary))
        return
    counts = ", ".join(f"{name} {value}" for name, value in summary.counts.items())
    typer.echo(
        f"{url}: {summary.pages} pages, {summary.harvested} records "
        f"({summary.deleted} deletions, {summary.unconvertible} not convertible); {counts}"
    )
    for problem in summary.problems:
        typer.echo(f"  {problem}", err=True)
    typer.echo(index_message)
