"""The one query model: the reader syntax parses into it, and mistakes are named."""

from __future__ import annotations

import re

import pytest

from mucluc.core.query import (
    And,
    MatchAll,
    Not,
    Or,
    SearchField,
    SearchRequest,
    Term,
    YearRange,
    parse_query,
)
from mucluc.errors import QueryError


def test_parse_query_keeps_plain_words_together_as_one_term() -> None:
    assert parse_query("lịch sử việt nam") == Term("lịch sử việt nam")


def test_parse_query_reads_phrases_and_truncation() -> None:
    assert parse_query('"lịch sử Việt Nam"') == Term("lịch sử Việt Nam", phrase=True)
    assert parse_query("kinh tế*") == Term("kinh tế", truncated=True)


def test_parse_query_applies_a_field_to_the_words_that_follow() -> None:
    assert parse_query('title:"truyện kiều" author:nguyễn du') == And(
        (
            Term("truyện kiều", SearchField.TITLE, phrase=True),
            Term("nguyễn du", SearchField.AUTHOR),
        )
    )


def test_parse_query_reads_boolean_operators_with_precedence() -> None:
    assert parse_query("(hoà bình OR chiến tranh) NOT mỹ") == And(
        (Or((Term("hoà bình"), Term("chiến tranh"))), Not(Term("mỹ")))
    )
    assert parse_query("a OR b c") == Or((Term("a"), Term("b c")))
    assert parse_query("văn -thơ") == And((Term("văn"), Not(Term("thơ"))))


def test_parse_query_reads_years_and_open_ranges() -> None:
    assert parse_query("year:2001") == Term("2001", SearchField.YEAR)
    assert parse_query("year:1990-2000") == YearRange(1990, 2000)
    assert parse_query("year:-1975") == YearRange(None, 1975)
    assert parse_query("year:1990..") == YearRange(1990, None)


def test_parse_query_of_nothing_matches_everything() -> None:
    assert parse_query("  ") == MatchAll()
    assert parse_query("Mác - Lênin") == Term("Mác Lênin")


@pytest.mark.parametrize(
    ("text", "problem", "words"),
    [
        ("colour:red", "field", "unknown field 'colour'"),
        ('"lịch sử', "syntax", "quotation mark at character 1 is never closed"),
        ("(văn học", "syntax", "bracket at character 1 is never closed"),
        ("văn OR", "syntax", "ends where a word was expected"),
        ("year:abc", "value", "a year or a range"),
        ("year:2000-1990", "value", "runs backwards"),
        ("isbn:978*", "unsupported", "truncation (*) is not supported in isbn"),
        ("ki*nh", "unsupported", "a wildcard may only end a word"),
        ("văn)", "syntax", "unexpected ')'"),
    ],
)
def test_parse_query_names_the_problem(text: str, problem: str, words: str) -> None:
    with pytest.raises(QueryError, match=re.escape(words)) as caught:
        parse_query(text)
    assert caught.value.problem == problem


def test_search_request_refuses_pages_beyond_the_window() -> None:
    with pytest.raises(QueryError, match="paged through"):
        SearchRequest(offset=200_000, limit=20)


def test_search_request_checks_queries_built_by_translators() -> None:
    with pytest.raises(QueryError, match="nothing to search for"):
        SearchRequest(query=And((Term("  ", SearchField.TITLE),)))
