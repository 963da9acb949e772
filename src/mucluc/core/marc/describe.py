"""Turn a pymarc record into the plain descriptions the catalogue displays and indexes.

Field choices follow MARC 21 Bibliographic: 245 title, 250 edition, 264/260
publication, 020 ISBN, 100/110/111/700/710 names, 6XX subjects, 082 DDC,
490/830 series, 852 holdings. Text comes out NFC with ISBD punctuation trimmed.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, Protocol

from mucluc.core.model import BibDescription, HoldingStatement
from mucluc.core.normalise.isbn import normalise_isbn
from mucluc.core.normalise.text import to_nfc


class Field(Protocol):
    """What describing needs of a field: pymarc's `Field` and `LeanField` both fit."""

    data: str | None

    def get_subfields(self, *codes: str) -> list[str]:
        """Values of the subfields with these codes, in field order."""
        ...


class Record(Protocol):
    """What describing needs of a record: pymarc's `Record` and `LeanRecord` both fit."""

    def get_fields(self, *tags: str) -> Sequence[Field]:
        """Fields with these tags, in record order."""
        ...

    def get(self, tag: str) -> Field | None:
        """The first field with this tag, or None."""
        ...


TRAILING_ISBD_PUNCTUATION = " /:;,=.+"
TRIMMED_CACHE_SIZE = 65_536
YEAR_PATTERN = re.compile(r"(1[5-9]\d\d|20\d\d)")
NAME_TAGS = ("100", "110", "111", "700", "710", "711")
ABBREVIATIONS = frozenset({"tr.", "nxb.", "tp.", "p.", "pp.", "ed.", "cm.", "etc.", "jr.", "inc."})
SUBJECT_TAGS = ("600", "610", "611", "630", "650", "651", "655")


@lru_cache(maxsize=TRIMMED_CACHE_SIZE)  # the same headings and titles are trimmed again and again
def trim_isbd(text: str) -> str:
    """Drop the ISBD punctuation a cataloguer ends a subfield with ("Truyện Kiều /")."""
    text = to_nfc(text).strip()
    while text and text[-1] in TRAILING_ISBD_PUNCTUATION:
        if text.endswith(".") and _ends_with_abbreviation(text):
            break
        text = text[:-1].rstrip()
    return text


def _ends_with_abbreviation(text: str) -> bool:
    """Keep the full stop of an initial ("Lê V.") or an abbreviation ("350 tr.")."""
    last_word = text.rsplit(" ", 1)[-1].lower()
    return (len(last_word) == 2 and last_word[0].isalpha()) or last_word in ABBREVIATIONS


def _first_subfield(record: Record, tag: str, code: str) -> str:
    for field in record.get_fields(tag):
        values = field.get_subfields(code)
        if values:
            return trim_isbd(values[0])
    return ""


def _name_heading(field: Field) -> str:
    parts = [trim_isbd(value) for value in field.get_subfields("a", "b", "c", "q")]
    return " ".join(part for part in parts if part)


def _subject_heading(field: Field) -> str:
    parts = [trim_isbd(value) for value in field.get_subfields("a", "b", "x", "y", "z", "v")]
    return " -- ".join(part for part in parts if part)


def publication_year(record: Record) -> int | None:
    """Year of publication from 264$c or 260$c, else 008/07-10."""
    for tag in ("264", "260"):
        for field in record.get_fields(tag):
            for value in field.get_subfields("c"):
                match = YEAR_PATTERN.search(value)
                if match:
                    return int(match.group(1))
    control = record.get("008")
    if control is not None and control.data:
        match = YEAR_PATTERN.fullmatch(control.data[7:11])
        if match:
            return int(match.group(1))
    return None


def language_code(record: Record) -> str:
    """Language from 008/35-37, else the first 041$a."""
    control = record.get("008")
    if control is not None and control.data and len(control.data) >= 38:
        code = control.data[35:38].strip().lower()
        if code.isalpha() and len(code) == 3:
            return code
    return _first_subfield(record, "041", "a").lower()


def record_isbns(record: Record) -> tuple[str, ...]:
    """Valid ISBNs of 020$a, as ISBN-13, each once."""
    found: dict[str, None] = {}
    for field in record.get_fields("020"):
        for value in field.get_subfields("a"):
            isbn = normalise_isbn(value)
            if isbn:
                found[isbn] = None
    return tuple(found)


# Ingest keeps each record's description beside it, so the index need not
# describe every member again. Bump this whenever `describe_record` would
# describe any record differently: descriptions kept under another version
# are made again from the record when read. A test fails until it is bumped.
DESCRIPTION_VERSION = 1
_LIST_FIELDS = tuple(
    field.name
    for field in dataclasses.fields(BibDescription)
    if str(field.type).startswith("tuple")
)


def description_to_store(description: BibDescription) -> dict[str, Any]:
    """The description as kept with its source record, stamped with DESCRIPTION_VERSION."""
    return {"version": DESCRIPTION_VERSION, **dataclasses.asdict(description)}


def description_from_store(kept: Mapping[str, Any] | None) -> BibDescription | None:
    """A kept description, or None when none was kept or describing has changed since."""
    if not kept or kept.get("version") != DESCRIPTION_VERSION:
        return None
    values = {name: value for name, value in kept.items() if name != "version"}
    for name in _LIST_FIELDS:
        values[name] = tuple(values[name])
    return BibDescription(**values)


def describe_record(record: Record) -> BibDescription:
    """Describe a bibliographic record for display, search and matching."""
    names = (_name_heading(field) for tag in NAME_TAGS for field in record.get_fields(tag))
    subjects = (_subject_heading(field) for field in record.get_fields(*SUBJECT_TAGS))
    series = (
        trim_isbd(value)
        for field in record.get_fields("490", "830")
        for value in field.get_subfields("a")
    )
    publisher_tag = "264" if record.get_fields("264") else "260"
    return BibDescription(
        title=_first_subfield(record, "245", "a"),
        subtitle=_first_subfield(record, "245", "b"),
        part=", ".join(
            trim_isbd(value)
            for field in record.get_fields("245")[:1]
            for value in field.get_subfields("n", "p")
        ),
        responsibility=_first_subfield(record, "245", "c"),
        authors=tuple(dict.fromkeys(name for name in names if name)),
        edition=_first_subfield(record, "250", "a"),
        place=_first_subfield(record, publisher_tag, "a"),
        publisher=_first_subfield(record, publisher_tag, "b"),
        year=publication_year(record),
        isbns=record_isbns(record),
        issns=tuple(
            dict.fromkeys(
                trim_isbd(value)
                for field in record.get_fields("022")
                for value in field.get_subfields("a")
                if value.strip()
            )
        ),
        language=language_code(record),
        subjects=tuple(dict.fromkeys(subject for subject in subjects if subject)),
        classification=_first_subfield(record, "082", "a"),
        series=tuple(dict.fromkeys(value for value in series if value)),
        extent=_first_subfield(record, "300", "a"),
    )


def record_holdings(record: Record) -> tuple[HoldingStatement, ...]:
    """Holdings from 852: $b location, $h$i call number, one copy per $p barcode.

    A record without 852 still means the library holds the item: one copy
    under its 090 or 082 call number.
    """
    holdings = []
    for field in record.get_fields("852"):
        call_number = " ".join(
            trim_isbd(value) for value in field.get_subfields("h", "i") if value.strip()
        )
        barcodes = [value for value in field.get_subfields("p") if value.strip()]
        holdings.append(
            HoldingStatement(
                location=trim_isbd(" ".join(field.get_subfields("b"))),
                call_number=call_number,
                copies=max(1, len(barcodes)),
            )
        )
    if holdings:
        return tuple(holdings)
    call_number = _first_subfield(record, "090", "a") or _first_subfield(record, "082", "a")
    return (HoldingStatement(call_number=call_number),)
