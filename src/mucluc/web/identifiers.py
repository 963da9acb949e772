"""Record ids as URLs carry them: whole numbers the store can hold, else a 422 that says so.

A number past the store's integer range would fail in the database driver
(a 500); checked here it is a rejection naming the allowed range.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request

from mucluc.core.model import MAX_RECORD_ID

UnionRecordId = Annotated[int, Path(ge=1, le=MAX_RECORD_ID, description="A union record id.")]


def record_page_url_prefix(request: Request) -> str:
    """The absolute URL of a record page without the id: append one to link that record.

    Starlette's `url_for` walks every route on each call; a page of results
    links many records, so it asks once.
    """
    return str(request.url_for("record_page", union_record_id=0)).removesuffix("0")
