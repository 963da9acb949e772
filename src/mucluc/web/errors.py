"""One place that turns mucluc errors into HTTP answers.

The API answers with RFC 9457 problem details (`application/problem+json`);
catalogue pages answer with a page in plain words, never a traceback.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from mucluc.errors import (
    AccountError,
    AuthenticationError,
    ContributionError,
    DedupError,
    IngestError,
    JobNotFoundError,
    LibraryError,
    LibraryNotFoundError,
    MuclucError,
    PermissionDeniedError,
    QuarantineError,
    QueryError,
    RecordNotFoundError,
    RequestTooLargeError,
    TooManyRequestsError,
    UnsupportedFormatError,
)
from mucluc.web.catalogue.templates import render

logger = logging.getLogger(__name__)

STATUS_BY_ERROR: dict[type[Exception], int] = {
    RecordNotFoundError: 404,
    LibraryNotFoundError: 404,
    QueryError: 400,
    # Staff administration (issue #9): a form naming something unusable.
    LibraryError: 400,
    DedupError: 400,
    QuarantineError: 400,
    IngestError: 400,
    # Accounts, keys and the contribution API (issue #9).
    AuthenticationError: 401,
    PermissionDeniedError: 403,
    AccountError: 400,
    ContributionError: 400,
    UnsupportedFormatError: 415,
    JobNotFoundError: 404,
    RequestTooLargeError: 413,
    TooManyRequestsError: 429,
}
TITLES = {
    400: "Bad request",
    401: "Unauthorised",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Invalid request",
    429: "Too many requests",
    500: "Internal server error",
}


def problem(request: Request, status: int, detail: str) -> Response:
    """A problem-details answer for the API, an error page for everything else."""
    if request.url.path.startswith("/api/"):
        return JSONResponse(
            {
                "type": "about:blank",
                "title": TITLES.get(status, "Error"),
                "status": status,
                "detail": detail,
                "instance": request.url.path,
            },
            status_code=status,
            media_type="application/problem+json",
        )
    return render(request, "error.html", {"status": status, "detail": detail}, status=status)


def status_of(error: Exception) -> int:
    """The HTTP status of a mucluc error, found through its class and its ancestors."""
    for error_class in type(error).__mro__:
        if error_class in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[error_class]
    return 500


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on the application."""

    async def on_mucluc_error(request: Request, error: Exception) -> Response:
        response = problem(request, status_of(error), str(error))
        if isinstance(error, AuthenticationError):
            response.headers["WWW-Authenticate"] = 'Bearer realm="mucluc"'
        if isinstance(error, TooManyRequestsError):
            response.headers["Retry-After"] = str(error.retry_after_seconds)
        return response

    async def on_http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        return problem(request, error.status_code, str(error.detail))

    async def on_validation_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        details = "; ".join(
            f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}"
            for item in error.errors()
        )
        return problem(request, 422, details)

    async def on_unexpected_error(request: Request, error: Exception) -> Response:
        # A fault of ours: logged in full here, the client gets plain words, never a traceback.
        logger.error("request_failed", exc_info=error, extra={"path": request.url.path})
        return problem(request, 500, "the server failed to answer; the failure is logged")

    app.add_exception_handler(MuclucError, on_mucluc_error)
    app.add_exception_handler(Exception, on_unexpected_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
