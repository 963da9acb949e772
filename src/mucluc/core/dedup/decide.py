"""The first matching rule: join a union record that shares an ISBN, never twice per library.

Two records of one library are never merged automatically: a library that
catalogued an edition twice has its reasons (copies, volumes, errors), and
a wrong merge would hide one of its records.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence


def choose_union_record(
    candidates: Sequence[int],
    library_id: int,
    libraries_of: Callable[[int], set[int]],
) -> int | None:
    """The lowest-numbered candidate without a member from the same library, or None.

    Args:
        candidates: union record ids sharing a blocking key, lowest first.
        library_id: the library contributing the record being matched.
        libraries_of: gives the libraries already present in a union record.
    """
    for union_record_id in candidates:
        if library_id not in libraries_of(union_record_id):
            return union_record_id
    return None
