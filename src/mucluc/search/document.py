"""What the index knows of a union record: keyed text, identifiers, facets, sort keys, display.

Every text field exists twice (see shared/docs/vietnamese-text.md §3.2):
`*_match` holds the match key (tones kept, tone placement unified) and
`*_fold` the ASCII fold key, so a query typed without tones finds toned
records and a query with tones can rank exact-tone matches first; each form
of the fields phrases are looked for in has a `*_pairs_*` twin holding its
adjacent word pairs. Facet
values come from the member libraries (library, province, library type) and
from the preferred member's MARC record (material type from leader/06-07
and 008, language, DDC hundreds from 082, decade from the year). Sort keys
are ICU `vi` collation keys (§3.3) with the union-record id appended, so
equal titles still page in one fixed order.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import pairwise
from typing import Any

import icu

from mucluc.core.model import LibraryInfo, UnionRecordView
from mucluc.core.normalise.isbn import isbn13_to_isbn10
from mucluc.core.normalise.text import fold_key, match_key, name_key

# The text fields, each indexed as `<name>_match` and `<name>_fold`: "other"
# holds what is not title, author or subject (publisher, series, place,
# edition, notes), and "all" everything, so one field tells whether a word is
# anywhere in the record.
TEXT_FIELDS = ("title", "author", "subject", "publisher", "series", "other", "all")
SORT_KEY_CHARACTERS = 80  # titles and names longer than this sort by their start
ID_DIGITS = 12
LAST_SORT_KEY = "ff"  # after every ICU key: records without an author sort last
YEAR_FACTOR = 10**ID_DIGITS
UNKNOWN_YEAR_ASCENDING = 9999  # records without a year come last, both ways
# Holdings lift relevance slightly: a record held by 2, 4, 8, 16 or 32 and
# more libraries is indexed under that tier (see `holdings_rank`), and each
# tier reached adds a small constant to the score (`mucluc.search.query`).
HOLDINGS_TIERS = (2, 4, 8, 16, 32)
# The lift is also indexed word by word (see `holdings_lift_values`), so an
# unfielded word can carry it in its own clause, where tantivy ranks fastest.
HOLDINGS_LIFT_FIELD = "holdings_lift"
_LIFT_RANK_BITS = 3
# Adjacent words of a text are also indexed as one token "word1_word2" (see
# `word_pairs`), so a two-word phrase is one posting list, not two lists
# intersected position by position. Only the fields unfielded phrases are
# ranked on (title, author, subject, other: each hit in one list, mostly) and
# the catch-all field have pairs: each one costs indexing time.
PAIRED_FIELDS = ("title", "author", "subject", "other", "all")
PAIR_JOINER = "_"
TEXT_KEY_CACHE_SIZE = 200_000
NOTE_TAGS = ("500", "504", "505", "520")
# One value per record names every holding library with its province and type,
# a line "code<TAB>province<TAB>type" each: tantivy counts a field holding one
# value per record many times faster than a multi-valued one, so the library,
# province and library-type facets are counted from the distinct sets of holders.
HOLDER_SEPARATOR = "\n"
HOLDER_PART_SEPARATOR = "\t"
HOLDER_SETS_CACHED = 50_000

_ISSN = re.compile(r"([0-9]{4})-?([0-9]{3}[0-9Xx])")
_DDC_DIGITS = re.compile(r"[0-9]{3}")

# MARC 21 leader/06 (type of record) → material type; books and serials are
# told apart by leader/07 (bibliographic level) and 008/23 (form of item).
_MATERIAL_BY_TYPE = {
    "c": "music",
    "d": "music",
    "e": "map",
    "f": "map",
    "g": "video",
    "i": "sound_recording",
    "j": "music_recording",
    "k": "image",
    "m": "computer_file",
    "o": "kit",
    "p": "mixed",
    "r": "object",
    "t": "manuscript",
}
_ONLINE_FORMS = frozenset("oqs")


@lru_cache(maxsize=1)
def _collator() -> Any:
    return icu.Collator.createInstance(icu.Locale("vi"))


def vietnamese_sort_key(text: str) -> str:
    """The ICU `vi` collation key of a text, as hex so string order is key order.

    "a bàng" < "abc" < "cà" < "chà" < "đa" (spaces count; tones are secondary).
    An empty text gives an empty key.
    """
    if not text.strip():
        return ""
    key: bytes = _collator().getSortKey(" ".join(text.split())[:SORT_KEY_CHARACTERS])
    return key.hex()


def issn_forms(value: str) -> str | None:
    """The ISSN in 022$a as eight characters without the hyphen ("0866-7489" → "08667489")."""
    match = _ISSN.search(value)
    return (match.group(1) + match.group(2)).upper() if match else None


def ddc_class(classification: str) -> str | None:
    """The DDC hundreds of an 082$a ("959.704" → "900"), or None if it is not a DDC number."""
    match = _DDC_DIGITS.match(classification.strip())
    return f"{match.group()[0]}00" if match else None


def material_type(record: dict[str, Any]) -> str:
    """The material type of a MARC-in-JSON record from leader/06-07 and 008/23.

    Language material is a "book", a "serial" (leader/07 b, i, s) or an
    "ebook" (008/23 o, q, s: online or electronic); other types follow
    leader/06 ("map", "music", "video" …). Without a leader: "book".
    """
    leader = str(record.get("leader") or "")
    record_type = leader[6:7]
    level = leader[7:8]
    if record_type in _MATERIAL_BY_TYPE:
        return _MATERIAL_BY_TYPE[record_type]
    if level in ("b", "i", "s"):
        return "serial"
    control = _control_field(record, "008")
    if len(control) > 23 and control[23] in _ONLINE_FORMS:
        return "ebook"
    return "book"


def _control_field(record: dict[str, Any], tag: str) -> str:
    for entry in record.get("fields") or ():
        if isinstance(entry, dict) and tag in entry and isinstance(entry[tag], str):
            return str(entry[tag])
    return ""


def _subfield_values(record: dict[str, Any], tags: tuple[str, ...], code: str) -> list[str]:
    values = []
    for entry in record.get("fields") or ():
        if not isinstance(entry, dict):
            continue
        for tag, content in entry.items():
            if tag in tags and isinstance(content, dict):
                for subfield in content.get("subfields") or ():
                    if isinstance(subfield, dict) and code in subfield:
                        values.append(str(subfield[code]))
    return values


def holdings_rank(holding_libraries: int) -> int:
    """How many of HOLDINGS_TIERS the number of holding libraries reaches (0 to 5)."""
    return sum(1 for tier in HOLDINGS_TIERS if holding_libraries >= tier)


def holdings_lift_value(token: str, rank: int) -> int:
    """The HOLDINGS_LIFT_FIELD value of a catch-all fold token in a record of this rank.

    A number, not text: tantivy keeps no field lengths for numbers, so every
    record holding a value scores the same for it, and a query can scale
    that score to exactly the lift of the rank. 60 bits of a BLAKE2 digest
    name the token: a clash is about as likely as one in a million
    catalogues of ten million distinct words.
    """
    digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
    return (int.from_bytes(digest, "big") >> 4) << _LIFT_RANK_BITS | rank


def holdings_lift_values(document: dict[str, Any], rank: int) -> list[int]:
    """The lift values of a record: each word and word pair of its catch-all fold field."""
    tokens = {
        token
        for key in (*document["all_fold"], *document["all_pairs_fold"])
        for token in key.split()
    }
    return [holdings_lift_value(token, rank) for token in tokens]


@lru_cache(maxsize=TEXT_KEY_CACHE_SIZE)
def word_pairs(key: str) -> str:
    """Each pair of adjacent words of a match or fold key, as one token, space-separated.

    "lich su viet nam" → "lich_su su_viet viet_nam". The keys hold only
    letters, digits and single spaces, so the joiner cannot be confused with
    a word; a text of one word has no pairs. Cached: the catch-all field
    repeats the title.
    """
    words = key.split()
    return " ".join([first + PAIR_JOINER + second for first, second in pairwise(words)])


def holders_key(libraries: Iterable[LibraryInfo]) -> str:
    """The holding libraries as one value, a line each in code order (see HOLDER_SEPARATOR)."""
    parts = {
        library.code: HOLDER_PART_SEPARATOR.join(
            (library.code, library.province or "", library.type)
        )
        for library in libraries
    }
    return HOLDER_SEPARATOR.join(parts[code] for code in sorted(parts))


@lru_cache(maxsize=HOLDER_SETS_CACHED)
def holder_values(key: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The library codes, provinces and library types named in a `holders_key` value.

    Cached: facet counts read the same few thousand sets of holders again and again.
    """
    holders = [line.split(HOLDER_PART_SEPARATOR) for line in key.split(HOLDER_SEPARATOR) if line]
    codes, provinces, types = (
        frozenset(holder[position] for holder in holders) - {""} for position in range(3)
    )
    return codes, provinces, types


@lru_cache(maxsize=TEXT_KEY_CACHE_SIZE)
def author_order_key(name: str) -> str:
    """A personal name's folded words in sorted order, so any word order compares equal.

    "Nguyễn Du", "Nguyễn, Du, 1765-1820" and "Du Nguyễn" all give "du nguyen".
    """
    return " ".join(sorted(fold_key(name_key(name)).split()))


def display_data(view: UnionRecordView) -> dict[str, Any]:
    """The few values a result list shows, stored in the index to spare the database."""
    description = view.description
    return {
        "title": description.full_title,
        "authors": list(description.authors),
        "publisher": description.publisher,
        "year": description.year,
        "libraries": list(view.library_codes),
    }


def index_document(view: UnionRecordView) -> dict[str, Any]:
    """The field values of one union record, ready for `tantivy.Document.from_dict`."""
    description = view.description
    records = [member.record for member in view.members]
    preferred_record = records[0] if records else {}
    notes = [value for record in records for value in _subfield_values(record, NOTE_TAGS, "a")]
    texts: dict[str, list[str]] = {
        "title": [description.full_title, *(m.description.full_title for m in view.members)],
        "author": [
            *description.authors,
            *(author for m in view.members for author in m.description.authors),
            description.responsibility,
        ],
        "subject": [
            *description.subjects,
            *(s for m in view.members for s in m.description.subjects),
        ],
        "publisher": [description.publisher, *(m.description.publisher for m in view.members)],
        "series": [*description.series, *(s for m in view.members for s in m.description.series)],
    }
    texts["other"] = [
        *texts["publisher"],
        *texts["series"],
        description.place,
        description.edition,
        *notes,
    ]
    texts["all"] = [
        text for name in ("title", "author", "subject", "other") for text in texts[name]
    ]
    libraries = [member.library for member in view.members]
    library_codes = list(view.library_codes)
    provinces = list(dict.fromkeys(library.province for library in libraries if library.province))
    classifications = list(
        dict.fromkeys(
            m.description.classification.replace("/", "").replace(" ", "").lower()
            for m in view.members
            if m.description.classification
        )
    )
    issns = [
        issn
        for record in records
        for value in _subfield_values(record, ("022",), "a")
        if (issn := issn_forms(value))
    ]
    isbns = [*description.isbns, *(isbn for m in view.members for isbn in m.description.isbns)]
    first_author = description.authors[0] if description.authors else ""
    year = description.year
    document: dict[str, Any] = {
        "id": view.id,
        "display": json.dumps(display_data(view), ensure_ascii=False).encode(),
        "library": library_codes,
        "holders": holders_key(libraries),
        "province": provinces,
        "province_fold": [fold_key(province) for province in provinces],
        "library_type": list(dict.fromkeys(library.type for library in libraries)),
        "language": [description.language or "und"],
        "material_type": [material_type(preferred_record)],
        "subject_facet": list(
            dict.fromkeys(subject.split(" -- ")[0] for subject in texts["subject"] if subject)
        ),
        "ddc_class": list(dict.fromkeys(c for c in map(ddc_class, classifications) if c)),
        "classification": classifications,
        "isbn": list(
            dict.fromkeys(form for isbn in isbns for form in (isbn, isbn13_to_isbn10(isbn)) if form)
        ),
        "issn": list(dict.fromkeys(issns)),
        "author_order": list(
            dict.fromkeys(author_order_key(name) for name in texts["author"][:-1] if name)
        ),
        "sort_title": f"{vietnamese_sort_key(description.full_title)}~{view.id:0{ID_DIGITS}d}",
        "sort_author": (
            f"{vietnamese_sort_key(name_key(first_author)) or LAST_SORT_KEY}"
            f"~{view.id:0{ID_DIGITS}d}"
        ),
        # Descending by this puts the newest first, ties by ascending id.
        "sort_year_newest": (year or 0) * YEAR_FACTOR + (YEAR_FACTOR - 1 - view.id),
        # Ascending by this puts the oldest first, ties by ascending id.
        "sort_year_oldest": (year or UNKNOWN_YEAR_ASCENDING) * YEAR_FACTOR + view.id,
    }
    rank = holdings_rank(len(library_codes))
    if rank:
        document["holdings_tier"] = [str(HOLDINGS_TIERS[rank - 1])]
    if year is not None:
        document["year"] = year
        document["decade"] = [str(year // 10 * 10)]
    for name in TEXT_FIELDS:
        keys = [text_keys(text) for text in dict.fromkeys(text for text in texts[name] if text)]
        matches = list(dict.fromkeys(match for match, _ in keys))
        folds = list(dict.fromkeys(fold for _, fold in keys))
        document[f"{name}_match"] = matches
        document[f"{name}_fold"] = folds
        if name in PAIRED_FIELDS:
            document[f"{name}_pairs_match"] = [pairs for pairs in map(word_pairs, matches) if pairs]
            document[f"{name}_pairs_fold"] = [pairs for pairs in map(word_pairs, folds) if pairs]
    if rank:
        document[HOLDINGS_LIFT_FIELD] = holdings_lift_values(document, rank)
    return document


@lru_cache(maxsize=TEXT_KEY_CACHE_SIZE)
def text_keys(text: str) -> tuple[str, str]:
    """The match key and fold key of a text (cached: publishers, subjects and series repeat)."""
    return match_key(text), fold_key(text)
