"""OAI-PMH sets: per member library, per library type and per province.

Set specs (OAI-PMH 2.0 §4.6, setSpecType) are `library:VN-NLV`,
`type:national` and `province:ha-noi` (the province name folded to ASCII,
words joined by hyphens), each under its top-level set `library`, `type`
and `province`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from mucluc.core.model import LibraryInfo
from mucluc.core.normalise.text import fold_key

_NOT_SPEC_CHARACTER = re.compile(r"[^A-Za-z0-9\-_.!~*'()]+")
TOP_LEVEL_SETS = {
    "library": "Thư viện thành viên (member libraries)",
    "type": "Loại thư viện (library types)",
    "province": "Tỉnh, thành phố (provinces)",
}


@dataclass(frozen=True)
class OaiSet:
    """A set as ListSets shows it."""

    spec: str
    name: str


def spec_part(text: str) -> str:
    """Text as one setSpec component: ASCII letters, digits and `-_.!~*'()` only."""
    return _NOT_SPEC_CHARACTER.sub("-", fold_key(text).strip()).strip("-") or "-"


@cache
def library_set_specs(library: LibraryInfo) -> tuple[str, ...]:
    """The leaf sets a library's records belong to."""
    specs = [f"library:{_NOT_SPEC_CHARACTER.sub('-', library.code)}", f"type:{library.type}"]
    if library.province:
        specs.append(f"province:{spec_part(library.province)}")
    return tuple(specs)


def record_set_specs(libraries: Iterable[LibraryInfo]) -> list[str]:
    """The leaf sets of a record held by these libraries, each once."""
    return list(dict.fromkeys(spec for library in libraries for spec in library_set_specs(library)))


def list_sets(libraries: Iterable[LibraryInfo]) -> list[OaiSet]:
    """Every set, top-level sets first, then leaves in spec order."""
    leaves: dict[str, str] = {}
    for library in libraries:
        library_spec, type_spec, *province = library_set_specs(library)
        leaves[library_spec] = f"{library.name_vi} ({library.code})"
        leaves[type_spec] = library.type.replace("_", " ")
        if province and library.province:
            leaves[province[0]] = library.province
    return [OaiSet(spec, name) for spec, name in TOP_LEVEL_SETS.items()] + [
        OaiSet(spec, leaves[spec]) for spec in sorted(leaves)
    ]


def libraries_in_set(set_spec: str, libraries: Iterable[LibraryInfo]) -> tuple[str, ...]:
    """Codes of the libraries whose records make up a set (empty for an unknown set)."""
    codes = []
    for library in libraries:
        specs = library_set_specs(library)
        in_top_level = set_spec in TOP_LEVEL_SETS and any(
            spec.startswith(f"{set_spec}:") for spec in specs
        )
        if in_top_level or set_spec in specs:
            codes.append(library.code)
    return tuple(codes)
