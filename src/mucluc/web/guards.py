"""Who is asking: the principal of a request, from an API key or an admin session.

`Authorization: Bearer KEY` authenticates a member library's key. A signed-in
admin session (the `mucluc_session` cookie) also works for the API, but a
request that changes something must then repeat the session's CSRF token in
`X-CSRF-Token`, so another site cannot ride the cookie.
"""

from __future__ import annotations

import hmac
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from fastapi import Request

from mucluc.accounts.ports import SessionView
from mucluc.accounts.roles import ANONYMOUS, Principal
from mucluc.accounts.service import authenticate_api_key, find_session, principal_of_account
from mucluc.config import Settings
from mucluc.errors import AuthenticationError, PermissionDeniedError
from mucluc.storage.accounts import SqlSecurityStore
from mucluc.web.limits import SignInThrottle

SESSION_COOKIE = "mucluc_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class SecurityState:
    """What the security routes reach through `request.app.state.security`."""

    settings: Settings
    store: SqlSecurityStore
    sign_in_throttle: SignInThrottle
    executor: ThreadPoolExecutor


def security_state(request: Request) -> SecurityState:
    """The SecurityState that `install_security` attached to the application."""
    state: SecurityState = request.app.state.security
    return state


def client_address(request: Request) -> str:
    """The address the request came from, for the audit log and limits."""
    return request.client.host if request.client else "unknown"


def current_session(request: Request) -> SessionView | None:
    """The admin session of the request's cookie, if live."""
    return find_session(security_state(request).store, request.cookies.get(SESSION_COOKIE, ""))


def api_principal(request: Request) -> Principal:
    """The principal of an API request: its key, its session, or anonymous.

    Raises:
        AuthenticationError: a key was sent but is malformed, unknown or revoked.
        PermissionDeniedError: a session-authenticated write lacks the CSRF token.
    """
    authorisation = request.headers.get("authorization", "")
    if authorisation:
        scheme, _, token = authorisation.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError("send the key as `Authorization: Bearer KEY`")
        return authenticate_api_key(security_state(request).store, token.strip())
    session = current_session(request)
    if session is None:
        return ANONYMOUS
    if request.method not in SAFE_METHODS and not hmac.compare_digest(
        request.headers.get(CSRF_HEADER, ""), session.csrf_token
    ):
        raise PermissionDeniedError("a signed-in write needs the session's X-CSRF-Token header")
    return principal_of_account(session.account)
