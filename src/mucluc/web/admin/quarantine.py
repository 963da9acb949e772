"""Admin pages of the quarantine: read why, fix and re-submit, or discard with a note.

The fix is edited as MarcEdit mnemonic text and goes through ingest for the
record's library, so its outcome is ingest's: added, updated, or
quarantined again with new reasons.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from mucluc.services.quarantine import (
    discard_quarantined,
    list_quarantine,
    read_quarantined,
    resubmit_quarantined,
)
from mucluc.web.admin.pages import (
    CsrfToken,
    Staff,
    admin_state,
    render,
    staff_change,
    staff_form,
    staff_page,
)
from mucluc.web.state import web_state

QUARANTINE_PAGE = "/admin/quarantine"
quarantine_router = APIRouter(prefix=QUARANTINE_PAGE, include_in_schema=False)

MNEMONIC_LENGTH = 200_000  # a MARC record is at most 99,999 bytes; its mnemonic a little more


@quarantine_router.get("", response_class=HTMLResponse, name="admin_quarantine")
def quarantine_page(
    request: Request, library: str | None = None, job: int | None = None
) -> Response:
    """Quarantined records of the account's library (any library for a national admin)."""
    return staff_page(
        request,
        "admin_quarantine.html",
        lambda staff: {
            "records": list_quarantine(
                admin_state(request).quarantine, staff.principal, library or None, job
            ),
            "library": library or "",
            "job": job,
        },
    )


@quarantine_router.get("/{record_id}", response_class=HTMLResponse, name="admin_quarantined")
def quarantined_page(request: Request, record_id: int) -> Response:
    """One quarantined record: its problems, its raw bytes, the fix and discard forms."""
    return staff_page(
        request,
        "admin_quarantined.html",
        lambda staff: {
            "record": read_quarantined(admin_state(request).quarantine, staff.principal, record_id)
        },
    )


@quarantine_router.post("/{record_id}/resubmit", response_class=HTMLResponse)
def resubmit_submit(
    request: Request,
    record_id: int,
    mnemonic: Annotated[str, Form(min_length=1, max_length=MNEMONIC_LENGTH)],
    csrf_token: CsrfToken = "",
) -> Response:
    """Ingest the fixed record for its library and say what became of it."""

    def resubmitted(staff: Staff) -> Response:
        resubmission = resubmit_quarantined(
            admin_state(request).quarantine,
            web_state(request).store,
            staff.principal,
            record_id,
            mnemonic,
            client_address=staff.client_address,
        )
        return render(
            request,
            "admin_resubmitted.html",
            {"resubmission": resubmission},
            session=staff.session,
        )

    return staff_form(request, csrf_token, resubmitted)


@quarantine_router.post("/{record_id}/discard")
def discard_submit(
    request: Request,
    record_id: int,
    note: Annotated[str, Form(max_length=2_000)] = "",
    csrf_token: CsrfToken = "",
) -> Response:
    """Discard the record with the note saying why; back to the list."""
    return staff_change(
        request,
        csrf_token,
        lambda staff: discard_quarantined(
            admin_state(request).quarantine,
            staff.principal,
            record_id,
            note,
            client_address=staff.client_address,
        ),
        QUARANTINE_PAGE,
    )
