"""For operators: `/healthz` (is the store reachable, how far is the index) and `/metrics`.

`/metrics` speaks the Prometheus text format: request counts and latencies
by route, and the catalogue's size, read from the store at scrape time.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mucluc.core.ports import CatalogueStore
from mucluc.services.catalogue import catalogue_counts
from mucluc.web.state import web_state

operations_router = APIRouter(include_in_schema=False)


class CatalogueCollector(Collector):
    """Reports the catalogue's counts as gauges when Prometheus scrapes."""

    def __init__(self, store: CatalogueStore) -> None:
        self.store = store

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """One gauge per count of `catalogue_counts`."""
        counts = catalogue_counts(self.store)
        for name, value in vars(counts).items():
            yield GaugeMetricFamily(
                f"mucluc_{name}", f"Catalogue {name.replace('_', ' ')}", value=value
            )


class RequestMetrics:
    """Per-application Prometheus registry with request counters and latencies."""

    def __init__(self, store: CatalogueStore) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "mucluc_http_requests",
            "HTTP requests answered",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "mucluc_http_request_seconds",
            "Time to answer HTTP requests",
            ["route"],
            registry=self.registry,
        )
        self.registry.register(CatalogueCollector(store))

    def install(self, app: FastAPI) -> None:
        """Count and time every request by its route template (never by raw path)."""
        app.add_middleware(RequestMetricsMiddleware, metrics=self)

    def observe(self, scope: Scope, status: int, seconds: float) -> None:
        """Record one answered request; the router has put the matched route in `scope`."""
        template = getattr(scope.get("route"), "path", "unmatched")
        self.latency.labels(template).observe(seconds)
        self.requests.labels(template, scope["method"], str(status)).inc()


class RequestMetricsMiddleware:
    """Times each HTTP request until its answer is sent, as a plain ASGI middleware.

    Starlette's `BaseHTTPMiddleware` (what `@app.middleware("http")` builds)
    runs every request through an extra task and memory streams, a cost every
    search paid (issue #5).
    """

    def __init__(self, app: ASGIApp, metrics: RequestMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, noting the status it is answered with."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the application raises before answering

        async def noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, noting_status)
        finally:
            self.metrics.observe(scope, status, time.perf_counter() - started)


@operations_router.get("/healthz")
def health(request: Request) -> Response:
    """200 when the store answers; says how far the index has followed the change log."""
    state = web_state(request)
    try:
        with state.store.transaction() as transaction:
            latest = transaction.latest_change_sequence()
    except SQLAlchemyError as error:
        return JSONResponse({"status": "unavailable", "detail": str(error.__class__.__name__)}, 503)
    applied = state.follower.index.applied_sequence()
    body: dict[str, Any] = {
        "status": "ok",
        "change_log_sequence": latest,
        "index_sequence": applied,
        "index_lag": max(0, latest - applied),
    }
    return JSONResponse(body)


@operations_router.get("/metrics")
def metrics(request: Request) -> Response:
    """Prometheus text exposition."""
    registry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
