"""One Z39.50 association: Init, Search, Present, Sort, Delete and Close, with its result sets.

Requests arrive decoded (`codec.decode_pdu`) and each gets its response PDU,
as Z39.50-2003 §3.2 prescribes; nothing here touches sockets, so the server
runs `respond` in a worker thread and tests can call it directly. Anything
the server cannot do is answered with a Bib-1 diagnostic in the response of
that request; only protocol errors (a request before Init, a PDU the server
does not serve) end the association, with a Close that says why.

Result sets are named and kept per association up to a limit. A result set
keeps its query and sort order, not a list of records: each Present runs the
query again for the page asked for, so result sets cost nothing to keep and
hit counts always agree with the web and API; a record ingested between a
Search and a Present can shift positions by one, as in any live catalogue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from mucluc import __version__
from mucluc.core.model import UnionRecordView
from mucluc.core.query import MAX_PAGE_SIZE, MAX_RESULT_WINDOW, QueryNode, SearchRequest, SortOrder
from mucluc.errors import QueryError
from mucluc.protocols.z3950.catalogue import Z3950Catalogue
from mucluc.protocols.z3950.codec import (
    BerError,
    decode_value,
    encode_pdu,
    encode_value,
    international_string,
    to_international_string,
)
from mucluc.protocols.z3950.diagnostics import (
    Bib1Diagnostic,
    Z3950Error,
    default_diag_format,
    diag_rec,
)
from mucluc.protocols.z3950.records import (
    element_set_name,
    record_syntax,
    retrieval_record,
)
from mucluc.protocols.z3950.rpn import LocalNumberQuery, rpn_to_query

logger = logging.getLogger(__name__)

DATABASE_NAMES = frozenset({"mucluc", "default"})  # compared case-insensitively
NEGOTIATION_RECORD = "1.2.840.10003.15.3"  # character set and language negotiation, v3
UTF8_ENCODING_LEVEL = "1.0.10646.1.0.8"  # ISO 10646 (Unicode) in UTF-8
UTF8_NAMES = frozenset({"utf-8", "utf8"})
IMPLEMENTATION_ID = "mucluc"
IMPLEMENTATION_NAME = "mucluc: Mục lục liên hợp (Vietnam union catalogue)"
MINIMUM_MESSAGE_BYTES = 4096
EXTERNAL_OVERHEAD_BYTES = 64  # tags and lengths around each record in a response

# Option bits (Z39.50-2003 §3.2.1.1.6) the server offers.
SEARCH, PRESENT, DELETE_SET, SORT, NAMED_RESULT_SETS, NEGOTIATION = 0, 1, 2, 8, 14, 17
SERVED_OPTIONS = frozenset({SEARCH, PRESENT, DELETE_SET, SORT, NAMED_RESULT_SETS})
PROTOCOL_VERSIONS = frozenset({0, 1, 2})  # versions 1, 2 and 3


class CloseReason(IntEnum):
    """Close reasons (Z39.50-2003 §3.2.11.1.5)."""

    FINISHED = 0
    SHUTDOWN = 1
    SYSTEM_PROBLEM = 2
    RESOURCES = 4
    SECURITY_VIOLATION = 5
    PROTOCOL_ERROR = 6
    LACK_OF_ACTIVITY = 7


class PresentStatus(IntEnum):
    """Present status values (Z39.50-2003 §3.2.3.1.5)."""

    SUCCESS = 0
    PARTIAL_MESSAGE_SIZE = 2
    PARTIAL_WITH_DIAGNOSTICS = 4
    FAILURE = 5


@dataclass(frozen=True)
class Z3950Limits:
    """What one association may ask of the server."""

    max_request_bytes: int = 1_048_576
    preferred_message_bytes: int = 4_194_304
    exceptional_record_bytes: int = 4_194_304
    max_result_sets: int = 16
    idle_timeout_seconds: float = 600.0
    max_associations: int = 200


@dataclass(frozen=True)
class ResultSet:
    """A named result set: its query, its order, and how many records matched."""

    query: QueryNode | LocalNumberQuery
    sort: SortOrder
    count: int


@dataclass
class Reply:
    """The PDUs to send for one request, and whether the association ends after them."""

    pdus: list[bytes] = field(default_factory=list)
    close: bool = False


def close_pdu(reason: CloseReason, message: str, reference_id: bytes | None = None) -> bytes:
    """A Close PDU with a reason and a sentence for the client's log."""
    value: dict[str, Any] = {
        "closeReason": int(reason),
        "diagnosticInformation": to_international_string(message),
    }
    if reference_id is not None:
        value["referenceId"] = reference_id
    return encode_pdu("close", value)


def _bits(value: tuple[bytes, int]) -> set[int]:
    data, length = value
    return {
        position
        for position in range(min(length, len(data) * 8))
        if data[position // 8] & (0x80 >> position % 8)
    }


def _bit_string(positions: set[int]) -> tuple[bytes, int]:
    length = max(positions, default=-1) + 1
    data = bytearray((length + 7) // 8)
    for position in positions:
        data[position // 8] |= 0x80 >> position % 8
    return (bytes(data), length)


def _query_diagnostic(error: QueryError) -> Z3950Error:
    """The Bib-1 condition closest to a query-model error (see QueryError.problem)."""
    message = str(error)
    if error.problem == "field":
        return Z3950Error(Bib1Diagnostic.UNSUPPORTED_USE_ATTRIBUTE, message)
    if error.problem == "unsupported":
        if "truncat" in message:
            return Z3950Error(Bib1Diagnostic.UNSUPPORTED_TRUNCATION_ATTRIBUTE, message)
        return Z3950Error(Bib1Diagnostic.UNSUPPORTED_ATTRIBUTE_COMBINATION, message)
    if error.problem == "value":
        return Z3950Error(Bib1Diagnostic.MALFORMED_SEARCH_TERM, message)
    if error.problem == "too_complex":
        return Z3950Error(Bib1Diagnostic.TOO_MANY_CHARACTERS_IN_SEARCH, message)
    return Z3950Error(Bib1Diagnostic.MALFORMED_QUERY, message)


# Sort keys a client can name: Bib-1 use attributes or a sort field name.
_SORT_USES = {4: "title", 1003: "author", 1: "author", 30: "year", 31: "year"}
_SORT_FIELDS = {"title", "author", "year", "date", "relevance"}


LoginCheck = Callable[[str, str], bool]
"""Whether a user id and password from an Init request may open an association."""


class Association:
    """The state and request handling of one client connection."""

    def __init__(
        self,
        catalogue: Z3950Catalogue,
        limits: Z3950Limits,
        check_login: LoginCheck | None = None,
        peer: str = "",
    ) -> None:
        self.catalogue = catalogue
        self.limits = limits
        self.check_login = check_login
        self.peer = peer
        self.initialised = False
        self.preferred_message_bytes = limits.preferred_message_bytes
        self.exceptional_record_bytes = limits.exceptional_record_bytes
        self.result_sets: dict[str, ResultSet] = {}

    def respond(self, name: str, value: dict[str, Any]) -> Reply:
        """The reply to one decoded request PDU."""
        reference_id = value.get("referenceId")
        if name == "close":
            return Reply([close_pdu(CloseReason.FINISHED, "closed at the client's request")], True)
        if name == "initRequest":
            return self.initialise(value)
        if not self.initialised:
            message = f"{name} before a successful Init"
            return Reply([close_pdu(CloseReason.PROTOCOL_ERROR, message, reference_id)], True)
        if name == "searchRequest":
            return Reply([encode_pdu("searchResponse", self.search(value))])
        if name == "presentRequest":
            return Reply([encode_pdu("presentResponse", self.present(value))])
        if name == "sortRequest":
            return Reply([encode_pdu("sortResponse", self.sort(value))])
        if name == "deleteResultSetRequest":
            return Reply([encode_pdu("deleteResultSetResponse", self.delete(value))])
        message = f"{name} is not a request mucluc serves"
        return Reply([close_pdu(CloseReason.PROTOCOL_ERROR, message, reference_id)], True)

    # Init (§3.2.1.1)

    def initialise(self, request: dict[str, Any]) -> Reply:
        """Negotiate versions, options, sizes and the character set; check the credentials."""
        versions = _bits(request["protocolVersion"]) & PROTOCOL_VERSIONS
        options = _bits(request["options"]) & SERVED_OPTIONS
        self.preferred_message_bytes = max(
            MINIMUM_MESSAGE_BYTES,
            min(int(request["preferredMessageSize"]), self.limits.preferred_message_bytes),
        )
        self.exceptional_record_bytes = max(
            self.preferred_message_bytes,
            min(int(request["exceptionalRecordSize"]), self.limits.exceptional_record_bytes),
        )
        response: dict[str, Any] = {
            "protocolVersion": _bit_string(versions),
            "preferredMessageSize": self.preferred_message_bytes,
            "exceptionalRecordSize": self.exceptional_record_bytes,
            "implementationId": to_international_string(IMPLEMENTATION_ID),
            "implementationName": to_international_string(IMPLEMENTATION_NAME),
            "implementationVersion": to_international_string(__version__),
        }
        if "referenceId" in request:
            response["referenceId"] = request["referenceId"]
        negotiation = self._charset_response(request.get("otherInfo", []))
        if negotiation is not None:
            options.add(NEGOTIATION)
            response["otherInfo"] = [negotiation]
        refusal = self._authentication_problem(request.get("idAuthentication"))
        if refusal is None and not versions:
            refusal = "no protocol version in common: mucluc speaks Z39.50 versions 2 and 3"
        response["options"] = _bit_string(options)
        response["result"] = refusal is None
        if refusal is not None:
            logger.info("z3950_init_refused", extra={"peer": self.peer, "reason": refusal})
            response["otherInfo"] = [
                *response.get("otherInfo", []),
                {"information": ("characterInfo", to_international_string(refusal))},
            ]
            return Reply([encode_pdu("initResponse", response)], close=True)
        self.initialised = True
        return Reply([encode_pdu("initResponse", response)])

    def _authentication_problem(self, authentication: tuple[str, Any] | None) -> str | None:
        """None when the client may proceed, else why not (Bib-1 1011 in words)."""
        if self.check_login is None:
            return None
        user, password = "", ""
        if authentication is not None:
            kind, value = authentication
            if kind == "open":  # "user/password", the form YAZ and Koha send
                user, _, password = international_string(bytes(value)).partition("/")
            elif kind == "idPass":
                user = international_string(bytes(value.get("userId", b"")))
                password = international_string(bytes(value.get("password", b"")))
        if user and password and self.check_login(user, password):
            return None
        return (
            f"Bib-1 {int(Bib1Diagnostic.INIT_BAD_USER_OR_PASSWORD)}: "
            "Init/AC: bad user id and/or password"
        )

    def _charset_response(self, other_info: list[dict[str, Any]]) -> dict[str, Any] | None:
        """The negotiation answer when the client proposed character sets, else None.

        mucluc keeps and serves UTF-8 only: it selects UTF-8 when proposed,
        and otherwise answers that none of the proposed sets was chosen.
        """
        for unit in other_info:
            kind, external = unit["information"]
            if kind != "externallyDefinedInfo":
                continue
            if external.get("direct-reference") != NEGOTIATION_RECORD:
                continue
            encoding_kind, payload = external["encoding"]
            if encoding_kind != "single-ASN1-type":
                continue
            try:
                choice, proposal = decode_value("CharSetandLanguageNegotiation", bytes(payload))
            except BerError:
                logger.info("z3950_negotiation_unreadable", extra={"peer": self.peer})
                continue
            if choice != "proposal":
                continue
            utf8 = any(_is_utf8(proposed) for proposed in proposal.get("proposedCharSets", []))
            selected: tuple[str, Any] = (
                ("iso10646", {"encodingLevel": UTF8_ENCODING_LEVEL}) if utf8 else ("none", None)
            )
            answer = ("response", {"selectedCharSets": selected, "recordsInSelectedCharSets": utf8})
            return {
                "information": (
                    "externallyDefinedInfo",
                    {
                        "direct-reference": NEGOTIATION_RECORD,
                        "encoding": (
                            "single-ASN1-type",
                            encode_value("CharSetandLanguageNegotiation", answer),
                        ),
                    },
                )
            }
        return None

    # Search (§3.2.2.1)

    def search(self, request: dict[str, Any]) -> dict[str, Any]:
        """Run a type-1 query into a named result set, with piggybacked records if asked."""
        response: dict[str, Any] = {}
        if "referenceId" in request:
            response["referenceId"] = request["referenceId"]
        try:
            name = self._new_result_set_name(request)
            query = self._query(request)
            result_set, piggyback = self._run_search(query, request)
        except Z3950Error as diagnostic:
            logger.info(
                "z3950_search_diagnostic",
                extra={"peer": self.peer, "condition": int(diagnostic.condition)},
            )
            return {
                **response,
                "resultCount": 0,
                "numberOfRecordsReturned": 0,
                "nextResultSetPosition": 0,
                "searchStatus": False,
                "resultSetStatus": 3,  # none: no result set was created
                "records": ("nonSurrogateDiagnostic", default_diag_format(diagnostic)),
            }
        self.result_sets[name] = result_set
        response.update(
            resultCount=result_set.count,
            numberOfRecordsReturned=0,
            nextResultSetPosition=1,
            searchStatus=True,
        )
        if piggyback is not None:
            count, element_set = piggyback
            records, status, returned = self._records(
                result_set, 1, count, request.get("preferredRecordSyntax"), element_set
            )
            response.update(
                records=records,
                presentStatus=int(status),
                numberOfRecordsReturned=returned,
                nextResultSetPosition=1 + returned if 1 + returned <= result_set.count else 0,
            )
        return response

    def _new_result_set_name(self, request: dict[str, Any]) -> str:
        databases = [international_string(bytes(name)) for name in request["databaseNames"]]
        for database in databases:
            if database.lower() not in DATABASE_NAMES:
                raise Z3950Error(Bib1Diagnostic.DATABASE_UNAVAILABLE, database)
        name = international_string(bytes(request["resultSetName"]))
        if not name.strip():
            raise Z3950Error(Bib1Diagnostic.ILLEGAL_RESULT_SET_NAME, name)
        if name in self.result_sets:
            if not request["replaceIndicator"]:
                raise Z3950Error(Bib1Diagnostic.RESULT_SET_EXISTS_AND_REPLACE_OFF, name)
        elif len(self.result_sets) >= self.limits.max_result_sets:
            raise Z3950Error(Bib1Diagnostic.TOO_MANY_RESULT_SETS, str(self.limits.max_result_sets))
        return name

    def _query(self, request: dict[str, Any]) -> QueryNode | LocalNumberQuery:
        kind, query = request["query"]
        if kind not in ("type-1", "type-101"):
            raise Z3950Error(Bib1Diagnostic.UNSUPPORTED_SEARCH, f"query {kind}")
        return rpn_to_query(query, self._result_set_query)

    def _result_set_query(self, name: str) -> QueryNode:
        result_set = self.result_sets.get(name)
        if result_set is None:
            raise Z3950Error(Bib1Diagnostic.RESULT_SET_DOES_NOT_EXIST, name)
        if isinstance(result_set.query, LocalNumberQuery):
            raise Z3950Error(
                Bib1Diagnostic.RESULT_SET_AS_TERM_UNSUPPORTED, f"{name} (a local-number result set)"
            )
        return result_set.query

    def _run_search(
        self, query: QueryNode | LocalNumberQuery, request: dict[str, Any]
    ) -> tuple[ResultSet, tuple[int, str] | None]:
        count = self._count(query, SortOrder.RELEVANCE)
        result_set = ResultSet(query, SortOrder.RELEVANCE, count)
        small, large = int(request["smallSetUpperBound"]), int(request["largeSetLowerBound"])
        medium = int(request["mediumSetPresentNumber"])
        if count == 0 or count >= large:
            return result_set, None
        if count <= small:
            names = request.get("smallSetElementSetNames")
            return result_set, (count, self._element_set(names))
        if medium > 0:
            names = request.get("mediumSetElementSetNames")
            return result_set, (min(medium, count), self._element_set(names))
        return result_set, None

    def _count(self, query: QueryNode | LocalNumberQuery, sort: SortOrder) -> int:
        if isinstance(query, LocalNumberQuery):
            return len(self.catalogue.union_records([query.union_record_id]))
        try:
            request = SearchRequest(query=query, sort=sort, offset=0, limit=0)
        except QueryError as error:
            raise _query_diagnostic(error) from error
        return self.catalogue.search(request).total

    def _element_set(self, names: tuple[str, Any] | None) -> str:
        if names is None:
            return element_set_name(None)
        kind, value = names
        if kind != "genericElementSetName":
            raise Z3950Error(Bib1Diagnostic.ONLY_GENERIC_ELEMENT_SET_NAMES, "")
        return element_set_name(international_string(bytes(value)))

    # Present (§3.2.3.1)

    def present(self, request: dict[str, Any]) -> dict[str, Any]:
        """Records from a result set, in the asked syntax and element set, within the sizes."""
        response: dict[str, Any] = {}
        if "referenceId" in request:
            response["referenceId"] = request["referenceId"]
        try:
            name = international_string(bytes(request["resultSetId"]))
            result_set = self.result_sets.get(name)
            if result_set is None:
                raise Z3950Error(Bib1Diagnostic.RESULT_SET_DOES_NOT_EXIST, name)
            if request.get("additionalRanges"):
                raise Z3950Error(
                    Bib1Diagnostic.PRESENT_OUT_OF_RANGE, "additional ranges are not supported"
                )
            start = int(request["resultSetStartPoint"])
            wanted = int(request["numberOfRecordsRequested"])
            if start < 1 or start > result_set.count or wanted < 0:
                raise Z3950Error(
                    Bib1Diagnostic.PRESENT_OUT_OF_RANGE,
                    f"records {start}-{start + wanted - 1} of {result_set.count}",
                )
            composition = request.get("recordComposition")
            if composition is not None and composition[0] != "simple":
                raise Z3950Error(Bib1Diagnostic.ONLY_GENERIC_ELEMENT_SET_NAMES, "comp-spec")
            element_set = self._element_set(composition[1] if composition else None)
            count = min(wanted, result_set.count - start + 1)
            records, status, returned = self._records(
                result_set, start, count, request.get("preferredRecordSyntax"), element_set
            )
        except Z3950Error as diagnostic:
            logger.info(
                "z3950_present_diagnostic",
                extra={"peer": self.peer, "condition": int(diagnostic.condition)},
            )
            return {
                **response,
                "numberOfRecordsReturned": 0,
                "nextResultSetPosition": 0,
                "presentStatus": int(PresentStatus.FAILURE),
                "records": ("nonSurrogateDiagnostic", default_diag_format(diagnostic)),
            }
        following = start + returned
        return {
            **response,
            "numberOfRecordsReturned": returned,
            "nextResultSetPosition": following if following <= result_set.count else 0,
            "presentStatus": int(status),
            "records": records,
        }

    def _page_ids(self, result_set: ResultSet, start: int, count: int) -> list[int]:
        if isinstance(result_set.query, LocalNumberQuery):
            return [result_set.query.union_record_id][start - 1 : start - 1 + count]
        count = min(count, MAX_PAGE_SIZE)
        if start - 1 + count > MAX_RESULT_WINDOW:
            raise Z3950Error(
                Bib1Diagnostic.PRESENT_OUT_OF_RANGE,
                f"records can be presented up to position {MAX_RESULT_WINDOW:,}",
            )
        request = SearchRequest(
            query=result_set.query, sort=result_set.sort, offset=start - 1, limit=count
        )
        return [hit.id for hit in self.catalogue.search(request).hits]

    def _records(
        self,
        result_set: ResultSet,
        start: int,
        count: int,
        syntax_oid: str | None,
        element_set: str,
    ) -> tuple[tuple[str, Any], PresentStatus, int]:
        """(Records choice, present status, records returned) for positions start..start+count-1."""
        syntax = record_syntax(syntax_oid)
        ids = self._page_ids(result_set, start, count)
        views = self.catalogue.union_records(ids)
        entries: list[dict[str, Any]] = []
        used_bytes = 0
        status = PresentStatus.SUCCESS
        for position, union_record_id in enumerate(ids, start=start):
            entry = self._record_entry(
                views.get(union_record_id), union_record_id, syntax, element_set
            )
            size = len(encode_value("NamePlusRecord", entry)) + EXTERNAL_OVERHEAD_BYTES
            if size > self.exceptional_record_bytes:
                entry = self._surrogate(
                    Bib1Diagnostic.RECORD_EXCEEDS_EXCEPTIONAL_RECORD_SIZE,
                    f"record {position} is {size:,} bytes",
                )
                size = EXTERNAL_OVERHEAD_BYTES * 4
                status = PresentStatus.PARTIAL_WITH_DIAGNOSTICS
            if entries and used_bytes + size > self.preferred_message_bytes:
                status = PresentStatus.PARTIAL_MESSAGE_SIZE
                break
            if entry["record"][0] == "surrogateDiagnostic":
                status = max(status, PresentStatus.PARTIAL_WITH_DIAGNOSTICS)
            entries.append(entry)
            used_bytes += size
        return ("responseRecords", entries), status, len(entries)

    def _record_entry(
        self, view: UnionRecordView | None, union_record_id: int, syntax: str, element_set: str
    ) -> dict[str, Any]:
        if view is None or not view.members:
            return self._surrogate(
                Bib1Diagnostic.SYSTEM_ERROR_IN_PRESENTING_RECORDS,
                f"union record {union_record_id} was deleted or has no member records",
            )
        return {
            "name": to_international_string("mucluc"),
            "record": ("retrievalRecord", retrieval_record(view, syntax, element_set)),
        }

    @staticmethod
    def _surrogate(condition: Bib1Diagnostic, addinfo: str) -> dict[str, Any]:
        return {
            "name": to_international_string("mucluc"),
            "record": ("surrogateDiagnostic", diag_rec(Z3950Error(condition, addinfo))),
        }

    # Sort (§3.2.7.1)

    def sort(self, request: dict[str, Any]) -> dict[str, Any]:
        """Re-order a result set into a (new or replaced) named result set."""
        response: dict[str, Any] = {}
        if "referenceId" in request:
            response["referenceId"] = request["referenceId"]
        try:
            inputs = [international_string(bytes(name)) for name in request["inputResultSetNames"]]
            if len(inputs) != 1:
                raise Z3950Error(Bib1Diagnostic.TOO_MANY_SORT_INPUT_SETS, str(len(inputs)))
            source = self.result_sets.get(inputs[0])
            if source is None:
                raise Z3950Error(Bib1Diagnostic.RESULT_SET_DOES_NOT_EXIST, inputs[0])
            keys = request["sortSequence"]
            if len(keys) != 1:
                raise Z3950Error(Bib1Diagnostic.TOO_MANY_SORT_KEYS, "mucluc sorts by one key")
            order = _sort_order(keys[0])
            target = international_string(bytes(request["sortedResultSetName"]))
            if (
                target not in self.result_sets
                and len(self.result_sets) >= self.limits.max_result_sets
            ):
                raise Z3950Error(
                    Bib1Diagnostic.TOO_MANY_RESULT_SETS, str(self.limits.max_result_sets)
                )
        except Z3950Error as diagnostic:
            return {**response, "sortStatus": 2, "diagnostics": [diag_rec(diagnostic)]}
        self.result_sets[target] = ResultSet(source.query, order, source.count)
        return {**response, "sortStatus": 0}

    # Delete result sets (§3.2.4.1)

    def delete(self, request: dict[str, Any]) -> dict[str, Any]:
        """Forget the named result sets (function list) or all of them (function all)."""
        response: dict[str, Any] = {}
        if "referenceId" in request:
            response["referenceId"] = request["referenceId"]
        if int(request["deleteFunction"]) == 1:
            self.result_sets.clear()
            return {**response, "deleteOperationStatus": 0}
        statuses = []
        for raw_name in request.get("resultSetList", []):
            name = international_string(bytes(raw_name))
            found = self.result_sets.pop(name, None) is not None
            statuses.append({"id": bytes(raw_name), "status": 0 if found else 1})
        missing = [status for status in statuses if status["status"] != 0]
        if not missing:
            overall = 0
        elif len(statuses) == 1:
            overall = 1  # resultSetDidNotExist
        else:
            overall = 9  # notAllRequestedResultSetsDeleted
        return {**response, "deleteOperationStatus": overall, "deleteListStatuses": statuses}


def _is_utf8(proposed: tuple[str, Any]) -> bool:
    kind, value = proposed
    if kind == "iso10646":
        return bool(value.get("encodingLevel") == UTF8_ENCODING_LEVEL)
    if kind == "private" and value[0] == "externallySpecified":
        encoding_kind, payload = value[1]["encoding"]
        if encoding_kind == "octet-aligned":
            return international_string(bytes(payload)).strip().lower() in UTF8_NAMES
    return False


def _sort_order(key: dict[str, Any]) -> SortOrder:
    """The SortOrder for one SortKeySpec: title, author or year (either way) or relevance."""
    element_kind, element = key["sortElement"]
    if element_kind != "generic":
        raise Z3950Error(Bib1Diagnostic.CANNOT_SORT_ACCORDING_TO_SEQUENCE, "database-specific")
    sort_kind, sort_key = element
    name = ""
    if sort_kind == "sortfield":
        name = international_string(bytes(sort_key)).strip().lower()
    elif sort_kind == "sortAttributes":
        for attribute in sort_key["list"]:
            value_kind, value = attribute["attributeValue"]
            if int(attribute["attributeType"]) == 1 and value_kind == "numeric":
                name = _SORT_USES.get(int(value), f"use {value}")
    if name not in _SORT_FIELDS:
        raise Z3950Error(Bib1Diagnostic.CANNOT_SORT_ACCORDING_TO_SEQUENCE, name or sort_kind)
    descending = int(key["sortRelation"]) == 1
    if int(key["sortRelation"]) not in (0, 1):
        raise Z3950Error(Bib1Diagnostic.ILLEGAL_SORT_RELATION, str(key["sortRelation"]))
    if name in ("year", "date"):
        return SortOrder.YEAR_NEWEST if descending else SortOrder.YEAR_OLDEST
    if descending:
        raise Z3950Error(Bib1Diagnostic.ILLEGAL_SORT_RELATION, f"{name} sorts ascending only")
    return {"title": SortOrder.TITLE, "author": SortOrder.AUTHOR}.get(name, SortOrder.RELEVANCE)
