"""`mucluc key create|list|revoke|rotate`, `mucluc account add` and `mucluc audit export`.

Whoever runs `mucluc` on the server owns the data folder, so these act as the
national administrator `cli:operator`; every change is in the audit log.
"""

from __future__ import annotations

import getpass
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from mucluc.accounts.roles import Role
from mucluc.accounts.service import (
    SYSTEM_ACTOR,
    create_account,
    create_api_key,
    list_api_keys,
    revoke_api_key,
    rotate_api_key,
)
from mucluc.cli.context import command_context, print_json
from mucluc.errors import AccountError
from mucluc.services.audit import audit_csv_lines, audit_json_lines, iter_audit_events
from mucluc.storage.accounts import SqlSecurityStore

key_app = typer.Typer(help="API keys of member libraries.", no_args_is_help=True)
account_app = typer.Typer(help="Staff accounts of the web admin.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)


def _security_store(context: typer.Context) -> SqlSecurityStore:
    return SqlSecurityStore(command_context(context).store().engine)


@key_app.command("create")
def create(
    context: typer.Context,
    library: Annotated[str, typer.Option(help="Code of the member library the key writes for.")],
    scope: Annotated[str, typer.Option(help="write (contribute records) or read (export).")] = (
        "write"
    ),
    label: Annotated[str, typer.Option(help="A note saying who or what uses the key.")] = "",
) -> None:
    """Create a key and print it once: only its hash is kept."""
    issued = create_api_key(
        _security_store(context), SYSTEM_ACTOR, library, scope=scope, label=label
    )
    typer.echo(issued.token)
    typer.echo(
        f"key {issued.key.key_id} for {library} ({scope}): copy it now, it is not shown again",
        err=True,
    )


@key_app.command("list")
def list_(
    context: typer.Context,
    library: Annotated[str | None, typer.Option(help="Only this library's keys.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List keys (ids, never secrets), newest first."""
    keys = list_api_keys(_security_store(context), SYSTEM_ACTOR, library)
    if as_json:
        print_json(
            [
                {
                    **asdict(key),
                    **{
                        name: value.isoformat() if value else None
                        for name, value in (
                            ("created_at", key.created_at),
                            ("last_used_at", key.last_used_at),
                            ("revoked_at", key.revoked_at),
                        )
                    },
                }
                for key in keys
            ]
        )
        return
    for key in keys:
        status = "active" if key.active else f"revoked {key.revoked_at:%Y-%m-%d}"
        typer.echo(f"{key.key_id}\t{key.library_code}\t{key.scope}\t{status}\t{key.label}")


@key_app.command("revoke")
def revoke(
    context: typer.Context, key_id: Annotated[str, typer.Argument(help="The key's id.")]
) -> None:
    """Revoke a key at once."""
    revoke_api_key(_security_store(context), SYSTEM_ACTOR, key_id)
    typer.echo(f"revoked key {key_id}")


@key_app.command("rotate")
def rotate(
    context: typer.Context, key_id: Annotated[str, typer.Argument(help="The key's id.")]
) -> None:
    """Issue a replacement key (printed once) and revoke the old one."""
    issued = rotate_api_key(_security_store(context), SYSTEM_ACTOR, key_id)
    typer.echo(issued.token)
    typer.echo(f"key {issued.key.key_id} replaces {key_id}, which is revoked", err=True)


@account_app.command("add")
def add_account(
    context: typer.Context,
    username: Annotated[str, typer.Argument(help="Sign-in name (lower case).")],
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(r.value for r in Role)}.")],
    library: Annotated[str | None, typer.Option(help="Library, for library roles.")] = None,
    name: Annotated[str, typer.Option(help="Name shown in the admin.")] = "",
    password_file: Annotated[
        Path | None,
        typer.Option(help="Read the password from this file (else it is asked for)."),
    ] = None,
) -> None:
    """Create a staff account for the web admin."""
    try:
        chosen_role = Role(role)
    except ValueError as error:
        raise AccountError(f"unknown role {role!r}") from error
    if password_file is not None:
        password = password_file.read_text(encoding="utf-8").rstrip("\n")
    else:
        password = getpass.getpass("password: ")
    account = create_account(
        _security_store(context),
        SYSTEM_ACTOR,
        username=username,
        password=password,
        role=chosen_role,
        library_code=library,
        display_name=name,
    )
    typer.echo(f"added account {account.username} ({account.role.value})")


@audit_app.command("export")
def export_audit(
    context: typer.Context,
    library: Annotated[str | None, typer.Option(help="Only this library's events.")] = None,
    csv_format: Annotated[bool, typer.Option("--csv", help="CSV instead of JSON lines.")] = False,
) -> None:
    """Print the audit log, oldest first."""
    events = iter_audit_events(_security_store(context), library_code=library)
    for chunk in audit_csv_lines(events) if csv_format else audit_json_lines(events):
        typer.echo(chunk, nl=False)
