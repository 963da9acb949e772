"""`mucluc dedup`: rebuild union records from scratch, staff overrides, the ISBN blocklist.

Overrides name union records by id and members as LIBRARY:LOCAL-ID; each is
stored with who made it and why, and every later automatic run respects it.
"""

from __future__ import annotations

from typing import Annotated

import typer

from mucluc.cli.context import command_context
from mucluc.cli.records import update_index_now
from mucluc.services.matching import (
    block_isbn,
    list_blocked_isbns,
    merge_union_records,
    never_merge_union_records,
    rebuild_union_records,
    split_union_record,
    unblock_isbn,
)

dedup_app = typer.Typer(
    help="Union records: rebuild, staff merge/split/never-merge, the ISBN blocklist.",
    invoke_without_command=True,
)
blocklist_app = typer.Typer(help="ISBNs printed in many different books.", no_args_is_help=True)
dedup_app.add_typer(blocklist_app, name="blocklist")

Reason = Annotated[str, typer.Option(help="Why: kept with the override for later readers.")]
Actor = Annotated[str, typer.Option(help="Who makes the change (kept with it).")]


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
    union_record_ids: Annotated[list[int], typer.Argument(help="Two or more union record ids.")],
    reason: Reason = "",
    actor: Actor = "cli",
) -> None:
    """Merge union records; the absorbed ids redirect to the one that stays."""
    runtime = command_context(context)
    survivor = merge_union_records(runtime.store(), union_record_ids, reason=reason, actor=actor)
    typer.echo(f"merged into union record {survivor}")
    typer.echo(update_index_now(runtime))


@dedup_app.command("split")
def split(
    context: typer.Context,
    union_record_id: Annotated[int, typer.Argument(help="The union record to split.")],
    members: Annotated[
        list[str], typer.Argument(help="Members to split off, as LIBRARY:LOCAL-ID.")
    ],
    reason: Reason = "",
    actor: Actor = "cli",
) -> None:
    """Split members off a union record; the old id stays with the larger part."""
    runtime = command_context(context)
    kept, split_off = split_union_record(
        runtime.store(), union_record_id, members, reason=reason, actor=actor
    )
    typer.echo(f"union record {kept} kept, split off as union record {split_off}")
    typer.echo(update_index_now(runtime))


@dedup_app.command("never-merge")
def never_merge(
    context: typer.Context,
    first: Annotated[int, typer.Argument(help="A union record id.")],
    second: Annotated[int, typer.Argument(help="Another union record id.")],
    reason: Reason = "",
    actor: Actor = "cli",
) -> None:
    """Keep two union records apart in every later run."""
    runtime = command_context(context)
    never_merge_union_records(runtime.store(), first, second, reason=reason, actor=actor)
    typer.echo(f"union records {first} and {second} will never be merged")
    typer.echo(update_index_now(runtime))


@blocklist_app.command("add")
def blocklist_add(
    context: typer.Context,
    isbn: Annotated[str, typer.Argument(help="The ISBN (either form, any hyphens).")],
    reason: Reason = "",
    actor: Actor = "cli",
) -> None:
    """Block an ISBN: it stops being evidence, and records sharing it are matched again."""
    runtime = command_context(context)
    added = block_isbn(runtime.store(), isbn, reason=reason, actor=actor)
    typer.echo(f"blocked {isbn}" if added else f"{isbn} was already blocked")
    typer.echo(update_index_now(runtime))


@blocklist_app.command("remove")
def blocklist_remove(
    context: typer.Context,
    isbn: Annotated[str, typer.Argument(help="The ISBN to unblock.")],
) -> None:
    """Unblock an ISBN; records sharing it are matched again."""
    runtime = command_context(context)
    removed = unblock_isbn(runtime.store(), isbn)
    typer.echo(f"unblocked {isbn}" if removed else f"{isbn} was not blocked")
    typer.echo(update_index_now(runtime))


@blocklist_app.command("list")
def blocklist_list(context: typer.Context) -> None:
    """List the blocked ISBNs with who blocked them and why."""
    for entry in list_blocked_isbns(command_context(context).store()):
        typer.echo(f"{entry.isbn}\t{entry.created_at:%Y-%m-%d}\t{entry.actor}\t{entry.reason}")
