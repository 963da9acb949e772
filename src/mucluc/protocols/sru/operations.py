"""The SRU operations: read the request parameters, search, answer a document or a diagnostic.

`respond` takes the parameters as sent (repeats included) and always returns
a response document: every problem becomes a diagnostic (SRU 1.2
"Diagnostics"; searchRetrieve 2.0 §7). Versions 1.1 and 1.2 are told apart
from 2.0 by the `version` parameter; without one, a request naming an
`operation` is read as 1.2 and any other as 2.0 (SRU 2.0 dropped the
operation parameter: a query means searchRetrieve, a scanClause scan, and
nothing explain). Scan is not offered (the index cannot list terms yet):
it gets diagnostic 4.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from lxml import etree

from mucluc.core.model import UnionRecordView
from mucluc.core.ports import SearchResults
from mucluc.core.query import MAX_RESULT_WINDOW, SearchRequest, SortOrder
from mucluc.errors import QueryError
from mucluc.protocols.sru.cql import parse_cql
from mucluc.protocols.sru.diagnostics import SruDiagnostic, SruError
from mucluc.protocols.sru.records import RecordSchema, record_schema, render_record
from mucluc.protocols.sru.responses import (
    HIGHEST_VERSION,
    SUPPORTED_VERSIONS,
    ResponseRecord,
    ResponseWriter,
    ServerDescription,
)
from mucluc.protocols.sru.translation import (
    RecordIdQuery,
    cql_sort_order,
    cql_to_query,
    index_key,
    sort_order,
)

logger = logging.getLogger(__name__)

DEFAULT_RECORDS = 10
MAXIMUM_RECORDS = 100

_COMMON_PARAMETERS = frozenset(
    {"operation", "version", "stylesheet", "extraRequestData", "httpAccept", "recordPacking"}
)
_PARAMETERS = {
    "explain": _COMMON_PARAMETERS | {"recordXMLEscaping"},
    "searchRetrieve": _COMMON_PARAMETERS
    | {
        "query",
        "queryType",
        "startRecord",
        "maximumRecords",
        "recordSchema",
        "recordXMLEscaping",
        "resultSetTTL",
        "sortKeys",
        "responseType",
    },
    "scan": _COMMON_PARAMETERS | {"scanClause", "responsePosition", "maximumTerms"},
}
# QueryError.problem (from the query model's checks) → the diagnostic that says it.
_QUERY_PROBLEMS = {
    "syntax": SruDiagnostic.QUERY_SYNTAX_ERROR,
    "field": SruDiagnostic.UNSUPPORTED_INDEX,
    "value": SruDiagnostic.TERM_IN_INVALID_FORMAT,
    "unsupported": SruDiagnostic.QUERY_FEATURE_UNSUPPORTED,
    "too_complex": SruDiagnostic.TOO_MANY_BOOLEAN_OPERATORS,
}


class SruCatalogue(Protocol):
    """Searches and union records, as the SRU operations need them."""

    def search(self, request: SearchRequest) -> SearchResults:
        """Run one search of the query model."""

    def union_records(self, union_record_ids: Sequence[int]) -> dict[int, UnionRecordView]:
        """The union records with these ids that exist, by id (deleted ones are left out)."""


@dataclass(frozen=True)
class _Request:
    version: str
    operation: str
    parameters: dict[str, str]


def _single_values(arguments: Mapping[str, Sequence[str]]) -> dict[str, str]:
    values = {}
    for name, given in arguments.items():
        if len(given) > 1:
            raise SruError(
                SruDiagnostic.UNSUPPORTED_PARAMETER_VALUE,
                name,
                f"the parameter {name} is given {len(given)} times; give it once",
            )
        if given:
            values[name] = given[0]
    return values


def _version(arguments: Mapping[str, Sequence[str]]) -> str:
    """The version to answer in: the one asked if served, else the nearest one served."""
    given = list(arguments.get("version", ()))
    if not given:
        return "1.2" if arguments.get("operation") else HIGHEST_VERSION
    requested = given[0].strip()
    if requested in SUPPORTED_VERSIONS:
        return requested
    return "1.2" if requested.startswith(("0", "1")) else HIGHEST_VERSION


def _read_request(arguments: Mapping[str, Sequence[str]], version: str) -> _Request:
    parameters = _single_values(arguments)
    requested_version = parameters.get("version", version).strip()
    if requested_version not in SUPPORTED_VERSIONS:
        raise SruError(
            SruDiagnostic.UNSUPPORTED_VERSION,
            HIGHEST_VERSION,
            f"version {requested_version!r} is not supported; use 1.1, 1.2 or 2.0",
        )
    operation = parameters.get("operation")
    if operation is None:
        if "query" in parameters:
            operation = "searchRetrieve"
        elif "scanClause" in parameters:
            operation = "scan"
        else:
            operation = "explain"
    if operation not in _PARAMETERS:
        raise SruError(
            SruDiagnostic.UNSUPPORTED_OPERATION,
            operation,
            f"the operation {operation!r} is not supported; use explain or searchRetrieve",
        )
    for name in parameters:
        if name not in _PARAMETERS[operation] and not name.startswith("x-"):
            raise SruError(
                SruDiagnostic.UNSUPPORTED_PARAMETER,
                name,
                f"the parameter {name!r} is not supported in {operation}",
            )
    if "stylesheet" in parameters:
        raise SruError(
            SruDiagnostic.STYLESHEETS_NOT_SUPPORTED,
            parameters["stylesheet"],
            "stylesheets are not supported",
        )
    return _Request(version, operation, parameters)


def _string_escaping(request: _Request) -> bool:
    """True when records are to be sent as escaped strings rather than XML."""
    parameters = request.parameters
    packing = parameters.get("recordPacking", "").strip().lower()
    escaping = parameters.get("recordXMLEscaping", "").strip().lower()
    if request.version.startswith("2"):
        # 2.0: recordXMLEscaping says xml/string; recordPacking packed/unpacked (only packed).
        # recordPacking=xml/string, sent by clients built for 1.2, is read in the 1.2 sense.
        if packing not in ("", "packed", "xml", "string"):
            raise SruError(
                SruDiagnostic.UNSUPPORTED_RECORD_PACKING,
                packing,
                f"recordPacking {packing!r} is not supported; records are packed",
            )
        if escaping not in ("", "xml", "string"):
            raise SruError(
                SruDiagnostic.UNSUPPORTED_RECORD_PACKING,
                escaping,
                f"recordXMLEscaping {escaping!r} is not supported; use xml or string",
            )
        return escaping == "string" or (not escaping and packing == "string")
    if packing not in ("", "xml", "string"):
        raise SruError(
            SruDiagnostic.UNSUPPORTED_RECORD_PACKING,
            packing,
            f"recordPacking {packing!r} is not supported; use xml or string",
        )
    return packing == "string"


def _whole_number(parameters: Mapping[str, str], name: str, default: int, least: int) -> int:
    text = parameters.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < least:
        raise SruError(
            SruDiagnostic.UNSUPPORTED_PARAMETER_VALUE,
            name,
            f"{name} must be a whole number of {least} or more, not {text!r}",
        )
    return int(text)


def sort_keys_order(text: str) -> SortOrder:
    """The order the SRU 1.1/1.2 `sortKeys` parameter asks for ("path,schema,ascending,…")."""
    keys = text.split()
    if not keys:
        return SortOrder.RELEVANCE
    if len(keys) > 1:
        raise SruError(
            SruDiagnostic.TOO_MANY_SORT_KEYS, "1", "results can be sorted by one key only"
        )
    path, schema, ascending, case_sensitive, missing_value, *_ = [
        *keys[0].split(","),
        "",
        "",
        "",
        "",
    ]
    if ascending not in ("", "0", "1") or case_sensitive not in ("", "0", "1"):
        raise SruError(
            SruDiagnostic.UNSUPPORTED_PARAMETER_VALUE,
            "sortKeys",
            f"ascending and caseSensitive are 0 or 1 in {keys[0]!r}",
        )
    if missing_value:
        raise SruError(
            SruDiagnostic.UNSUPPORTED_MISSING_VALUE_ACTION,
            missing_value,
            "records without the sort value always come last",
        )
    del schema  # any schema: the sort paths are index names, the same in every schema
    context_set, _, name = path.rpartition(".")
    return sort_order(index_key(context_set, name), path, ascending=ascending != "0")


def _query_error(error: QueryError) -> SruError:
    code = _QUERY_PROBLEMS.get(error.problem, SruDiagnostic.QUERY_FEATURE_UNSUPPORTED)
    if code is SruDiagnostic.TERM_IN_INVALID_FORMAT and "nothing to search" in str(error):
        code = SruDiagnostic.EMPTY_TERM_UNSUPPORTED
    return SruError(code, error.field, str(error))


def _records(
    catalogue: SruCatalogue,
    union_record_ids: Sequence[int],
    first_position: int,
    schema: RecordSchema,
    *,
    string_escaping: bool,
) -> list[ResponseRecord]:
    records = []
    views = catalogue.union_records(union_record_ids)
    for offset, union_record_id in enumerate(union_record_ids):
        position = first_position + offset
        view = views.get(union_record_id)
        try:
            if view is None:
                raise SruError(
                    SruDiagnostic.RECORD_DOES_NOT_EXIST,
                    str(union_record_id),
                    f"union record {union_record_id} was deleted after the search",
                )
            content = render_record(view, schema)
        except SruError as error:
            records.append(ResponseRecord(position, surrogate=error))
            continue
        if string_escaping and not isinstance(content, str):
            content = etree.tostring(content, encoding="unicode")
        records.append(ResponseRecord(position, schema.identifier, content))
    return records


def _search_retrieve(request: _Request, catalogue: SruCatalogue, writer: ResponseWriter) -> bytes:
    parameters = request.parameters
    query_type = parameters.get("queryType", "cql").strip().lower()
    if query_type != "cql":
        raise SruError(
            SruDiagnostic.UNSUPPORTED_PARAMETER_VALUE,
            "queryType",
            f"the query type {query_type!r} is not supported; use cql",
        )
    text = parameters.get("query")
    if text is None or not text.strip():
        raise SruError(
            SruDiagnostic.MANDATORY_PARAMETER_NOT_SUPPLIED,
            "query",
            "a searchRetrieve needs a query",
        )
    start = _whole_number(parameters, "startRecord", 1, 1)
    maximum = min(_whole_number(parameters, "maximumRecords", DEFAULT_RECORDS, 0), MAXIMUM_RECORDS)
    schema = record_schema(parameters.get("recordSchema"))
    string_escaping = _string_escaping(request)
    parsed = parse_cql(text)
    query = cql_to_query(parsed.root)
    if parsed.sort:
        order = cql_sort_order(parsed.sort)
    else:
        order = sort_keys_order(parameters.get("sortKeys", ""))
    offset = start - 1
    if offset >= MAX_RESULT_WINDOW:
        raise SruError(
            SruDiagnostic.FIRST_RECORD_POSITION_OUT_OF_RANGE,
            str(start),
            f"results can be paged through to the {MAX_RESULT_WINDOW:,}th",
        )
    maximum = min(maximum, MAX_RESULT_WINDOW - offset)
    if isinstance(query, RecordIdQuery):
        view = catalogue.union_records([query.union_record_id]).get(query.union_record_id)
        found = [query.union_record_id] if view is not None and view.members else []
        total, page = len(found), found[offset : offset + maximum]
    else:
        try:
            results = catalogue.search(
                SearchRequest(query=query, sort=order, offset=offset, limit=maximum)
            )
        except QueryError as error:
            raise _query_error(error) from error
        total, page = results.total, [hit.id for hit in results.hits][:maximum]
    if start > total and total > 0 and maximum > 0:
        writer.diagnostics.append(
            SruError(
                SruDiagnostic.FIRST_RECORD_POSITION_OUT_OF_RANGE,
                str(start),
                f"startRecord {start} is beyond the {total} records found",
            )
        )
    records = _records(catalogue, page, start, schema, string_escaping=string_escaping)
    next_position = start + len(page) if page and offset + len(page) < total else None
    return writer.search_retrieve(total, records, next_position)


def respond(
    arguments: Mapping[str, Sequence[str]], catalogue: SruCatalogue, server: ServerDescription
) -> bytes:
    """The response document for one SRU request; never raises for a bad request."""
    writer = ResponseWriter(_version(arguments))
    operation = "explain"
    try:
        request = _read_request(arguments, writer.version)
        operation = request.operation
        if operation == "searchRetrieve":
            return _search_retrieve(request, catalogue, writer)
        if operation == "scan":
            raise SruError(
                SruDiagnostic.UNSUPPORTED_OPERATION,
                "scan",
                "scan is not supported; search with searchRetrieve",
            )
        return writer.explain(server, string_packing=_string_escaping(request))
    except SruError as error:
        writer.diagnostics = [error]
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:
        # The boundary: an SRU client gets diagnostic 1, never an HTTP 500. BaseException,
        # because a panic inside tantivy arrives as pyo3's PanicException, not an Exception.
        logger.exception("sru_request_failed", extra={"operation": operation})
        writer.diagnostics = [
            SruError(SruDiagnostic.GENERAL_SYSTEM_ERROR, None, "the server failed; try again later")
        ]
    if operation == "searchRetrieve":
        return writer.search_retrieve(0, [], None)
    if operation == "scan":
        return writer.scan()
    return writer.explain(server)
