"""Reading ISO 2709: every record yields an outcome, bad ones with their place and reason."""

from __future__ import annotations

from mucluc.core.marc.read import ReadRecord, RejectedRecord, read_iso2709
from tests.builders import make_marc_file, make_marc_record


def test_read_iso2709_numbers_records_and_keeps_offsets_and_bytes() -> None:
    first = make_marc_record("1", "Văn học").as_marc()
    second = make_marc_record("2", "Lịch sử").as_marc()
    outcomes = list(read_iso2709(first + second))
    assert [(o.position, o.offset, o.raw) for o in outcomes] == [
        (1, 0, first),
        (2, len(first), second),
    ]
    assert all(isinstance(outcome, ReadRecord) for outcome in outcomes)


def test_read_iso2709_rejects_invalid_utf8_and_goes_on() -> None:
    broken = make_marc_record("1", "Caf\u00e9").as_marc().replace("é".encode(), b"\xe9 ")
    good = make_marc_record("2", "Hóa học").as_marc()
    first, second = read_iso2709(broken + good)
    assert isinstance(first, RejectedRecord)
    assert "not valid UTF-8" in first.reason
    assert first.raw == broken
    assert isinstance(second, ReadRecord)
    assert second.record["245"]["a"] == "Hóa học"


def test_read_iso2709_rejects_a_truncated_record() -> None:
    data = make_marc_file(make_marc_record("1", "Tin học"))
    (outcome,) = list(read_iso2709(data[:-20]))
    assert isinstance(outcome, RejectedRecord)
    assert outcome.reason
