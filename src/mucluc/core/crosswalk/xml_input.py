"""Parse XML from outside with a hardened lxml parser: no DTD, no network, no entities.

Every XML document mucluc reads from another system (an OAI-PMH response, a
MARCXML file) goes through `parse_xml`, or `iterate_xml` for files too large
to hold, so a hostile document can neither reach the network nor expand
entities (billion laughs, XXE).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from lxml import etree


class XmlInputError(ValueError):
    """A document is not well-formed XML or declares things we refuse to load; `line` is where."""

    def __init__(self, message: str, *, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


# Load no DTD, resolve no entities, never touch the network, refuse huge trees.
_HARDENED_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_blank_text": False,
}


def hardened_parser() -> etree.XMLParser:
    """A parser that loads no DTD, resolves no entities and never touches the network."""
    return etree.XMLParser(**_HARDENED_OPTIONS)


def parse_xml(data: bytes, *, source_name: str = "document") -> etree._Element:
    """The root element of an XML document; raises XmlInputError naming the source and line.

    A document with a DOCTYPE is refused outright: no protocol we speak needs
    one, and refusing it closes the entity-expansion door completely.
    """
    try:
        root = etree.fromstring(data, parser=hardened_parser())
    except etree.XMLSyntaxError as error:
        raise XmlInputError(
            f"{source_name}, line {error.lineno}: {error.msg}", line=error.lineno or 0
        ) from error
    doctype: str = root.getroottree().docinfo.doctype  # type: ignore[union-attr]
    if doctype:
        raise XmlInputError(f"{source_name}: a DOCTYPE declaration is not accepted")
    return root


def iterate_xml(stream: BinaryIO, *, source_name: str = "document") -> Iterator[etree._Element]:
    """Each element of a document as it ends, read from `stream` a piece at a time.

    The same refusals as `parse_xml`, raised as XmlInputError naming the line:
    a DOCTYPE stops the document before its first element is read. The caller
    may clear elements it is done with, so memory holds one record, not the file.
    """
    events = etree.iterparse(stream, events=("start", "end"), **_HARDENED_OPTIONS)
    started = False
    try:
        for event, element in events:
            if not started:
                started = True
                if element.getroottree().docinfo.doctype:
                    raise XmlInputError(f"{source_name}: a DOCTYPE declaration is not accepted")
            if event == "end":
                yield element
    except etree.XMLSyntaxError as error:
        raise XmlInputError(
            f"{source_name}, line {error.lineno}: {error.msg}", line=error.lineno or 0
        ) from error
