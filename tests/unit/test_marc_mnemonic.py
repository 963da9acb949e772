"""MarcEdit mnemonic text written for staff to edit reads back as the same record."""

from __future__ import annotations

from mucluc.core.marc.formats import read_mrk, write_mrk
from mucluc.core.marc.lean import LeanField, LeanRecord


def test_a_record_written_as_mnemonic_reads_back_unchanged() -> None:
    record = LeanRecord(
        "00000nam a2200000 a 4500",
        [
            LeanField("001", data="HCM 0001"),
            LeanField("008", data="201101s2020    vm            000 0 vie d"),
            LeanField(
                "245",
                indicator1="1",
                subfields=[("a", "Giá $5 {dollar} \\ {x}"), ("c", "Nguyễn Du")],
            ),
        ],
    )
    text = write_mrk(record)
    assert text.splitlines()[:2] == ["=LDR  00000nam\\a2200000\\a\\4500", "=001  HCM\\0001"]
    assert "=245  1\\$aGiá {dollar}5 {lcub}dollar{rcub} {bsol} {lcub}x{rcub}$cNguyễn Du" in text
    (parsed,) = read_mrk(text.encode("utf-8"), "edited.mrk")
    assert parsed.problems == []
    assert parsed.record is not None
    assert parsed.record.as_dict() == record.as_dict()
