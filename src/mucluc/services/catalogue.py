"""Read the catalogue: libraries, union records, counts and exports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TextIO

from mucluc.core.model import LIBRARY_TYPES, LibraryInfo, UnionRecordView
from mucluc.core.ports import CatalogueCounts, CatalogueStore
from mucluc.errors import LibraryError, RecordNotFoundError


def _check_library(library: LibraryInfo) -> None:
    if library.type not in LIBRARY_TYPES:
        raise LibraryError(
            f"unknown library type {library.type!r}; use one of: {', '.join(LIBRARY_TYPES)}"
        )
    if not library.code.strip():
        raise LibraryError("a library code cannot be empty")


def add_library(store: CatalogueStore, library: LibraryInfo) -> None:
    """Register a member library; its code must be new and its type one of LIBRARY_TYPES."""
    _check_library(library)
    with store.transaction() as transaction:
        transaction.add_library(library)


def update_library(store: CatalogueStore, library: LibraryInfo) -> None:
    """Change a member library's names, type, province or contact; its code stays."""
    _check_library(library)
    with store.transaction() as transaction:
        transaction.update_library(library)


def list_libraries(store: CatalogueStore) -> list[LibraryInfo]:
    """Every member library, by code."""
    with store.transaction() as transaction:
        return transaction.list_libraries()


def get_union_record(store: CatalogueStore, union_record_id: int) -> UnionRecordView:
    """A union record as readers see it; a merged record is returned with its pointer.

    Raises RecordNotFoundError for an id that was never given out or whose
    record was deleted.
    """
    with store.transaction() as transaction:
        view = transaction.union_record_view(union_record_id)
    if view is None or view.status == "deleted":
        raise RecordNotFoundError(f"no union record has the id {union_record_id}")
    return view


def catalogue_counts(store: CatalogueStore) -> CatalogueCounts:
    """How much the catalogue holds."""
    with store.transaction() as transaction:
        return transaction.counts()


def export_jsonl_lines(store: CatalogueStore) -> Iterator[str]:
    """One JSON line per active union record: id, title and members."""
    with store.transaction() as transaction:
        for row in transaction.export_rows():
            yield json.dumps(
                {
                    "id": row.id,
                    "title": row.title,
                    "members": [
                        {"library": code, "local_id": local_id} for code, local_id in row.members
                    ],
                },
                ensure_ascii=False,
            )


def export_jsonl(store: CatalogueStore, output: TextIO) -> int:
    """Write the JSON-lines export; return how many union records were written."""
    count = 0
    for line in export_jsonl_lines(store):
        output.write(line + "\n")
        count += 1
    return count
