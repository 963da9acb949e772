"""The one search query model, and the parser for the query syntax readers type.

Every way into search — the web form, the JSON API, CQL (SRU) and Bib-1
(Z39.50) — translates into a `SearchRequest` and one search service runs it,
so a rule about matching is written once. The model says *what* is asked
(fielded words, phrases, truncation, AND/OR/NOT, year ranges, facet filters,
sort, page); how words are keyed and scored belongs to the search index.
Pure: no I/O, no index or web types.

The reader syntax (`parse_query`)::

    lịch sử việt nam                 every word, anywhere (AND is implied)
    "lịch sử Việt Nam"               the words together, in this order
    kinh tế*                          "tế" as a prefix (truncation)
    title:"truyện kiều" author:nguyễn du
    (hoà bình OR chiến tranh) NOT mỹ  also written -mỹ
    year:1990-2000  year:1990-  year:-1975  year:2001
    isbn:978-604-0-00001-9  issn:0866-7489  classification:959.7*

Operators are upper-case AND, OR, NOT (a lower-case "and" is a word);
NOT binds tightest, then AND, then OR. Mistakes raise `QueryError` naming
the problem and where it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from mucluc.errors import QueryError

MAX_QUERY_CHARACTERS = 1000
MAX_QUERY_TERMS = 64
MAX_PAGE_SIZE = 1000
# Deep paging is supported up to this many results into a result list.
MAX_RESULT_WINDOW = 100_000
FIRST_YEAR = 0
LAST_YEAR = 2999


class SearchField(StrEnum):
    """The fields a term can be searched in; ANY means every text field."""

    ANY = "any"
    TITLE = "title"
    AUTHOR = "author"
    SUBJECT = "subject"
    PUBLISHER = "publisher"
    SERIES = "series"
    ISBN = "isbn"
    ISSN = "issn"
    CLASSIFICATION = "classification"
    YEAR = "year"
    LANGUAGE = "language"
    MATERIAL_TYPE = "material_type"
    LIBRARY = "library"
    PROVINCE = "province"
    LIBRARY_TYPE = "library_type"


# Words, keyed for Vietnamese, ranked by relevance.
TEXT_FIELDS = frozenset(
    {
        SearchField.ANY,
        SearchField.TITLE,
        SearchField.AUTHOR,
        SearchField.SUBJECT,
        SearchField.PUBLISHER,
        SearchField.SERIES,
    }
)
# Fields whose terms may be truncated with `*`.
TRUNCATABLE_FIELDS = TEXT_FIELDS | {SearchField.CLASSIFICATION, SearchField.PROVINCE}


class FacetField(StrEnum):
    """The facets counted over a result set, and the fields a filter can narrow by."""

    LIBRARY = "library"
    PROVINCE = "province"
    LIBRARY_TYPE = "library_type"
    YEAR = "year"
    DECADE = "decade"
    LANGUAGE = "language"
    MATERIAL_TYPE = "material_type"
    SUBJECT = "subject"
    DDC_CLASS = "ddc_class"


class SortOrder(StrEnum):
    """How results are ordered; ties always fall back to the union-record id."""

    RELEVANCE = "relevance"
    YEAR_NEWEST = "year_desc"
    YEAR_OLDEST = "year_asc"
    TITLE = "title"
    AUTHOR = "author"


@dataclass(frozen=True)
class Term:
    """Words to find in one field.

    `text` is as typed (tones, case and punctuation are the index's business).
    Without `phrase`, every word must occur in the field, in any order; with
    it, the words must be adjacent and in order. `truncated` makes the last
    word a prefix ("kinh tế*" finds "kinh tế học").
    """

    text: str
    field: SearchField = SearchField.ANY
    phrase: bool = False
    truncated: bool = False


@dataclass(frozen=True)
class YearRange:
    """Publication years from `first` to `last`, both included; None is open-ended."""

    first: int | None = None
    last: int | None = None


@dataclass(frozen=True)
class And:
    """Every part must match."""

    parts: tuple[QueryNode, ...]


@dataclass(frozen=True)
class Or:
    """At least one part must match."""

    parts: tuple[QueryNode, ...]


@dataclass(frozen=True)
class Not:
    """Records matching `part` are excluded (meaningful inside an And, or alone)."""

    part: QueryNode


@dataclass(frozen=True)
class MatchAll:
    """Every record: an empty query, narrowed only by filters."""


QueryNode = Term | YearRange | And | Or | Not | MatchAll


@dataclass(frozen=True)
class Filter:
    """Keep records having any of `values` in a facet (a facet link, a limit in a form).

    Filters narrow without changing the ranking. Values are facet keys as the
    facet counts report them: library codes, "Hà Nội", "national", "vie",
    "book", "1990" (decade), "900" (DDC hundreds).
    """

    facet: FacetField
    values: tuple[str, ...]


@dataclass(frozen=True)
class SearchRequest:
    """Everything one search asks for."""

    query: QueryNode = field(default_factory=MatchAll)
    filters: tuple[Filter, ...] = ()
    sort: SortOrder = SortOrder.RELEVANCE
    offset: int = 0
    limit: int = 20
    facets: tuple[FacetField, ...] = ()
    facet_size: int = 10

    def __post_init__(self) -> None:
        if self.offset < 0:
            raise QueryError(f"the offset must be 0 or more, not {self.offset}", problem="value")
        if not 0 <= self.limit <= MAX_PAGE_SIZE:
            raise QueryError(
                f"the page size must be between 0 and {MAX_PAGE_SIZE}, not {self.limit}",
                problem="value",
            )
        if self.offset + self.limit > MAX_RESULT_WINDOW:
            raise QueryError(
                f"results can be paged through to the {MAX_RESULT_WINDOW:,}th; "
                "narrow the search with more words or a filter",
                problem="value",
            )
        if self.facet_size < 1:
            raise QueryError("the number of facet values must be 1 or more", problem="value")
        validate_query(self.query)


def field_named(name: str) -> SearchField:
    """The search field with this name (case-insensitive), or a QueryError listing them."""
    try:
        return SearchField(name.strip().lower())
    except ValueError:
        known = ", ".join(member.value for member in SearchField)
        raise QueryError(
            f"unknown field {name!r}; use one of: {known}", problem="field", field=name
        ) from None


def facet_named(name: str) -> FacetField:
    """The facet with this name (case-insensitive), or a QueryError listing them."""
    try:
        return FacetField(name.strip().lower())
    except ValueError:
        known = ", ".join(member.value for member in FacetField)
        raise QueryError(
            f"unknown facet {name!r}; use one of: {known}", problem="field", field=name
        ) from None


def sort_named(name: str) -> SortOrder:
    """The sort order with this name, or a QueryError listing them."""
    try:
        return SortOrder(name.strip().lower())
    except ValueError:
        known = ", ".join(member.value for member in SortOrder)
        raise QueryError(f"unknown sort {name!r}; use one of: {known}", problem="value") from None


def validate_query(node: QueryNode) -> None:
    """Check a query built by any translator; raise QueryError naming what is wrong.

    A term must have words, a year term must be a year, truncation only where
    it means something, a range must not run backwards, and a query cannot
    be only exclusions nested without anything to exclude from.
    """
    count = 0

    def visit(current: QueryNode) -> None:
        nonlocal count
        count += 1
        if count > MAX_QUERY_TERMS * 2:
            raise QueryError(
                f"the query has more than {MAX_QUERY_TERMS} terms", problem="too_complex"
            )
        if isinstance(current, Term):
            _validate_term(current)
        elif isinstance(current, YearRange):
            _validate_range(current)
        elif isinstance(current, And | Or):
            if not current.parts:
                raise QueryError(f"an empty {type(current).__name__.upper()}", problem="syntax")
            for part in current.parts:
                visit(part)
        elif isinstance(current, Not):
            visit(current.part)

    visit(node)


def _validate_term(term: Term) -> None:
    if not term.text.strip() or not any(character.isalnum() for character in term.text):
        raise QueryError(
            f"nothing to search for in {term.field.value}: {term.text!r}",
            problem="value",
            field=term.field.value,
        )
    if term.truncated and term.field not in TRUNCATABLE_FIELDS:
        raise QueryError(
            f"truncation (*) is not supported in {term.field.value}",
            problem="unsupported",
            field=term.field.value,
        )
    if term.field is SearchField.YEAR and not term.text.strip().isdigit():
        raise QueryError(
            f"a year must be digits, like 2001, not {term.text!r}",
            problem="value",
            field="year",
        )


def _validate_range(year_range: YearRange) -> None:
    for year in (year_range.first, year_range.last):
        if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
            raise QueryError(f"{year} is not a year", problem="value", field="year")
    if (
        year_range.first is not None
        and year_range.last is not None
        and year_range.first > year_range.last
    ):
        raise QueryError(
            f"the year range {year_range.first}-{year_range.last} runs backwards",
            problem="value",
            field="year",
        )


# The reader syntax.

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<open>\()
  | (?P<close>\))
  | (?P<field>[A-Za-z_]+):(?=\S)
  | (?P<quoted>"[^"]*"\*?)
  | (?P<unclosed>"[^"]*$)
  | (?P<word>[^\s()"]+)
    """,
    re.VERBOSE,
)
_OPERATORS = frozenset({"AND", "OR", "NOT"})
_YEAR_RANGE = re.compile(r"^(\d{1,4})?\s*(?:-|\.\.)\s*(\d{1,4})?$")


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    position: int


def _tokenise(text: str) -> list[_Token]:
    tokens = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "word"
        if kind == "space":
            continue
        if kind == "unclosed":
            raise QueryError(
                f"the quotation mark at character {match.start() + 1} is never closed",
                problem="syntax",
                position=match.start(),
            )
        value = match.group()
        if kind == "word" and value in _OPERATORS:
            kind = value.lower()
        elif kind == "word" and not any(character.isalnum() for character in value):
            continue  # a dash or stray mark between words ("Mác - Lênin") is no word
        tokens.append(_Token(kind, value, match.start()))
    return tokens


class _Parser:
    """Recursive descent: or := and (OR and)*; and := unary+ ; unary := NOT unary | atom."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenise(text)
        self.position = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def parse(self) -> QueryNode:
        if not self.tokens:
            return MatchAll()
        node = self.parse_or()
        token = self.peek()
        if token is not None:
            raise QueryError(
                f"unexpected {token.text!r} at character {token.position + 1}",
                problem="syntax",
                position=token.position,
            )
        return node

    def parse_or(self) -> QueryNode:
        parts = [self.parse_and()]
        while (token := self.peek()) is not None and token.kind == "or":
            self.take()
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def parse_and(self) -> QueryNode:
        parts = [self.parse_unary()]
        while (token := self.peek()) is not None and token.kind not in ("or", "close"):
            if token.kind == "and":
                self.take()
            parts.append(self.parse_unary())
        merged = _merge_adjacent_words(parts)
        return merged[0] if len(merged) == 1 else And(tuple(merged))

    def parse_unary(self) -> QueryNode:
        token = self.peek()
        if token is None:
            raise QueryError(
                "the query ends where a word was expected",
                problem="syntax",
                position=len(self.text),
            )
        if token.kind == "not":
            self.take()
            return Not(self.parse_unary())
        if token.kind == "word" and token.text.startswith("-") and len(token.text) > 1:
            self.take()
            return Not(self.word_term(token.text[1:], SearchField.ANY, token.position + 1))
        return self.parse_atom()

    def parse_atom(self) -> QueryNode:
        token = self.take()
        if token.kind == "open":
            node = self.parse_or()
            closing = self.peek()
            if closing is None or closing.kind != "close":
                raise QueryError(
                    f"the bracket at character {token.position + 1} is never closed",
                    problem="syntax",
                    position=token.position,
                )
            self.take()
            return node
        if token.kind == "field":
            return self.parse_fielded(field_named(token.text[:-1]), token)
        if token.kind == "quoted":
            return _phrase(token.text, SearchField.ANY)
        if token.kind == "word":
            return self.word_term(token.text, SearchField.ANY, token.position)
        raise QueryError(
            f"unexpected {token.text!r} at character {token.position + 1}",
            problem="syntax",
            position=token.position,
        )

    def parse_fielded(self, search_field: SearchField, field_token: _Token) -> QueryNode:
        value = self.peek()
        if value is None or value.kind not in ("word", "quoted", "and", "or", "not"):
            raise QueryError(
                f"nothing follows {field_token.text!r} at character {field_token.position + 1}",
                problem="syntax",
                position=field_token.position,
            )
        self.take()
        if value.kind == "quoted":
            return _phrase(value.text, search_field)
        if search_field is SearchField.YEAR:
            return _year_node(value.text)
        return self.word_term(value.text, search_field, value.position)

    def word_term(self, text: str, search_field: SearchField, position: int) -> Term:
        truncated = text.endswith("*")
        words = text.rstrip("*")
        if "*" in words or "?" in words:
            raise QueryError(
                f"a wildcard may only end a word: {text!r} at character {position + 1}",
                problem="unsupported",
                position=position,
            )
        return Term(words, search_field, truncated=truncated)


def _phrase(quoted: str, search_field: SearchField) -> Term:
    truncated = quoted.endswith("*")
    inner = quoted.rstrip("*")[1:-1].strip()
    if inner.endswith("*"):
        truncated = True
        inner = inner.rstrip("*").strip()
    if search_field is SearchField.YEAR:
        raise QueryError("a year cannot be a phrase", problem="value", field="year")
    return Term(inner, search_field, phrase=" " in inner.strip(), truncated=truncated)


def _year_node(text: str) -> QueryNode:
    if text.isdigit():
        return Term(text, SearchField.YEAR)
    match = _YEAR_RANGE.match(text)
    if match is None or (match.group(1) is None and match.group(2) is None):
        raise QueryError(
            f"a year or a range like 1990-2000 was expected, not {text!r}",
            problem="value",
            field="year",
        )
    first, last = (int(group) if group else None for group in match.groups())
    return YearRange(first, last)


def _merge_adjacent_words(parts: list[QueryNode]) -> list[QueryNode]:
    """Join runs of plain words in one field into one Term, so "nguyễn du" is one author.

    Keeping adjacent words together lets the index treat them as one field
    value (an author's name in either order, a title phrase bonus) while
    still requiring every word. A truncated word ends a run.
    """
    merged: list[QueryNode] = []
    for part in parts:
        previous = merged[-1] if merged else None
        if (
            isinstance(part, Term)
            and isinstance(previous, Term)
            and not part.phrase
            and not previous.phrase
            and not previous.truncated
            and part.field is SearchField.ANY
            and previous.field in TEXT_FIELDS
        ):
            merged[-1] = Term(
                f"{previous.text} {part.text}", previous.field, truncated=part.truncated
            )
        else:
            merged.append(part)
    return merged


def parse_query(text: str) -> QueryNode:
    """Parse the reader syntax (see the module docstring) into a query.

    `author:nguyễn du` is one author term of two words: a field applies to
    the plain words that follow it up to an operator, bracket, phrase or
    another field. An empty or blank query matches everything.
    """
    if len(text) > MAX_QUERY_CHARACTERS:
        raise QueryError(
            f"the query is longer than {MAX_QUERY_CHARACTERS} characters", problem="too_complex"
        )
    node = _Parser(text).parse()
    validate_query(node)
    return node
