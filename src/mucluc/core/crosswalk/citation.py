"""Citation formats for reference managers: BibTeX, RIS and CSL-JSON.

Vietnamese personal names are written family name first with no comma
("Nguyễn Du"); citation formats would take the last word as the family name,
so such names are passed as one literal name (BibTeX `{Nguyễn Du}`, CSL
`literal`). Names catalogued inverted with a comma ("Nguyễn, Du") are passed
as family and given names. Pure functions over `BibDescription`; no I/O.
"""

from __future__ import annotations

from typing import Any

from mucluc.core.model import BibDescription

BIBTEX_SPECIAL_CHARACTERS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "_": r"\_",
}


def _bibtex_text(text: str) -> str:
    return "".join(BIBTEX_SPECIAL_CHARACTERS.get(character, character) for character in text)


def _bibtex_name(name: str) -> str:
    if "," in name:
        return _bibtex_text(name)
    return "{" + _bibtex_text(name) + "}"


def to_bibtex(key: str, description: BibDescription) -> str:
    """One `@book` entry; the key should be stable, e.g. "mucluc123"."""
    fields: list[tuple[str, str]] = [("title", "{" + _bibtex_text(description.full_title) + "}")]
    if description.authors:
        authors = " and ".join(_bibtex_name(name) for name in description.authors)
        fields.append(("author", "{" + authors + "}"))
    optional = (
        ("edition", description.edition),
        ("publisher", description.publisher),
        ("address", description.place),
        ("year", str(description.year) if description.year else ""),
        ("isbn", ", ".join(description.isbns)),
        ("series", "; ".join(description.series)),
        ("language", description.language),
        ("keywords", ", ".join(description.subjects)),
    )
    fields.extend((name, "{" + _bibtex_text(value) + "}") for name, value in optional if value)
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@book{{{key},\n{body}\n}}\n"


def to_ris(description: BibDescription, url: str = "") -> str:
    """One RIS reference (type BOOK), lines `TAG  - value`, ending with `ER  -`."""
    lines = [("TY", "BOOK"), ("TI", description.full_title)]
    lines.extend(("AU", name) for name in description.authors)
    lines.extend(
        (tag, value)
        for tag, value in (
            ("ET", description.edition),
            ("PB", description.publisher),
            ("CY", description.place),
            ("PY", str(description.year) if description.year else ""),
            ("LA", description.language),
            ("UR", url),
        )
        if value
    )
    lines.extend(("SN", isbn) for isbn in description.isbns)
    lines.extend(("T3", series) for series in description.series)
    lines.extend(("KW", subject) for subject in description.subjects)
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {value}".rstrip() + "\n" for tag, value in lines)


def _csl_name(name: str) -> dict[str, str]:
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
        return {"family": family, "given": given}
    return {"literal": name}


def to_csl_json(item_id: str, description: BibDescription) -> dict[str, Any]:
    """One CSL-JSON item (citeproc's input format) of type "book"."""
    item: dict[str, Any] = {"id": item_id, "type": "book", "title": description.full_title}
    if description.authors:
        item["author"] = [_csl_name(name) for name in description.authors]
    if description.year:
        item["issued"] = {"date-parts": [[description.year]]}
    optional = {
        "edition": description.edition,
        "publisher": description.publisher,
        "publisher-place": description.place,
        "ISBN": " ".join(description.isbns),
        "collection-title": "; ".join(description.series),
        "language": description.language,
    }
    item.update({name: value for name, value in optional.items() if value})
    return item
