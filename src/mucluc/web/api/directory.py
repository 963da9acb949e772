"""`/api/v1/libraries` and `/api/v1/stats`: the member libraries and what the catalogue holds."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request

from mucluc.core.model import LibraryStatistics
from mucluc.services import directory as directory_service
from mucluc.services.catalogue import catalogue_counts
from mucluc.web.state import web_state

directory_api_router = APIRouter(prefix="/api/v1", tags=["libraries"])


def library_representation(entry: LibraryStatistics) -> dict[str, Any]:
    """A member library with its counts, as JSON."""
    return {
        **asdict(entry.library),
        "source_records": entry.source_records,
        "union_records": entry.union_records,
        "holdings": entry.holdings,
        "copies": entry.copies,
    }


@directory_api_router.get("/libraries")
def libraries(request: Request) -> dict[str, Any]:
    """Every member library with its type, province and counts."""
    entries = directory_service.library_directory(web_state(request).directory)
    return {"libraries": [library_representation(entry) for entry in entries]}


@directory_api_router.get("/libraries/{code}")
def library(request: Request, code: str) -> dict[str, Any]:
    """One member library."""
    return library_representation(
        directory_service.library_entry(web_state(request).directory, code)
    )


@directory_api_router.get("/stats")
def statistics(request: Request) -> dict[str, Any]:
    """How much the catalogue holds."""
    return asdict(catalogue_counts(web_state(request).store))
