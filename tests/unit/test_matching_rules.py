"""The first matcher's pure rules: blocking keys, the same-library veto, the preferred record."""

from __future__ import annotations

from mucluc.core.dedup.decide import choose_union_record
from mucluc.core.dedup.keys import candidate_keys
from mucluc.core.model import BibDescription, LibraryInfo, MemberView
from mucluc.core.preference import choose_preferred_member


def member(code: str, library_type: str, **description: object) -> MemberView:
    library = LibraryInfo(code, code, code, library_type)
    return MemberView(library=library, local_id=code, description=BibDescription(**description))


def test_candidate_keys_are_the_isbns() -> None:
    description = BibDescription(title="Sách", isbns=("9786040000019", "9780198526636"))
    assert candidate_keys(description) == {("isbn", "9786040000019"), ("isbn", "9780198526636")}


def test_candidate_keys_of_a_record_without_isbn_are_empty() -> None:
    assert candidate_keys(BibDescription(title="Sách")) == set()


def test_choose_union_record_takes_the_lowest_candidate() -> None:
    assert choose_union_record([3, 7], library_id=1, libraries_of=lambda _: {2}) == 3


def test_choose_union_record_never_joins_a_record_of_the_same_library() -> None:
    libraries = {3: {1, 2}, 7: {2}}
    assert choose_union_record([3, 7], library_id=1, libraries_of=libraries.__getitem__) == 7


def test_choose_union_record_without_a_free_candidate_is_none() -> None:
    assert choose_union_record([3], library_id=1, libraries_of=lambda _: {1}) is None


def test_national_library_record_is_preferred() -> None:
    school = member("VN-SCH", "school", title="Sách", subtitle="đầy đủ", publisher="Nxb. Trẻ")
    national = member("VN-NLV", "national", title="Sách")
    assert [m.library.code for m in choose_preferred_member([school, national])] == [
        "VN-NLV",
        "VN-SCH",
    ]


def test_more_complete_record_is_preferred_among_equals() -> None:
    sparse = member("VN-A", "provincial", title="Sách")
    full = member("VN-B", "provincial", title="Sách", publisher="Nxb. Trẻ", year=2020)
    assert choose_preferred_member([sparse, full])[0].library.code == "VN-B"
