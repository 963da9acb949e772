"""Descriptions kept beside source records: read back equal, and never stale."""

from __future__ import annotations

import hashlib
import json

from pymarc import Field, Indicators, Record, Subfield

from mucluc.core.marc.describe import (
    DESCRIPTION_VERSION,
    describe_record,
    description_from_store,
    description_to_store,
)
from tests.builders import make_marc_record

# The digest of the kept descriptions of `described_records()` at each
# DESCRIPTION_VERSION. When `describe_record` changes what it says of them,
# bump DESCRIPTION_VERSION (so kept descriptions are made again) and add the
# new digest here.
KEPT_DESCRIPTIONS_DIGEST = {
    1: "9e5fa590c085d922656157f75d7db761e762161c5d78de3f0567897adcf9c4fb",
}


def subfields(*pairs: str) -> list[Subfield]:
    return [Subfield(pairs[index], pairs[index + 1]) for index in range(0, len(pairs), 2)]


def field(tag: str, *pairs: str, indicators: tuple[str, str] = (" ", " ")) -> Field:
    return Field(tag=tag, indicators=Indicators(*indicators), subfields=subfields(*pairs))


def rich_record() -> Record:
    """A record with every field describing reads."""
    record = Record(force_utf8=True)
    record.leader = record.leader[:5] + "nam a" + record.leader[10:]
    record.add_field(Field(tag="001", data="rich-1"))
    record.add_field(Field(tag="008", data="201101s2019    vm            000 0 vie d"))
    for added in (
        field("020", "a", "978-604-0-00001-9 (bìa mềm)", "z", "123"),
        field("022", "a", "1859-3100"),
        field("041", "a", "vie", "b", "eng", indicators=("0", " ")),
        field("082", "a", "959.7/04", "2", "23", indicators=("0", "4")),
        field("100", "a", "Phan, Huy Lê,", "d", "1934-2018.", indicators=("1", " ")),
        field(
            "245",
            "a",
            "Lịch sử Việt Nam.",
            "n",
            "Tập 1,",
            "p",
            "Thời tiền sử :",
            "b",
            "giáo trình /",
            "c",
            "Phan Huy Lê chủ biên.",
            indicators=("1", "0"),
        ),
        field("250", "a", "Tái bản lần thứ 2."),
        field("264", "a", "Hà Nội :", "b", "Nxb. Giáo dục,", "c", "2019.", indicators=(" ", "1")),
        field("300", "a", "350 tr. ;", "c", "24 cm."),
        field("490", "a", "Tủ sách lịch sử ;", "v", "3", indicators=("1", " ")),
        field("650", "a", "Lịch sử", "z", "Việt Nam", "y", "Thời tiền sử.", indicators=(" ", "7")),
        field("651", "a", "Việt Nam", "x", "Lịch sử.", indicators=(" ", "7")),
        field("700", "a", "Trần, Quốc Vượng.", indicators=("1", " ")),
        field("710", "a", "Viện Sử học.", indicators=("2", " ")),
        field("830", "a", "Tủ sách lịch sử.", indicators=(" ", "0")),
    ):
        record.add_field(added)
    return record


def described_records() -> list[Record]:
    return [
        rich_record(),
        make_marc_record("v1", "Truyện Kiều /", author="Nguyễn Du", isbn="604-0-00001-0"),
        make_marc_record("v2", "Hoà bình", year=None),
        make_marc_record("v3", "Kỹ thuật điện tử", author="Đoàn Văn Bình", year=1998),
    ]


def test_a_kept_description_reads_back_equal_to_the_description() -> None:
    for record in described_records():
        description = describe_record(record)
        kept = json.loads(json.dumps(description_to_store(description)))  # as a JSON column
        assert description_from_store(kept) == description


def test_a_description_kept_under_another_version_is_not_used() -> None:
    kept = description_to_store(describe_record(rich_record()))
    assert description_from_store({**kept, "version": DESCRIPTION_VERSION - 1}) is None
    assert description_from_store(None) is None
    assert description_from_store({}) is None


def test_describing_has_not_changed_without_a_new_description_version() -> None:
    kept = [description_to_store(describe_record(record)) for record in described_records()]
    text = json.dumps(kept, ensure_ascii=False, sort_keys=True)
    digest = hashlib.sha256(text.encode()).hexdigest()
    assert digest == KEPT_DESCRIPTIONS_DIGEST.get(DESCRIPTION_VERSION), (
        "describe_record describes these records differently from DESCRIPTION_VERSION "
        f"{DESCRIPTION_VERSION}: bump it in mucluc.core.marc.describe and record "
        f"{digest} here for the new version"
    )
