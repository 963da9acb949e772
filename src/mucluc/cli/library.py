"""`mucluc library add|list`: the member libraries."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from mucluc.cli.context import command_context, print_json
from mucluc.core.model import LIBRARY_TYPES, LibraryInfo
from mucluc.services.catalogue import add_library, list_libraries

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
