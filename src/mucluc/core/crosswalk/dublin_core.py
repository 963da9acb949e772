"""Simple Dublin Core from MARC 21, and MARC 21 from oai_dc, as docs/crosswalks.md describes.

The MARC → DC direction follows the Library of Congress "MARC to Dublin
Core Crosswalk" (https://www.loc.gov/marc/marc2dc.html) for the fields a
union catalogue record carries; the DC → MARC direction follows the LoC
"Dublin Core to MARC Crosswalk" (https://www.loc.gov/marc/dccross.html) with
the deviations the document lists (names go to 100/700 and subjects to
650 so that mucluc's description, search and matching see them). Every DC
element read is kept somewhere in the MARC record. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lxml import etree
from pymarc import Field, Indicators, Leader, Record, Subfield

from mucluc.core.crosswalk.marcxml import xml_text
from mucluc.core.marc.describe import describe_record, trim_isbd
from mucluc.core.model import BibDescription

OAI_DC_NAMESPACE = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA_LOCATION = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC_NAMESPACE = "http://purl.org/dc/elements/1.1/"
XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance"
DC_ELEMENTS = (
    "title",
    "creator",
    "subject",
    "description",
    "publisher",
    "contributor",
    "date",
    "type",
    "format",
    "identifier",
    "source",
    "language",
    "relation",
    "coverage",
    "rights",
)
# MARC leader/06 → DCMI Type vocabulary (LoC MARC to DC crosswalk, "Type").
LEADER_TYPES = {
    "a": "Text",
    "c": "Text",
    "d": "Text",
    "t": "Text",
    "e": "Image",
    "f": "Image",
    "g": "MovingImage",
    "k": "StillImage",
    "i": "Sound",
    "j": "Sound",
    "m": "Software",
    "p": "Collection",
    "o": "Collection",
    "r": "PhysicalObject",
}
DC_TYPE_TO_LEADER = {
    "text": "a",
    "image": "k",
    "stillimage": "k",
    "movingimage": "g",
    "sound": "j",
    "software": "m",
    "collection": "p",
    "physicalobject": "r",
    "dataset": "m",
}
# The two-letter ISO 639-1 codes members use most, to MARC (ISO 639-2/B) codes.
LANGUAGE_CODES = {
    "vi": "vie",
    "en": "eng",
    "fr": "fre",
    "zh": "chi",
    "ru": "rus",
    "de": "ger",
    "ja": "jpn",
    "ko": "kor",
    "km": "khm",
    "lo": "lao",
}
_YEAR = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})\b")
_ISBN = re.compile(r"^(?:urn:isbn:|isbn:?\s*)?([0-9][0-9\- ]{8,16}[0-9Xx])$", re.IGNORECASE)
_URL = re.compile(r"^https?://", re.IGNORECASE)


@dataclass(frozen=True)
class DublinCoreElement:
    """One simple Dublin Core statement: `name` is one of DC_ELEMENTS."""

    name: str
    value: str


def _subfield_values(record: Record, tags: Sequence[str], codes: str) -> list[str]:
    values = []
    for field in record.get_fields(*tags):
        text = " ".join(
            subfield.value.strip() for subfield in field.subfields if subfield.code in codes
        )
        if text.strip():
            values.append(trim_isbd(text))
    return values


def dublin_core_from_marc(
    record: Record, description: BibDescription | None = None
) -> list[DublinCoreElement]:
    """Simple DC for a MARC 21 bibliographic record (LoC MARC to DC crosswalk).

    `description` may be passed when the caller already described the record.
    """
    described = description or describe_record(record)
    elements: list[DublinCoreElement] = []

    def add(name: str, values: Iterable[str]) -> None:
        elements.extend(DublinCoreElement(name, value) for value in values if value)

    add("title", [described.full_title])
    add("creator", described.authors)
    add("subject", described.subjects)
    add("subject", [described.classification])
    add("description", _subfield_values(record, ("500", "504", "505", "520"), "a"))
    add("publisher", [described.publisher])
    add("date", [str(described.year)] if described.year else [])
    record_type = LEADER_TYPES.get(str(record.leader)[6:7], "")
    add("type", [record_type])
    add("format", [described.extent])
    add("identifier", [f"URN:ISBN:{isbn}" for isbn in described.isbns])
    add("identifier", _subfield_values(record, ("856",), "u"))
    add("language", [described.language])
    add("relation", described.series)
    add("coverage", _subfield_values(record, ("651",), "a"))
    add("rights", _subfield_values(record, ("506", "540"), "a"))
    return elements


def write_oai_dc(
    elements: Iterable[DublinCoreElement], parent: etree._Element | None = None
) -> etree._Element:
    """The `oai_dc:dc` element (OAI-PMH 2.0 oai_dc schema) holding the DC statements."""
    nsmap = {"oai_dc": OAI_DC_NAMESPACE, "dc": DC_NAMESPACE, "xsi": XSI_NAMESPACE}
    tag = f"{{{OAI_DC_NAMESPACE}}}dc"
    root = (
        etree.Element(tag, nsmap=nsmap)
        if parent is None
        else etree.SubElement(parent, tag, nsmap=nsmap)
    )
    root.set(f"{{{XSI_NAMESPACE}}}schemaLocation", f"{OAI_DC_NAMESPACE} {OAI_DC_SCHEMA_LOCATION}")
    for element in elements:
        child = etree.SubElement(root, f"{{{DC_NAMESPACE}}}{element.name}")
        child.text = xml_text(element.value)
    return root


def read_oai_dc(element: etree._Element) -> list[DublinCoreElement]:
    """The DC statements of an `oai_dc:dc` element (or any element holding dc:* children).

    Elements outside the DC namespace are kept under their local name only
    if it is a DC element name, so a provider that forgets the namespace is
    still understood.
    """
    statements = []
    for child in element.iter():
        if child is element or not isinstance(child.tag, str):
            continue
        name = etree.QName(child).localname
        text = " ".join((child.text or "").split())
        if name in DC_ELEMENTS and text:
            statements.append(DublinCoreElement(name, text))
    return statements


def _name_field(tag: str, name: str, relator: str) -> Field:
    # "Surname, Forename" is inverted (first indicator 1); Vietnamese names in
    # direct order ("Phan Huy Lê") take 0, as MARC 21 X00 first indicator says.
    indicator = "1" if "," in name else "0"
    subfields = [Subfield("a", name)]
    if relator:
        subfields.append(Subfield("e", relator))
    return Field(tag=tag, indicators=Indicators(indicator, " "), subfields=subfields)


def _datafield(tag: str, indicators: str, *subfields: tuple[str, str]) -> Field:
    return Field(
        tag=tag,
        indicators=Indicators(indicators[0], indicators[1]),
        subfields=[Subfield(code, value) for code, value in subfields],
    )


def marc_from_dublin_core(elements: Sequence[DublinCoreElement], local_id: str) -> Record:
    """A MARC 21 bibliographic record from simple DC (docs/crosswalks.md, "oai_dc → MARC 21").

    `local_id` becomes 001. Every statement lands in a field; the first
    title is 245, further titles 246. A record without a title gets none
    (ingest then rejects it with its reason, keeping the raw record).
    """
    by_name: dict[str, list[str]] = {name: [] for name in DC_ELEMENTS}
    for element in elements:
        by_name.setdefault(element.name, []).append(element.value)
    record = Record(force_utf8=True)
    dc_type = next(iter(by_name["type"]), "").replace(" ", "").lower()
    record.leader = Leader(f"     n{DC_TYPE_TO_LEADER.get(dc_type, 'a')}m a22     uu 4500")
    record.add_field(Field(tag="001", data=local_id))  # type: ignore[no-untyped-call]
    year_match = next((_YEAR.search(date) for date in by_name["date"] if _YEAR.search(date)), None)
    year = year_match.group(1) if year_match else "    "
    language = next(
        (
            LANGUAGE_CODES.get(value.lower(), value.lower())
            for value in by_name["language"]
            if len(value) in (2, 3) and value.isalpha()
        ),
        "   ",
    )
    fixed = f"000000{'s' if year.strip() else 'n'}{year}    xx            000 0 {language} d"
    record.add_field(Field(tag="008", data=fixed))  # type: ignore[no-untyped-call]
    fields: list[Field] = []
    for identifier in by_name["identifier"]:
        isbn = _ISBN.match(identifier.strip())
        if isbn:
            fields.append(_datafield("020", "  ", ("a", isbn.group(1))))
        elif _URL.match(identifier):
            fields.append(_datafield("856", "40", ("u", identifier)))
        else:
            fields.append(_datafield("024", "8 ", ("a", identifier)))
    for value in by_name["language"]:
        fields.append(_datafield("546", "  ", ("a", value)))
    for position, name in enumerate(by_name["creator"]):
        fields.append(_name_field("100" if position == 0 else "700", name, "author"))
    titles = by_name["title"]
    if titles:
        fields.append(_datafield("245", "00", ("a", titles[0])))
    for title in titles[1:]:
        fields.append(_datafield("246", "3 ", ("a", title)))
    if by_name["publisher"] or by_name["date"]:
        publication = [("b", publisher) for publisher in by_name["publisher"]]
        publication += [("c", date) for date in by_name["date"]]
        fields.append(_datafield("260", "  ", *publication))
    for value in by_name["format"]:
        fields.append(_datafield("300", "  ", ("a", value)))
    for value in by_name["coverage"]:
        fields.append(_datafield("500", "  ", ("a", f"Coverage: {value}")))
    for value in by_name["description"]:
        fields.append(_datafield("520", "  ", ("a", value)))
    for value in by_name["rights"]:
        fields.append(_datafield("540", "  ", ("a", value)))
    for value in by_name["subject"]:
        fields.append(_datafield("650", " 4", ("a", value)))
    for value in by_name["type"]:
        fields.append(_datafield("655", " 7", ("a", value), ("2", "local")))
    for name in by_name["contributor"]:
        fields.append(_name_field("700", name, "contributor"))
    for value in by_name["source"]:
        fields.append(_datafield("786", "0 ", ("n", value)))
    for value in by_name["relation"]:
        fields.append(_datafield("787", "0 ", ("n", value)))
    for field in sorted(fields, key=lambda field: field.tag):
        record.add_field(field)  # type: ignore[no-untyped-call]
    return record
