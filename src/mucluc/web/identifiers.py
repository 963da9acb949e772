"""Record ids as URLs carry them: whole numbers the store can hold, else a 422 that says so.

A number past the store's integer range would fail in the database driver
(a 500); checked here it is a rejection naming the allowed range.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from mucluc.core.model import MAX_RECORD_ID

UnionRecordId = Annotated[int, Path(ge=1, le=MAX_RECORD_ID, description="A union record id.")]
