"""Use cases for accounts, sign-in sessions and API keys; every change is audited.

Callers pass the `Principal` acting and the client's address; the rules of
`mucluc.accounts.roles` decide, and the store appends the audit event in the
same transaction as the change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from mucluc.accounts.credentials import (
    dummy_password_check,
    hash_password,
    hash_secret,
    is_password_correct,
    is_secret_correct,
    make_api_key,
    make_csrf_token,
    make_session_token,
    split_api_key,
)
from mucluc.accounts.ports import AccountView, ApiKeyView, SecurityStore, SessionView
from mucluc.accounts.roles import (
    LIBRARY_ROLES,
    Action,
    Principal,
    Role,
    authorise,
    roles_assignable_by,
)
from mucluc.core.audit import AuditEvent
from mucluc.errors import AccountError, AuthenticationError, PermissionDeniedError

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")
KEY_SCOPES = ("read", "write")
SYSTEM_ACTOR = Principal(actor="cli:operator", role=Role.NATIONAL_ADMINISTRATOR)
"""Whoever runs the `mucluc` command on the server: they already own the data folder."""


def principal_of_account(account: AccountView) -> Principal:
    """The principal a signed-in account acts as."""
    return Principal(f"account:{account.username}", account.role, account.library_code)


def principal_of_key(key: ApiKeyView) -> Principal:
    """A write key acts as its library's cataloguer; a read key as its read-only API user."""
    role = Role.CATALOGUER if key.scope == "write" else Role.API_READER
    return Principal(f"key:{key.key_id}", role, key.library_code)


# Accounts


def create_account(
    store: SecurityStore,
    acting: Principal,
    *,
    username: str,
    password: str,
    role: Role,
    library_code: str | None,
    display_name: str = "",
    client_address: str = "",
) -> AccountView:
    """Create a staff account; a library role needs a library, the others must not have one."""
    username = username.strip().lower()
    if not USERNAME_PATTERN.match(username):
        raise AccountError(
            f"username {username!r}: use 2 to 63 lower-case letters, digits, '.', '_' or '-'"
        )
    if role is Role.ANONYMOUS:
        raise AccountError("an account cannot have the anonymous role")
    if role in (Role.LIBRARY_ADMINISTRATOR, Role.CATALOGUER) and not library_code:
        raise AccountError(f"the role {role.value} needs --library")
    if role not in LIBRARY_ROLES and library_code:
        raise AccountError(f"the role {role.value} is national: give no library")
    authorise(acting, Action.MANAGE_ACCOUNTS, library_code)
    if role not in roles_assignable_by(acting):
        raise PermissionDeniedError(f"{acting.actor} may not give the role {role.value}")
    return store.add_account(
        username=username,
        display_name=display_name.strip() or username,
        password_hash=hash_password(password),
        role=role,
        library_code=library_code,
        audit=AuditEvent(
            acting.actor,
            "account.create",
            library_code,
            username,
            client_address,
            {"role": role.value},
        ),
    )


def set_account_active(
    store: SecurityStore,
    acting: Principal,
    username: str,
    *,
    active: bool,
    client_address: str = "",
) -> None:
    """Enable or disable an account (disabling signs it out everywhere)."""
    found = store.find_account(username)
    if found is None:
        raise AccountError(f"no account is named {username!r}")
    authorise(acting, Action.MANAGE_ACCOUNTS, found.account.library_code)
    action = "account.enable" if active else "account.disable"
    store.set_account_active(
        username,
        active,
        AuditEvent(acting.actor, action, found.account.library_code, username, client_address),
    )


def list_accounts(store: SecurityStore, acting: Principal) -> list[AccountView]:
    """The accounts `acting` may manage: all for a national administrator, else its library's."""
    if acting.role is Role.NATIONAL_ADMINISTRATOR:
        return store.list_accounts(None)
    authorise(acting, Action.MANAGE_ACCOUNTS, acting.library_code)
    return store.list_accounts(acting.library_code)


# Sign-in sessions


@dataclass(frozen=True)
class StartedSession:
    """A new session: the cookie value (shown to the browser only) and its CSRF token."""

    token: str
    csrf_token: str
    account: AccountView
    expires_at: datetime


def sign_in(
    store: SecurityStore,
    username: str,
    password: str,
    *,
    client_address: str,
    lifetime: timedelta,
) -> StartedSession:
    """Check a password and start a session; the same error whether name or password is wrong."""
    found = store.find_account(username.strip().lower())
    if found is None:
        dummy_password_check(password)
    if (
        found is None
        or not is_password_correct(found.password_hash, password)
        or not found.account.active
    ):
        store.append_audit_event(
            AuditEvent(
                f"account:{username.strip().lower()[:100]}",
                "session.refuse",
                None,
                "",
                client_address,
            )
        )
        raise AuthenticationError("the username or password is wrong")
    token = make_session_token()
    csrf_token = make_csrf_token()
    expires_at = datetime.now(UTC) + lifetime
    account = found.account
    store.add_session(
        token_hash=hash_secret(token),
        account_id=account.id,
        csrf_token=csrf_token,
        client_address=client_address,
        expires_at=expires_at,
        audit=AuditEvent(
            f"account:{account.username}",
            "session.start",
            account.library_code,
            "",
            client_address,
        ),
    )
    store.note_sign_in(account.id)
    return StartedSession(token, csrf_token, account, expires_at)


def find_session(store: SecurityStore, token: str) -> SessionView | None:
    """The live session for a cookie value, if any."""
    if not token:
        return None
    return store.find_session(hash_secret(token), datetime.now(UTC))


def sign_out(store: SecurityStore, token: str, *, client_address: str) -> None:
    """End the session of a cookie value."""
    session = find_session(store, token)
    if session is None:
        return
    store.remove_session(
        hash_secret(token),
        AuditEvent(
            f"account:{session.account.username}",
            "session.end",
            session.account.library_code,
            "",
            client_address,
        ),
    )


# API keys


@dataclass(frozen=True)
class IssuedApiKey:
    """A new key: `token` is shown once and never stored."""

    token: str
    key: ApiKeyView


def create_api_key(
    store: SecurityStore,
    acting: Principal,
    library_code: str,
    *,
    scope: str = "write",
    label: str = "",
    client_address: str = "",
) -> IssuedApiKey:
    """Issue a key for a member library."""
    if scope not in KEY_SCOPES:
        raise AccountError(f"unknown key scope {scope!r}: use one of {', '.join(KEY_SCOPES)}")
    authorise(acting, Action.MANAGE_KEYS, library_code)
    if not store.has_library(library_code):
        raise AccountError(f"no member library has the code {library_code!r}")
    new_key = make_api_key()
    key = store.add_api_key(
        key_id=new_key.key_id,
        secret_hash=new_key.secret_hash,
        library_code=library_code,
        scope=scope,
        label=label,
        audit=AuditEvent(
            acting.actor,
            "key.create",
            library_code,
            new_key.key_id,
            client_address,
            {"scope": scope, "label": label},
        ),
    )
    return IssuedApiKey(new_key.token, key)


def list_api_keys(
    store: SecurityStore, acting: Principal, library_code: str | None
) -> list[ApiKeyView]:
    """Keys of one library, or of all for a national administrator."""
    if library_code is None and acting.role is not Role.NATIONAL_ADMINISTRATOR:
        library_code = acting.library_code
    authorise(acting, Action.MANAGE_KEYS, library_code)
    return store.list_api_keys(library_code)


def revoke_api_key(
    store: SecurityStore, acting: Principal, key_id: str, *, client_address: str = ""
) -> ApiKeyView:
    """Revoke a key at once; its next request gets 401."""
    found = store.find_api_key(key_id)
    if found is None:
        raise AccountError(f"no API key has the id {key_id!r}")
    authorise(acting, Action.MANAGE_KEYS, found.key.library_code)
    return store.revoke_api_key(
        key_id,
        datetime.now(UTC),
        AuditEvent(acting.actor, "key.revoke", found.key.library_code, key_id, client_address),
    )


def rotate_api_key(
    store: SecurityStore, acting: Principal, key_id: str, *, client_address: str = ""
) -> IssuedApiKey:
    """Issue a new key with the same library, scope and label, and revoke the old one."""
    found = store.find_api_key(key_id)
    if found is None:
        raise AccountError(f"no API key has the id {key_id!r}")
    old = found.key
    issued = create_api_key(
        store,
        acting,
        old.library_code,
        scope=old.scope,
        label=old.label,
        client_address=client_address,
    )
    revoke_api_key(store, acting, key_id, client_address=client_address)
    return issued


def authenticate_api_key(store: SecurityStore, token: str) -> Principal:
    """The principal of a presented key; AuthenticationError if unknown, wrong or revoked."""
    key_id, secret = split_api_key(token)
    found = store.find_api_key(key_id)
    if found is None or not is_secret_correct(found.secret_hash, secret):
        raise AuthenticationError("the API key is not valid")
    if not found.key.active:
        raise AuthenticationError(f"the API key {key_id} has been revoked")
    store.note_key_used(key_id, datetime.now(UTC))
    return principal_of_key(found.key)


def is_key_of_library(store: SecurityStore, library_code: str, token: str) -> bool:
    """Whether `token` is an active API key of that library (any scope): a protocol login.

    Z39.50 clients (Koha, MarcEdit) send a user id and a password; the user is
    the library's code and the password one of its keys, so no password is
    kept anywhere in clear and revoking the key ends the login.
    """
    try:
        principal = authenticate_api_key(store, token)
    except AuthenticationError:
        return False
    return principal.library_code == library_code
