"""Type-1 (RPN) queries with Bib-1 attributes, translated into mucluc's one query model.

The attribute meanings follow the Bib-1 semantics
(https://www.loc.gov/z3950/agency/bib1.html). Use attributes map onto
`SearchField`s; relation, position, structure, truncation and completeness
attributes become a Term's phrase/truncation flags or a YearRange. What the
model cannot express raises the Bib-1 diagnostic the list gives for it
(114 unsupported use attribute, 117 relation, 120 truncation …), naming the
value in addinfo, so a client learns exactly what to change.

Two readings are lenient on purpose, because copy-cataloguing clients send
them by default: positions "first in field" and "first in subfield" (3=1,
3=2) search the words anywhere in the field, and relations 100-102
(phonetic, stem, relevance) search as "equal" (the index already folds
Vietnamese tones and ranks by relevance).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mucluc.core.query import And, Not, Or, QueryNode, SearchField, Term, YearRange
from mucluc.protocols.z3950.codec import international_string
from mucluc.protocols.z3950.diagnostics import Bib1Diagnostic, Z3950Error

BIB1_ATTRIBUTE_SET = "1.2.840.10003.3.1"

USE, RELATION, POSITION, STRUCTURE, TRUNCATION, COMPLETENESS = 1, 2, 3, 4, 5, 6

# Bib-1 use attributes (type 1) and the field each searches.
USE_ATTRIBUTES: dict[int, SearchField] = {
    1: SearchField.AUTHOR,  # personal name
    2: SearchField.AUTHOR,  # corporate name
    3: SearchField.AUTHOR,  # conference name
    4: SearchField.TITLE,
    5: SearchField.SERIES,  # title series
    7: SearchField.ISBN,
    8: SearchField.ISSN,
    13: SearchField.CLASSIFICATION,  # Dewey classification
    21: SearchField.SUBJECT,  # subject heading
    30: SearchField.YEAR,  # date
    31: SearchField.YEAR,  # date of publication
    1003: SearchField.AUTHOR,
    1004: SearchField.AUTHOR,  # author, personal name
    1016: SearchField.ANY,  # any
    1017: SearchField.ANY,  # server choice
    1018: SearchField.PUBLISHER,
    1035: SearchField.ANY,  # anywhere
}
# String use attributes (`@attr 1=title`), as YAZ and CQL-to-RPN gateways send them.
USE_NAMES: dict[str, SearchField] = {
    "any": SearchField.ANY,
    "title": SearchField.TITLE,
    "author": SearchField.AUTHOR,
    "subject": SearchField.SUBJECT,
    "isbn": SearchField.ISBN,
    "issn": SearchField.ISSN,
    "publisher": SearchField.PUBLISHER,
    "date": SearchField.YEAR,
    "year": SearchField.YEAR,
    "series": SearchField.SERIES,
    "classification": SearchField.CLASSIFICATION,
}
LOCAL_NUMBER_USE = 12

_EQUAL_RELATIONS = {3, 100, 101, 102}  # equal; phonetic, stem, relevance read as equal
_ORDER_RELATIONS = {1, 2, 4, 5}  # less than, less or equal, greater or equal, greater than
_PHRASE_STRUCTURES = {1, 3, 108}  # phrase, key, string
_WORD_STRUCTURES = {2, 6, 101, 102, 105, 106, 109}  # word, word list, names, free text …
_DATE_STRUCTURES = {4, 5, 100}  # year, date (normalised), date (un-normalised)
_RIGHT_TRUNCATION, _NO_TRUNCATION, _PROCESS_HASH = 1, 100, 101
_YEAR = re.compile(r"^\s*(\d{1,4})\s*$")
_YEAR_RANGE = re.compile(r"^\s*(\d{1,4})?\s*-\s*(\d{1,4})?\s*$")


@dataclass(frozen=True)
class LocalNumberQuery:
    """A search by local number (Bib-1 use 12): the union record id mucluc publishes in 001."""

    union_record_id: int


@dataclass(frozen=True)
class _Attributes:
    use: SearchField
    relation: int
    structure: int | None
    truncation: int
    completeness: int
    local_number: bool


def _attribute_value(element: dict[str, Any]) -> int | str:
    kind, value = element["attributeValue"]
    if kind == "numeric":
        return int(value)
    strings = [item for choice, item in value["list"] if choice == "string"]
    numbers = [item for choice, item in value["list"] if choice == "numeric"]
    if strings:
        return international_string(strings[0]).strip().lower()
    if numbers:
        return int(numbers[0])
    raise Z3950Error(Bib1Diagnostic.UNSUPPORTED_ATTRIBUTE_TYPE, "empty complex attribute")


def _read_attributes(elements: list[dict[str, Any]], default_set: str) -> _Attributes:
    values: dict[int, int | str] = {}
    for element in elements:
        attribute_set = element.get("attributeSet", default_set)
        if attribute_set != BIB1_ATTRIBUTE_SET:
            raise Z3950Error(Bib1Diagnostic.UNSUPPORTED_ATTRIBUTE_SET, attribute_set)
        attribute_type = int(element["attributeType"])
        if attribute_type not in (USE, RELATION, POSITION, STRUCTURE, TRUNCATION, COMPLETENESS):
            raise Z3950Error(Bib1Diagnostic.UNSUPPORTED_ATTRIBUTE_TYPE, str(attribute_type))
        values[attribute_type] = _attribute_value(element)
    use_value = values.get(USE, 1016)
    local_number = use_value == LOCAL_NUMBER_USE
    if local_number:
        use = SearchField.ANY
    elif isinstance(use_value, str) and use_value in USE_NAMES:
        use = USE_NAMES[use_value]
    elif isinstance(use_value, int) and use_value in USE_ATTRIBUTES:
        use = USE_ATTRIBUTES[use_value]
    else:
        raise Z3950Error(Bib1Diagnostic.UNSUPPORTED_USE_ATTRIBUTE, str(use_value))
    numeric = {
        attribute_type: value
        for attribute_type, value in values.items()
        if attribute_type != USE and isinstance(value, int)
    }
    for attribute_type, value in values.items():
        if attribute_type != USE and not isinstance(value, int):
            raise Z3950Error(_UNSUPPORTED_BY_TYPE[attribute_type], value)
    position = numeric.get(POSITION, 3)
    if position not in (1, 2, 3):
        raise Z3950Error(Bib1Diagnostic.UNSUPPORTED_POSITION_ATTRIBUTE, str(position))
    completeness = numeric.get(COMPLETENESS, 1)
    if completeness not in (1, 2, 3):
        raise Z3950Error(Bib1Diagnostic.UNSUPPORTED_COMPLETENESS_ATTRIBUTE, str(completeness))
    return _Attributes(
        use=use,
        relation=numeric.get(RELATION, 3),
        structure=numeric.get(STRUCTURE),
        truncation=numeric.get(TRUNCATION, _NO_TRUNCATION),
        completeness=completeness,
        local_number=local_number,
    )


_UNSUPPORTED_BY_TYPE = {
    RELATION: Bib1Diagnostic.UNSUPPORTED_RELATION_ATTRIBUTE,
    POSITION: Bib1Diagnostic.UNSUPPORTED_POSITION_ATTRIBUTE,
    STRUCTURE: Bib1Diagnostic.UNSUPPORTED_STRUCTURE_ATTRIBUTE,
    TRUNCATION: Bib1Diagnostic.UNSUPPORTED_TRUNCATION_ATTRIBUTE,
    COMPLETENESS: Bib1Diagnostic.UNSUPPORTED_COMPLETENESS_ATTRIBUTE,
}


def _term_text(term: tuple[str, Any]) -> str:
    kind, value = term
    if kind == "general" or kind == "characterString":
        return international_string(bytes(value))
    if kind == "numeric":
        return str(value)
    raise Z3950Error(
        Bib1Diagnostic.UNSUPPORTED_CODED_VALUE_FOR_TERM, f"term type {kind} is not supported"
    )


def _year_node(text: str, relation: int) -> QueryNode:
    single = _YEAR.match(text)
    if single is None:
        span = _YEAR_RANGE.match(text)
        if relation in _EQUAL_RELATIONS and span is not None and any(span.groups()):
            first, last = (int(group) if group else None for group in span.groups())
            return YearRange(first, last)
        raise Z3950Error(
            Bib1Diagnostic.UNSUPPORTED_TERM_FOR_USE_ATTRIBUTE,
            f"{text!r}: a year such as 2001 (or 1990-2000) was expected",
        )
    year = int(single.group(1))
    if relation in _EQUAL_RELATIONS:
        return Term(str(year), SearchField.YEAR)
    return {
        1: YearRange(None, year - 1),
        2: YearRange(None, year),
        4: YearRange(year, None),
        5: YearRange(year + 1, None),
    }[relation]


def _local_number(operand: dict[str, Any], default_set: str) -> LocalNumberQuery | None:
    """The lookup a use-12 (local number) operand asks for, or None for another use."""
    if not _read_attributes(operand["attributes"], default_set).local_number:
        return None
    text = _term_text(operand["term"])
    if not text.strip().isdigit():
        raise Z3950Error(
            Bib1Diagnostic.UNSUPPORTED_TERM_FOR_USE_ATTRIBUTE,
            f"{text!r}: a local number is a union record id, such as 12345",
        )
    return LocalNumberQuery(int(text))


def _attributes_plus_term(operand: dict[str, Any], default_set: str) -> QueryNode:
    attributes = _read_attributes(operand["attributes"], default_set)
    text = _term_text(operand["term"])
    if attributes.local_number:
        raise Z3950Error(
            Bib1Diagnostic.UNSUPPORTED_ATTRIBUTE_COMBINATION,
            "a local number (use 12) can only be searched on its own",
        )
    relation = attributes.relation
    if relation not in _EQUAL_RELATIONS and not (
        relation in _ORDER_RELATIONS and attributes.use is SearchField.YEAR
    ):
        raise Z3950Error(Bib1Diagnostic.UNSUPPORTED_RELATION_ATTRIBUTE, str(relation))
    if attributes.use is SearchField.YEAR:
        return _year_node(text, relation)
    structure = attributes.structure
    if structure is not None and structure not in _PHRASE_STRUCTURES | _WORD_STRUCTURES:
        if structure in _DATE_STRUCTURES:
            raise Z3950Error(
                Bib1Diagnostic.UNSUPPORTED_ATTRIBUTE_COMBINATION,
                f"structure {structure} needs a date use attribute (31)",
            )
        raise Z3950Error(Bib1Diagnostic.UNSUPPORTED_STRUCTURE_ATTRIBUTE, str(structure))
    phrase = structure in _PHRASE_STRUCTURES or attributes.completeness in (2, 3)
    truncated = False
    if attributes.truncation == _RIGHT_TRUNCATION:
        truncated = True
    elif attributes.truncation == _PROCESS_HASH:
        stripped = text.rstrip().rstrip("#")
        if "#" in stripped:
            raise Z3950Error(
                Bib1Diagnostic.UNSUPPORTED_TRUNCATION_ATTRIBUTE,
                "101: '#' is supported only at the end of the term",
            )
        truncated = stripped != text.rstrip()
        text = stripped
    elif attributes.truncation != _NO_TRUNCATION:
        raise Z3950Error(
            Bib1Diagnostic.UNSUPPORTED_TRUNCATION_ATTRIBUTE, str(attributes.truncation)
        )
    words = text.split()
    return Term(
        " ".join(words), attributes.use, phrase=phrase and len(words) > 1, truncated=truncated
    )


def _operator_node(operator: tuple[str, Any], left: QueryNode, right: QueryNode) -> QueryNode:
    name = operator[0]
    if name == "and":
        return And((*_parts(left, And), *_parts(right, And)))
    if name == "or":
        return Or((*_parts(left, Or), *_parts(right, Or)))
    if name == "and-not":
        return And((*_parts(left, And), Not(right)))
    raise Z3950Error(Bib1Diagnostic.OPERATOR_UNSUPPORTED, "proximity")


def _parts(node: QueryNode, kind: type[And] | type[Or]) -> tuple[QueryNode, ...]:
    return node.parts if isinstance(node, kind) else (node,)


def rpn_to_query(
    rpn_query: dict[str, Any], result_set_query: Callable[[str], QueryNode]
) -> QueryNode | LocalNumberQuery:
    """Translate a decoded RPNQuery into a query node (or a lone local-number lookup).

    `result_set_query` returns the query of a named result set of the
    association, so a result set used as an operand ("@set default") searches
    again with that set's query; it raises the diagnostic for an unknown name.
    """
    default_set = rpn_query["attributeSet"]
    if default_set != BIB1_ATTRIBUTE_SET:
        raise Z3950Error(Bib1Diagnostic.UNSUPPORTED_ATTRIBUTE_SET, default_set)
    depth = 0

    def walk(structure: tuple[str, Any]) -> QueryNode:
        nonlocal depth
        depth += 1
        if depth > 200:
            raise Z3950Error(Bib1Diagnostic.MALFORMED_QUERY, "the query is nested too deeply")
        kind, value = structure
        if kind == "rpnRpnOp":
            return _operator_node(value["op"], walk(value["rpn1"]), walk(value["rpn2"]))
        operand_kind, operand = value
        if operand_kind == "attrTerm":
            return _attributes_plus_term(operand, default_set)
        if operand_kind == "resultSet":
            return result_set_query(international_string(bytes(operand)))
        raise Z3950Error(
            Bib1Diagnostic.RESULT_SET_AS_TERM_UNSUPPORTED, "result sets with attributes"
        )

    kind, value = rpn_query["rpn"]
    if kind == "op" and value[0] == "attrTerm":
        lookup = _local_number(value[1], default_set)
        if lookup is not None:
            return lookup
    return walk(rpn_query["rpn"])
