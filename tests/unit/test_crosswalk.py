"""MARCXML and Dublin Core crosswalks: schema-valid output, round trips, nothing dropped."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from pymarc import Field, Indicators, MARCReader, Subfield

from mucluc.core.crosswalk.dublin_core import (
    DublinCoreElement,
    dublin_core_from_marc,
    marc_from_dublin_core,
    read_oai_dc,
    write_oai_dc,
)
from mucluc.core.crosswalk.marcxml import marcxml_leader, read_marcxml, write_marcxml
from mucluc.core.crosswalk.xml_input import XmlInputError, parse_xml
from mucluc.core.marc.describe import describe_record
from tests.builders import make_marc_record
from tests.protocol.schemas import SHARED_DATA, assert_valid, marcxml_schema, oai_dc_schema

VIETNAMESE_LOC = SHARED_DATA / "vietnamese-loc-sample"


def vietnamese_records() -> list:  # type: ignore[type-arg]
    (path,) = sorted(Path(VIETNAMESE_LOC).glob("*"))
    with path.open("rb") as stream:
        return [record for record in MARCReader(stream, to_unicode=True) if record is not None]


def test_marcxml_of_real_vietnamese_records_is_valid_and_round_trips() -> None:
    for record in vietnamese_records():
        element = write_marcxml(record)
        assert_valid(marcxml_schema(), element)
        again = read_marcxml(etree.fromstring(etree.tostring(element)))
        assert again.as_dict()["fields"] == record.as_dict()["fields"]


def test_marcxml_replaces_characters_xml_cannot_carry() -> None:
    record = make_marc_record("n1", "Tiêu đề\x1b lỗi")
    element = write_marcxml(record)
    assert_valid(marcxml_schema(), element)
    assert "Tiêu đề\ufffd lỗi" in etree.tostring(element, encoding="unicode")


def test_marcxml_leader_repairs_positions_the_schema_forbids() -> None:
    valid = "00000nam a2200000 a 4500"
    blank_type = valid[:6] + " " + valid[7:]
    assert marcxml_leader(valid) == valid
    assert marcxml_leader(blank_type) == valid
    assert marcxml_leader(valid[:20] + "xxxx") == valid


def test_dublin_core_of_a_marc_record_is_valid_oai_dc() -> None:
    record = make_marc_record(
        "n1", "Lịch sử Việt Nam /", isbn="978-604-0-00001-9", author="Phan Huy Lê"
    )
    elements = dublin_core_from_marc(record)
    assert DublinCoreElement("title", "Lịch sử Việt Nam") in elements
    assert DublinCoreElement("creator", "Phan Huy Lê") in elements
    assert DublinCoreElement("identifier", "URN:ISBN:9786040000019") in elements
    assert DublinCoreElement("type", "Text") in elements
    assert_valid(oai_dc_schema(), write_oai_dc(elements))


def test_oai_dc_to_marc_keeps_every_element() -> None:
    elements = [
        DublinCoreElement("title", "Truyện Kiều"),
        DublinCoreElement("title", "Đoạn trường tân thanh"),
        DublinCoreElement("creator", "Nguyễn Du"),
        DublinCoreElement("creator", "Smith, John"),
        DublinCoreElement("contributor", "Đào Duy Anh"),
        DublinCoreElement("subject", "Văn học Việt Nam"),
        DublinCoreElement("description", "Truyện thơ."),
        DublinCoreElement("publisher", "Nxb. Văn học"),
        DublinCoreElement("date", "2015-03-01"),
        DublinCoreElement("type", "Text"),
        DublinCoreElement("format", "320 tr."),
        DublinCoreElement("identifier", "ISBN 978-604-0-00001-9"),
        DublinCoreElement("identifier", "https://example.org/kieu"),
        DublinCoreElement("identifier", "local-42"),
        DublinCoreElement("language", "vi"),
        DublinCoreElement("source", "Bản in 1871"),
        DublinCoreElement("relation", "Tủ sách văn học"),
        DublinCoreElement("coverage", "Thế kỷ 19"),
        DublinCoreElement("rights", "Public domain"),
    ]
    record = marc_from_dublin_core(elements, "kieu-1")
    text = str(record)
    for element in elements:
        value = element.value.removeprefix("ISBN ")
        assert value in text, element
    description = describe_record(record)
    assert description.title == "Truyện Kiều"
    assert description.authors == ("Nguyễn Du", "Smith, John", "Đào Duy Anh")
    assert description.isbns == ("9786040000019",)
    assert description.year == 2015
    assert description.language == "vie"
    assert record["001"].data == "kieu-1"
    assert record["100"].indicators == Indicators("0", " ")
    assert_valid(marcxml_schema(), write_marcxml(record))


def test_read_oai_dc_of_a_recorded_response_finds_the_statements() -> None:
    document = (SHARED_DATA / "sickle-oai-pmh-responses" / "GetRecord.xml").read_bytes()
    root = parse_xml(document)
    (dc,) = root.iter("{http://www.openarchives.org/OAI/2.0/oai_dc/}dc")
    names = {element.name for element in read_oai_dc(dc)}
    assert "title" in names


@pytest.mark.parametrize(
    "document",
    [
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;&a;</r>',
        b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><r/>',
        b"<r><unclosed></r>",
    ],
)
def test_parse_xml_refuses_doctypes_entities_and_broken_documents(document: bytes) -> None:
    with pytest.raises(XmlInputError):
        parse_xml(document, source_name="test.xml")


def test_read_marcxml_names_the_line_of_a_field_without_tag() -> None:
    root = parse_xml(
        b'<record xmlns="http://www.loc.gov/MARC21/slim">\n<controlfield>x</controlfield></record>'
    )
    with pytest.raises(ValueError, match="line 2"):
        read_marcxml(root, source_name="feed.xml")


def test_dublin_core_subjects_and_fields_use_marc_subfields() -> None:
    record = make_marc_record("n2", "Kinh tế học")
    record.add_field(
        Field(tag="650", indicators=Indicators(" ", "7"), subfields=[Subfield("a", "Kinh tế")])
    )
    assert DublinCoreElement("subject", "Kinh tế") in dublin_core_from_marc(record)
