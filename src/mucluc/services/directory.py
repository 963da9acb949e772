"""The library directory: every member library with what it contributes."""

from __future__ import annotations

from mucluc.core.model import LibraryStatistics
from mucluc.core.ports import LibraryDirectory
from mucluc.errors import LibraryNotFoundError


def library_directory(directory: LibraryDirectory) -> list[LibraryStatistics]:
    """Every member library with its counts, by code."""
    return directory.library_statistics()


def library_entry(directory: LibraryDirectory, code: str) -> LibraryStatistics:
    """One member library with its counts; raises LibraryNotFoundError for an unknown code."""
    found = directory.library_statistics(code)
    if not found:
        raise LibraryNotFoundError(f"no member library has the code {code!r}")
    return found[0]
