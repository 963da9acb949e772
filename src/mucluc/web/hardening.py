"""Request limits and security headers, applied to every answer as one ASGI middleware.

In order: rate limit per client (429 + Retry-After), query-string length
(414), search-query length and result window (400), body size (413, on the
declared length and again while reading); then every answer gets the
security headers: a CSP without inline scripts that forbids framing,
nosniff, a referrer policy.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI

from mucluc.config import Settings
from mucluc.errors import RequestTooLargeError
from mucluc.web.limits import RateLimiter

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# FastAPI's interactive API pages load their script from a CDN and start it inline.
API_DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "img-src 'self' data: https://fastapi.tiangolo.com; object-src 'none'; "
    "frame-ancestors 'none'"
)
API_DOCS_PATHS = ("/docs", "/redoc")
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)
Refusal = tuple[int, str, list[tuple[bytes, bytes]]]
UNLIMITED_PREFIXES = ("/static/", "/healthz", "/metrics")
SEARCH_PARAMETERS = ("q", "query")
REFUSAL_TITLES = {
    400: "Bad request",
    413: "Content too large",
    414: "URI too long",
    429: "Too many requests",
}


class HardeningMiddleware:
    """Limits and headers for every HTTP request (see the module docstring)."""

    def __init__(self, app: App, settings: Settings, limiter: RateLimiter) -> None:
        self.app = app
        self.settings = settings
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse what is over a limit; otherwise pass on, adding the headers to the answer."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        refusal = self._refusal(scope, path)
        send_with_headers = self._adding_headers(send, path)
        if refusal is not None:
            status, detail, headers = refusal
            await _send_problem(send_with_headers, path, status, detail, headers)
            return
        await self.app(scope, self._counting(receive), send_with_headers)

    def _refusal(
        self, scope: Scope, path: str
    ) -> tuple[int, str, list[tuple[bytes, bytes]]] | None:
        if not path.startswith(UNLIMITED_PREFIXES):
            client = scope.get("client")
            wait = self.limiter.retry_after(client[0] if client else "unknown")
            if wait:
                return (
                    429,
                    f"too many requests from this address: try again in {wait} s",
                    [(b"retry-after", str(wait).encode())],
                )
        query_string: bytes = scope.get("query_string", b"")
        if len(query_string) > self.settings.max_query_string_bytes:
            return (
                414,
                f"the query string is longer than {self.settings.max_query_string_bytes} bytes",
                [],
            )
        parameters = dict(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))
        for name in SEARCH_PARAMETERS:
            if len(parameters.get(name, "")) > self.settings.max_search_query_characters:
                limit = self.settings.max_search_query_characters
                return 400, f"the search query `{name}` is longer than {limit} characters", []
        depth = _result_depth(parameters, self.settings.page_size)
        if depth > self.settings.max_result_window:
            return (
                400,
                f"results beyond {self.settings.max_result_window} cannot be paged to; "
                "narrow the search instead",
                [],
            )
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                declared = int(value) if value.isdigit() else 0
                if declared > self.settings.max_request_bytes:
                    return (
                        413,
                        f"the body is larger than {self.settings.max_request_bytes} bytes",
                        [],
                    )
        return None

    def _counting(self, receive: Receive) -> Receive:
        limit = self.settings.max_request_bytes
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise RequestTooLargeError(f"the body is larger than {limit} bytes")
            return message

        return counted

    def _adding_headers(self, send: Send, path: str) -> Send:
        policy = (
            API_DOCS_CONTENT_SECURITY_POLICY
            if path.startswith(API_DOCS_PATHS)
            else CONTENT_SECURITY_POLICY
        )

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _value in headers}
                headers.extend(
                    (name, value) for name, value in SECURITY_HEADERS if name not in present
                )
                headers.append((b"content-security-policy", policy.encode()))
                message["headers"] = headers
            await send(message)

        return with_headers


def _result_depth(parameters: dict[str, str], default_page_size: int) -> int:
    """How deep into a result list a request reaches (web/API paging or SRU)."""

    def number(name: str, default: int) -> int:
        value = parameters.get(name, "")
        return int(value) if value.isdigit() and len(value) < 12 else default

    page = number("page", 1)
    page_size = number("page_size", default_page_size)
    sru_depth = number("startRecord", 1) + number("maximumRecords", 0) - 1
    return max(page * page_size, sru_depth)


async def _send_problem(
    send: Send, path: str, status: int, detail: str, headers: list[tuple[bytes, bytes]]
) -> None:
    """Answer a refused request: problem details under /api/, plain text elsewhere."""
    if path.startswith("/api/"):
        body = json.dumps(
            {
                "type": "about:blank",
                "title": REFUSAL_TITLES[status],
                "status": status,
                "detail": detail,
                "instance": path,
            }
        ).encode()
        content_type = b"application/problem+json"
    else:
        body = detail.encode()
        content_type = b"text/plain; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def install_hardening(app: FastAPI, settings: Settings) -> RateLimiter:
    """Add the middleware (outermost) to the app; return its limiter for tests and metrics."""
    limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
    app.add_middleware(HardeningMiddleware, settings=settings, limiter=limiter)
    return limiter
