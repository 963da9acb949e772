"""Admin page of the ISBN blocklist: ISBNs printed in many different books.

Blocking or unblocking re-matches the records carrying the ISBN at once
(the matcher's own service); each change is audited.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from mucluc.services.curation import isbn_blocklist, staff_block_isbn, staff_unblock_isbn
from mucluc.web.admin.pages import CsrfToken, staff_change, staff_page
from mucluc.web.state import web_state

BLOCKLIST_PAGE = "/admin/isbn-blocklist"
blocklist_router = APIRouter(prefix=BLOCKLIST_PAGE, include_in_schema=False)


@blocklist_router.get("", response_class=HTMLResponse, name="admin_blocklist")
def blocklist_page(request: Request) -> Response:
    """The blocked ISBNs with who blocked them and why, and the form to add one."""
    return staff_page(
        request,
        "admin_blocklist.html",
        lambda staff: {"entries": isbn_blocklist(web_state(request).store, staff.principal)},
    )


@blocklist_router.post("")
def block_submit(
    request: Request,
    isbn: Annotated[str, Form(min_length=1, max_length=40)],
    reason: Annotated[str, Form(max_length=2_000)] = "",
    csrf_token: CsrfToken = "",
) -> Response:
    """Block an ISBN (checked and normalised to ISBN-13)."""
    return staff_change(
        request,
        csrf_token,
        lambda staff: staff_block_isbn(
            web_state(request).store,
            staff.principal,
            isbn,
            reason=reason,
            client_address=staff.client_address,
        ),
        BLOCKLIST_PAGE,
    )


@blocklist_router.post("/{isbn}/remove")
def unblock_submit(request: Request, isbn: str, csrf_token: CsrfToken = "") -> Response:
    """Take an ISBN off the blocklist."""
    return staff_change(
        request,
        csrf_token,
        lambda staff: staff_unblock_isbn(
            web_state(request).store,
            staff.principal,
            isbn,
            client_address=staff.client_address,
        ),
        BLOCKLIST_PAGE,
    )
