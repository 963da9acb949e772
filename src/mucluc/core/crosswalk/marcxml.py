"""MARC 21 records as MARCXML (MARC21slim) and back, with lxml.

Writing follows the MARC 21 XML schema (http://www.loc.gov/standards/marcxml/,
MARC21slim.xsd): one `record` with `leader`, `controlfield` and `datafield`
elements in field order. Text that XML 1.0 cannot carry (C0 control
characters other than tab, newline and carriage return) is written as
U+FFFD so a record is never refused; leader positions the schema constrains
are repaired the same way documented in docs/crosswalks.md. Pure: no I/O.
"""

from __future__ import annotations

import re
import string
from typing import Any

from lxml import etree
from pymarc import Field, Indicators, Leader, Record, Subfield

MARCXML_NAMESPACE = "http://www.loc.gov/MARC21/slim"
MARCXML_SCHEMA_LOCATION = "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd"
_RECORD = f"{{{MARCXML_NAMESPACE}}}record"
_LEADER = f"{{{MARCXML_NAMESPACE}}}leader"
_CONTROLFIELD = f"{{{MARCXML_NAMESPACE}}}controlfield"
_DATAFIELD = f"{{{MARCXML_NAMESPACE}}}datafield"
_SUBFIELD = f"{{{MARCXML_NAMESPACE}}}subfield"

LEADER_LENGTH = 24
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LEADER_PATTERN = re.compile(
    r"[\d ]{5}[\dA-Za-z ][\dA-Za-z][\dA-Za-z ]{3}(2| )(2| )[\d ]{5}[\dA-Za-z ]{3}(4500|    )"
)
_NSMAP = {"marc": MARCXML_NAMESPACE}
_INDICATORS = frozenset(string.digits + string.ascii_lowercase + " ")
_SUBFIELD_CODES = frozenset(
    string.digits + string.ascii_letters + "!\"#$%&'()*+,-./:;<=>?{}_^`~[]\\"
)


class MarcXmlError(ValueError):
    """A MARCXML record cannot be read; the message names the element and the problem."""


def xml_text(text: str) -> str:
    """Text XML 1.0 can carry: characters it forbids become U+FFFD (never dropped silently)."""
    if text.isprintable() or not _XML_ILLEGAL.search(text):
        return text
    return _XML_ILLEGAL.sub("\ufffd", text)


def _is_code_character(character: str) -> bool:
    return character == " " or (character.isascii() and character.isalnum())


def marcxml_leader(leader: str) -> str:
    """A leader MARC21slim.xsd accepts, from the record's leader.

    The schema fixes what the directory-related positions may hold. A record
    from a member library with a blank 06 or a stray character keeps every
    position the schema allows; the others take MARC 21's defaults (06 'a',
    10-11 '22', 20-23 '4500', numbers '0').
    """
    text = leader.ljust(LEADER_LENGTH)[:LEADER_LENGTH]
    if _LEADER_PATTERN.fullmatch(text):
        return text
    characters = list(text)
    for position in (*range(0, 5), *range(12, 17)):
        if not (characters[position].isdigit() or characters[position] == " "):
            characters[position] = "0"
    if not _is_code_character(characters[5]):
        characters[5] = "n"
    if not (characters[6].isascii() and characters[6].isalnum()):
        characters[6] = "a"
    for position in (7, 8, 9, 17, 18, 19):
        if not _is_code_character(characters[position]):
            characters[position] = " "
    for position in (10, 11):
        if characters[position] not in "2 ":
            characters[position] = "2"
    if "".join(characters[20:24]) not in ("4500", "    "):
        characters[20:24] = list("4500")
    return "".join(characters)


def write_marcxml(record: Record, parent: etree._Element | None = None) -> etree._Element:
    """The MARCXML `record` element for a pymarc record, appended to `parent` when given."""
    return write_marcxml_dict(record.as_dict(), parent)


def write_marcxml_dict(
    data: dict[str, Any], parent: etree._Element | None = None
) -> etree._Element:
    """The MARCXML `record` element for a MARC-in-JSON record (the form the store keeps).

    Control fields are tags 001-009. Indicators and subfield codes the schema
    forbids are written as blank and "_" respectively; a tag the schema
    forbids is written as-is, so such a record fails validation loudly
    rather than losing the field.
    """
    if parent is None:
        element = etree.Element(_RECORD, nsmap=_NSMAP)
    else:
        element = etree.SubElement(parent, _RECORD, nsmap=_NSMAP)
    subelement = etree.SubElement
    subelement(element, _LEADER).text = marcxml_leader(xml_text(str(data.get("leader") or "")))
    for entry in data.get("fields", []):
        ((tag, value),) = entry.items()
        if isinstance(value, str):
            subelement(element, _CONTROLFIELD, tag=tag).text = xml_text(value)
            continue
        indicator1 = value.get("ind1") or " "
        indicator2 = value.get("ind2") or " "
        field = subelement(
            element,
            _DATAFIELD,
            tag=tag,
            ind1=indicator1 if indicator1 in _INDICATORS else " ",
            ind2=indicator2 if indicator2 in _INDICATORS else " ",
        )
        for subfield in value.get("subfields", []):
            for code, text in subfield.items():
                subelement(
                    field, _SUBFIELD, code=code if code in _SUBFIELD_CODES else "_"
                ).text = xml_text(text or "")
    return element


def _escape(text: str) -> str:
    text = xml_text(text)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _escape_attribute(text: str) -> str:
    return _escape(text).replace('"', "&quot;")


_CODE_ATTRIBUTES = {code: _escape_attribute(code) for code in _SUBFIELD_CODES}


def marcxml_text(data: dict[str, Any], *, schema_location: bool = True) -> str:
    """The serialised MARCXML `record` of a MARC-in-JSON record, as `write_marcxml_dict` writes it.

    The same element as text, for the OAI-PMH provider's hot path: building
    lxml elements field by field costs several times more than this. The
    record declares the MARCXML namespace as its default namespace.
    """
    location = (
        f' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        f' xsi:schemaLocation="{MARCXML_NAMESPACE} {MARCXML_SCHEMA_LOCATION}"'
        if schema_location
        else ""
    )
    leader = _escape(marcxml_leader(xml_text(str(data.get("leader") or ""))))
    parts = [f'<record xmlns="{MARCXML_NAMESPACE}"{location}><leader>{leader}</leader>']
    append = parts.append
    for entry in data.get("fields", []):
        ((tag, value),) = entry.items()
        tag = tag if tag.isalnum() else _escape_attribute(tag)
        if isinstance(value, str):
            append(f'<controlfield tag="{tag}">{_escape(value)}</controlfield>')
            continue
        indicator1 = value.get("ind1") or " "
        indicator2 = value.get("ind2") or " "
        indicator1 = indicator1 if indicator1 in _INDICATORS else " "
        indicator2 = indicator2 if indicator2 in _INDICATORS else " "
        append(f'<datafield tag="{tag}" ind1="{indicator1}" ind2="{indicator2}">')
        for subfield in value.get("subfields", []):
            for code, text in subfield.items():
                append(f'<subfield code="{_CODE_ATTRIBUTES.get(code, "_")}">')
                append(_escape(text) if text else "")
                append("</subfield>")
        append("</datafield>")
    append("</record>")
    return "".join(parts)


def marcxml_bytes(records: list[Record]) -> bytes:
    """A MARCXML `collection` document holding the records, UTF-8 with a declaration."""
    collection = etree.Element(
        f"{{{MARCXML_NAMESPACE}}}collection", nsmap={"marc": MARCXML_NAMESPACE}
    )
    for record in records:
        write_marcxml(record, collection)
    return etree.tostring(collection, encoding="UTF-8", xml_declaration=True)


def _local_name(element: etree._Element) -> str:
    return etree.QName(element).localname


def read_marcxml(element: etree._Element, *, source_name: str = "record") -> Record:
    """A pymarc record from a MARCXML `record` element (namespaced or not).

    Raises:
        MarcXmlError: the element is not a record, or a field lacks its tag;
            the message names the source and the XML line.
    """
    if _local_name(element) != "record":
        raise MarcXmlError(
            f"{source_name}, line {element.sourceline}: expected a MARCXML record, "
            f"found <{_local_name(element)}>"
        )
    record = Record(force_utf8=True)
    for child in element:
        if not isinstance(child.tag, str):
            continue  # comments and processing instructions carry no data
        name = _local_name(child)
        if name == "leader":
            record.leader = Leader((child.text or "").ljust(LEADER_LENGTH)[:LEADER_LENGTH])
            continue
        tag = child.get("tag") or ""
        if name in ("controlfield", "datafield") and not tag:
            raise MarcXmlError(f"{source_name}, line {child.sourceline}: <{name}> has no tag")
        if name == "controlfield":
            record.add_field(Field(tag=tag, data=child.text or ""))  # type: ignore[no-untyped-call]
        elif name == "datafield":
            subfields = [
                Subfield(code=subfield.get("code") or "", value=subfield.text or "")
                for subfield in child
                if isinstance(subfield.tag, str) and _local_name(subfield) == "subfield"
            ]
            indicators = Indicators(child.get("ind1") or " ", child.get("ind2") or " ")
            record.add_field(  # type: ignore[no-untyped-call]
                Field(tag=tag, indicators=indicators, subfields=subfields)
            )
        else:
            raise MarcXmlError(
                f"{source_name}, line {child.sourceline}: unexpected element <{name}> in a record"
            )
    return record
