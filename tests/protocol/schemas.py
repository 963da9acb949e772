"""XML Schema validators built from the official schemas in ../shared/data (read in place).

The schemas are never copied into the repository: a small wrapper schema
imports them by file URL. simpledc20021212.xsd imports the W3C `xml.xsd`
over the network; a resolver answers that import with a minimal local
stand-in so validation never leaves the machine.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

SHARED_DATA = Path(__file__).parents[3] / "shared" / "data"
OAI_SCHEMAS = SHARED_DATA / "schemas-marcxml-oaipmh-dc"
SRU_SCHEMAS = SHARED_DATA / "schemas-sru-2.0-oasis"
XML_NAMESPACE_SCHEMA = b"""<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
           targetNamespace="http://www.w3.org/XML/1998/namespace">
  <xs:attribute name="lang" type="xs:string"/>
</xs:schema>"""


class _LocalResolver(etree.Resolver):
    def resolve(self, url, _public_id, context):  # type: ignore[no-untyped-def]
        if url and url.startswith("http://www.w3.org/2001/03/xml.xsd"):
            return self.resolve_string(XML_NAMESPACE_SCHEMA, context)
        if url and url.startswith("http"):
            raise AssertionError(f"a schema tried to load {url} from the network")
        return None


def _wrapper(imports: dict[str, Path]) -> etree.XMLSchema:
    lines = "".join(
        f'<xs:import namespace="{namespace}" schemaLocation="{path.as_uri()}"/>'
        for namespace, path in imports.items()
    )
    text = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{lines}</xs:schema>'
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalResolver())
    return etree.XMLSchema(etree.fromstring(text.encode(), parser, base_url=str(OAI_SCHEMAS)))


@cache
def oai_pmh_schema() -> etree.XMLSchema:
    """OAI-PMH.xsd with oai_dc, MARC21slim and oai-identifier for the `##other` content."""
    return _wrapper(
        {
            "http://www.openarchives.org/OAI/2.0/": OAI_SCHEMAS / "OAI-PMH.xsd",
            "http://www.openarchives.org/OAI/2.0/oai_dc/": OAI_SCHEMAS / "oai_dc.xsd",
            "http://www.loc.gov/MARC21/slim": OAI_SCHEMAS / "MARC21slim.xsd",
            "http://www.openarchives.org/OAI/2.0/oai-identifier": OAI_SCHEMAS
            / "oai-identifier.xsd",
        }
    )


@cache
def marcxml_schema() -> etree.XMLSchema:
    """MARC21slim.xsd alone."""
    return _wrapper({"http://www.loc.gov/MARC21/slim": OAI_SCHEMAS / "MARC21slim.xsd"})


@cache
def oai_dc_schema() -> etree.XMLSchema:
    """oai_dc.xsd with simple DC."""
    return _wrapper({"http://www.openarchives.org/OAI/2.0/oai_dc/": OAI_SCHEMAS / "oai_dc.xsd"})


def assert_valid(schema: etree.XMLSchema, document: bytes | etree._Element) -> None:
    """Fail with the schema's own messages when the document is invalid."""
    root = etree.fromstring(document) if isinstance(document, bytes) else document
    if not schema.validate(root):
        messages = "\n".join(f"line {error.line}: {error.message}" for error in schema.error_log)
        raise AssertionError(f"document is not valid:\n{messages}")


@cache
def sru_response_schema() -> etree.XMLSchema:
    """SRU 2.0 sruResponse.xsd (with diagnostics and scan), ZeeRex explain.xsd and MARC21slim.

    Records inside recordData are validated laxly, so MARCXML records and
    explain records are checked against their schemas; srw_dc has none here.
    """
    return _wrapper(
        {
            "http://docs.oasis-open.org/ns/search-ws/sruResponse": SRU_SCHEMAS / "sruResponse.xsd",
            "http://explain.z3950.org/dtd/2.0/": SRU_SCHEMAS / "explain.xsd",
            "http://www.loc.gov/MARC21/slim": OAI_SCHEMAS / "MARC21slim.xsd",
        }
    )
