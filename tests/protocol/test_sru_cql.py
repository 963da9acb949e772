"""CQL parsing and translation into the one query model, with the diagnostic for each refusal."""

from __future__ import annotations

import pytest

from mucluc.core.query import (
    And,
    MatchAll,
    Not,
    Or,
    SearchField,
    SortOrder,
    Term,
    YearRange,
)
from mucluc.protocols.sru.cql import BooleanClause, SearchClause, parse_cql
from mucluc.protocols.sru.diagnostics import SruDiagnostic, SruError
from mucluc.protocols.sru.translation import RecordIdQuery, cql_sort_order, cql_to_query


def translate(text: str) -> object:
    return cql_to_query(parse_cql(text).root)


def test_parse_cql_reads_booleans_left_to_right_with_brackets_and_modifiers() -> None:
    parsed = parse_cql('(dc.title any "lịch sử" or cat) and/rel.combine=sum dc.date > 2000')
    assert isinstance(parsed.root, BooleanClause)
    assert parsed.root.operator == "and"
    assert parsed.root.modifiers[0].name == "rel.combine"
    assert isinstance(parsed.root.left, BooleanClause)
    assert parsed.root.left.operator == "or"
    right = parsed.root.right
    assert isinstance(right, SearchClause)
    assert (right.context_set, right.name, right.relation, right.term) == (
        "dc",
        "date",
        ">",
        "2000",
    )


def test_parse_cql_applies_a_prefix_assignment_to_the_index() -> None:
    parsed = parse_cql('>d="info:srw/cql-context-set/1/dc-v1.1" d.title = kiều')
    assert isinstance(parsed.root, SearchClause)
    assert parsed.root.context_set == "info:srw/cql-context-set/1/dc-v1.1"
    assert translate('>d="info:srw/cql-context-set/1/dc-v1.1" d.title = kiều') == Term(
        "kiều", SearchField.TITLE
    )


def test_parse_cql_reads_a_quoted_keyword_as_a_term() -> None:
    assert translate('"and"') == Term("and", SearchField.ANY)


@pytest.mark.parametrize(
    ("cql", "expected"),
    [
        ("lịch", Term("lịch", SearchField.ANY)),
        ('dc.title = "lịch sử"', Term("lịch sử", SearchField.TITLE, phrase=True)),
        ('dc.title adj "lịch sử"', Term("lịch sử", SearchField.TITLE, phrase=True)),
        ('dc.title all "sử lịch"', Term("sử lịch", SearchField.TITLE)),
        (
            'dc.creator any "du kiều"',
            Or((Term("du", SearchField.AUTHOR), Term("kiều", SearchField.AUTHOR))),
        ),
        ("title = kinh*", Term("kinh", SearchField.TITLE, truncated=True)),
        ('dc.title = "kinh tế*"', Term("kinh tế", SearchField.TITLE, phrase=True, truncated=True)),
        ("dc.date = 2005", Term("2005", SearchField.YEAR)),
        ("dc.date > 2005", YearRange(2006, None)),
        ("dc.date <= 1990", YearRange(None, 1990)),
        ('dc.date within "1990 2000"', YearRange(1990, 2000)),
        ("dc.date = 1990-2000", YearRange(1990, 2000)),
        ("bath.isbn = 978-604-0-00001-9", Term("978-604-0-00001-9", SearchField.ISBN)),
        ("bath.issn = 0866-7489", Term("0866-7489", SearchField.ISSN)),
        ("mucluc.library = VN-NLV", Term("VN-NLV", SearchField.LIBRARY)),
        ('mucluc.province = "Hà Nội"', Term("Hà Nội", SearchField.PROVINCE, phrase=True)),
        ("mucluc.language = vie", Term("vie", SearchField.LANGUAGE)),
        ("mucluc.format = book", Term("book", SearchField.MATERIAL_TYPE)),
        ("dc.title <> kiều", Not(Term("kiều", SearchField.TITLE))),
        ("cql.allRecords = 1", MatchAll()),
        ("dc.title = *", MatchAll()),
        ("rec.id = 42", RecordIdQuery(42)),
        (
            "a and b or c",
            Or((And((Term("a"), Term("b"))), Term("c"))),
        ),
        ("a not b", And((Term("a"), Not(Term("b"))))),
        ("a AND b", And((Term("a"), Term("b")))),
        (r'dc.title = "c\*"', Term("c*", SearchField.TITLE)),
        ("dc.title =/relevant/ignoreCase kiều", Term("kiều", SearchField.TITLE)),
    ],
)
def test_cql_to_query_builds_the_query_model(cql: str, expected: object) -> None:
    assert translate(cql) == expected


@pytest.mark.parametrize(
    ("cql", "code", "details"),
    [
        ("dc.foo = x", SruDiagnostic.UNSUPPORTED_INDEX, "dc.foo"),
        ("nowhere.title = x", SruDiagnostic.UNSUPPORTED_CONTEXT_SET, "nowhere"),
        ("dc.title encloses x", SruDiagnostic.UNSUPPORTED_RELATION, "encloses"),
        ("dc.title > x", SruDiagnostic.UNSUPPORTED_COMBINATION_OF_RELATION_AND_INDEX, "dc.title >"),
        ("dc.title =/fuzzy x", SruDiagnostic.UNSUPPORTED_RELATION_MODIFIER, "fuzzy"),
        ("a prox b", SruDiagnostic.PROXIMITY_NOT_SUPPORTED, None),
        ("a and/fuzzy b", SruDiagnostic.UNSUPPORTED_BOOLEAN_MODIFIER, "fuzzy"),
        ("k?ều", SruDiagnostic.MASKING_CHARACTER_NOT_SUPPORTED, "?"),
        ("*kiều", SruDiagnostic.MASKING_CHARACTER_NOT_SUPPORTED, "*"),
        ('dc.title = "lịch *"', SruDiagnostic.MASKING_CHARACTER_NOT_SUPPORTED, "*"),
        ("^kiều", SruDiagnostic.ANCHORING_CHARACTER_NOT_SUPPORTED, "^"),
        ("bath.isbn = 978*", SruDiagnostic.MASKING_CHARACTER_NOT_SUPPORTED, "*"),
        ("dc.date = xưa", SruDiagnostic.TERM_IN_INVALID_FORMAT, "xưa"),
        ('dc.title = ""', SruDiagnostic.EMPTY_TERM_UNSUPPORTED, None),
        ("rec.id = 1 and kiều", SruDiagnostic.UNSUPPORTED_COMBINATION_OF_INDEXES, "rec.id"),
        ("rec.id = abc", SruDiagnostic.TERM_IN_INVALID_FORMAT, "abc"),
        ("dc.title =", SruDiagnostic.QUERY_SYNTAX_ERROR, "10"),
        ("(kiều", SruDiagnostic.INVALID_USE_OF_PARENTHESES, "0"),
        ("kiều)", SruDiagnostic.INVALID_USE_OF_PARENTHESES, "4"),
        ('"kiều', SruDiagnostic.INVALID_USE_OF_QUOTES, "0"),
        ("truyện kiều", SruDiagnostic.QUERY_SYNTAX_ERROR, None),
        ("", SruDiagnostic.QUERY_SYNTAX_ERROR, "0"),
        ("x" * 2001, SruDiagnostic.TOO_MANY_CHARACTERS_IN_QUERY, "2000"),
    ],
)
def test_cql_refusals_carry_the_sru_diagnostic(
    cql: str, code: SruDiagnostic, details: str | None
) -> None:
    with pytest.raises(SruError) as caught:
        translate(cql)
    assert caught.value.code is code
    if details is not None:
        assert caught.value.details == details


@pytest.mark.parametrize(
    ("cql", "order"),
    [
        ("kiều sortby dc.date/sort.descending", SortOrder.YEAR_NEWEST),
        ("kiều sortby dc.date", SortOrder.YEAR_OLDEST),
        ("kiều sortby dc.title/sort.ascending", SortOrder.TITLE),
        ("kiều sortby dc.creator", SortOrder.AUTHOR),
    ],
)
def test_cql_sortby_chooses_the_sort_order(cql: str, order: SortOrder) -> None:
    assert cql_sort_order(parse_cql(cql).sort) == order


@pytest.mark.parametrize(
    ("cql", "code"),
    [
        ("kiều sortby dc.publisher", SruDiagnostic.UNSUPPORTED_SORT_PATH),
        ("kiều sortby dc.title/sort.descending", SruDiagnostic.UNSUPPORTED_SORT_DIRECTION),
        ("kiều sortby dc.date dc.title", SruDiagnostic.TOO_MANY_SORT_KEYS),
        (
            "kiều sortby dc.date/sort.missingValue=omit",
            SruDiagnostic.UNSUPPORTED_MISSING_VALUE_ACTION,
        ),
    ],
)
def test_cql_sortby_refusals_carry_the_sru_diagnostic(cql: str, code: SruDiagnostic) -> None:
    with pytest.raises(SruError) as caught:
        cql_sort_order(parse_cql(cql).sort)
    assert caught.value.code is code
