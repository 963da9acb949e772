"""The six OAI-PMH 2.0 verbs over the catalogue's published records.

`respond(arguments, source, repository, now)` takes the request's arguments
exactly as sent (each name with every value given, so repeats are seen) and
returns the response document. Every problem becomes an `<error>` element
as OAI-PMH 2.0 §3.6 prescribes; the caller always answers HTTP 200.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from xml.sax.saxutils import escape

from lxml import etree

from mucluc.core.crosswalk.dublin_core import OAI_DC_NAMESPACE, OAI_DC_SCHEMA_LOCATION
from mucluc.core.crosswalk.marcxml import MARCXML_NAMESPACE, MARCXML_SCHEMA_LOCATION, xml_text
from mucluc.core.crosswalk.published import MARC21, OAI_DC
from mucluc.core.model import LibraryInfo
from mucluc.core.publication import PublicationQuery, PublicationSource, PublishedRecord
from mucluc.protocols.oaipmh.errors import OaiErrorCode, OaiPmhError
from mucluc.protocols.oaipmh.sets import libraries_in_set, list_sets, record_set_specs
from mucluc.protocols.oaipmh.tokens import ResumptionToken, decode_token, encode_token

OAI_NAMESPACE = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA_LOCATION = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_IDENTIFIER_NAMESPACE = "http://www.openarchives.org/OAI/2.0/oai-identifier"
OAI_IDENTIFIER_SCHEMA_LOCATION = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"
XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance"
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
PROTOCOL_VERSION = "2.0"
SET_SPEC_TEXTS_CACHED = 4096  # distinct combinations of member libraries remembered
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_O = f"{{{OAI_NAMESPACE}}}"
_XSI_LOCATION = f"{{{XSI_NAMESPACE}}}schemaLocation"
_EMBED_START, _EMBED_END = "\ue000", "\ue001"
_EMBEDDED = re.compile(f"{_EMBED_START}(\\d+){_EMBED_END}".encode())


@dataclass(frozen=True)
class MetadataFormat:
    """A metadataPrefix the provider disseminates (the store renders its metadata text)."""

    prefix: str
    schema: str
    namespace: str


METADATA_FORMATS = {
    OAI_DC: MetadataFormat(OAI_DC, OAI_DC_SCHEMA_LOCATION, OAI_DC_NAMESPACE),
    MARC21: MetadataFormat(MARC21, MARCXML_SCHEMA_LOCATION, MARCXML_NAMESPACE),
}
# Which arguments each verb takes (OAI-PMH 2.0 §4): required, optional, exclusive.
VERB_ARGUMENTS: dict[str, tuple[frozenset[str], frozenset[str], str | None]] = {
    "Identify": (frozenset(), frozenset(), None),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"}), None),
    "ListSets": (frozenset(), frozenset(), "resumptionToken"),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset(), None),
    "ListIdentifiers": (
        frozenset({"metadataPrefix"}),
        frozenset({"from", "until", "set"}),
        "resumptionToken",
    ),
    "ListRecords": (
        frozenset({"metadataPrefix"}),
        frozenset({"from", "until", "set"}),
        "resumptionToken",
    ),
}


@dataclass(frozen=True)
class Repository:
    """What Identify says about this provider, and how it pages."""

    name: str
    base_url: str
    admin_email: str
    repository_identifier: str
    page_size: int


def datestamp(moment: datetime) -> str:
    """A UTC datestamp at seconds granularity: 2024-05-01T08:30:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def oai_identifier(repository: Repository, union_record_id: int) -> str:
    """The OAI identifier of a union record: oai:mucluc.vn:123 (oai-identifier scheme)."""
    return f"oai:{repository.repository_identifier}:{union_record_id}"


def parse_oai_identifier(repository: Repository, identifier: str) -> int:
    """The union record id an identifier names; raises idDoesNotExist for foreign ones."""
    prefix = f"oai:{repository.repository_identifier}:"
    local = identifier[len(prefix) :] if identifier.startswith(prefix) else ""
    if not local.isascii() or not local.isdigit() or len(local) > 18:
        raise OaiPmhError(
            OaiErrorCode.ID_DOES_NOT_EXIST,
            f"{identifier!r} is not an identifier of this repository",
        )
    return int(local)


def parse_datestamp(name: str, value: str) -> tuple[datetime, bool]:
    """A from/until argument as a UTC datetime, and whether it was day-granular."""
    try:
        if _DAY.fullmatch(value):
            return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC), True
        if _SECOND.fullmatch(value):
            return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC), False
    except ValueError:
        pass
    raise OaiPmhError(
        OaiErrorCode.BAD_ARGUMENT,
        f"{name}={value!r} is not a UTC datestamp of the form YYYY-MM-DD or {GRANULARITY}",
    )


class _Response:
    """The response document under construction."""

    def __init__(self, repository: Repository, now: datetime) -> None:
        self.root = etree.Element(
            f"{_O}OAI-PMH",
            nsmap={None: OAI_NAMESPACE, "xsi": XSI_NAMESPACE},  # type: ignore[dict-item]
        )
        self.root.set(_XSI_LOCATION, f"{OAI_NAMESPACE} {OAI_SCHEMA_LOCATION}")
        etree.SubElement(self.root, f"{_O}responseDate").text = datestamp(now)
        self.embedded: list[str] = []
        self.request = etree.SubElement(self.root, f"{_O}request")
        self.request.text = repository.base_url

    def add(
        self, tag: str, parent: etree._Element | None = None, text: str | None = None
    ) -> etree._Element:
        element = etree.SubElement(self.root if parent is None else parent, f"{_O}{tag}")
        if text is not None:
            element.text = xml_text(text)
        return element

    def embed(self, parent: etree._Element, serialised: str) -> None:
        """Put already serialised elements first into `parent` (spliced in by `to_bytes`).

        Records are written as text around the metadata the store rendered
        when each last changed (`mucluc.core.crosswalk.published`), far
        cheaper than building them element by element; a private-use marker
        holds their place until the document is written. The text is in the
        response's default namespace, OAI-PMH's.
        """
        parent.text = f"{_EMBED_START}{len(self.embedded)}{_EMBED_END}"
        self.embedded.append(serialised)

    def error(self, failure: OaiPmhError) -> None:
        self.add("error", text=failure.message).set("code", str(failure.code))

    def to_bytes(self) -> bytes:
        document = etree.tostring(self.root, encoding="UTF-8", xml_declaration=True)
        if not self.embedded:
            return document
        return _EMBEDDED.sub(lambda match: self.embedded[int(match[1])].encode("utf-8"), document)


def _single_arguments(arguments: Mapping[str, Sequence[str]]) -> dict[str, str]:
    repeated = sorted(name for name, values in arguments.items() if len(values) != 1)
    if repeated:
        raise OaiPmhError(
            OaiErrorCode.BAD_ARGUMENT, f"arguments may not be repeated: {', '.join(repeated)}"
        )
    return {name: values[0] for name, values in arguments.items()}


def _check_arguments(verb: str, arguments: dict[str, str]) -> None:
    required, optional, exclusive = VERB_ARGUMENTS[verb]
    names = set(arguments)
    if exclusive is not None and exclusive in names:
        if names != {exclusive}:
            raise OaiPmhError(
                OaiErrorCode.BAD_ARGUMENT,
                f"{exclusive} is an exclusive argument: it cannot be combined with "
                f"{', '.join(sorted(names - {exclusive}))}",
            )
        return
    unknown = names - required - optional
    if unknown:
        raise OaiPmhError(
            OaiErrorCode.BAD_ARGUMENT,
            f"{verb} does not take the argument(s) {', '.join(sorted(unknown))}",
        )
    missing = required - names
    if missing:
        raise OaiPmhError(
            OaiErrorCode.BAD_ARGUMENT,
            f"{verb} needs the argument(s) {', '.join(sorted(missing))}",
        )
    _check_dates(arguments.get("from", ""), arguments.get("until", ""))


def _check_dates(from_time: str, until_time: str) -> None:
    """from/until are UTC datestamps of one granularity, from not after until (§3.3)."""
    if from_time:
        parse_datestamp("from", from_time)
    if until_time:
        parse_datestamp("until", until_time)
    if from_time and until_time:
        if len(from_time) != len(until_time):
            raise OaiPmhError(
                OaiErrorCode.BAD_ARGUMENT, "from and until must have the same granularity"
            )
        if parse_datestamp("from", from_time)[0] > parse_datestamp("until", until_time)[0]:
            raise OaiPmhError(OaiErrorCode.BAD_ARGUMENT, "from is later than until")


def respond(
    arguments: Mapping[str, Sequence[str]],
    source: PublicationSource,
    repository: Repository,
    now: datetime,
) -> bytes:
    """The OAI-PMH response document for a request's arguments."""
    response = _Response(repository, now)
    verbs = list(arguments.get("verb", ()))
    if len(verbs) != 1 or verbs[0] not in VERB_ARGUMENTS:
        message = (
            "the verb argument is missing"
            if not verbs
            else "the verb argument is repeated"
            if len(verbs) > 1
            else f"{verbs[0]!r} is not an OAI-PMH verb"
        )
        response.error(OaiPmhError(OaiErrorCode.BAD_VERB, message))
        return response.to_bytes()
    verb = verbs[0]
    try:
        given = _single_arguments({k: v for k, v in arguments.items() if k != "verb"})
        _check_arguments(verb, given)
    except OaiPmhError as failure:
        response.error(failure)
        return response.to_bytes()
    # Only a request free of badVerb/badArgument echoes its arguments (OAI-PMH 2.0 §3.2).
    response.request.set("verb", verb)
    for name, value in given.items():
        response.request.set(name, xml_text(value))  # a value may hold what XML forbids
    handlers: dict[str, Callable[[_Response, dict[str, str], PublicationSource, Repository], None]]
    handlers = {
        "Identify": _identify,
        "ListMetadataFormats": _list_metadata_formats,
        "ListSets": _list_sets,
        "GetRecord": _get_record,
        "ListIdentifiers": _list_headers_or_records,
        "ListRecords": _list_headers_or_records,
    }
    try:
        handlers[verb](response, {"verb": verb, **given}, source, repository)
    except OaiPmhError as failure:
        for child in list(response.root)[2:]:
            response.root.remove(child)
        response.error(failure)
    return response.to_bytes()


def _identify(
    response: _Response,
    _arguments: dict[str, str],
    source: PublicationSource,
    repository: Repository,
) -> None:
    identify = response.add("Identify")
    response.add("repositoryName", identify, repository.name)
    response.add("baseURL", identify, repository.base_url)
    response.add("protocolVersion", identify, PROTOCOL_VERSION)
    response.add("adminEmail", identify, repository.admin_email)
    earliest = source.earliest_datestamp() or datetime(1970, 1, 1, tzinfo=UTC)
    response.add("earliestDatestamp", identify, datestamp(earliest))
    response.add("deletedRecord", identify, "persistent")
    response.add("granularity", identify, GRANULARITY)
    description = response.add("description", identify)
    scheme = etree.SubElement(
        description,
        f"{{{OAI_IDENTIFIER_NAMESPACE}}}oai-identifier",
        nsmap={None: OAI_IDENTIFIER_NAMESPACE},  # type: ignore[dict-item]
    )
    scheme.set(_XSI_LOCATION, f"{OAI_IDENTIFIER_NAMESPACE} {OAI_IDENTIFIER_SCHEMA_LOCATION}")
    for name, value in (
        ("scheme", "oai"),
        ("repositoryIdentifier", repository.repository_identifier),
        ("delimiter", ":"),
        ("sampleIdentifier", oai_identifier(repository, 1)),
    ):
        etree.SubElement(scheme, f"{{{OAI_IDENTIFIER_NAMESPACE}}}{name}").text = value


def _list_metadata_formats(
    response: _Response,
    arguments: dict[str, str],
    source: PublicationSource,
    repository: Repository,
) -> None:
    if "identifier" in arguments:
        union_record_id = parse_oai_identifier(repository, arguments["identifier"])
        if source.published_record(union_record_id, None) is None:
            raise OaiPmhError(
                OaiErrorCode.ID_DOES_NOT_EXIST,
                f"no record has the identifier {arguments['identifier']!r}",
            )
    formats = response.add("ListMetadataFormats")
    for metadata_format in METADATA_FORMATS.values():
        entry = response.add("metadataFormat", formats)
        response.add("metadataPrefix", entry, metadata_format.prefix)
        response.add("schema", entry, metadata_format.schema)
        response.add("metadataNamespace", entry, metadata_format.namespace)


def _list_sets(
    response: _Response,
    arguments: dict[str, str],
    source: PublicationSource,
    _repository: Repository,
) -> None:
    if "resumptionToken" in arguments:
        decode_token(arguments["resumptionToken"])
        raise OaiPmhError(
            OaiErrorCode.BAD_RESUMPTION_TOKEN,
            "ListSets answers in one response; it issues no tokens",
        )
    sets = response.add("ListSets")
    for oai_set in list_sets(source.list_libraries()):
        entry = response.add("set", sets)
        response.add("setSpec", entry, oai_set.spec)
        response.add("setName", entry, oai_set.name)


def _metadata_format(prefix: str) -> MetadataFormat:
    if prefix not in METADATA_FORMATS:
        raise OaiPmhError(
            OaiErrorCode.CANNOT_DISSEMINATE_FORMAT,
            f"metadataPrefix {prefix!r} is not disseminated; use one of: "
            f"{', '.join(METADATA_FORMATS)}",
        )
    return METADATA_FORMATS[prefix]


def _escaped(text: str) -> str:
    """Element content as lxml would write it (XML 1.0 characters; &, < and > escaped)."""
    return escape(xml_text(text))


def _header_text(record: PublishedRecord, repository: Repository) -> str:
    """A record's `header` element, serialised (OAI-PMH 2.0 §2.5)."""
    status = ' status="deleted"' if record.deleted else ""
    identifier = _escaped(oai_identifier(repository, record.union_record_id))
    return (
        f"<header{status}><identifier>{identifier}</identifier>"
        f"<datestamp>{datestamp(record.datestamp)}</datestamp>"
        f"{_set_specs_text(record.libraries)}</header>"
    )


@lru_cache(maxsize=SET_SPEC_TEXTS_CACHED)
def _set_specs_text(libraries: tuple[LibraryInfo, ...]) -> str:
    """The `setSpec` elements of a header, serialised; the same sets of libraries recur."""
    return "".join(f"<setSpec>{_escaped(spec)}</setSpec>" for spec in record_set_specs(libraries))


def _record_text(record: PublishedRecord, repository: Repository) -> str:
    """A `record` element, serialised: its header and, unless deleted, its metadata."""
    metadata = "" if record.deleted else f"<metadata>{record.metadata}</metadata>"
    return f"<record>{_header_text(record, repository)}{metadata}</record>"


def _get_record(
    response: _Response,
    arguments: dict[str, str],
    source: PublicationSource,
    repository: Repository,
) -> None:
    union_record_id = parse_oai_identifier(repository, arguments["identifier"])
    metadata_format = _metadata_format(arguments["metadataPrefix"])
    record = source.published_record(union_record_id, metadata_format.prefix)
    if record is None:
        raise OaiPmhError(
            OaiErrorCode.ID_DOES_NOT_EXIST,
            f"no record has the identifier {arguments['identifier']!r}",
        )
    response.embed(response.add("GetRecord"), _record_text(record, repository))


def _selection(arguments: dict[str, str]) -> ResumptionToken:
    """The token a list request starts from (its own, or a fresh one from its arguments)."""
    if "resumptionToken" in arguments:
        return decode_token(arguments["resumptionToken"])
    return ResumptionToken(
        metadata_prefix=arguments["metadataPrefix"],
        set_spec=arguments.get("set", ""),
        from_time=arguments.get("from", ""),
        until_time=arguments.get("until", ""),
        after_sequence=0,
        cursor=0,
    )


def _list_headers_or_records(
    response: _Response,
    arguments: dict[str, str],
    source: PublicationSource,
    repository: Repository,
) -> None:
    verb = arguments["verb"]
    token = _selection(arguments)
    resumed = "resumptionToken" in arguments
    try:
        metadata_format = _metadata_format(token.metadata_prefix)
        from_time = parse_datestamp("from", token.from_time)[0] if token.from_time else None
        until_time = None
        if token.until_time:
            until, day = parse_datestamp("until", token.until_time)
            until_time = until + (timedelta(days=1) if day else timedelta(seconds=1))
    except OaiPmhError as failure:
        if resumed:
            raise OaiPmhError(OaiErrorCode.BAD_RESUMPTION_TOKEN, failure.message) from failure
        raise
    library_codes = None
    if token.set_spec:
        library_codes = libraries_in_set(token.set_spec, source.list_libraries())
        if not library_codes:
            raise OaiPmhError(OaiErrorCode.NO_RECORDS_MATCH, f"there is no set {token.set_spec!r}")
    query = PublicationQuery(
        after_sequence=token.after_sequence,
        from_time=from_time,
        until_time=until_time,
        library_codes=library_codes,
        metadata_format=metadata_format.prefix if verb == "ListRecords" else None,
    )
    page = source.published_records(query, repository.page_size + 1)
    if not page:
        raise OaiPmhError(OaiErrorCode.NO_RECORDS_MATCH, "no records match the request")
    served, more = page[: repository.page_size], len(page) > repository.page_size
    listing = response.add(verb)
    write = _record_text if verb == "ListRecords" else _header_text
    response.embed(listing, "".join(write(record, repository) for record in served))
    if more or resumed:
        next_token = replace(
            token, after_sequence=served[-1].sequence, cursor=token.cursor + len(served)
        )
        element = response.add("resumptionToken", listing, encode_token(next_token) if more else "")
        element.set("cursor", str(token.cursor))
