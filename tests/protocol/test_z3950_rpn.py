"""Bib-1 RPN queries into the query model, and the BER framing, without a server."""

from __future__ import annotations

from typing import Any

import pytest

from mucluc.core.query import And, MatchAll, Not, Or, QueryNode, SearchField, Term, YearRange
from mucluc.protocols.z3950.codec import BerError, MessageTooLargeError, encode_pdu, pdu_size
from mucluc.protocols.z3950.diagnostics import Bib1Diagnostic, Z3950Error
from mucluc.protocols.z3950.rpn import BIB1_ATTRIBUTE_SET, LocalNumberQuery, rpn_to_query


def operand(term: str, **attributes: int) -> tuple[str, Any]:
    """An RPN operand; attributes by Bib-1 type name (use=4, relation=3, truncation=1)."""
    types = {
        "use": 1,
        "relation": 2,
        "position": 3,
        "structure": 4,
        "truncation": 5,
        "completeness": 6,
    }
    elements = [
        {"attributeType": types[name], "attributeValue": ("numeric", value)}
        for name, value in attributes.items()
    ]
    return ("op", ("attrTerm", {"attributes": elements, "term": ("general", term.encode())}))


def combined(operator: str, left: tuple[str, Any], right: tuple[str, Any]) -> tuple[str, Any]:
    return ("rpnRpnOp", {"rpn1": left, "rpn2": right, "op": (operator, None)})


def translate(rpn: tuple[str, Any]) -> QueryNode | LocalNumberQuery:
    def no_result_sets(name: str) -> QueryNode:
        raise Z3950Error(Bib1Diagnostic.RESULT_SET_DOES_NOT_EXIST, name)

    return rpn_to_query({"attributeSet": BIB1_ATTRIBUTE_SET, "rpn": rpn}, no_result_sets)


def condition_of(rpn: tuple[str, Any]) -> tuple[int, str]:
    with pytest.raises(Z3950Error) as raised:
        translate(rpn)
    return int(raised.value.condition), raised.value.addinfo


@pytest.mark.parametrize(
    ("use", "field"),
    [
        (4, SearchField.TITLE),
        (1003, SearchField.AUTHOR),
        (21, SearchField.SUBJECT),
        (7, SearchField.ISBN),
        (8, SearchField.ISSN),
        (1016, SearchField.ANY),
        (1018, SearchField.PUBLISHER),
    ],
)
def test_use_attributes_choose_the_field(use: int, field: SearchField) -> None:
    assert translate(operand("Lịch sử", use=use)) == Term("Lịch sử", field)


def test_phrase_structure_and_right_truncation_set_the_term_flags() -> None:
    assert translate(operand("truyện kiều", use=4, structure=1)) == Term(
        "truyện kiều", SearchField.TITLE, phrase=True
    )
    assert translate(operand("kinh tế", use=4, truncation=1)) == Term(
        "kinh tế", SearchField.TITLE, truncated=True
    )
    assert translate(operand("kinh#", use=4, truncation=101)) == Term(
        "kinh", SearchField.TITLE, truncated=True
    )


def test_year_relations_become_ranges() -> None:
    assert translate(operand("2001", use=31)) == Term("2001", SearchField.YEAR)
    assert translate(operand("2001", use=31, relation=4)) == YearRange(2001, None)
    assert translate(operand("2001", use=31, relation=1)) == YearRange(None, 2000)
    assert translate(operand("1990-2000", use=31)) == YearRange(1990, 2000)


def test_boolean_operators_nest_into_and_or_not() -> None:
    title, author, year = (
        operand("lịch sử", use=4),
        operand("lê", use=1003),
        operand("2001", use=31),
    )
    query = translate(
        combined("or", combined("and", title, author), combined("and-not", title, year))
    )
    assert query == Or(
        (
            And((Term("lịch sử", SearchField.TITLE), Term("lê", SearchField.AUTHOR))),
            And((Term("lịch sử", SearchField.TITLE), Not(Term("2001", SearchField.YEAR)))),
        )
    )


def test_a_lone_local_number_is_a_union_record_lookup() -> None:
    assert translate(operand("42", use=12)) == LocalNumberQuery(42)
    assert condition_of(combined("and", operand("42", use=12), operand("x", use=4)))[0] == 123


@pytest.mark.parametrize(
    ("rpn", "condition", "addinfo"),
    [
        (operand("x", use=9999), 114, "9999"),
        (operand("x", use=4, relation=6), 117, "6"),
        (operand("x", use=4, relation=5), 117, "5"),
        (operand("x", use=4, position=4), 119, "4"),
        (operand("x", use=4, structure=104), 118, "104"),
        (operand("x", use=4, truncation=2), 120, "2"),
        (operand("x", use=4, completeness=9), 122, "9"),
        (
            operand("nineteen", use=31),
            115,
            "'nineteen': a year such as 2001 (or 1990-2000) was expected",
        ),
        (combined("prox", operand("a"), operand("b")), 110, "proximity"),
        (("op", ("resultSet", b"old")), 30, "old"),
    ],
)
def test_what_the_model_cannot_express_gets_its_bib1_diagnostic(
    rpn: tuple[str, Any], condition: int, addinfo: str
) -> None:
    assert condition_of(rpn) == (condition, addinfo)


def test_another_attribute_set_is_refused_with_121() -> None:
    with pytest.raises(Z3950Error) as raised:
        rpn_to_query(
            {"attributeSet": "1.2.840.10003.3.2", "rpn": operand("x")}, lambda _: MatchAll()
        )
    assert raised.value.condition == Bib1Diagnostic.UNSUPPORTED_ATTRIBUTE_SET


def test_pdu_size_waits_for_a_whole_pdu_and_refuses_oversized_ones() -> None:
    pdu = encode_pdu("close", {"closeReason": 0})
    assert pdu_size(pdu[:-1], 1000) is None
    assert pdu_size(pdu + b"\x00\x00", 1000) == len(pdu)
    with pytest.raises(MessageTooLargeError):
        pdu_size(b"\xb6\x83\x10\x00\x00", 1000)
    with pytest.raises(BerError):
        pdu_size(b"\xb6\x85\x00\x00\x00\x00\x01", 1000)


def test_pdu_size_follows_indefinite_lengths_to_their_end() -> None:
    indefinite = b"\xbf\x30\x80" + b"\x9f\x81\x53\x01\x00" + b"\x00\x00"
    assert pdu_size(indefinite, 1000) == len(indefinite)
    assert pdu_size(indefinite[:-1], 1000) is None
