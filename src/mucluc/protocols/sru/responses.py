"""SRU response documents for versions 1.1/1.2 and 2.0: explain, searchRetrieve, scan.

The two versions differ in namespaces and in a few elements (SRU 1.2 in
`http://www.loc.gov/zing/srw/` carries `version` and recordPacking xml/string;
SRU 2.0 in the OASIS namespaces drops `version` and says recordXMLEscaping).
Element order follows sruResponse.xsd (searchRetrieve 2.0, part 3), which
also fixes the 1.2 order. The explain record is ZeeRex 2.0
(`http://explain.z3950.org/dtd/2.0/`); SRU 2.0's explain.xsd adds a
mandatory `searchInfo`, which 2.0 responses carry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from lxml import etree

from mucluc.core.crosswalk.marcxml import xml_text
from mucluc.protocols.sru.diagnostics import SruError, diagnostic_uri
from mucluc.protocols.sru.records import RECORD_SCHEMAS
from mucluc.protocols.sru.translation import (
    CONTEXT_SET_IDENTIFIERS,
    INDEX_SPELLINGS,
    INDEXES,
    SORT_INDEXES,
)

SRU_1_NAMESPACE = "http://www.loc.gov/zing/srw/"
SRU_1_DIAGNOSTIC_NAMESPACE = "http://www.loc.gov/zing/srw/diagnostic/"
SRU_2_NAMESPACE = "http://docs.oasis-open.org/ns/search-ws/sruResponse"
SRU_2_DIAGNOSTIC_NAMESPACE = "http://docs.oasis-open.org/ns/search-ws/diagnostic"
SRU_2_SCAN_NAMESPACE = "http://docs.oasis-open.org/ns/search-ws/scan"
ZEEREX_NAMESPACE = "http://explain.z3950.org/dtd/2.0/"
DIAGNOSTIC_SCHEMA = "info:srw/schema/1/diagnostics-v1.1"
SUPPORTED_VERSIONS = ("1.1", "1.2", "2.0")
HIGHEST_VERSION = "2.0"

# Titles of the indexes in explain, in the order they are listed.
INDEX_TITLES = {
    ("cql", "serverchoice"): "Mọi trường / Any field",
    ("cql", "anywhere"): "Mọi trường / Any field",
    ("dc", "title"): "Nhan đề / Title",
    ("dc", "creator"): "Tác giả / Author",
    ("dc", "subject"): "Chủ đề / Subject",
    ("dc", "publisher"): "Nhà xuất bản / Publisher",
    ("dc", "date"): "Năm xuất bản / Year of publication",
    ("dc", "language"): "Ngôn ngữ / Language (MARC code, e.g. vie)",
    ("bath", "isbn"): "ISBN",
    ("bath", "issn"): "ISSN",
    ("mucluc", "library"): "Thư viện / Holding library (code, e.g. VN-NLV)",
    ("mucluc", "province"): "Tỉnh, thành / Province of a holding library",
    ("mucluc", "language"): "Ngôn ngữ / Language (MARC code, e.g. vie)",
    ("mucluc", "format"): "Loại tài liệu / Material type (book, serial …)",
    ("mucluc", "librarytype"): "Loại thư viện / Library type (national, provincial …)",
    ("mucluc", "series"): "Tùng thư / Series",
    ("mucluc", "classification"): "Ký hiệu phân loại / Classification (DDC)",
}


@dataclass(frozen=True)
class ServerDescription:
    """Where the server is and what it holds, for explain."""

    host: str
    port: int
    database: str
    title: str
    description: str
    default_records: int
    maximum_records: int


@dataclass(frozen=True)
class ResponseRecord:
    """One record of a searchRetrieve response, or the surrogate diagnostic in its place."""

    position: int
    schema_identifier: str = ""
    content: etree._Element | str | None = None
    surrogate: SruError | None = None


@dataclass
class ResponseWriter:
    """Writes the documents of one SRU version."""

    version: str
    diagnostics: list[SruError] = field(default_factory=list)

    @property
    def is_version_2(self) -> bool:
        """True for SRU 2.0 (OASIS namespaces)."""
        return self.version.startswith("2")

    @property
    def namespace(self) -> str:
        """The namespace of the response elements."""
        return SRU_2_NAMESPACE if self.is_version_2 else SRU_1_NAMESPACE

    def element(self, parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
        """A child in the response namespace, with text when given."""
        child = etree.SubElement(parent, f"{{{self.namespace}}}{name}")
        if text is not None:
            child.text = xml_text(text)
        return child

    def root(self, name: str, namespace: str | None = None) -> etree._Element:
        """The response root; SRU 1.x responses begin with the version."""
        namespace = namespace or self.namespace
        prefix = "scan" if namespace == SRU_2_SCAN_NAMESPACE else "sru"
        root = etree.Element(f"{{{namespace}}}{name}", nsmap={prefix: namespace})
        if not self.is_version_2:
            self.element(root, "version", self.version)
        return root

    def diagnostic(self, parent: etree._Element, error: SruError) -> etree._Element:
        """A `diagnostic` element (uri, details, message) under `parent`."""
        namespace = SRU_2_DIAGNOSTIC_NAMESPACE if self.is_version_2 else SRU_1_DIAGNOSTIC_NAMESPACE
        diagnostic = etree.SubElement(
            parent, f"{{{namespace}}}diagnostic", nsmap={"diag": namespace}
        )
        etree.SubElement(diagnostic, f"{{{namespace}}}uri").text = diagnostic_uri(error.code)
        if error.details:
            etree.SubElement(diagnostic, f"{{{namespace}}}details").text = xml_text(error.details)
        etree.SubElement(diagnostic, f"{{{namespace}}}message").text = xml_text(error.message)
        return diagnostic

    def append_diagnostics(self, root: etree._Element, namespace: str | None = None) -> None:
        """The non-surrogate diagnostics, if any."""
        if not self.diagnostics:
            return
        holder = etree.SubElement(root, f"{{{namespace or self.namespace}}}diagnostics")
        for error in self.diagnostics:
            self.diagnostic(holder, error)

    def record_element(
        self, parent: etree._Element, schema: str, content: etree._Element | str
    ) -> etree._Element:
        """A `record` with schema, packing/escaping and data."""
        record = self.element(parent, "record")
        self.element(record, "recordSchema", schema)
        escaping = "string" if isinstance(content, str) else "xml"
        self.element(
            record, "recordXMLEscaping" if self.is_version_2 else "recordPacking", escaping
        )
        data = self.element(record, "recordData")
        if isinstance(content, str):
            data.text = xml_text(content)
        else:
            data.append(content)
        return record

    def search_retrieve(
        self, total: int, records: Sequence[ResponseRecord], next_position: int | None
    ) -> bytes:
        """A searchRetrieveResponse."""
        root = self.root("searchRetrieveResponse")
        self.element(root, "numberOfRecords", str(total))
        if records:
            holder = self.element(root, "records")
            for item in records:
                if item.surrogate is not None:
                    diagnostic = self.diagnostic(etree.Element("holder"), item.surrogate)
                    record = self.record_element(holder, DIAGNOSTIC_SCHEMA, diagnostic)
                elif item.content is not None:
                    record = self.record_element(holder, item.schema_identifier, item.content)
                else:
                    continue
                self.element(record, "recordPosition", str(item.position))
        if next_position is not None:
            self.element(root, "nextRecordPosition", str(next_position))
        self.append_diagnostics(root)
        return _document(root)

    def scan(self) -> bytes:
        """A scanResponse (carrying only diagnostics: scan is not offered)."""
        namespace = SRU_2_SCAN_NAMESPACE if self.is_version_2 else SRU_1_NAMESPACE
        root = self.root("scanResponse", namespace)
        self.append_diagnostics(root, namespace)
        return _document(root)

    def explain(self, server: ServerDescription, *, string_packing: bool = False) -> bytes:
        """An explainResponse whose record is the ZeeRex description of this server."""
        root = self.root("explainResponse")
        description = self.zeerex(server)
        content: etree._Element | str = (
            etree.tostring(description, encoding="unicode") if string_packing else description
        )
        record = self.record_element(root, ZEEREX_NAMESPACE, content)
        self.element(record, "recordPosition", "1")
        self.append_diagnostics(root)
        return _document(root)

    def zeerex(self, server: ServerDescription) -> etree._Element:
        """The ZeeRex `explain` record: server, database, indexes, schemas, settings."""

        def add(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
            child = etree.SubElement(parent, f"{{{ZEEREX_NAMESPACE}}}{name}")
            if text is not None:
                child.text = xml_text(text)
            return child

        explain = etree.Element(f"{{{ZEEREX_NAMESPACE}}}explain", nsmap={"zr": ZEEREX_NAMESPACE})
        server_info = add(explain, "serverInfo")
        server_info.set("protocol", "SRU")
        server_info.set("version", self.version)
        server_info.set("transport", "http")
        add(server_info, "host", server.host)
        add(server_info, "port", str(server.port))
        add(server_info, "database", server.database)
        database_info = add(explain, "databaseInfo")
        title = add(database_info, "title", server.title)
        title.set("lang", "vi")
        title.set("primary", "true")
        add(database_info, "description", server.description).set("lang", "en")
        index_info = add(explain, "indexInfo")
        for short_name, identifier in CONTEXT_SET_IDENTIFIERS.items():
            context_set = add(index_info, "set")
            context_set.set("name", short_name)
            context_set.set("identifier", identifier)
        listed = [*INDEXES, ("rec", "id")]
        for key in listed:
            context_name, name = key
            index = add(index_info, "index")
            index.set("search", "true")
            index.set("scan", "false")
            index.set("sort", "true" if key in SORT_INDEXES else "false")
            add(index, "title", INDEX_TITLES.get(key, "Mã biểu ghi / Union record id")).set(
                "lang", "en"
            )
            mapping = add(index, "map")
            add(mapping, "name", INDEX_SPELLINGS.get(key, name)).set("set", context_name)
        if self.is_version_2:
            search_info = add(explain, "searchInfo")
            add(search_info, "queryExample", 'dc.title all "lịch sử việt nam" and dc.date > 2000')
        schema_info = add(explain, "schemaInfo")
        for schema in RECORD_SCHEMAS:
            element = add(schema_info, "schema")
            element.set("identifier", schema.identifier)
            element.set("name", schema.name)
            element.set("sort", "false")
            element.set("retrieve", "true")
            add(element, "title", schema.title)
        config_info = add(explain, "configInfo")
        add(config_info, "default", str(server.default_records)).set("type", "numberOfRecords")
        add(config_info, "default", "marcxml").set("type", "retrieveSchema")
        add(config_info, "setting", str(server.maximum_records)).set("type", "maximumRecords")
        for relation in ("=", "==", "adj", "all", "any", "<", ">", "<=", ">=", "<>", "within"):
            add(config_info, "supports", relation).set("type", "relation")
        for modifier in ("relevant", "ignoreCase", "ignoreAccents", "unmasked"):
            add(config_info, "supports", modifier).set("type", "relationModifier")
        add(config_info, "supports", "*").set("type", "maskingCharacter")
        add(config_info, "supports").set("type", "sort")
        return explain


def _document(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
