"""Admin page of union records for merge reviewers: look one up, merge, split, never-merge.

Each form goes through the same matcher services as `mucluc dedup`, so the
decision is stored with its reason, audited, and kept by every later run;
the page then shows the union records as they are now.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from mucluc.services.curation import (
    review_union_records,
    staff_merge,
    staff_never_merge,
    staff_split,
)
from mucluc.web.admin.pages import CsrfToken, redirect, staff_form, staff_page
from mucluc.web.state import web_state

union_records_router = APIRouter(prefix="/admin/union-records", include_in_schema=False)

Reference = Annotated[str, Form(min_length=1, max_length=250)]
Reason = Annotated[str, Form(max_length=2_000)]
MEMBER_SEPARATORS = re.compile(r"[\s,;]+")
SHOWN_AT_ONCE = 10


def _showing(*union_record_ids: int) -> Response:
    query = "&".join(f"record={union_id}" for union_id in union_record_ids)
    return redirect(f"/admin/union-records?{query}")


@union_records_router.get("", response_class=HTMLResponse, name="admin_union_records")
def union_records_page(
    request: Request, record: Annotated[list[str] | None, Query(max_length=250)] = None
) -> Response:
    """The forms, and the members of the union records asked for with the links between them."""
    return staff_page(
        request,
        "admin_union_records.html",
        lambda staff: {
            "explanations": review_union_records(
                web_state(request).store, staff.principal, (record or [])[:SHOWN_AT_ONCE]
            )
        },
    )


@union_records_router.post("/merge")
def merge_submit(
    request: Request,
    first: Reference,
    second: Reference,
    reason: Reason = "",
    csrf_token: CsrfToken = "",
) -> Response:
    """Merge two union records; show the one that stands for both."""
    return staff_form(
        request,
        csrf_token,
        lambda staff: _showing(
            staff_merge(
                web_state(request).store,
                staff.principal,
                [first, second],
                reason=reason,
                client_address=staff.client_address,
            )
        ),
    )


@union_records_router.post("/split")
def split_submit(
    request: Request,
    record: Reference,
    members: Annotated[str, Form(min_length=1, max_length=10_000)],
    reason: Reason = "",
    csrf_token: CsrfToken = "",
) -> Response:
    """Split members (LIBRARY:LOCAL-ID, one a line) off a union record; show both parts."""
    return staff_form(
        request,
        csrf_token,
        lambda staff: _showing(
            *staff_split(
                web_state(request).store,
                staff.principal,
                record,
                [member for member in MEMBER_SEPARATORS.split(members) if member],
                reason=reason,
                client_address=staff.client_address,
            )
        ),
    )


@union_records_router.post("/never-merge")
def never_merge_submit(
    request: Request,
    first: Reference,
    second: Reference,
    reason: Reason = "",
    csrf_token: CsrfToken = "",
) -> Response:
    """Keep two union records apart for good; show both."""
    return staff_form(
        request,
        csrf_token,
        lambda staff: _showing(
            *staff_never_merge(
                web_state(request).store,
                staff.principal,
                first,
                second,
                reason=reason,
                client_address=staff.client_address,
            )
        ),
    )
