"""What matching reads of one source record: a `MatchProfile` taken from MARC 21.

The profile keeps the values as catalogued (NFC) and parses only what the
vetoes need as numbers: volume (245$n, "Tập 2"), edition (250$a, "Tái bản
lần thứ 2"), year, pages (300$a) and the format (leader/06-07, 008/23, 245$h,
338). Pure: no I/O, and nothing here decides anything.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from mucluc.core.marc.describe import publication_year, trim_isbd
from mucluc.core.normalise.isbn import normalise_isbn
from mucluc.core.normalise.text import fold_key, to_nfc


class MarcField(Protocol):
    """What profiling needs of a field: pymarc's `Field` and `LeanField` both fit."""

    data: str | None

    def get_subfields(self, *codes: str) -> list[str]:
        """Values of the subfields with these codes, in field order."""
        ...


class MarcRecord(Protocol):
    """What profiling needs of a record: pymarc's `Record` and `LeanRecord` both fit."""

    @property
    def leader(self) -> object:
        """The 24-character leader (pymarc gives a `Leader`, LeanRecord a str)."""
        ...

    def get_fields(self, *tags: str) -> Sequence[MarcField]:
        """Fields with these tags, in record order."""
        ...

    def get(self, tag: str) -> MarcField | None:
        """The first field with this tag, or None."""
        ...


@dataclass(frozen=True)
class MatchProfile:
    """Everything the matcher compares of one source record.

    `record_id` is the source record's id as the caller knows it ("VN-NLV:123");
    `library` the contributing library's code, for the same-library veto.
    `title` is the title proper without any volume designation, `part_number`
    the volume as a plain number ("2" for "Tập 2", "v. II" or "Volume 2").
    `isbns` are valid ISBN-13s; `invalid_isbns` the compact numbers from 020$z
    or from 020$a values that fail their check digit. `format` is one of the
    words `classify_format` returns, or "" when the record does not say.
    """

    record_id: str
    library: str
    title: str
    subtitle: str = ""
    part_number: str = ""
    part_name: str = ""
    authors: tuple[str, ...] = ()
    edition: str = ""
    publisher: str = ""
    host: str = ""
    year: int | None = None
    pages: int | None = None
    isbns: tuple[str, ...] = ()
    invalid_isbns: tuple[str, ...] = ()
    issns: tuple[str, ...] = ()
    lccns: tuple[str, ...] = ()
    control_numbers: tuple[str, ...] = ()
    format: str = ""
    language: str = ""


# "Tập 2", "T. 2", "Quyển II", "v. 3", "Vol. 3", "Volume 3", "Part 2", "Tome II", "Bd. 2".
# Matched on fold keys, so marks, case and punctuation are already gone.
_VOLUME_PATTERN = re.compile(
    r"\b(?:tap|t|quyen|q|cuon|phan|vol|volume|v|part|pt|tome|band|bd|book|no)"
    r"\s+([0-9]{1,4}|[ivxlc]{1,6})\b"
)
_BARE_NUMBER = re.compile(r"^\s*([0-9]{1,4}|[ivxlc]{1,6})\s*$")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


def roman_to_int(numeral: str) -> int | None:
    """Return the value of a lower-case Roman numeral ("xiv" → 14), or None if it is not one."""
    if not numeral or any(letter not in _ROMAN_VALUES for letter in numeral):
        return None
    total = 0
    for position, letter in enumerate(numeral):
        value = _ROMAN_VALUES[letter]
        following = _ROMAN_VALUES[numeral[position + 1]] if position + 1 < len(numeral) else 0
        total += -value if value < following else value
    return total if total > 0 else None


def _number_word(word: str) -> str:
    if word.isdigit():
        return str(int(word))
    value = roman_to_int(word)
    return str(value) if value is not None else ""


def parse_volume(text: str) -> str:
    """Return the volume number a designation names, as digits, or "".

    "Tập 2", "T.2", "Quyển II", "v. 3", "Volume 3" and a bare "2" (as 245$n
    often holds) all give the number; "Số đỏ" (a novel) gives "".
    """
    folded = fold_key(text)
    bare = _BARE_NUMBER.match(folded)
    if bare:
        return _number_word(bare.group(1))
    match = _VOLUME_PATTERN.search(folded)
    return _number_word(match.group(1)) if match else ""


def strip_volume(title: str) -> tuple[str, str]:
    """Split a volume designation off a title: "Lịch sử Việt Nam. Tập 1" → (title, "1")."""
    folded_match = _VOLUME_PATTERN.search(fold_key(title))
    if folded_match is None:
        return title, ""
    # Cut the original text at the same word: the fold key keeps one word per word.
    words = title.split()
    folded_words = fold_key(title).split()
    start_word = len(fold_key(title)[: folded_match.start()].split())
    if len(words) != len(folded_words):
        return title, _number_word(folded_match.group(1))
    kept = " ".join(words[:start_word]).rstrip(" .,:;([-")
    return kept or title, _number_word(folded_match.group(1))


_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
    "premiere": 1, "deuxieme": 2, "troisieme": 3, "quatrieme": 4, "cinquieme": 5,
    "prima": 1, "seconda": 2, "terza": 3, "quarta": 4, "quinta": 5,
    "primera": 1, "segunda": 2, "tercera": 3,
    "erste": 1, "zweite": 2, "dritte": 3,
}  # fmt: skip
# Vietnamese: "Tái bản lần thứ 2" is the third edition; "In lần thứ 2", "Xuất bản lần 2" the second.
_REPRINT_PATTERN = re.compile(
    r"\btai ban(?: co sua chua(?: bo sung)?)?(?: lan)?(?: thu)? ([0-9]{1,2})\b"
)
_PRINTING_PATTERN = re.compile(r"\b(?:in|xuat ban|lan)(?: lan)?(?: thu)? ([0-9]{1,2})\b")
_NUMBERED_EDITION = re.compile(
    r"\b([0-9]{1,2}) ?(?:st|nd|rd|th|e|eme|er|re|a|o|te|ed|ere)?\b.*\b(?:ed|edition|eds|edn|"
    r"editionzione|edizione|edicion|auflage|aufl|uitg|druk)"
)


def parse_edition_number(statement: str) -> int | None:
    """Return the edition number a 250$a statement states, or None when it states none.

    "Tái bản lần thứ 2" → 3 (the second re-edition), "In lần thứ 2" → 2,
    "2nd ed." and "Second edition" → 2, "3e éd." → 3, "First edition" → 1.
    "Revised edition" → None: a statement without a number cannot veto.
    """
    folded = fold_key(statement)
    if not folded:
        return None
    reprint = _REPRINT_PATTERN.search(folded)
    if reprint:
        return int(reprint.group(1)) + 1
    if re.search(r"\btai ban\b", folded):
        return 2
    printing = _PRINTING_PATTERN.search(folded)
    if printing:
        return int(printing.group(1))
    numbered = _NUMBERED_EDITION.search(folded)
    if numbered:
        return int(numbered.group(1))
    for word in folded.split():
        if word in _ORDINAL_WORDS:
            return _ORDINAL_WORDS[word]
    return None


_PAGE_COUNT = re.compile(r"([0-9]{1,5})\s*(?:p\b|pp\b|pages?\b|tr\b|trang\b|s\b|str\b|leaves\b)")


def parse_pages(extent: str) -> int | None:
    """Return the largest page count in a 300$a extent ("xii, 350 tr." → 350), or None."""
    counts = [int(match.group(1)) for match in _PAGE_COUNT.finditer(fold_key(extent))]
    return max(counts) if counts else None


_TYPE_FORMATS = {
    "a": "text", "t": "text", "c": "music-score", "d": "music-score", "e": "map", "f": "map",
    "g": "video", "i": "audio", "j": "music-audio", "k": "image", "m": "electronic",
    "o": "kit", "p": "mixed", "r": "object",
}  # fmt: skip
# 008/23 form of item for books: a-c microform, d large print, f braille, o/q/s electronic.
_FORM_OF_ITEM = {"a": "microform", "b": "microform", "c": "microform", "d": "large-print",
                 "f": "braille", "o": "ebook", "q": "ebook", "s": "ebook"}  # fmt: skip


def classify_format(leader: str, fixed_field: str, medium: str, carriers: Sequence[str]) -> str:
    """Name the format of a record: "print", "ebook", "audio", "map", "music-score" ….

    Leader/06 gives the type of record (MARC 21 Leader); for text, 008/23
    (form of item), 245$h ("[electronic resource]") and 338 carrier terms
    ("online resource", "cr") tell an e-book from print. Serials (leader/07
    "s") are told apart from books. An empty leader gives "", unknown.
    """
    if len(leader) < 8 or leader[6] == " ":
        return ""
    kind = _TYPE_FORMATS.get(leader[6], "other")
    if kind == "text":
        medium_folded = fold_key(medium)
        carrier_folded = {fold_key(carrier) for carrier in carriers}
        form = fixed_field[23] if len(fixed_field) > 23 else " "
        if (
            "electronic" in medium_folded
            or "dien tu" in medium_folded
            or carrier_folded & {"online resource", "cr", "tai nguyen truc tuyen"}
        ):
            kind = "ebook"
        elif form in _FORM_OF_ITEM:
            kind = _FORM_OF_ITEM[form]
        else:
            kind = "print"
    if leader[7] == "s":
        kind = f"serial-{kind}"
    return kind


def normalise_lccn(value: str) -> str:
    """Normalise an LCCN (010$a) as LC does: "85-2" → "85000002", "n 79-21164" → "n79021164"."""
    compact = value.strip().split("/")[0].replace(" ", "").lower()
    if "-" in compact:
        prefix, _, serial = compact.partition("-")
        if serial.isdigit():
            compact = prefix + serial.rjust(6, "0")
    return compact


def normalise_control_number(value: str) -> str:
    """Normalise a 035$a system control number, or "" for one that names no source.

    "(OCoLC)ocm00012345" → "(ocolc)12345". Spaces inside the number go, the
    rest stays: "(SpBaP)pu 990016505" → "(spbap)pu990016505" (cutting at the
    space once made thousands of Spanish records share "(spbap)pu"). A number
    without a "(source)" prefix could come from any system and is not
    comparable across libraries.
    """
    match = re.match(r"^\s*\(([^)]+)\)(.*)$", value)
    number = re.sub(r"\s+", "", match.group(2)).lower() if match else ""
    if match is None or not number:
        return ""
    source = match.group(1).lower()
    if source == "ocolc":
        number = re.sub(r"^(?:ocm|ocn|on)", "", number).lstrip("0")
    return f"({source}){number}"


def normalise_issn(value: str) -> str:
    """Return a valid ISSN as eight characters ("0317-8471" → "03178471"), else ""."""
    compact = re.sub(r"[\s-]", "", value.strip().upper())[:8]
    if not re.fullmatch(r"[0-9]{7}[0-9X]", compact):
        return ""
    total = sum(int(digit) * (8 - position) for position, digit in enumerate(compact[:7]))
    check = (11 - total % 11) % 11
    return compact if ("X" if check == 10 else str(check)) == compact[7] else ""


def _subfields(record: MarcRecord, tag: str, code: str) -> list[str]:
    return [value for field in record.get_fields(tag) for value in field.get_subfields(code)]


def _first(record: MarcRecord, tag: str, code: str) -> str:
    values = _subfields(record, tag, code)
    return trim_isbd(values[0]) if values else ""


def _isbns(record: MarcRecord) -> tuple[tuple[str, ...], tuple[str, ...]]:
    valid: dict[str, None] = {}
    invalid: dict[str, None] = {}
    for field in record.get_fields("020"):
        for code in ("a", "z"):
            for value in field.get_subfields(code):
                isbn = normalise_isbn(value)
                if isbn and code == "a":
                    valid[isbn] = None
                    continue
                digits = re.match(r"[\s\-]*([0-9][0-9Xx\-\s]{8,16})", value)
                compact = re.sub(r"[\s\-]", "", digits.group(1)).upper() if digits else ""
                if len(compact) in (10, 13):
                    invalid[isbn or compact] = None
    return tuple(valid), tuple(key for key in invalid if key not in valid)


def profile_marc_record(record: MarcRecord, record_id: str, library: str) -> MatchProfile:
    """Build the match profile of a MARC 21 bibliographic record.

    The title proper is 245$a up to a run-in subtitle (" : "), with a volume
    designation moved to `part_number`; 245$n wins when present, and a
    designation in the subtitle counts when neither gives one.
    """
    title_field = record.get_fields("245")[:1]
    raw_title = (
        to_nfc(title_field[0].get_subfields("a")[0])
        if title_field and title_field[0].get_subfields("a")
        else ""
    )
    title, run_in_subtitle = ([*raw_title.split(":", 1), ""])[:2]
    title, title_volume = strip_volume(trim_isbd(title))
    subtitle = _first(record, "245", "b") or trim_isbd(run_in_subtitle)
    numbers = [parse_volume(value) for value in _subfields(record, "245", "n")]
    part_number = next((number for number in numbers if number), "") or title_volume
    if not part_number:
        # A list without 245$n may leave the part in the subtitle: "… techniques (part II)".
        subtitle, part_number = strip_volume(subtitle)
    names = []
    for tag in ("100", "110", "111", "700", "710", "711"):
        for field in record.get_fields(tag):
            parts = [trim_isbd(value) for value in field.get_subfields("a", "b", "q")]
            name = " ".join(part for part in parts if part)
            if name:
                names.append(name)
    publisher_tag = "264" if record.get_fields("264") else "260"
    fixed = record.get("008")
    fixed_data = fixed.data if fixed is not None and fixed.data else ""
    valid_isbns, invalid_isbns = _isbns(record)
    extents = _subfields(record, "300", "a")
    language = fixed_data[35:38].strip().lower() if len(fixed_data) >= 38 else ""
    return MatchProfile(
        record_id=record_id,
        library=library,
        title=title,
        subtitle=subtitle,
        part_number=part_number,
        part_name=_first(record, "245", "p"),
        authors=tuple(dict.fromkeys(names)),
        edition=_first(record, "250", "a"),
        publisher=_first(record, publisher_tag, "b"),
        host=_first(record, "773", "t"),
        year=publication_year(record),
        pages=parse_pages(extents[0]) if extents else None,
        isbns=valid_isbns,
        invalid_isbns=invalid_isbns,
        issns=tuple(
            dict.fromkeys(filter(None, map(normalise_issn, _subfields(record, "022", "a"))))
        ),
        lccns=tuple(
            dict.fromkeys(filter(None, map(normalise_lccn, _subfields(record, "010", "a"))))
        ),
        control_numbers=tuple(
            dict.fromkeys(
                filter(None, map(normalise_control_number, _subfields(record, "035", "a")))
            )
        ),
        format=classify_format(
            str(record.leader),
            fixed_data,
            " ".join(_subfields(record, "245", "h")),
            _subfields(record, "338", "a") + _subfields(record, "338", "b"),
        ),
        language=language if language.isalpha() else "",
    )
