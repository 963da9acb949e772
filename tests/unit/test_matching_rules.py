"""Which member speaks for a union record: the preferred record comes first."""

from __future__ import annotations

from mucluc.core.model import BibDescription, LibraryInfo, MemberView
from mucluc.core.ports import UnionMember
from mucluc.core.preference import SourcePriority, choose_preferred_member
from mucluc.services.matching import preferred_member_title


def member(code: str, library_type: str, **description: object) -> MemberView:
    library = LibraryInfo(code, code, code, library_type)
    return MemberView(library=library, local_id=code, description=BibDescription(**description))


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


def union_member(source_id: int, code: str, library_type: str, completeness: int) -> UnionMember:
    return UnionMember(
        1, source_id, source_id, code, library_type, completeness, f"{code}:{source_id}"
    )


def test_union_title_comes_from_named_libraries_then_types_then_completeness() -> None:
    members = [
        union_member(1, "VN-SCH", "school", 20),
        union_member(2, "VN-PRV", "provincial", 9),
        union_member(3, "VN-PRV2", "provincial", 12),
        union_member(4, "VN-NLV", "national", 3),
    ]
    assert preferred_member_title(members, SourcePriority()) == "VN-NLV:4"
    assert preferred_member_title(members[:3], SourcePriority()) == "VN-PRV2:3"
    named = SourcePriority(library_codes=("VN-PRV", "VN-NLV"))
    assert preferred_member_title(members, named) == "VN-PRV:2"
