r"""Parsed CQL into mucluc's one query model (`mucluc.core.query`), and sort keys into a SortOrder.

Indexes (context sets dc 1.1, bath 2.0, rec 1.1, cql 1.2 and mucluc's own)::

    cql.serverChoice (a bare term)  any text field
    dc.title dc.creator dc.subject dc.publisher    words in that field
    dc.date                                        the publication year
    bath.isbn bath.issn                            identifiers, either form
    rec.id                                         a union record id (001), on its own
    mucluc.library mucluc.province mucluc.language mucluc.format
    mucluc.libraryType mucluc.series mucluc.classification

Relations on words: `=` and `adj` (CQL 1.2: a string term is searched as
adjacent words) and `==` (the index has no whole-field match, so also
adjacent words) make a phrase; `all` every word in any order; `any` at
least one word; `<>` excludes. Order relations (<, >, <=, >=) and `within`
apply to dc.date only. `*` at the end of a word is right truncation; `?`,
a `*` anywhere else and the anchor `^` get diagnostics 28/31, as the index
has only prefix search; `\*` is a literal asterisk. `prox` gets 39: the
model has no proximity.
"""

from __future__ import annotations

from dataclasses import dataclass

from mucluc.core.model import MAX_RECORD_ID
from mucluc.core.query import (
    TRUNCATABLE_FIELDS,
    And,
    MatchAll,
    Not,
    Or,
    QueryNode,
    SearchField,
    SortOrder,
    Term,
    YearRange,
)
from mucluc.protocols.sru.cql import BooleanClause, CqlNode, Modifier, SearchClause, SortSpec
from mucluc.protocols.sru.diagnostics import SruDiagnostic, SruError

MAX_TERM_CHARACTERS = 500

# Context sets by the short names clients use and by their identifiers.
CONTEXT_SETS = {
    "cql": "cql",
    "info:srw/cql-context-set/1/cql-v1.2": "cql",
    "info:srw/cql-context-set/1/cql-v1.1": "cql",
    "dc": "dc",
    "info:srw/cql-context-set/1/dc-v1.1": "dc",
    "bath": "bath",
    "http://zing.z3950.org/cql/bath/2.0/": "bath",
    "rec": "rec",
    "info:srw/cql-context-set/2/rec-1.1": "rec",
    "info:srw/cql-context-set/2/rec-1.0": "rec",
    "mucluc": "mucluc",
    "info:srw/cql-context-set/mucluc-v1": "mucluc",
    # An index without a prefix is read in the dc set, then mucluc's (explain says so).
    "": "",
}
CONTEXT_SET_IDENTIFIERS = {
    "cql": "info:srw/cql-context-set/1/cql-v1.2",
    "dc": "info:srw/cql-context-set/1/dc-v1.1",
    "bath": "http://zing.z3950.org/cql/bath/2.0/",
    "rec": "info:srw/cql-context-set/2/rec-1.1",
    "mucluc": "info:srw/cql-context-set/mucluc-v1",
}
RECORD_ID_INDEX = ("rec", "id")
ALL_RECORDS_INDEX = ("cql", "allrecords")

# (context set, lower-case index name) → the field searched.
INDEXES: dict[tuple[str, str], SearchField] = {
    ("cql", "serverchoice"): SearchField.ANY,
    ("cql", "anywhere"): SearchField.ANY,
    ("dc", "title"): SearchField.TITLE,
    ("dc", "creator"): SearchField.AUTHOR,
    ("dc", "subject"): SearchField.SUBJECT,
    ("dc", "publisher"): SearchField.PUBLISHER,
    ("dc", "date"): SearchField.YEAR,
    ("dc", "language"): SearchField.LANGUAGE,
    ("bath", "isbn"): SearchField.ISBN,
    ("bath", "issn"): SearchField.ISSN,
    ("mucluc", "library"): SearchField.LIBRARY,
    ("mucluc", "province"): SearchField.PROVINCE,
    ("mucluc", "language"): SearchField.LANGUAGE,
    ("mucluc", "format"): SearchField.MATERIAL_TYPE,
    ("mucluc", "librarytype"): SearchField.LIBRARY_TYPE,
    ("mucluc", "series"): SearchField.SERIES,
    ("mucluc", "classification"): SearchField.CLASSIFICATION,
}
# How explain and messages spell index names that are not all lower case.
INDEX_SPELLINGS = {
    ("cql", "serverchoice"): "serverChoice",
    ("cql", "allrecords"): "allRecords",
    ("mucluc", "librarytype"): "libraryType",
}
_UNPREFIXED_SETS = ("dc", "mucluc", "bath", "cql")

_PHRASE_RELATIONS = frozenset({"=", "adj", "=="})
_ORDER_RELATIONS = frozenset({"<", ">", "<=", ">="})
_KNOWN_RELATIONS = _PHRASE_RELATIONS | _ORDER_RELATIONS | {"all", "any", "<>", "within"}
# Relation modifiers that change nothing here: the index already ignores case and
# tones for matching (tones only rank), ranks by relevance, and masks by default.
_HARMLESS_RELATION_MODIFIERS = frozenset(
    {"relevant", "ignorecase", "ignoreaccents", "masked", "word", "string", "unmasked"}
)
# Fields matched as whole codes: a library code, a language code, a format name.
_CODE_FIELDS = frozenset(
    {
        SearchField.LIBRARY,
        SearchField.LANGUAGE,
        SearchField.MATERIAL_TYPE,
        SearchField.LIBRARY_TYPE,
        SearchField.ISBN,
        SearchField.ISSN,
    }
)


@dataclass(frozen=True)
class RecordIdQuery:
    """`rec.id = N`: the union record with id N (the 001 of the published record)."""

    union_record_id: int


def _modifier_name(modifier: Modifier) -> str:
    return modifier.name.lower().removeprefix("cql.")


def _context_set(context_set: str) -> str:
    short = CONTEXT_SETS.get(context_set, CONTEXT_SETS.get(context_set.lower()))
    if short is None:
        raise SruError(
            SruDiagnostic.UNSUPPORTED_CONTEXT_SET,
            context_set,
            f"the context set {context_set!r} is not supported; "
            f"use one of: {', '.join(CONTEXT_SET_IDENTIFIERS)}",
        )
    return short


def index_key(context_set: str, name: str) -> tuple[str, str]:
    """The (short context set, lower-case name) of an index; unprefixed names find their set."""
    short = _context_set(context_set)
    lowered = name.lower()
    if short:
        return short, lowered
    for candidate in _UNPREFIXED_SETS:
        if (candidate, lowered) in INDEXES:
            return candidate, lowered
    if lowered in ("id",):
        return RECORD_ID_INDEX
    return short, lowered


def _unsupported_index(clause: SearchClause) -> SruError:
    known = ", ".join(
        f"{context}.{INDEX_SPELLINGS.get((context, name), name)}" for context, name in INDEXES
    )
    return SruError(
        SruDiagnostic.UNSUPPORTED_INDEX,
        clause.index,
        f"the index {clause.index!r} is not supported; use one of: {known}, rec.id",
    )


@dataclass(frozen=True)
class _Word:
    """A word of a term: its text without masking, and where masks stood."""

    text: str
    right_truncated: bool


def _words(clause: SearchClause, *, masking: bool) -> list[_Word]:
    """Split a term into words, reading `*`, `?` and `^` (CQL 1.2 "Masking Rules")."""
    words: list[_Word] = []
    current: list[str] = []
    masks: list[int] = []  # positions in `current` of unescaped '*'
    escaped = False

    def finish() -> None:
        if not current:
            return
        if masks and (masks != [len(current) - 1] or len(current) == 1):
            if len(current) == 1:
                words.append(_Word("", right_truncated=True))
                current.clear()
                masks.clear()
                return
            raise SruError(
                SruDiagnostic.MASKING_CHARACTER_NOT_SUPPORTED,
                "*",
                f"{clause.term!r}: '*' is supported only at the end of a word",
            )
        truncated = bool(masks)
        text = "".join(current[:-1] if truncated else current)
        words.append(_Word(text, truncated))
        current.clear()
        masks.clear()

    for character in clause.term:
        if escaped:
            current.append(character)
            escaped = False
        elif character == "\\":
            escaped = True
        elif character.isspace():
            finish()
        elif masking and character == "*":
            masks.append(len(current))
            current.append(character)
        elif masking and character == "?":
            raise SruError(
                SruDiagnostic.MASKING_CHARACTER_NOT_SUPPORTED,
                "?",
                f"{clause.term!r}: the single-character mask '?' is not supported; "
                "use '*' at the end of a word",
            )
        elif masking and character == "^":
            raise SruError(
                SruDiagnostic.ANCHORING_CHARACTER_NOT_SUPPORTED,
                "^",
                f"{clause.term!r}: anchoring with '^' is not supported",
            )
        else:
            current.append(character)
    finish()
    return words


def _check_relation_modifiers(clause: SearchClause) -> bool:
    """Refuse modifiers that would change the meaning; True when masking applies."""
    masking = True
    for modifier in clause.modifiers:
        name = _modifier_name(modifier)
        if name not in _HARMLESS_RELATION_MODIFIERS or modifier.comparison is not None:
            raise SruError(
                SruDiagnostic.UNSUPPORTED_RELATION_MODIFIER,
                modifier.name,
                f"the relation modifier /{modifier.name} is not supported",
            )
        if name == "unmasked":
            masking = False
    return masking


def _year(text: str, clause: SearchClause) -> int:
    if not text.isdigit() or len(text) > 4:
        raise SruError(
            SruDiagnostic.TERM_IN_INVALID_FORMAT,
            clause.term,
            f"dc.date takes a year such as 2001, not {clause.term!r}",
        )
    return int(text)


def _date_node(clause: SearchClause) -> QueryNode:
    relation = clause.relation
    words = [word.text for word in _words(clause, masking=False)]
    if not words:
        raise SruError(SruDiagnostic.EMPTY_TERM_UNSUPPORTED, None, "dc.date needs a year")
    if relation in _PHRASE_RELATIONS and len(words) == 1 and "-" in words[0].strip("-"):
        first, _, last = words[0].partition("-")
        return YearRange(_year(first, clause), _year(last, clause))
    if relation == "within":
        if len(words) != 2:
            raise SruError(
                SruDiagnostic.UNSUPPORTED_COMBINATION_OF_RELATION_AND_TERM,
                f"within {clause.term}",
                'within takes two years, as in dc.date within "1990 2000"',
            )
        return YearRange(_year(words[0], clause), _year(words[1], clause))
    if relation == "any":
        years = [Term(str(_year(word, clause)), SearchField.YEAR) for word in words]
        return years[0] if len(years) == 1 else Or(tuple(years))
    if len(words) != 1:
        raise SruError(
            SruDiagnostic.UNSUPPORTED_COMBINATION_OF_RELATION_AND_TERM,
            f"{relation} {clause.term}",
            f"dc.date {relation} takes one year, not {clause.term!r}",
        )
    year = _year(words[0], clause)
    if relation in _PHRASE_RELATIONS or relation == "all":
        return Term(str(year), SearchField.YEAR)
    if relation == "<>":
        return Not(Term(str(year), SearchField.YEAR))
    return {
        "<": YearRange(None, year - 1),
        "<=": YearRange(None, year),
        ">": YearRange(year + 1, None),
        ">=": YearRange(year, None),
    }[relation]


def _text_node(clause: SearchClause, field: SearchField, *, masking: bool) -> QueryNode:
    relation = clause.relation
    if relation in _ORDER_RELATIONS or relation == "within":
        raise SruError(
            SruDiagnostic.UNSUPPORTED_COMBINATION_OF_RELATION_AND_INDEX,
            f"{clause.index} {relation}",
            f"the relation {relation!r} applies to dc.date only",
        )
    words = _words(clause, masking=masking)
    if not words:
        raise SruError(
            SruDiagnostic.EMPTY_TERM_UNSUPPORTED, None, f"{clause.index} needs a search term"
        )
    if any(word.right_truncated for word in words) and field not in TRUNCATABLE_FIELDS:
        raise SruError(
            SruDiagnostic.MASKING_CHARACTER_NOT_SUPPORTED,
            "*",
            f"truncation with '*' is not supported in {clause.index}",
        )
    if len(words) == 1 and not words[0].text:
        return MatchAll()  # a lone '*': every record with anything in the field
    if any(not word.text for word in words):
        raise SruError(
            SruDiagnostic.MASKING_CHARACTER_NOT_SUPPORTED,
            "*",
            f"{clause.term!r}: '*' must follow at least one character of a word",
        )
    if relation == "any":
        terms = [Term(word.text, field, truncated=word.right_truncated) for word in words]
        return terms[0] if len(terms) == 1 else Or(tuple(terms))
    if field in _CODE_FIELDS and len(words) > 1:
        if relation == "all":
            return And(tuple(Term(word.text, field) for word in words))
        return Term(" ".join(word.text for word in words), field)
    if any(word.right_truncated for word in words[:-1]):
        if relation != "all":
            raise SruError(
                SruDiagnostic.MASKING_CHARACTER_NOT_SUPPORTED,
                "*",
                f"{clause.term!r}: in adjacent words only the last may end in '*'",
            )
        return And(tuple(Term(word.text, field, truncated=word.right_truncated) for word in words))
    text = " ".join(word.text for word in words)
    term = Term(
        text,
        field,
        phrase=relation in _PHRASE_RELATIONS | {"<>"} and len(words) > 1,
        truncated=words[-1].right_truncated,
    )
    return Not(term) if relation == "<>" else term


def _search_clause_node(clause: SearchClause) -> QueryNode:
    key = index_key(clause.context_set, clause.name)
    if clause.relation not in _KNOWN_RELATIONS:
        raise SruError(
            SruDiagnostic.UNSUPPORTED_RELATION,
            clause.relation,
            f"the relation {clause.relation!r} is not supported; "
            f"use one of: {', '.join(sorted(_KNOWN_RELATIONS))}",
        )
    if key == RECORD_ID_INDEX:
        raise SruError(
            SruDiagnostic.UNSUPPORTED_COMBINATION_OF_INDEXES,
            "rec.id",
            "rec.id can only be searched on its own, as in rec.id = 123",
        )
    if key == ALL_RECORDS_INDEX:
        return MatchAll()
    field = INDEXES.get(key)
    if field is None:
        raise _unsupported_index(clause)
    masking = _check_relation_modifiers(clause)
    if len(clause.term) > MAX_TERM_CHARACTERS:
        raise SruError(
            SruDiagnostic.TOO_MANY_CHARACTERS_IN_TERM,
            str(MAX_TERM_CHARACTERS),
            f"a term may have at most {MAX_TERM_CHARACTERS} characters",
        )
    if field is SearchField.YEAR:
        return _date_node(clause)
    return _text_node(clause, field, masking=masking)


def _parts(node: QueryNode, kind: type[And] | type[Or]) -> tuple[QueryNode, ...]:
    return node.parts if isinstance(node, kind) else (node,)


def _is_match_all(node: QueryNode) -> bool:
    return isinstance(node, MatchAll)


def _boolean_node(clause: BooleanClause) -> QueryNode:
    if clause.operator == "prox":
        raise SruError(
            SruDiagnostic.PROXIMITY_NOT_SUPPORTED,
            None,
            "proximity (prox) is not supported; use adj for adjacent words",
        )
    if clause.modifiers:
        raise SruError(
            SruDiagnostic.UNSUPPORTED_BOOLEAN_MODIFIER,
            clause.modifiers[0].name,
            f"the boolean modifier /{clause.modifiers[0].name} is not supported",
        )
    left, right = cql_to_node(clause.left), cql_to_node(clause.right)
    if clause.operator == "or":
        if _is_match_all(left) or _is_match_all(right):
            return MatchAll()
        return Or((*_parts(left, Or), *_parts(right, Or)))
    if clause.operator == "not":
        if _is_match_all(left):
            return Not(right)
        return And((*_parts(left, And), Not(right)))
    parts = tuple(
        part for part in (*_parts(left, And), *_parts(right, And)) if not _is_match_all(part)
    )
    if not parts:
        return MatchAll()
    return parts[0] if len(parts) == 1 else And(parts)


def cql_to_node(node: CqlNode) -> QueryNode:
    """The query-model node of a parsed CQL node; SruError for what it cannot express."""
    if isinstance(node, BooleanClause):
        return _boolean_node(node)
    return _search_clause_node(node)


def cql_to_query(node: CqlNode) -> QueryNode | RecordIdQuery:
    """Like `cql_to_node`, but a lone `rec.id = N` becomes a record lookup."""
    if isinstance(node, SearchClause):
        key = index_key(node.context_set, node.name)
        if key == RECORD_ID_INDEX:
            if node.relation not in ("=", "=="):
                raise SruError(
                    SruDiagnostic.UNSUPPORTED_COMBINATION_OF_RELATION_AND_INDEX,
                    f"rec.id {node.relation}",
                    "rec.id is searched with = only",
                )
            text = node.term.strip()
            # ASCII digits only: "²" is a digit to str.isdigit, but not to int().
            if not (text.isascii() and text.isdigit()) or int(text) > MAX_RECORD_ID:
                raise SruError(
                    SruDiagnostic.TERM_IN_INVALID_FORMAT,
                    node.term,
                    f"rec.id is a union record id from 1 to {MAX_RECORD_ID}, not {node.term!r}",
                )
            return RecordIdQuery(int(text))
    return cql_to_node(node)


# Sorting: (context set, index) → (ascending order, descending order or None).
SORT_INDEXES: dict[tuple[str, str], tuple[SortOrder, SortOrder | None]] = {
    ("dc", "date"): (SortOrder.YEAR_OLDEST, SortOrder.YEAR_NEWEST),
    ("dc", "title"): (SortOrder.TITLE, None),
    ("dc", "creator"): (SortOrder.AUTHOR, None),
    ("cql", "serverchoice"): (SortOrder.RELEVANCE, SortOrder.RELEVANCE),
}


def sort_order(index: tuple[str, str], label: str, *, ascending: bool) -> SortOrder:
    """The sort order for an index and direction; diagnostics 88 and 90 otherwise."""
    orders = SORT_INDEXES.get(index)
    if orders is None:
        known = ", ".join(f"{context}.{name}" for context, name in SORT_INDEXES)
        raise SruError(
            SruDiagnostic.UNSUPPORTED_SORT_PATH,
            label,
            f"results cannot be sorted by {label!r}; use one of: {known}",
        )
    ascending_order, descending_order = orders
    if ascending:
        return ascending_order
    if descending_order is None:
        raise SruError(
            SruDiagnostic.UNSUPPORTED_SORT_DIRECTION,
            label,
            f"{label} sorts in ascending order only",
        )
    return descending_order


def cql_sort_order(keys: tuple[SortSpec, ...]) -> SortOrder:
    """The sort order of a CQL `sortby` clause (one key; sort.ascending or sort.descending)."""
    if len(keys) > 1:
        raise SruError(
            SruDiagnostic.TOO_MANY_SORT_KEYS, "1", "results can be sorted by one key only"
        )
    (key,) = keys
    ascending = True
    for modifier in key.modifiers:
        name = _modifier_name(modifier).removeprefix("sort.")
        if name == "ascending":
            ascending = True
        elif name == "descending":
            ascending = False
        elif name in ("ignorecase", "ignoreaccents"):
            continue
        elif name == "missingvalue" or name.startswith("missing"):
            raise SruError(
                SruDiagnostic.UNSUPPORTED_MISSING_VALUE_ACTION,
                modifier.value,
                "records without the sort value always come last",
            )
        else:
            raise SruError(
                SruDiagnostic.UNSUPPORTED_RELATION_MODIFIER,
                modifier.name,
                f"the sort modifier /{modifier.name} is not supported",
            )
    label = f"{key.context_set}.{key.name}" if key.context_set else key.name
    return sort_order(index_key(key.context_set, key.name), label, ascending=ascending)
