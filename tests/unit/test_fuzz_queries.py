"""Fuzzing the query parsers (issue #9): any text is a query or a rejection that says why.

The reader syntax (`parse_query`) and CQL (`parse_cql`, then its translation)
get arbitrary text and text stitched from their own tokens. Whatever parses
must also translate into a tantivy query, since that is what search runs.
"""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from mucluc.core.query import SearchRequest, parse_query
from mucluc.errors import QueryError
from mucluc.protocols.sru.cql import parse_cql
from mucluc.protocols.sru.diagnostics import SruError
from mucluc.protocols.sru.translation import RecordIdQuery, cql_sort_order, cql_to_query
from mucluc.search.index import build_schema
from mucluc.search.query import QueryTranslator
from tests.fuzzing import CQL_TOKENS, READER_TOKENS, stitched

QUERY_PROBLEMS = {"syntax", "field", "value", "unsupported", "too_complex"}
TRANSLATOR = QueryTranslator(build_schema())


def reader_request(text: str) -> SearchRequest | QueryError:
    """The request the web and API make of the text, or their rejection of it."""
    try:
        return SearchRequest(query=parse_query(text))
    except QueryError as error:
        return error


def cql_request(text: str) -> SearchRequest | RecordIdQuery | SruError | QueryError:
    """What the SRU operation makes of the text (a QueryError becomes a diagnostic there)."""
    try:
        parsed = parse_cql(text)
        query = cql_to_query(parsed.root)
        if parsed.sort:
            cql_sort_order(parsed.sort)
        if isinstance(query, RecordIdQuery):
            return query
        return SearchRequest(query=query)
    except (SruError, QueryError) as error:
        return error


def assert_explained(rejection: SruError | QueryError) -> None:
    assert str(rejection), "a rejection must say what is wrong"
    if isinstance(rejection, QueryError):
        assert rejection.problem in QUERY_PROBLEMS


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=120), stitched(READER_TOKENS)))
@example("year:2001-1990")
@example('title:"" AND')
@example("(" * 200)
def test_reader_query_text_is_a_query_or_an_explained_rejection(text: str) -> None:
    request = reader_request(text)
    if isinstance(request, QueryError):
        assert_explained(request)
    else:
        TRANSLATOR.request_query(request)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=120), stitched(CQL_TOKENS)))
@example('dc.title = ""')
@example("rec.id = abc")
@example('dc.date within "2000"')
def test_cql_text_is_a_query_or_a_diagnostic(text: str) -> None:
    request = cql_request(text)
    if isinstance(request, SruError | QueryError):
        assert_explained(request)
    elif isinstance(request, SearchRequest):
        TRANSLATOR.request_query(request)
