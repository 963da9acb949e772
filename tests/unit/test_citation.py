"""Citation exports read back by real parsers of each format."""

from __future__ import annotations

import bibtexparser
import rispy

from mucluc.core.crosswalk.citation import to_bibtex, to_csl_json, to_ris
from mucluc.core.model import BibDescription

KIEU = BibDescription(
    title="Truyện Kiều",
    subtitle="khảo đính & chú thích",
    authors=("Nguyễn Du", "Đào, Duy Anh"),
    edition="Tái bản lần thứ 2",
    place="Hà Nội",
    publisher="Nxb. Văn học",
    year=2015,
    isbns=("9786046912345",),
    language="vie",
    subjects=("Văn học Việt Nam",),
)


def test_bibtex_entry_parses_with_vietnamese_text_intact() -> None:
    library = bibtexparser.parse_string(to_bibtex("mucluc7", KIEU))
    (entry,) = library.entries
    assert entry.key == "mucluc7"
    assert entry.entry_type == "book"
    assert entry.fields_dict["title"].value == r"Truyện Kiều : khảo đính \& chú thích"
    assert entry.fields_dict["author"].value == "{Nguyễn Du} and Đào, Duy Anh"
    assert entry.fields_dict["year"].value == "2015"


def test_ris_reference_parses() -> None:
    (reference,) = rispy.loads(to_ris(KIEU, "https://mucluc.example.vn/records/7"))
    assert reference["type_of_reference"] == "BOOK"
    assert reference["title"] == "Truyện Kiều : khảo đính & chú thích"
    assert reference["authors"] == ["Nguyễn Du", "Đào, Duy Anh"]
    assert reference["publisher"] == "Nxb. Văn học"
    assert reference["urls"] == ["https://mucluc.example.vn/records/7"]
    assert reference["issn"] == "9786046912345"  # RIS has one SN tag for ISBN and ISSN


def test_csl_json_keeps_direct_order_names_whole() -> None:
    item = to_csl_json("mucluc7", KIEU)
    assert item["author"] == [{"literal": "Nguyễn Du"}, {"family": "Đào", "given": "Duy Anh"}]
    assert item["issued"] == {"date-parts": [[2015]]}
    assert item["ISBN"] == "9786046912345"


def test_record_without_optional_elements_exports_minimal_entries() -> None:
    bare = BibDescription(title="Ca dao")
    assert to_csl_json("x", bare) == {"id": "x", "type": "book", "title": "Ca dao"}
    assert to_ris(bare) == "TY  - BOOK\nTI  - Ca dao\nER  -\n"
    assert (
        bibtexparser.parse_string(to_bibtex("x", bare)).entries[0].fields_dict["title"].value
        == "Ca dao"
    )
