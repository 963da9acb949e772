"""Union records as Z39.50 retrieval records: MARC 21 (USMARC), MARCXML and SUTRS, F or B.

The MARC forms come from the export service (`mucluc.services.exports`): the
published union record, the same bytes the API's MARC export serves, so a
record copied over Z39.50 is byte-identical to the one downloaded from the web. Records are
UTF-8 (leader/09 'a'). Element set F is the whole record; B keeps the
identifying and descriptive core a copy cataloguer picks from (Z39.50-2003
appendix ESN: "brief" is the server's choice).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree
from pymarc import MARCReader, Record

from mucluc.core.crosswalk.marcxml import write_marcxml
from mucluc.core.model import UnionRecordView
from mucluc.protocols.z3950.codec import encode_value, to_international_string
from mucluc.protocols.z3950.diagnostics import Bib1Diagnostic, Z3950Error
from mucluc.services.exports import export_records

USMARC_SYNTAX = "1.2.840.10003.5.10"  # also MARC 21
SUTRS_SYNTAX = "1.2.840.10003.5.101"
TEXT_XML_SYNTAX = "1.2.840.10003.5.109.10"
APPLICATION_XML_SYNTAX = "1.2.840.10003.5.109.11"
DEFAULT_SYNTAX = USMARC_SYNTAX

FULL, BRIEF = "F", "B"
BRIEF_TAGS = frozenset(
    {
        "001", "003", "005", "008", "010", "020", "022", "035", "040",
        "100", "110", "111", "130", "245", "250", "260", "264", "300",
    }
)  # fmt: skip


def element_set_name(name: str | None) -> str:
    """F or B for a client's element set name (absent means F); diagnostic 25 otherwise."""
    if name is None or name.strip().upper() == FULL:
        return FULL
    if name.strip().upper() == BRIEF:
        return BRIEF
    raise Z3950Error(Bib1Diagnostic.ELEMENT_SET_NAME_NOT_VALID, name)


def record_syntax(oid: str | None) -> str:
    """The syntax to answer in: the client's preference if served, USMARC if none; else 239."""
    if oid is None:
        return DEFAULT_SYNTAX
    if oid in _RENDERERS:
        return oid
    raise Z3950Error(Bib1Diagnostic.RECORD_SYNTAX_UNSUPPORTED, oid)


def _brief_record(view: UnionRecordView) -> Record:
    """The published record with only the BRIEF_TAGS fields."""
    reader = MARCReader(export_records([view], "marc21"), to_unicode=True, force_utf8=True)
    record: Record = next(iter(reader))
    for field in list(record.fields):
        if field.tag not in BRIEF_TAGS:
            record.remove_field(field)
    return record


def _usmarc(view: UnionRecordView, element_set: str) -> tuple[str, Any]:
    if element_set == BRIEF:
        return ("octet-aligned", _brief_record(view).as_marc())
    return ("octet-aligned", export_records([view], "marc21"))


def _marcxml(view: UnionRecordView, element_set: str) -> tuple[str, Any]:
    if element_set == BRIEF:
        element = write_marcxml(_brief_record(view))
        return ("octet-aligned", etree.tostring(element, encoding="UTF-8", xml_declaration=True))
    return ("octet-aligned", export_records([view], "marcxml"))


def sutrs_text(view: UnionRecordView, element_set: str) -> str:
    """A plain-text display of the record: labelled lines, one per element."""
    description = view.description
    lines = [f"Nhan đề / Title: {description.full_title}"]
    lines += [f"Tác giả / Author: {author}" for author in description.authors]
    if description.year is not None:
        lines.append(f"Năm / Year: {description.year}")
    if element_set == FULL:
        if description.edition:
            lines.append(f"Lần xuất bản / Edition: {description.edition}")
        if description.publisher or description.place:
            place = f"{description.place} : " if description.place else ""
            lines.append(f"Xuất bản / Publisher: {place}{description.publisher}")
        lines += [f"ISBN: {isbn}" for isbn in description.isbns]
        lines += [f"Chủ đề / Subject: {subject}" for subject in description.subjects]
        if description.extent:
            lines.append(f"Mô tả vật lý / Extent: {description.extent}")
        lines.append(f"Thư viện / Libraries: {', '.join(view.library_codes)}")
        lines.append(f"Số biểu ghi / Record id: {view.id}")
    return "\n".join(lines) + "\n"


def _sutrs(view: UnionRecordView, element_set: str) -> tuple[str, Any]:
    text = to_international_string(sutrs_text(view, element_set))
    return ("single-ASN1-type", encode_value("SutrsRecord", text))


_RENDERERS: dict[str, Callable[[UnionRecordView, str], tuple[str, Any]]] = {
    USMARC_SYNTAX: _usmarc,
    TEXT_XML_SYNTAX: _marcxml,
    APPLICATION_XML_SYNTAX: _marcxml,
    SUTRS_SYNTAX: _sutrs,
}


def retrieval_record(view: UnionRecordView, syntax: str, element_set: str) -> dict[str, Any]:
    """The EXTERNAL carrying one record in a served syntax (see `record_syntax`)."""
    return {"direct-reference": syntax, "encoding": _RENDERERS[syntax](view, element_set)}
