"""What every admin page shares: templates, who is signed in, the CSRF check, the stores.

A page handler hands `staff_page` what its page shows, a form handler hands
`staff_form` (or `staff_change`, for post/redirect/get) what the form does;
both send a request without a live session to sign in, and a form whose CSRF
token is not the session's is refused. The role rules themselves live in the
services each handler calls.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from mucluc.accounts.ports import SessionView
from mucluc.accounts.roles import Action, Principal, Role, is_allowed
from mucluc.accounts.service import principal_of_account
from mucluc.errors import PermissionDeniedError
from mucluc.services.catalogue import list_libraries
from mucluc.services.jobs import JobBoard
from mucluc.services.quarantine import QuarantineStore
from mucluc.web.catalogue.templates import render as render_page
from mucluc.web.guards import client_address, current_session
from mucluc.web.state import web_state

_environment = Environment(
    loader=ChoiceLoader(
        [
            FileSystemLoader(Path(__file__).parent / "templates"),
            FileSystemLoader(Path(__file__).parents[1] / "catalogue" / "templates"),
        ]
    ),
    autoescape=select_autoescape(default=True),
)
templates = Jinja2Templates(env=_environment)

CsrfToken = Annotated[str, Form(max_length=100)]


@dataclass
class AdminState:
    """The read sides only the admin pages use, attached by `install_security`."""

    jobs: JobBoard
    quarantine: QuarantineStore


def admin_state(request: Request) -> AdminState:
    """The AdminState attached to the application."""
    state: AdminState = request.app.state.admin
    return state


@dataclass(frozen=True)
class Staff:
    """A signed-in staff member: the session (for the page) and the principal (for the rules)."""

    session: SessionView
    principal: Principal
    client_address: str


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any],
    *,
    session: SessionView | None = None,
    status: int = 200,
) -> HTMLResponse:
    """Render an admin page in the reader's language; never cached.

    `may` tells the navigation which pages the signed-in account may use.
    """
    principal = principal_of_account(session.account) if session else None
    page_context = {
        "session": session,
        "csrf_token": session.csrf_token if session else "",
        "may": {
            action.value: principal is not None and may(principal, action) for action in Action
        },
        **context,
    }
    response = render_page(request, name, page_context, status, environment=templates)
    response.headers["Cache-Control"] = "no-store"
    return response


def to_sign_in() -> Response:
    """Where a request without a live session goes."""
    return RedirectResponse("/admin/sign-in", status_code=303)


def redirect(url: str) -> Response:
    """After a successful form, show the page that reflects it (post/redirect/get)."""
    return RedirectResponse(url, status_code=303)


def check_csrf(session: SessionView, token: str) -> None:
    """Refuse a form whose token is not this session's."""
    if not hmac.compare_digest(token, session.csrf_token):
        raise PermissionDeniedError("the form has expired or did not come from this site")


def signed_in(request: Request) -> Staff | None:
    """The signed-in staff member of a page request, or None."""
    session = current_session(request)
    if session is None:
        return None
    return Staff(session, principal_of_account(session.account), client_address(request))


def posting(request: Request, csrf_token: str) -> Staff | None:
    """The signed-in staff member of a form post, after checking its CSRF token."""
    staff = signed_in(request)
    if staff is not None:
        check_csrf(staff.session, csrf_token)
    return staff


def staff_page(
    request: Request, name: str, context_of: Callable[[Staff], Mapping[str, Any]]
) -> Response:
    """Render page `name` for the signed-in staff member, with what `context_of` finds for them."""
    staff = signed_in(request)
    if staff is None:
        return to_sign_in()
    return render(request, name, context_of(staff), session=staff.session)


def staff_form(request: Request, csrf_token: str, answer: Callable[[Staff], Response]) -> Response:
    """Answer a form post of the signed-in staff member, once its CSRF token is checked."""
    staff = posting(request, csrf_token)
    if staff is None:
        return to_sign_in()
    return answer(staff)


def staff_change(
    request: Request, csrf_token: str, change: Callable[[Staff], object], then: str
) -> Response:
    """Make the change a form asks for, then show page `then` (post/redirect/get)."""

    def changed(staff: Staff) -> Response:
        change(staff)
        return redirect(then)

    return staff_form(request, csrf_token, changed)


def may(principal: Principal, action: Action) -> bool:
    """Whether the principal may do `action` on its own library (for links and buttons)."""
    return is_allowed(principal, action, principal.library_code)


def library_codes(request: Request, principal: Principal) -> list[str]:
    """The library codes a form may offer: all for a national administrator, else its own."""
    codes = [library.code for library in list_libraries(web_state(request).store)]
    if principal.role is Role.NATIONAL_ADMINISTRATOR:
        return codes
    return [code for code in codes if code == principal.library_code]
