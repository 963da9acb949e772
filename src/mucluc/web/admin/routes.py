"""Admin sign-in, API keys, accounts and the audit log; every form posts a CSRF token.

The other staff pages (libraries, jobs, quarantine, union records, the ISBN
blocklist) have a module each beside this one; `pages.py` holds what they share.

Sign-in sets an HttpOnly, SameSite=Strict session cookie (Secure unless
`session_cookie_secure` is off); the sign-in form itself carries a
double-submit token. Failed sign-ins are throttled per username and per
client address (429 with Retry-After).
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from mucluc.accounts.roles import Action, Role, is_allowed, roles_assignable_by
from mucluc.accounts.service import (
    IssuedApiKey,
    create_account,
    create_api_key,
    list_accounts,
    list_api_keys,
    principal_of_account,
    revoke_api_key,
    sign_in,
    sign_out,
)
from mucluc.errors import AccountError, AuthenticationError, PermissionDeniedError
from mucluc.services.audit import read_audit_page
from mucluc.web.admin.pages import (
    CsrfToken,
    Staff,
    check_csrf,
    library_codes,
    render,
    staff_change,
    staff_form,
    staff_page,
    to_sign_in,
)
from mucluc.web.guards import SESSION_COOKIE, client_address, current_session, security_state

admin_router = APIRouter(prefix="/admin", include_in_schema=False)

SIGN_IN_CSRF_COOKIE = "mucluc_sign_in_csrf"
AUDIT_PAGE_SIZE = 100


@admin_router.get("/sign-in", response_class=HTMLResponse, name="admin_sign_in")
def sign_in_page(request: Request) -> Response:
    """The sign-in form, with a fresh double-submit token."""
    token = secrets.token_urlsafe(32)
    response = render(request, "admin_sign_in.html", {"sign_in_token": token, "problem": ""})
    _set_sign_in_cookie(request, response, token)
    return response


def _set_sign_in_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SIGN_IN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=security_state(request).settings.session_cookie_secure,
        path="/admin",
    )


@admin_router.post("/sign-in", response_class=HTMLResponse)
def sign_in_submit(
    request: Request,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    sign_in_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Check the password (throttled), start a session, go to the dashboard."""
    security = security_state(request)
    address = client_address(request)
    cookie_token = request.cookies.get(SIGN_IN_CSRF_COOKIE, "")
    if not cookie_token or not hmac.compare_digest(cookie_token, sign_in_token):
        raise PermissionDeniedError("the sign-in form has expired; open it again")
    keys = (f"user:{username.strip().lower()}", f"address:{address}")
    wait = security.sign_in_throttle.retry_after(*keys)
    if wait:
        response = render(
            request,
            "admin_sign_in.html",
            {"sign_in_token": cookie_token, "problem": "too_many", "retry_after": wait},
            status=429,
        )
        response.headers["Retry-After"] = str(wait)
        return response
    try:
        started = sign_in(
            security.store,
            username,
            password,
            client_address=address,
            lifetime=timedelta(minutes=security.settings.session_lifetime_minutes),
        )
    except AuthenticationError:
        security.sign_in_throttle.record_failure(*keys)
        return render(
            request,
            "admin_sign_in.html",
            {"sign_in_token": cookie_token, "problem": "wrong"},
            status=401,
        )
    security.sign_in_throttle.clear(*keys)
    redirect = RedirectResponse("/admin", status_code=303)
    redirect.set_cookie(
        SESSION_COOKIE,
        started.token,
        max_age=security.settings.session_lifetime_minutes * 60,
        httponly=True,
        samesite="strict",
        secure=security.settings.session_cookie_secure,
        path="/",
    )
    redirect.delete_cookie(SIGN_IN_CSRF_COOKIE, path="/admin")
    return redirect


@admin_router.post("/sign-out")
def sign_out_submit(request: Request, csrf_token: CsrfToken = "") -> Response:
    """End the session."""
    session = current_session(request)
    if session is not None:
        check_csrf(session, csrf_token)
        sign_out(
            security_state(request).store,
            request.cookies.get(SESSION_COOKIE, ""),
            client_address=client_address(request),
        )
    response = to_sign_in()
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@admin_router.get("", response_class=HTMLResponse, name="admin_home")
def dashboard(request: Request) -> Response:
    """Who is signed in and which pages they may use."""
    return staff_page(request, "admin_home.html", lambda _staff: {})


@admin_router.get("/keys", response_class=HTMLResponse, name="admin_keys")
def keys_page(request: Request) -> Response:
    """The API keys the signed-in account may manage."""
    return staff_page(request, "admin_keys.html", lambda staff: _keys(request, staff, None))


@admin_router.post("/keys", response_class=HTMLResponse)
def create_key_submit(
    request: Request,
    library: Annotated[str, Form(max_length=32)],
    scope: Annotated[str, Form(max_length=16)] = "write",
    label: Annotated[str, Form(max_length=200)] = "",
    csrf_token: CsrfToken = "",
) -> Response:
    """Issue a key and show it once."""

    def issued(staff: Staff) -> Response:
        new_key = create_api_key(
            security_state(request).store,
            staff.principal,
            library,
            scope=scope,
            label=label,
            client_address=staff.client_address,
        )
        return render(
            request, "admin_keys.html", _keys(request, staff, new_key), session=staff.session
        )

    return staff_form(request, csrf_token, issued)


def _keys(request: Request, staff: Staff, new_key: IssuedApiKey | None) -> dict[str, object]:
    return {
        "keys": list_api_keys(security_state(request).store, staff.principal, None),
        "libraries": library_codes(request, staff.principal),
        "new_key": new_key,
    }


@admin_router.post("/keys/{key_id}/revoke")
def revoke_key_submit(request: Request, key_id: str, csrf_token: CsrfToken = "") -> Response:
    """Revoke a key at once."""
    return staff_change(
        request,
        csrf_token,
        lambda staff: revoke_api_key(
            security_state(request).store,
            staff.principal,
            key_id,
            client_address=staff.client_address,
        ),
        "/admin/keys",
    )


@admin_router.get("/accounts", response_class=HTMLResponse, name="admin_accounts")
def accounts_page(request: Request) -> Response:
    """Staff accounts the signed-in account may manage."""
    return staff_page(
        request,
        "admin_accounts.html",
        lambda staff: {
            "accounts": list_accounts(security_state(request).store, staff.principal),
            "roles": sorted(role.value for role in roles_assignable_by(staff.principal)),
            "libraries": library_codes(request, staff.principal),
        },
    )


@admin_router.post("/accounts")
def create_account_submit(
    request: Request,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    role: Annotated[str, Form(max_length=32)],
    library: Annotated[str, Form(max_length=32)] = "",
    display_name: Annotated[str, Form(max_length=300)] = "",
    csrf_token: CsrfToken = "",
) -> Response:
    """Create an account."""
    return staff_change(
        request,
        csrf_token,
        lambda staff: create_account(
            security_state(request).store,
            staff.principal,
            username=username,
            password=password,
            role=_role(role),
            library_code=library or None,
            display_name=display_name,
            client_address=staff.client_address,
        ),
        "/admin/accounts",
    )


def _role(name: str) -> Role:
    try:
        return Role(name)
    except ValueError as error:
        raise AccountError(f"unknown role {name!r}") from error


@admin_router.get("/audit", response_class=HTMLResponse, name="admin_audit")
async def audit_page(request: Request, after: int = 0) -> Response:
    """The audit log, a page at a time; administrators of a library see their library's."""
    session = await run_in_threadpool(current_session, request)
    if session is None:
        return to_sign_in()
    principal = principal_of_account(session.account)
    library = None if principal.role is Role.NATIONAL_ADMINISTRATOR else principal.library_code
    if not is_allowed(principal, Action.READ_AUDIT, library):
        raise PermissionDeniedError(f"{principal.actor} may not read the audit log")
    events = await run_in_threadpool(
        lambda: read_audit_page(
            security_state(request).store,
            library_code=library,
            after_id=max(after, 0),
            limit=AUDIT_PAGE_SIZE,
        )
    )
    return render(
        request,
        "admin_audit.html",
        {
            "events": events,
            "next_after": events[-1].id if len(events) == AUDIT_PAGE_SIZE else None,
            "library": library,
        },
        session=session,
    )
