"""The library directory pages: every member library, and a page for each."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from mucluc.services import directory as directory_service
from mucluc.web.catalogue.templates import render
from mucluc.web.i18n import N_
from mucluc.web.state import web_state

directory_router = APIRouter(include_in_schema=False)

LIBRARY_TYPE_NAMES = {
    "national": N_("National library"),
    "provincial": N_("Provincial library"),
    "district": N_("District library"),
    "commune": N_("Commune library"),
    "university": N_("University library"),
    "school": N_("School library"),
    "specialised": N_("Specialised library"),
    "armed_forces": N_("Armed forces library"),
    "private_community": N_("Private or community library"),
}


@directory_router.get("/libraries", response_class=HTMLResponse)
def library_directory(request: Request) -> HTMLResponse:
    """Every member library with its type, province and counts."""
    entries = directory_service.library_directory(web_state(request).directory)
    return render(
        request,
        "libraries.html",
        {"libraries": entries, "library_type_names": LIBRARY_TYPE_NAMES},
    )


@directory_router.get("/libraries/{code}", response_class=HTMLResponse)
def library_page(request: Request, code: str) -> HTMLResponse:
    """One member library."""
    entry = directory_service.library_entry(web_state(request).directory, code)
    return render(
        request, "library.html", {"entry": entry, "library_type_names": LIBRARY_TYPE_NAMES}
    )
