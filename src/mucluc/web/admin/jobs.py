"""The admin page of ingest work: file loads, harvested pages and contribution API jobs.

While a job runs the page refreshes itself, showing the records stored so far.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from mucluc.services.jobs import jobs_overview
from mucluc.web.admin.pages import Staff, admin_state, staff_page

jobs_router = APIRouter(prefix="/admin/jobs", include_in_schema=False)

REFRESH_SECONDS = 5


@jobs_router.get("", response_class=HTMLResponse, name="admin_jobs")
def jobs_page(request: Request, library: str | None = None) -> Response:
    """The latest jobs of the account's library; a national admin sees all, or one library."""

    def context_of(staff: Staff) -> dict[str, object]:
        overview = jobs_overview(admin_state(request).jobs, staff.principal, library or None)
        return {
            "overview": overview,
            "refresh_seconds": REFRESH_SECONDS if overview.running else None,
        }

    return staff_page(request, "admin_jobs.html", context_of)
