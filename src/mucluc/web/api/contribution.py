"""The contribution API: member libraries send, replace and delete their records; jobs; audit.

    POST   /api/v1/libraries/{code}/records             a body like a file to ingest
    PUT    /api/v1/libraries/{code}/records/{local_id}  one record, replacing that id
    DELETE /api/v1/libraries/{code}/records/{local_id}
    GET    /api/v1/jobs/{id}                            what became of a body
    GET    /api/v1/libraries/{code}/export              the library's records and holdings (ZIP)
    GET    /api/v1/audit                                the audit log (administrators)
    GET    /api/v1/audit/export                         the audit log as JSON lines or CSV

Writes need `Authorization: Bearer KEY` with a write key of that library (or
a signed-in session with the right role and its CSRF token): no key is 401,
another library's key is 403. The export takes any key of that library, read or write.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from mucluc.accounts.roles import Action, Principal, Role, authorise
from mucluc.errors import ContributionError
from mucluc.services.audit import (
    audit_csv_lines,
    audit_json_lines,
    iter_audit_events,
    read_audit_page,
)
from mucluc.services.contribution import (
    Contribution,
    queue_contribution,
    read_job,
    record_format_of,
    run_contribution,
)
from mucluc.services.library_export import (
    LIBRARY_EXPORT_FORMATS,
    LibraryExport,
    library_records,
)
from mucluc.web.guards import api_principal, client_address, security_state
from mucluc.web.state import web_state

contribution_router = APIRouter(prefix="/api/v1", tags=["contribution"])

LOCAL_ID_MAX_LENGTH = 200


async def _contribute(
    request: Request, principal: Principal, contribution: Contribution
) -> JSONResponse:
    """Queue the job; ingest now if the body is small, else in the background (202)."""
    security = security_state(request)
    store = web_state(request).store
    job_id = await run_in_threadpool(queue_contribution, security.store, principal, contribution)
    address = client_address(request)
    location = {"Location": f"/api/v1/jobs/{job_id}"}
    if len(contribution.body) > security.settings.contribution_synchronous_bytes:
        security.executor.submit(
            run_contribution,
            store,
            security.store,
            principal,
            contribution,
            job_id,
            client_address=address,
        )
        return JSONResponse({"job": job_id, "status": "queued"}, status_code=202, headers=location)
    job = await run_in_threadpool(
        run_contribution,
        store,
        security.store,
        principal,
        contribution,
        job_id,
        client_address=address,
    )
    return JSONResponse(job.to_json(), headers=location)


def _check_local_id(local_id: str) -> str:
    if not local_id.strip() or len(local_id) > LOCAL_ID_MAX_LENGTH:
        raise ContributionError(f"a local id has 1 to {LOCAL_ID_MAX_LENGTH} characters")
    return local_id


@contribution_router.post("/libraries/{code}/records", summary="Send records to ingest")
async def submit_records(request: Request, code: str) -> JSONResponse:
    """Ingest a body of MARC 21, MARCXML or MARC-in-JSON records for the library."""
    principal = await run_in_threadpool(api_principal, request)
    authorise(principal, Action.WRITE_RECORDS, code)
    record_format = record_format_of(request.headers.get("content-type", ""))
    body = await request.body()
    return await _contribute(request, principal, Contribution(code, "submit", record_format, body))


@contribution_router.put("/libraries/{code}/records/{local_id}", summary="Replace one record")
async def replace_record(request: Request, code: str, local_id: str) -> JSONResponse:
    """Replace (or add) the library's record with this local id; its 001 must match."""
    principal = await run_in_threadpool(api_principal, request)
    authorise(principal, Action.WRITE_RECORDS, code)
    record_format = record_format_of(request.headers.get("content-type", ""))
    body = await request.body()
    contribution = Contribution(code, "replace", record_format, body, _check_local_id(local_id))
    return await _contribute(request, principal, contribution)


@contribution_router.delete("/libraries/{code}/records/{local_id}", summary="Delete one record")
async def delete_record(request: Request, code: str, local_id: str) -> JSONResponse:
    """Delete the library's record with this local id (its holdings leave the union record)."""
    principal = await run_in_threadpool(api_principal, request)
    authorise(principal, Action.WRITE_RECORDS, code)
    contribution = Contribution(code, "delete", "marc21", b"", _check_local_id(local_id))
    return await _contribute(request, principal, contribution)


@contribution_router.get("/jobs/{job_id}", summary="A contribution job")
def job(request: Request, job_id: int) -> dict[str, Any]:
    """What became of a body: status, and ingest's counts once finished."""
    principal = api_principal(request)
    return read_job(security_state(request).store, principal, job_id).to_json()


@contribution_router.get("/libraries/{code}/export", summary="A library's own records")
def export_library(
    request: Request,
    code: str,
    export_format: Annotated[
        str,
        Query(alias="format", description=f"One of: {', '.join(LIBRARY_EXPORT_FORMATS)}."),
    ] = "marc",
) -> StreamingResponse:
    """Every record and holding the library contributed, as a ZIP with a manifest (its backup)."""
    principal = api_principal(request)
    records = library_records(security_state(request).store, principal, code)
    export = LibraryExport(code, records, export_format)
    return StreamingResponse(
        export.chunks(),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{code}-{export.export.name}.zip"'},
    )


def _audit_scope(principal: Principal, library: str | None) -> str | None:
    """The library whose events a principal reads: a library administrator only its own."""
    if library is None and principal.role is not Role.NATIONAL_ADMINISTRATOR:
        library = principal.library_code
    authorise(principal, Action.READ_AUDIT, library)
    return library


@contribution_router.get("/audit", summary="The audit log")
def audit(
    request: Request,
    library: Annotated[str | None, Query(description="Only this library's events.")] = None,
    after: Annotated[int, Query(ge=0, description="Events after this id.")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many.")] = 100,
) -> dict[str, Any]:
    """Audit events, oldest first; page on with `after` = the last id."""
    principal = api_principal(request)
    scope = _audit_scope(principal, library)
    events = read_audit_page(
        security_state(request).store, library_code=scope, after_id=after, limit=limit
    )
    return {"events": [event.to_json() for event in events]}


@contribution_router.get("/audit/export", summary="The audit log as a file")
def audit_export(
    request: Request,
    library: Annotated[str | None, Query(description="Only this library's events.")] = None,
    export_format: Annotated[
        str, Query(alias="format", pattern="^(jsonl|csv)$", description="jsonl or csv.")
    ] = "jsonl",
) -> StreamingResponse:
    """Every audit event (of one library, for its administrator) as JSON lines or CSV."""
    principal = api_principal(request)
    scope = _audit_scope(principal, library)
    events = iter_audit_events(security_state(request).store, library_code=scope)
    if export_format == "csv":
        return StreamingResponse(
            audit_csv_lines(events),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
        )
    return StreamingResponse(
        audit_json_lines(events),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="audit.jsonl"'},
    )
