"""Union records in the SRU record schemas: MARCXML, Dublin Core and MARC-in-JSON.

Each is made from the published union record (`mucluc.core.crosswalk.union`),
the same record the export API and Z39.50 serve. A client names a schema by
its short name or its identifier (SRU 1.2 "Record Schemas"); an unknown one
gets diagnostic 66. MARC-in-JSON is not XML, so it always travels as an
escaped string in recordData.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from lxml import etree
from pymarc import Record

from mucluc.core.crosswalk.dublin_core import DC_NAMESPACE, dublin_core_from_marc
from mucluc.core.crosswalk.marcxml import write_marcxml, xml_text
from mucluc.core.crosswalk.union import union_record_to_marc
from mucluc.core.marc.marc_json import record_to_dict
from mucluc.core.model import UnionRecordView
from mucluc.protocols.sru.diagnostics import SruDiagnostic, SruError
from mucluc.services.exports import published_members

SRW_DC_NAMESPACE = "info:srw/schema/1/dc-schema"


@dataclass(frozen=True)
class RecordSchema:
    """A record schema served: its short name, identifier and title (for explain)."""

    name: str
    identifier: str
    title: str
    xml: bool = True


MARCXML_SCHEMA = RecordSchema("marcxml", "info:srw/schema/1/marcxml-v1.1", "MARC 21 XML")
DC_SCHEMA = RecordSchema("dc", "info:srw/schema/1/dc-v1.1", "Dublin Core")
JSON_SCHEMA = RecordSchema("json", "info:srw/schema/mucluc/marc-in-json", "MARC-in-JSON", xml=False)
RECORD_SCHEMAS = (MARCXML_SCHEMA, DC_SCHEMA, JSON_SCHEMA)
DEFAULT_SCHEMA = MARCXML_SCHEMA
_SCHEMA_NAMES = {
    **{schema.name: schema for schema in RECORD_SCHEMAS},
    **{schema.identifier.lower(): schema for schema in RECORD_SCHEMAS},
    "marc21": MARCXML_SCHEMA,
    "marc": MARCXML_SCHEMA,
    "info:srw/schema/1/marcxml-v1.1-light": MARCXML_SCHEMA,
    "http://www.loc.gov/marc21/slim": MARCXML_SCHEMA,
    "http://purl.org/dc/elements/1.1/": DC_SCHEMA,
    "marcjson": JSON_SCHEMA,
}


def record_schema(name: str | None) -> RecordSchema:
    """The schema a client asked for (none: MARCXML); diagnostic 66 for one not served."""
    if name is None or not name.strip():
        return DEFAULT_SCHEMA
    schema = _SCHEMA_NAMES.get(name.strip().lower())
    if schema is None:
        known = ", ".join(schema.name for schema in RECORD_SCHEMAS)
        raise SruError(
            SruDiagnostic.UNKNOWN_SCHEMA_FOR_RETRIEVAL,
            name,
            f"the record schema {name!r} is not served; use one of: {known}",
        )
    return schema


def published_record(view: UnionRecordView) -> Record:
    """The published union record; diagnostic 65 when it has no members left (merged away)."""
    if not view.members:
        raise SruError(
            SruDiagnostic.RECORD_DOES_NOT_EXIST,
            str(view.id),
            f"union record {view.id} has no member records",
        )
    return union_record_to_marc(view.id, published_members(view))


def _dublin_core(view: UnionRecordView, record: Record) -> etree._Element:
    """`srw_dc:dc` (SRU's DC record schema) holding simple DC statements."""
    root = etree.Element(
        f"{{{SRW_DC_NAMESPACE}}}dc", nsmap={"srw_dc": SRW_DC_NAMESPACE, "dc": DC_NAMESPACE}
    )
    for element in dublin_core_from_marc(record, view.description):
        child = etree.SubElement(root, f"{{{DC_NAMESPACE}}}{element.name}")
        child.text = xml_text(element.value)
    return root


def render_record(view: UnionRecordView, schema: RecordSchema) -> etree._Element | str:
    """The record in the schema: an element for the XML schemas, text for JSON."""
    record = published_record(view)
    if schema is DC_SCHEMA:
        return _dublin_core(view, record)
    if schema is JSON_SCHEMA:
        return json.dumps(record_to_dict(record), ensure_ascii=False)
    return write_marcxml(record)
