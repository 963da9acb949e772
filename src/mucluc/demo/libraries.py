"""The member libraries of the demo union catalogue.

Seven invented-but-plausible members, one or more of each kind of Vietnamese
library, so the demo shows records from a national, provincial, district,
university, school and specialised library side by side. Contact addresses
are at the reserved example domain and reach nobody.
"""

from mucluc.core.model import LibraryInfo

DEMO_LIBRARIES: tuple[LibraryInfo, ...] = (
    LibraryInfo(
        code="VN-NLV",
        name_vi="Thư viện Quốc gia Việt Nam",
        name_en="National Library of Vietnam",
        type="national",
        province="Hà Nội",
        contact="thuvien.quocgia@example.vn",
    ),
    LibraryInfo(
        code="VN-HCMGSL",
        name_vi="Thư viện Khoa học Tổng hợp Thành phố Hồ Chí Minh",
        name_en="General Sciences Library of Ho Chi Minh City",
        type="provincial",
        province="Thành phố Hồ Chí Minh",
        contact="thuvien.hcm@example.vn",
    ),
    LibraryInfo(
        code="VN-DNGSL",
        name_vi="Thư viện Khoa học Tổng hợp Đà Nẵng",
        name_en="Da Nang General Sciences Library",
        type="provincial",
        province="Đà Nẵng",
        contact="thuvien.danang@example.vn",
    ),
    LibraryInfo(
        code="VN-VNU",
        name_vi="Trung tâm Thông tin - Thư viện, Đại học Quốc gia Hà Nội",
        name_en="Library and Information Centre, Vietnam National University, Hanoi",
        type="university",
        province="Hà Nội",
        contact="thuvien.dhqg@example.vn",
    ),
    LibraryInfo(
        code="VN-CML",
        name_vi="Thư viện Y học Trung ương",
        name_en="Central Medical Library",
        type="specialised",
        province="Hà Nội",
        contact="thuvien.yhoc@example.vn",
    ),
    LibraryInfo(
        code="VN-HNGL",
        name_vi="Thư viện huyện Gia Lâm",
        name_en="Gia Lam District Library",
        type="district",
        province="Hà Nội",
        contact="thuvien.gialam@example.vn",
    ),
    LibraryInfo(
        code="VN-HNCVA",
        name_vi="Thư viện Trường Trung học phổ thông Chu Văn An",
        name_en="Chu Van An High School Library",
        type="school",
        province="Hà Nội",
        contact="thuvien.chuvanan@example.vn",
    ),
)
