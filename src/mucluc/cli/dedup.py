"""`mucluc dedup`: rebuild union records from scratch, staff overrides, the ISBN blocklist.

Overrides name union records by id (or by a member as LIBRARY:LOCAL-ID) and
members as LIBRARY:LOCAL-ID; each is stored with who made it and why, every
later automatic run respects it, and it goes to the audit log through the
same staff services the web admin uses (services/curation.py).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import typer

from mucluc.accounts.roles import Principal
from mucluc.accounts.service import SYSTEM_ACTOR
from mucluc.cli.context import command_context
from mucluc.cli.records import update_index_now
from mucluc.services.curation import (
    staff_block_isbn,
    staff_merge,
    staff_never_merge,
    staff_split,
    staff_unblock_isbn,
)
from mucluc.services.matching import list_blocked_isbns, rebuild_union_records

dedup_app = typer.Typer(
    help="Union records: rebuild, staff merge/split/never-merge, the ISBN blocklist.",
    invoke_without_command=True,
)
blocklist_app = typer.Typer(help="ISBNs printed in many different books.", no_args_is_help=True)
dedup_app.add_typer(blocklist_app, name="blocklist")

Reason = Annotated[
    str, typer.Option(help="Why (required): kept with the decision and in the audit log.")
]
Actor = Annotated[
    str | None,
    typer.Option(help="Who makes the change, kept as cli:NAME; default: cli:operator."),
]


def _staff(actor: str | None) -> Principal:
    """Who acts from the command line: the operator, or the person named."""
    return SYSTEM_ACTOR if actor is None else replace(SYSTEM_ACTOR, actor=f"cli:{actor}")


@dedup_app.callback()
def dedup(
    context: typer.Context,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Match every record again from scratch.")
    ] = False,
) -> None:
    """Match records into union records; `--rebuild` redoes it all from the stored records."""
    if context.invoked_subcommand is not None:
        return
    if not rebuild:
        typer.echo(context.get_help())
        raise typer.Exit(2)
    runtime = command_context(context)
    summary = rebuild_union_records(runtime.store())
    typer.echo(
        f"records {summary.records}, pairs compared {summary.pairs_compared}, "
        f"matches {summary.matches}, union records {summary.union_records}, "
        f"records moved {summary.moved}, new union records {summary.created}, "
        f"merged {summary.merged}"
    )
    typer.echo(update_index_now(runtime))


@dedup_app.command("merge")
def merge(
    context: typer.Context,
    union_records: Annotated[
        list[str], typer.Argument(help="Two or more union record ids (or LIBRARY:LOCAL-ID).")
    ],
    reason: Reason,
    actor: Actor = None,
) -> None:
    """Merge union records; the absorbed ids redirect to the one that stays."""
    runtime = command_context(context)
    survivor = staff_merge(runtime.store(), _staff(actor), union_records, reason=reason)
    typer.echo(f"merged into union record {survivor}")
    typer.echo(update_index_now(runtime))


@dedup_app.command("split")
def split(
    context: typer.Context,
    union_record: Annotated[str, typer.Argument(help="The union record to split.")],
    members: Annotated[
        list[str], typer.Argument(help="Members to split off, as LIBRARY:LOCAL-ID.")
    ],
    reason: Reason,
    actor: Actor = None,
) -> None:
    """Split members off a union record; the old id stays with the larger part."""
    runtime = command_context(context)
    kept, split_off = staff_split(
        runtime.store(), _staff(actor), union_record, members, reason=reason
    )
    typer.echo(f"union record {kept} kept, split off as union record {split_off}")
    typer.echo(update_index_now(runtime))


@dedup_app.command("never-merge")
def never_merge(
    context: typer.Context,
    first: Annotated[str, typer.Argument(help="A union record id.")],
    second: Annotated[str, typer.Argument(help="Another union record id.")],
    reason: Reason,
    actor: Actor = None,
) -> None:
    """Keep two union records apart in every later run."""
    runtime = command_context(context)
    left, right = staff_never_merge(runtime.store(), _staff(actor), first, second, reason=reason)
    typer.echo(f"union records {left} and {right} will never be merged")
    typer.echo(update_index_now(runtime))


@blocklist_app.command("add")
def blocklist_add(
    context: typer.Context,
    isbn: Annotated[str, typer.Argument(help="The ISBN (either form, any hyphens).")],
    reason: Reason,
    actor: Actor = None,
) -> None:
    """Block an ISBN: it stops being evidence, and records sharing it are matched again."""
    runtime = command_context(context)
    added = staff_block_isbn(runtime.store(), _staff(actor), isbn, reason=reason)
    typer.echo(f"blocked {isbn}" if added else f"{isbn} was already blocked")
    typer.echo(update_index_now(runtime))


@blocklist_app.command("remove")
def blocklist_remove(
    context: typer.Context,
    isbn: Annotated[str, typer.Argument(help="The ISBN to unblock.")],
    actor: Actor = None,
) -> None:
    """Unblock an ISBN; records sharing it are matched again."""
    runtime = command_context(context)
    removed = staff_unblock_isbn(runtime.store(), _staff(actor), isbn)
    typer.echo(f"unblocked {isbn}" if removed else f"{isbn} was not blocked")
    typer.echo(update_index_now(runtime))


@blocklist_app.command("list")
def blocklist_list(context: typer.Context) -> None:
    """List the blocked ISBNs with who blocked them and why."""
    for entry in list_blocked_isbns(command_context(context).store()):
        typer.echo(f"{entry.isbn}\t{entry.created_at:%Y-%m-%d}\t{entry.actor}\t{entry.reason}")
