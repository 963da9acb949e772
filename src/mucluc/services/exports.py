"""Union records in the formats readers and other systems ask for.

MARC 21 (ISO 2709), MARCXML, MARC-in-JSON, Dublin Core XML, BibTeX, RIS and
CSL-JSON, for one record or a list. The MARC forms are the published union
record (`mucluc.core.crosswalk.union`): the preferred member's description
with every member's id and holdings.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace

from lxml import etree
from pymarc import Record

from mucluc.core.crosswalk.citation import to_bibtex, to_csl_json, to_ris
from mucluc.core.crosswalk.dublin_core import dublin_core_from_marc, write_oai_dc
from mucluc.core.crosswalk.marcxml import marcxml_bytes
from mucluc.core.crosswalk.union import union_record_to_marc
from mucluc.core.marc.marc_json import record_to_dict
from mucluc.core.model import UnionRecordView
from mucluc.core.ports import CatalogueStore, SearchIndex
from mucluc.core.publication import PublishedMember
from mucluc.core.query import SearchRequest
from mucluc.errors import QueryError

MAX_EXPORT_RECORDS = 500


@dataclass(frozen=True)
class ExportFormat:
    """A format's name in URLs, its media type and the file extension for downloads."""

    name: str
    label: str
    media_type: str
    extension: str


EXPORT_FORMATS = {
    export.name: export
    for export in (
        ExportFormat("marc21", "MARC 21", "application/marc", "mrc"),
        ExportFormat("marcxml", "MARCXML", "application/marcxml+xml", "xml"),
        ExportFormat("marcjson", "MARC-in-JSON", "application/json", "json"),
        ExportFormat("dc", "Dublin Core", "application/xml", "dc.xml"),
        ExportFormat("bibtex", "BibTeX", "application/x-bibtex; charset=utf-8", "bib"),
        ExportFormat("ris", "RIS", "application/x-research-info-systems; charset=utf-8", "ris"),
        ExportFormat("csljson", "CSL-JSON", "application/vnd.citationstyles.csl+json", "json"),
    )
}


def published_members(view: UnionRecordView) -> list[PublishedMember]:
    """The members of a union record as the published-record crosswalk takes them."""
    return [
        PublishedMember(member.library, member.local_id, member.record, member.holdings)
        for member in view.members
    ]


def marc_display(view: UnionRecordView) -> str:
    """The published MARC 21 record in the line form cataloguers read ("=245  10$aTitle")."""
    return str(union_record_to_marc(view.id, published_members(view))) if view.members else ""


def export_format(name: str) -> ExportFormat:
    """The format with this name; raises QueryError naming the known ones."""
    if name not in EXPORT_FORMATS:
        known = ", ".join(EXPORT_FORMATS)
        raise QueryError(f"unknown export format {name!r}; use one of: {known}", field="format")
    return EXPORT_FORMATS[name]


def export_search_results(
    store: CatalogueStore,
    index: SearchIndex,
    request: SearchRequest,
    format_name: str,
    record_url: str = "",
) -> bytes:
    """The records a search finds (the request's page, at most MAX_EXPORT_RECORDS) in a format."""
    export = export_format(format_name)
    limited = replace(request, limit=min(request.limit, MAX_EXPORT_RECORDS), facets=())
    hits = index.search(limited).hits
    with store.transaction() as transaction:
        views = transaction.union_record_views([hit.id for hit in hits])
    return export_records(views, export.name, record_url)


def export_records(
    views: Sequence[UnionRecordView], format_name: str, record_url: str = ""
) -> bytes:
    """The records in one format; `record_url` may hold "{id}" for each record's link."""
    export = export_format(format_name)
    live = [view for view in views if view.members]
    marc_records = [union_record_to_marc(view.id, published_members(view)) for view in live]
    if export.name == "marc21":
        return b"".join(record.as_marc() for record in marc_records)
    if export.name == "marcxml":
        return marcxml_bytes(marc_records)
    if export.name == "marcjson":
        dictionaries = [record_to_dict(record) for record in marc_records]
        body: object = dictionaries[0] if len(dictionaries) == 1 else dictionaries
        return json.dumps(body, ensure_ascii=False).encode()
    if export.name == "dc":
        return _dublin_core_bytes(live, marc_records)
    if export.name == "bibtex":
        return "\n".join(to_bibtex(f"mucluc{view.id}", view.description) for view in live).encode()
    if export.name == "ris":
        return "\n".join(
            to_ris(view.description, record_url.format(id=view.id) if record_url else "")
            for view in live
        ).encode()
    items = [to_csl_json(f"mucluc{view.id}", view.description) for view in live]
    return json.dumps(items, ensure_ascii=False).encode()


def _dublin_core_bytes(views: Sequence[UnionRecordView], marc_records: Sequence[Record]) -> bytes:
    if len(views) == 1:
        root = write_oai_dc(dublin_core_from_marc(marc_records[0], views[0].description))
    else:
        root = etree.Element("collection")
        for view, record in zip(views, marc_records, strict=True):
            write_oai_dc(dublin_core_from_marc(record, view.description), root)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
