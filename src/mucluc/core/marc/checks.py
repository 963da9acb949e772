"""Content checks on a bibliographic record, each giving a problem a cataloguer can act on.

MARC 21 Bibliographic: 245 present; 020$a ISBN check digits; 008 length,
dates (008/06-14) and language (008/35-37); 041 language codes; indicators
(a digit, a lower-case letter or blank). Structure (leader, directory,
terminators) is checked where the bytes are read (iso2709.py). Pure: the
caller adds file, record number and offset or line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mucluc.core.marc.lean import LeanRecord
from mucluc.core.normalise.isbn import normalise_isbn

FIXED_FIELD_LENGTH = 40
_DATE = re.compile(r"^[0-9u ]{4}$|^\|{4}$")
_LANGUAGE = re.compile(r"^[a-z]{3}$|^ {3}$|^\|{3}$")
_INDICATORS = frozenset("0123456789abcdefghijklmnopqrstuvwxyz |")
_DATE_TYPES = frozenset("bcdeikmnpqrstu|")


@dataclass(frozen=True)
class ContentProblem:
    """One problem found in a record's content: severity ("error" or "warning"), tag, message."""

    severity: str
    tag: str
    message: str


def check_record(record: LeanRecord) -> list[ContentProblem]:
    """Return the content problems of a record (none for a clean one).

    Only a missing title is an error (the record cannot be shown or
    matched): no 245, or a 245 without title text in $a or $k (a subfield
    code mangled on the way leaves the title under another code). The others
    are warnings: the record is loaded and the problem is kept with it for a
    cataloguer.
    """
    problems: list[ContentProblem] = []
    statements = record.get_fields("245")
    if not statements:
        problems.append(ContentProblem("error", "245", "no title statement (245)"))
    elif not any(value.strip() for item in statements for value in item.get_subfields("a", "k")):
        found = ", ".join(f"${code}" for item in statements for code, _ in item.subfields)
        problems.append(
            ContentProblem("error", "245", f"245 has no title in $a or $k (subfields: {found})")
        )
    for field in record.get_fields("020"):
        for value in field.get_subfields("a"):
            if normalise_isbn(value) is None:
                problems.append(
                    ContentProblem(
                        "warning", "020", f"020$a {value!r} is not a valid ISBN (check digit)"
                    )
                )
    fixed = record.get("008")
    if fixed is not None and fixed.data is not None:
        problems.extend(_check_fixed_field(fixed.data))
    for field in record.get_fields("041"):
        for value in field.get_subfields("a", "b", "d", "h"):
            codes = [value[index : index + 3] for index in range(0, len(value), 3)]
            if not value or any(not _LANGUAGE.match(code) for code in codes):
                problems.append(
                    ContentProblem(
                        "warning", "041", f"041 {value!r} is not a MARC language code (e.g. vie)"
                    )
                )
    for field in record.fields:
        if field.data is not None or (
            field.indicator1 in _INDICATORS and field.indicator2 in _INDICATORS
        ):
            continue
        for number, indicator in ((1, field.indicator1), (2, field.indicator2)):
            if indicator not in _INDICATORS:
                problems.append(
                    ContentProblem(
                        "warning",
                        field.tag,
                        f"{field.tag} indicator {number} is {indicator!r}; "
                        "expected a digit, a lower-case letter or blank",
                    )
                )
    return problems


def _check_fixed_field(data: str) -> list[ContentProblem]:
    problems = []
    if len(data) != FIXED_FIELD_LENGTH:
        problems.append(
            ContentProblem(
                "warning", "008", f"008 is {len(data)} characters long, not {FIXED_FIELD_LENGTH}"
            )
        )
    if len(data) >= 15:
        date_type, first, second = data[6], data[7:11], data[11:15]
        if date_type not in _DATE_TYPES:
            problems.append(
                ContentProblem(
                    "warning", "008", f"008/06 type of date {date_type!r} is not defined"
                )
            )
        for position, date in (("07-10", first), ("11-14", second)):
            if not _DATE.match(date):
                problems.append(
                    ContentProblem(
                        "warning",
                        "008",
                        f"008/{position} date {date!r} is not four digits (u for unknown ones)",
                    )
                )
    if len(data) >= 38 and not _LANGUAGE.match(data[35:38]):
        problems.append(
            ContentProblem(
                "warning", "008", f"008/35-37 language {data[35:38]!r} is not a MARC language code"
            )
        )
    return problems
