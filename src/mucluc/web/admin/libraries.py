"""Admin pages for member libraries: everyone signed in sees them, administrators edit.

A national administrator adds libraries and edits any; a library
administrator edits only its own (the rules are in the services).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Protocol

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from mucluc.accounts.roles import Action, Principal, is_allowed
from mucluc.core.model import LIBRARY_TYPES, LibraryInfo
from mucluc.core.ports import CatalogueStore
from mucluc.services.audit import AuditLog
from mucluc.services.catalogue import list_libraries
from mucluc.services.library_admin import (
    edit_library,
    editable_library,
    may_add_libraries,
    register_library,
)
from mucluc.web.admin.pages import CsrfToken, Staff, staff_change, staff_page
from mucluc.web.guards import security_state
from mucluc.web.state import web_state

LIBRARIES_PAGE = "/admin/libraries"
libraries_router = APIRouter(prefix=LIBRARIES_PAGE, include_in_schema=False)

Code = Annotated[str, Form(max_length=32)]
Name = Annotated[str, Form(min_length=1, max_length=300)]
Type = Annotated[str, Form(max_length=32)]
Province = Annotated[str, Form(max_length=100)]
Contact = Annotated[str, Form(max_length=300)]


def _library_details(
    name_vi: Name,
    name_en: Name,
    library_type: Type,
    province: Province = "",
    contact: Contact = "",
) -> Callable[[str], LibraryInfo]:
    """The details both library forms post, as the library of a code (posted, or in the path)."""
    return lambda code: LibraryInfo(
        code.strip(),
        name_vi.strip(),
        name_en.strip(),
        library_type,
        province.strip() or None,
        contact.strip() or None,
    )


LibraryDetails = Annotated[Callable[[str], LibraryInfo], Depends(_library_details)]


class _LibrarySave(Protocol):
    def __call__(
        self,
        store: CatalogueStore,
        audit_log: AuditLog,
        principal: Principal,
        library: LibraryInfo,
        *,
        client_address: str = "",
    ) -> None: ...


def _save(request: Request, csrf_token: str, save: _LibrarySave, library: LibraryInfo) -> Response:
    """Register or edit (`save`) the library a form describes; back to the list."""
    return staff_change(
        request,
        csrf_token,
        lambda staff: save(
            web_state(request).store,
            security_state(request).store,
            staff.principal,
            library,
            client_address=staff.client_address,
        ),
        LIBRARIES_PAGE,
    )


@libraries_router.get("", response_class=HTMLResponse, name="admin_libraries")
def libraries_page(request: Request) -> Response:
    """Every member library; edit links where the signed-in account may edit."""

    def context_of(staff: Staff) -> dict[str, object]:
        libraries = list_libraries(web_state(request).store)
        return {
            "libraries": libraries,
            "editable": {
                library.code
                for library in libraries
                if is_allowed(staff.principal, Action.MANAGE_LIBRARIES, library.code)
            },
            "may_add": may_add_libraries(staff.principal),
            "library_types": LIBRARY_TYPES,
        }

    return staff_page(request, "admin_libraries.html", context_of)


@libraries_router.post("")
def add_library_submit(
    request: Request,
    code: Code,
    details: LibraryDetails,
    csrf_token: CsrfToken = "",
) -> Response:
    """Register a new member library (national administrators)."""
    return _save(request, csrf_token, register_library, details(code))


@libraries_router.get("/{code}", response_class=HTMLResponse, name="admin_library")
def library_page(request: Request, code: str) -> Response:
    """The form to edit one library's details."""
    return staff_page(
        request,
        "admin_library.html",
        lambda staff: {
            "library": editable_library(web_state(request).store, staff.principal, code),
            "library_types": LIBRARY_TYPES,
        },
    )


@libraries_router.post("/{code}")
def edit_library_submit(
    request: Request,
    code: str,
    details: LibraryDetails,
    csrf_token: CsrfToken = "",
) -> Response:
    """Save a library's details (its own administrator, or a national one)."""
    return _save(request, csrf_token, edit_library, details(code))
