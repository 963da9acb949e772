"""Which member of a union record speaks for it: the preferred record comes first.

Libraries of national standing catalogue most completely, so the National
Library's record is preferred, then by library type, then the most complete
record (most described elements), then the earliest contributed. Which
libraries come first is a `SourcePriority`, which the deployment may set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mucluc.core.model import BibDescription, MemberView

LIBRARY_TYPE_PRIORITY = (
    "national",
    "university",
    "specialised",
    "provincial",
    "armed_forces",
    "district",
    "commune",
    "school",
    "private_community",
)


def completeness(description: BibDescription) -> int:
    """How many descriptive elements a record fills: a rough but honest measure."""
    single = (
        description.title,
        description.subtitle,
        description.responsibility,
        description.edition,
        description.place,
        description.publisher,
        description.year,
        description.language,
        description.classification,
        description.extent,
    )
    multiple = (description.authors, description.isbns, description.subjects, description.series)
    return sum(1 for value in single if value) + sum(len(values) for values in multiple)


def preference_rank(library_type: str, completeness_score: int, position: int) -> tuple[int, ...]:
    """Sort key of a member: library type first, then completeness, then contribution order."""
    type_rank = (
        LIBRARY_TYPE_PRIORITY.index(library_type)
        if library_type in LIBRARY_TYPE_PRIORITY
        else len(LIBRARY_TYPE_PRIORITY)
    )
    return (type_rank, -completeness_score, position)


def choose_preferred_member(members: Sequence[MemberView]) -> list[MemberView]:
    """Members ordered with the preferred record first; ties keep contribution order."""
    ranked = sorted(
        enumerate(members),
        key=lambda indexed: preference_rank(
            indexed[1].library.type, completeness(indexed[1].description), indexed[0]
        ),
    )
    return [member for _, member in ranked]


@dataclass(frozen=True)
class SourcePriority:
    """Which source speaks for a union record: named libraries first, then library types."""

    library_codes: tuple[str, ...] = ("VN-NLV",)
    library_types: tuple[str, ...] = LIBRARY_TYPE_PRIORITY


def source_rank(library_code: str, library_type: str, priority: SourcePriority) -> tuple[int, int]:
    """Where a library stands in a priority: its place among the named libraries, then by type."""
    code_rank = (
        priority.library_codes.index(library_code)
        if library_code in priority.library_codes
        else len(priority.library_codes)
    )
    type_rank = (
        priority.library_types.index(library_type)
        if library_type in priority.library_types
        else len(priority.library_types)
    )
    return code_rank, type_rank
