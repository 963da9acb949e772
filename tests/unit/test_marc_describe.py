"""Describing a MARC record: ISBD punctuation trimmed, years, ISBNs, holdings."""

from __future__ import annotations

from pymarc import Field, Indicators, Subfield

from mucluc.core.marc.describe import describe_record, record_holdings, trim_isbd
from mucluc.core.marc.marc_json import record_from_dict, record_to_dict
from tests.builders import make_marc_record


def test_trim_isbd_drops_trailing_punctuation() -> None:
    assert trim_isbd("Truyện Kiều /") == "Truyện Kiều"
    assert trim_isbd("Hà Nội :") == "Hà Nội"
    assert trim_isbd("Nxb. Trẻ,") == "Nxb. Trẻ"


def test_trim_isbd_keeps_the_full_stop_of_abbreviations_and_initials() -> None:
    assert trim_isbd("350 tr.") == "350 tr."
    assert trim_isbd("Lê V.") == "Lê V."
    assert trim_isbd("Số đỏ.") == "Số đỏ"


def test_trim_isbd_makes_text_nfc() -> None:
    assert trim_isbd("Vie\u0323\u0302t Nam") == "Việt Nam"


def test_describe_record_takes_title_author_publisher_year_isbn() -> None:
    record = make_marc_record(
        "1",
        "Lịch sử Việt Nam /",
        isbn="978-604-0-00001-9 (bìa mềm)",
        author="Phan Huy Lê,",
        year=2017,
    )
    description = describe_record(record)
    assert description.title == "Lịch sử Việt Nam"
    assert description.authors == ("Phan Huy Lê",)
    assert description.publisher == "Nxb. Giáo dục Việt Nam"
    assert description.place == "Hà Nội"
    assert description.year == 2017
    assert description.isbns == ("9786040000019",)
    assert description.language == "vie"


def test_describe_record_ignores_an_isbn_with_a_bad_check_digit() -> None:
    description = describe_record(make_marc_record("1", "Sách", isbn="978-604-0-00001-1"))
    assert description.isbns == ()


def test_describe_record_falls_back_to_008_for_the_year() -> None:
    record = make_marc_record("1", "Sách", year=None)
    record["008"].data = "201101s1998    vm            000 0 vie d"
    assert describe_record(record).year == 1998


def test_describe_record_joins_subject_subdivisions() -> None:
    record = make_marc_record("1", "Sách")
    record.add_field(
        Field(
            tag="650",
            indicators=Indicators(" ", "7"),
            subfields=[
                Subfield("a", "Lịch sử"),
                Subfield("z", "Việt Nam"),
                Subfield("y", "1945-1975."),
            ],
        )
    )
    assert describe_record(record).subjects == ("Lịch sử -- Việt Nam -- 1945-1975",)


def test_record_without_852_is_one_copy_under_its_call_number() -> None:
    record = make_marc_record("1", "Sách", holdings=())
    record.add_field(
        Field(tag="082", indicators=Indicators("0", "4"), subfields=[Subfield("a", "959.7")])
    )
    (holding,) = record_holdings(record)
    assert (holding.call_number, holding.copies) == ("959.7", 1)


def test_marc_json_round_trip_keeps_every_field() -> None:
    record = make_marc_record("1", "Truyện Kiều /", isbn="978-604-0-00001-9", author="Nguyễn Du")
    rebuilt = record_from_dict(record_to_dict(record))
    assert rebuilt.as_marc() == record.as_marc()


def test_describe_record_keeps_the_part_of_a_multivolume_title() -> None:
    record = make_marc_record("1", "Lịch sử sinh học.")
    record["245"].add_subfield("n", "Tập 1 /")
    record["245"].add_subfield("c", "Lê Thị Thùy.")
    description = describe_record(record)
    assert description.part == "Tập 1"
    assert description.full_title == "Lịch sử sinh học. Tập 1"


def test_describe_record_lists_issns_from_022() -> None:
    record = make_marc_record("1", "Tạp chí Thư viện Việt Nam")
    record.add_field(
        Field(tag="022", indicators=Indicators(" ", " "), subfields=[Subfield("a", "1859-1450 ;")])
    )
    assert describe_record(record).issns == ("1859-1450",)
