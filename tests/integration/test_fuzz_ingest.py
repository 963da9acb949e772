"""Fuzzing ingest into a real store (issue #9): damaged files never stop a run or lose a record.

Every record read is counted once as added, updated, unchanged, deleted or
quarantined, on SQLite and PostgreSQL (which refuses some text SQLite keeps).
"""

from __future__ import annotations

import io
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymarc import Record
from sqlalchemy import select

from mucluc.core.marc.formats import read_records
from mucluc.services.ingest import ingest_bytes
from mucluc.storage.repository import SqlCatalogue
from mucluc.storage.tables import SourceRecord
from tests.builders import make_marc_file, make_marc_record
from tests.fuzzing import WRITERS, mutated, record_lists

RUNS = count(1)
OUTCOMES = ("added", "updated", "unchanged", "deleted", "quarantined")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.sampled_from(sorted(WRITERS)), record_lists, st.data())
def test_every_record_of_a_damaged_file_is_counted_once(
    catalogue: SqlCatalogue, record_format: str, records: list[Record], data: st.DataObject
) -> None:
    damaged = data.draw(mutated(WRITERS[record_format](records)))
    source_name = f"fuzz-{next(RUNS)}"
    read = list(read_records(io.BytesIO(damaged), source_name, record_format=record_format))
    summary = ingest_bytes(
        catalogue, "VN-NLV", damaged, source_name=source_name, record_format=record_format
    )
    assert summary.read == len(read)
    assert sum(getattr(summary, outcome) for outcome in OUTCOMES) == summary.read


MARC_JSON_WITH_A_SURROGATE = (
    b'{"leader": "00000nam a2200000 a 4500", "fields": [{"001": "j1"},'
    b' {"245": {"ind1": "0", "ind2": "0", "subfields": [{"a": "S\\ud800ch"}]}}]}'
)


@pytest.mark.parametrize(
    ("record_format", "data", "title", "repaired"),
    [
        ("marc21", make_marc_file(make_marc_record("m1", "Sách\x00 một")), "Sách một", "245"),
        ("marc-json", MARC_JSON_WITH_A_SURROGATE, "S\ufffdch", "245"),
        ("csv", "Mã,Nhan đề\nc1,Sách\x00 hai\n".encode(), "Sách hai", "245"),
        # A NUL in the leader is blanked, not removed: the leader keeps its 24 characters.
        (
            "mrk",
            b"=LDR  00000nam\x00a2200000 a 4500\n=001  k1\n=245  00$aS\xc3\xa1ch ba\n",
            "Sách ba",
            "leader",
        ),
    ],
)
def test_text_no_store_keeps_is_cleaned_and_the_repair_noted(
    catalogue: SqlCatalogue, record_format: str, data: bytes, title: str, repaired: str
) -> None:
    """Found by fuzzing: a NUL broke ingest on PostgreSQL, a lone surrogate everywhere."""
    summary = ingest_bytes(
        catalogue, "VN-NLV", data, source_name="odd.dat", record_format=record_format
    )
    assert summary.added == 1
    with catalogue.transaction() as transaction:
        stored_title, provenance = transaction.session.execute(
            select(SourceRecord.title, SourceRecord.provenance)
        ).one()
    assert stored_title == title
    assert (
        f"{repaired}: NUL characters removed or blanked, lone surrogates replaced by U+FFFD"
        in provenance["repairs"]
    )
