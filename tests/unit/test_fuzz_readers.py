"""Fuzzing the record readers (issue #9): whatever the bytes, every record is accounted for.

Each reader gets arbitrary bytes, and good files of its format with bytes
flipped, cut or inserted. The property: reading never raises; outcomes are
numbered 1, 2, 3 … with none skipped; an outcome without a record carries an
error naming the file and the record; a record read can be stored as JSON.
"""

from __future__ import annotations

import io
import json

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pymarc import Record

from mucluc.core.marc.formats import CSV, ISO2709, XLSX, read_records
from mucluc.core.marc.iso2709 import ParsedRecord
from tests.builders import make_marc_record
from tests.fuzzing import WRITERS, as_xlsx, mutated, record_lists

SOURCE = "fuzz.dat"
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read_all(data: bytes, record_format: str) -> list[ParsedRecord]:
    return list(read_records(io.BytesIO(data), SOURCE, record_format=record_format))


def assert_accounted(outcomes: list[ParsedRecord]) -> None:
    """Numbered without gaps; a missing record explained; a record read storable."""
    assert [outcome.position for outcome in outcomes] == list(range(1, len(outcomes) + 1))
    for outcome in outcomes:
        for problem in outcome.problems:
            assert problem["message"], "a problem must say what is wrong"
            assert (problem["file"], problem["record"]) == (SOURCE, outcome.position)
        if outcome.record is None:
            assert any(problem["severity"] == "error" for problem in outcome.problems)
        else:
            json.dumps(outcome.record.as_dict(), ensure_ascii=False)


@FUZZ
@given(st.sampled_from(sorted(WRITERS)), record_lists)
# Found by hypothesis: two rows of one title are two copies of one edition.
@example(CSV, [make_marc_record("0", "0"), make_marc_record("00", "0")])
def test_good_files_read_every_record(record_format: str, records: list[Record]) -> None:
    outcomes = read_all(WRITERS[record_format](records), record_format)
    assert_accounted(outcomes)
    assert all(outcome.record is not None for outcome in outcomes)
    if record_format not in (CSV, XLSX):
        assert len(outcomes) == len(records)
        return
    # A book list's consecutive rows of one edition are one record, a copy per row:
    # every row's id is still there, as the record's 001 or a copy's 852 $p.
    assert len(outcomes) <= len(records)
    assert registered_ids(outcomes) == {record["001"].data for record in records}


def registered_ids(outcomes: list[ParsedRecord]) -> set[str]:
    found = set()
    for outcome in outcomes:
        assert outcome.record is not None
        found.add(outcome.record.get("001").data)
        for copy in outcome.record.get_fields("852"):
            found.update(copy.get_subfields("p"))
    return found


@FUZZ
@given(st.sampled_from(sorted(WRITERS)), st.binary(max_size=600))
# Found by atheris: "¹" (Latin-1 0xB9) in the base address passed str.isdigit, failed int().
@example(ISO2709, b"00030nam a22\xb9\xb9\xb9\xb9\xb9 a 4500\x1e\x1e\x1e\x1e\x1e\x1d")
def test_arbitrary_bytes_never_break_a_reader(record_format: str, data: bytes) -> None:
    assert_accounted(read_all(data, record_format))


@FUZZ
@given(st.sampled_from(sorted(WRITERS)), record_lists, st.data())
def test_damaged_files_account_for_every_record(
    record_format: str, records: list[Record], data: st.DataObject
) -> None:
    damaged = data.draw(mutated(WRITERS[record_format](records)))
    assert_accounted(read_all(damaged, record_format))


def test_a_workbook_with_a_damaged_sheet_is_one_explained_failure() -> None:
    """Found by fuzzing: the zlib.error of a damaged sheet escaped the XLSX reader."""
    data = bytearray(as_xlsx([make_marc_record("1", "Sách")]))
    sheet = data.index(b"xl/worksheets/sheet1.xml") + len(b"xl/worksheets/sheet1.xml")
    data[sheet : sheet + 4] = b"\xff" * 4  # the start of the sheet's compressed text
    (outcome,) = read_all(bytes(data), XLSX)
    assert outcome.record is None
    assert outcome.problems[0]["message"] == (
        "not a readable XLSX workbook (Error -3 while decompressing data: invalid block type); "
        "reading stopped here"
    )
