"""Format detection and the MARCXML, MARC-in-JSON, .mrk and CSV/XLSX readers."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest
from openpyxl import Workbook

from mucluc.core.marc.formats import detect_format, read_records
from mucluc.core.marc.tabular import parse_columns
from mucluc.core.normalise.encoding import encode_legacy
from mucluc.core.source_config import KOHA_HOLDINGS, parse_source_configs
from mucluc.errors import SourceConfigError
from tests.builders import make_marc_file, make_marc_record

MARCXML_RECORD = (
    '<record xmlns="http://www.loc.gov/MARC21/slim"><leader>00000nam a2200000 i 4500</leader>'
    '<controlfield tag="001">x1</controlfield>'
    '<datafield tag="245" ind1="0" ind2="0"><subfield code="a">Truye\u0302\u0323n Kiều</subfield>'
    "</datafield></record>"
)


def read(data: bytes, name: str, **options):
    return list(read_records(io.BytesIO(data), name, **options))


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (make_marc_file(make_marc_record("1", "A")), "marc21"),
        (b'<?xml version="1.0"?><collection/>', "marcxml"),
        (b'\xef\xbb\xbf[{"leader": ""}]', "marc-json"),
        (b"=LDR  00000nam\\\\2200000\\i\\4500\n", "mrk"),
        (b"PK\x03\x04rest", "xlsx"),
        ("Nhan đề,Tác giả\n".encode(), "csv"),
    ],
)
def test_detect_format_reads_the_content_not_the_name(head: bytes, expected: str) -> None:
    assert detect_format(head, "upload.bin") == expected


def test_marcxml_collection_gives_nfc_records_with_lines() -> None:
    data = f"<collection xmlns='http://www.loc.gov/MARC21/slim'>\n{MARCXML_RECORD}\n{MARCXML_RECORD}</collection>"
    first, second = read(data.encode(), "c.xml")
    assert first.record is not None
    assert first.record.get("245").get("a") == "Truyện Kiều"
    assert (first.line, second.line) == (2, 3)


def test_marcxml_inside_oai_pmh_response_is_found() -> None:
    data = (
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords><record><header>'
        "<identifier>oai:x:1</identifier></header><metadata>"
        f"{MARCXML_RECORD}</metadata></record></ListRecords></OAI-PMH>"
    )
    (outcome,) = read(data.encode(), "oai.xml")
    assert outcome.record is not None
    assert outcome.record.get("001").data == "x1"


def test_marcxml_with_doctype_is_refused_with_reason() -> None:
    data = b'<!DOCTYPE x [<!ENTITY a "b">]><collection/>'
    (outcome,) = read(data, "evil.xml")
    assert outcome.has_errors
    assert "DOCTYPE" in outcome.problems[0]["message"]


class CountingStream(io.BytesIO):
    """A file that remembers how many bytes its reader has asked for so far."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk

    def readline(self, size: int | None = -1) -> bytes:
        line = super().readline(size)
        self.bytes_read += len(line)
        return line

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.readline, b"")


def test_marcxml_is_read_as_it_streams_not_whole() -> None:
    records = "\n".join(MARCXML_RECORD.replace(">x1<", f">x{n}<") for n in range(20_000))
    stream = CountingStream(f"<collection>\n{records}\n</collection>".encode())
    outcomes = read_records(stream, "national-library.xml", record_format="marcxml")
    first = next(outcomes)
    assert first.record is not None
    assert first.record.get("001").data == "x0"
    assert stream.bytes_read < len(stream.getvalue()) // 10
    assert sum(1 for _ in outcomes) == 19_999


def test_marcxml_that_breaks_off_keeps_what_came_before_and_says_where() -> None:
    good = "\n".join(MARCXML_RECORD.replace(">x1<", f">x{n}<") for n in (1, 2))
    data = f"<collection>\n{good}\n<record><leader>broken".encode()
    outcomes = read(data, "cut.xml")
    assert [outcome.record.get("001").data for outcome in outcomes[:2]] == ["x1", "x2"]
    stopped = outcomes[2]
    assert (stopped.record, stopped.position, stopped.line) == (None, 3, 4)
    assert "cut.xml, line 4" in stopped.problems[0]["message"]
    assert stopped.problems[0]["message"].endswith("reading stopped here")
    assert stopped.raw == b"<record><leader>broken"


def test_marc_json_lines_are_read_a_line_at_a_time() -> None:
    lines = (json.dumps(make_marc_record(f"j{n}", "Tiếng Việt").as_dict()) for n in range(5_000))
    stream = CountingStream("\n".join(lines).encode())
    outcomes = read_records(stream, "dump.jsonl", record_format="marc-json")
    first = next(outcomes)
    assert first.record is not None
    assert first.record.get("001").data == "j0"
    assert stream.bytes_read < len(stream.getvalue()) // 10
    assert [outcome.position for outcome in outcomes][-1] == 5_000


def test_marc_json_list_keeps_going_after_a_bad_entry() -> None:
    good = make_marc_record("j1", "Tiếng Việt").as_dict()
    data = json.dumps([good, {"fields": "nope"}, good]).encode()
    outcomes = read(data, "b.json")
    assert [outcome.has_errors for outcome in outcomes] == [False, True, False]
    assert "fields" in outcomes[1].problems[0]["message"]


def test_marc_json_lines_name_the_bad_line() -> None:
    good = json.dumps(make_marc_record("j1", "A").as_dict())
    outcomes = read(f"{good}\n{{broken\n{good}\n".encode(), "b.jsonl", record_format="marc-json")
    assert [outcome.line for outcome in outcomes] == [1, 2, 3]
    assert "line 2" in outcomes[1].problems[0]["message"]


def test_mrk_file_reads_indicators_escapes_and_control_fields() -> None:
    data = (
        "=LDR  00000nam\\\\2200000\\i\\4500\n=001  m1\n=008  201101s2020\\\\\\\\vm\n"
        "=245  10$aGiá {dollar}5 :$bsách /\n\n=LDR  00000nam\\\\2200000\\i\\4500\n=001  m2\n"
    ).encode()
    first, second = read(data, "x.mrk")
    assert first.record is not None
    field = first.record.get("245")
    assert (field.indicator1, field.indicator2) == ("1", "0")
    assert field.subfields == [("a", "Giá $5 :"), ("b", "sách /")]
    assert first.record.get("008").data.startswith("201101s2020    vm")
    assert second.line == 6


BOOK_LIST = (
    "Nhan đề;Tác giả;Năm xuất bản;ISBN;Số ĐKCB;Số bản;Ký hiệu phân loại\n"
    "Lịch sử Việt Nam;Trần Trọng Kim;1920;978-604-0-00001-9;DK1;2;959.7\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1258"])
def test_csv_book_list_reads_vietnamese_headers_in_any_encoding(encoding: str) -> None:
    data = (
        encode_legacy(BOOK_LIST, encoding) if encoding == "cp1258" else BOOK_LIST.encode(encoding)
    )
    (outcome,) = read(data, "list.csv")
    record = outcome.record
    assert record is not None
    assert record.get("001").data == "DK1"
    assert record.get("245").get("a") == "Lịch sử Việt Nam"
    assert record.get("100").get("a") == "Trần Trọng Kim"
    assert record.get("020").get("a") == "978-604-0-00001-9"
    assert record.get("008").data[7:11] == "1920"
    assert [field.get("h") for field in record.get_fields("852")] == ["959.7", "959.7"]


def test_csv_latin1_english_list_with_explicit_columns() -> None:
    data = "Book;Writer;When\nCafé society;Renée Roe;1999\n".encode("latin-1")
    columns = parse_columns("title=Book,author=2,year=When")
    (outcome,) = read(data, "en.csv", columns=columns)
    assert outcome.record is not None
    assert outcome.record.get("245").get("a") == "Café society"
    assert outcome.record.get("100").get("a") == "Renée Roe"


def test_csv_cells_have_html_character_references_decoded_before_names_are_split() -> None:
    data = (
        b"id,title,authors\n"
        b'a1,Copy detection &amp; more,"Sergey Brin, H&#233;ctor Garc&#237;a-Molina, AT&T"\n'
    )
    (outcome,) = read(data, "acm.csv")
    assert outcome.record is not None
    assert outcome.record.get("245").get("a") == "Copy detection & more"
    names = [outcome.record.get("100").get("a")]
    names += [field.get("a") for field in outcome.record.get_fields("700")]
    assert names == ["Sergey Brin", "Héctor García-Molina", "AT&T"]
    assert outcome.repairs == [
        "title: HTML character references decoded",
        "authors: HTML character references decoded",
    ]


def test_csv_cells_written_twice_as_utf8_are_repaired_as_marc_subfields_are() -> None:
    data = "Nhan đề,Tác giả,Năm xuất bản\nLÃ£o Háº¡c,Nam Cao,2019\n".encode()
    (outcome,) = read(data, "sach.csv")
    assert outcome.record is not None
    assert outcome.record.get("245").get("a") == "Lão Hạc"
    assert outcome.repairs == ["title: double-utf8"]


def test_a_registers_consecutive_copies_of_one_edition_make_one_record() -> None:
    """A register (sổ đăng ký cá biệt) lists each copy on its own row, with its own Số ĐKCB."""
    data = (
        "Số ĐKCB,Nhan đề,Tác giả,Năm xuất bản,Kho\n"
        "VV.00101,Đất rừng phương Nam,Đoàn Giỏi,2019,Kho mượn\n"
        "VV.00102,Đất rừng phương Nam,Đoàn Giỏi,2019,Kho mượn\n"
        "VV.00103,Đất rừng phương Nam,Đoàn Giỏi,2019,Kho đọc\n"
        "VV.00104,Đất rừng phương Nam,Đoàn Giỏi,2020,Kho mượn\n"
        "VV.00104,Đất rừng phương Nam,Đoàn Giỏi,2020,Kho mượn\n"
    ).encode()
    first, reprint, listed_twice = read(data, "so-dkcb.csv")
    assert first.record is not None
    assert (first.position, first.line) == (1, 2)
    assert first.record.get("001").data == "VV.00101"
    copies = first.record.get_fields("852")
    assert [(copy.get("p"), copy.get("b")) for copy in copies] == [
        ("VV.00101", "Kho mượn"),
        ("VV.00102", "Kho mượn"),
        ("VV.00103", "Kho đọc"),
    ]
    assert reprint.record is not None
    assert reprint.record.get("001").data == "VV.00104"
    assert (reprint.position, reprint.line) == (2, 5)  # another year: another edition
    assert listed_twice.record is not None  # the same number again is not another copy
    assert listed_twice.record.get("001").data == "VV.00104"
    assert len(reprint.record.get_fields("852")) == 1


def test_csv_without_title_column_stops_with_the_headers_found() -> None:
    (outcome,) = read(b"A,B\n1,2\n", "x.csv")
    assert outcome.has_errors
    assert "'A', 'B'" in outcome.problems[0]["message"]


def test_damaged_xlsx_is_one_error_not_an_exception() -> None:
    (outcome,) = read(b"PK\x03\x04 not really a workbook", "list.xlsx")
    assert outcome.has_errors
    assert "not a readable XLSX workbook" in outcome.problems[0]["message"]


def test_parse_columns_rejects_an_unknown_role() -> None:
    with pytest.raises(ValueError, match="unknown role 'colour'"):
        parse_columns("title=1,colour=2")


def test_xlsx_book_list_with_english_headers() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Title", "Authors", "Year", "Copies", "Location"])
    sheet.append(["Truyện Kiều", "Nguyễn Du; Đào Duy Anh", 2015, 3, "Kho mượn"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    (outcome,) = read(buffer.getvalue(), "list.xlsx")
    record = outcome.record
    assert record is not None
    assert record.get("100").get("a") == "Nguyễn Du"
    assert record.get("700").get("a") == "Đào Duy Anh"
    assert len(record.get_fields("852")) == 3
    assert outcome.line == 2


def test_source_config_accepts_koha_and_legacy_encoding() -> None:
    configs = parse_source_configs(
        {"VN-HCM": {"encoding": "TCVN3", "local_id": "035$a", "holdings": "koha"}}, "sources.toml"
    )
    config = configs["VN-HCM"]
    assert (config.encoding, config.local_id_tag, config.local_id_code) == ("tcvn3", "035", "a")
    assert config.holdings == KOHA_HOLDINGS


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"encoding": "tcvn9"}, "sources.toml, [VN-HCM], encoding: 'tcvn9' is not a known"),
        ({"local_id": "245"}, "sources.toml, [VN-HCM], local_id:"),
        ({"holdings": {"tag": "952", "shelf": "c"}}, "sources.toml, [VN-HCM], holdings.shelf:"),
        ({"colour": "red"}, "sources.toml, [VN-HCM], colour: unknown key"),
        ({"columns": {"colour": "A"}}, "sources.toml, [VN-HCM], columns.colour: unknown role"),
    ],
)
def test_source_config_errors_name_file_section_and_key(section: dict, message: str) -> None:
    with pytest.raises(SourceConfigError) as caught:
        parse_source_configs({"VN-HCM": section}, "sources.toml")
    assert str(caught.value).startswith(message)
