"""Which member speaks for a union record: the preferred record comes first."""

from __future__ import annotations

from mucluc.core.model import BibDescription, LibraryInfo, MemberView
from mucluc.core.preference import choose_preferred_member


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
