"""`mucluc library add|list|export`: the member libraries, and each one's own export."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from mucluc.accounts.service import SYSTEM_ACTOR
from mucluc.cli.context import command_context, print_json
from mucluc.core.model import LIBRARY_TYPES, LibraryInfo
from mucluc.services.catalogue import add_library, list_libraries
from mucluc.services.library_export import LIBRARY_EXPORT_FORMATS, LibraryExport, library_records
from mucluc.storage.accounts import SqlSecurityStore

library_app = typer.Typer(help="Member libraries.", no_args_is_help=True)


@library_app.command("add")
def add(
    context: typer.Context,
    code: Annotated[str, typer.Argument(help="ISIL-style code, e.g. VN-NLV.")],
    name: Annotated[str, typer.Option(help="Name in Vietnamese.")],
    library_type: Annotated[
        str, typer.Option("--type", help=f"One of: {', '.join(LIBRARY_TYPES)}.")
    ],
    name_en: Annotated[str | None, typer.Option(help="Name in English.")] = None,
    province: Annotated[str | None, typer.Option(help="Province or city.")] = None,
    contact: Annotated[str | None, typer.Option(help="Contact address.")] = None,
) -> None:
    """Register a member library."""
    library = LibraryInfo(
        code=code.strip(),
        name_vi=name,
        name_en=name_en or name,
        type=library_type,
        province=province,
        contact=contact,
    )
    add_library(command_context(context).store(), library)
    typer.echo(f"added library {library.code}")


@library_app.command("list")
def list_(
    context: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the member libraries."""
    libraries = list_libraries(command_context(context).store())
    if as_json:
        print_json([asdict(library) for library in libraries])
        return
    for library in libraries:
        typer.echo(f"{library.code}\t{library.type}\t{library.province or ''}\t{library.name_vi}")


@library_app.command("export")
def export(
    context: typer.Context,
    code: Annotated[str, typer.Argument(help="Code of the member library.")],
    destination: Annotated[Path, typer.Argument(help="The ZIP file to write; must not exist.")],
    export_format: Annotated[
        str,
        typer.Option("--format", help=f"Records as one of: {', '.join(LIBRARY_EXPORT_FORMATS)}."),
    ] = "marc",
) -> None:
    """Export every record and holding a library contributed (its own backup) as a ZIP.

    Records in the chosen format (deleted ones as deletions), quarantined
    records with their problems, holdings as CSV, and a manifest of counts
    and SHA-256 checksums.
    """
    if destination.exists():
        raise typer.BadParameter(f"{destination} exists; name a new file")
    security = SqlSecurityStore(command_context(context).store().engine)
    export = LibraryExport(code, library_records(security, SYSTEM_ACTOR, code), export_format)
    partial = destination.with_name(destination.name + ".partial")
    try:
        with partial.open("wb") as stream:
            for chunk in export.chunks():
                stream.write(chunk)
        partial.replace(destination)
    finally:
        partial.unlink(missing_ok=True)
    counts = export.manifest["counts"]
    typer.echo(
        f"exported {code} to {destination}: {counts['active']} records, "
        f"{counts['deleted']} deletions, {counts['quarantined']} quarantined, "
        f"{counts['holdings']} holdings ({counts['copies']} copies)"
    )
