"""Content checks: what keeps a record out of the catalogue, and what only warns."""

from __future__ import annotations

from mucluc.core.marc.checks import check_record
from mucluc.core.marc.lean import LeanField, LeanRecord

LEADER = "00000nam a2200000 i 4500"


def title_statement(*subfields: tuple[str, str]) -> LeanRecord:
    return LeanRecord(
        LEADER,
        [
            LeanField("001", data="1"),
            LeanField("245", indicator1="1", indicator2="0", subfields=list(subfields)),
        ],
    )


def test_a_title_under_a_mangled_subfield_code_is_an_error() -> None:
    """As in pymarc's bad_subfield_code.dat: the title came as 245 $á, so no $a to show."""
    (problem,) = check_record(title_statement(("á", "ActivePerl with ASP and ADO /")))
    assert (problem.severity, problem.tag) == ("error", "245")
    assert problem.message == "245 has no title in $a or $k (subfields: $á)"


def test_a_title_in_a_or_a_form_in_k_is_enough() -> None:
    assert check_record(title_statement(("a", "Truyện Kiều /"), ("c", "Nguyễn Du."))) == []
    assert check_record(title_statement(("k", "Châu bản triều Nguyễn"))) == []
