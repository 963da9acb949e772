"""Coverage-guided fuzzing (atheris, libFuzzer) of the record readers and the query parsers.

The first input byte picks a target, the rest is its input: bytes for a
record format, text for the reader query syntax or CQL. A target may answer
with records, problems or its own rejection (QueryError, SruError); any
other exception is a finding and stops the run with the input that caused it.

    .venv/bin/python bench/fuzz/readers.py -runs=20000            # bounded
    .venv/bin/python bench/fuzz/readers.py -max_total_time=300 corpus/

libFuzzer's own flags apply (-runs, -max_total_time, -seed, a corpus folder).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from contextlib import suppress

import atheris

with atheris.instrument_imports(include=["mucluc"]):
    from mucluc.core.marc.formats import FORMATS, read_records
    from mucluc.core.query import SearchRequest, parse_query
    from mucluc.errors import QueryError
    from mucluc.protocols.sru.cql import parse_cql
    from mucluc.protocols.sru.diagnostics import SruError
    from mucluc.protocols.sru.translation import RecordIdQuery, cql_to_query


def read_format(record_format: str) -> Callable[[bytes], None]:
    def read(data: bytes) -> None:
        outcomes = list(read_records(io.BytesIO(data), "fuzz", record_format=record_format))
        positions = [outcome.position for outcome in outcomes]
        if positions != list(range(1, len(outcomes) + 1)):
            raise AssertionError(f"records numbered {positions}: one was dropped")
        for outcome in outcomes:
            if outcome.record is None and not outcome.problems:
                raise AssertionError(f"record {outcome.position} unread and unexplained")

    return read


def reader_query(data: bytes) -> None:
    with suppress(QueryError):
        SearchRequest(query=parse_query(data.decode("utf-8", "replace")))


def cql_query(data: bytes) -> None:
    with suppress(SruError, QueryError):
        query = cql_to_query(parse_cql(data.decode("utf-8", "replace")).root)
        if not isinstance(query, RecordIdQuery):
            SearchRequest(query=query)


TARGETS = [*(read_format(name) for name in FORMATS), reader_query, cql_query]


def test_one_input(data: bytes) -> None:
    if data:
        TARGETS[data[0] % len(TARGETS)](data[1:])


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
