"""SRU diagnostics: the codes of the SRU diagnostics list, and the error that carries one.

Every request the server cannot answer in full becomes a diagnostic in the
response body (SRU 1.2 "Diagnostics"; searchRetrieve 2.0 §7 and Annex C),
never an HTTP error. The numbers are those of the list at
https://www.loc.gov/standards/sru/diagnostics/diagnosticsList.html; the URI
of code N is `info:srw/diagnostic/1/N` in both versions.
"""

from __future__ import annotations

from enum import IntEnum

from mucluc.errors import MuclucError

DIAGNOSTIC_URI_PREFIX = "info:srw/diagnostic/1/"


class SruDiagnostic(IntEnum):
    """The diagnostics mucluc's SRU server reports (code = the list's number)."""

    GENERAL_SYSTEM_ERROR = 1
    SYSTEM_TEMPORARILY_UNAVAILABLE = 2
    UNSUPPORTED_OPERATION = 4
    UNSUPPORTED_VERSION = 5
    UNSUPPORTED_PARAMETER_VALUE = 6
    MANDATORY_PARAMETER_NOT_SUPPLIED = 7
    UNSUPPORTED_PARAMETER = 8
    QUERY_SYNTAX_ERROR = 10
    TOO_MANY_CHARACTERS_IN_QUERY = 12
    INVALID_USE_OF_PARENTHESES = 13
    INVALID_USE_OF_QUOTES = 14
    UNSUPPORTED_CONTEXT_SET = 15
    UNSUPPORTED_INDEX = 16
    UNSUPPORTED_COMBINATION_OF_INDEXES = 18
    UNSUPPORTED_RELATION = 19
    UNSUPPORTED_RELATION_MODIFIER = 20
    UNSUPPORTED_COMBINATION_OF_RELATION_AND_INDEX = 22
    TOO_MANY_CHARACTERS_IN_TERM = 23
    UNSUPPORTED_COMBINATION_OF_RELATION_AND_TERM = 24
    EMPTY_TERM_UNSUPPORTED = 27
    MASKING_CHARACTER_NOT_SUPPORTED = 28
    ANCHORING_CHARACTER_NOT_SUPPORTED = 31
    TERM_IN_INVALID_FORMAT = 36
    TOO_MANY_BOOLEAN_OPERATORS = 38
    PROXIMITY_NOT_SUPPORTED = 39
    UNSUPPORTED_BOOLEAN_MODIFIER = 46
    QUERY_FEATURE_UNSUPPORTED = 48
    FIRST_RECORD_POSITION_OUT_OF_RANGE = 61
    RECORD_DOES_NOT_EXIST = 65
    UNKNOWN_SCHEMA_FOR_RETRIEVAL = 66
    UNSUPPORTED_RECORD_PACKING = 71
    SORT_NOT_SUPPORTED = 80
    TOO_MANY_SORT_KEYS = 84
    UNSUPPORTED_SORT_PATH = 88
    UNSUPPORTED_SORT_DIRECTION = 90
    UNSUPPORTED_MISSING_VALUE_ACTION = 92
    STYLESHEETS_NOT_SUPPORTED = 110


# The list's wording, sent as <message> so a person reading a response knows the code.
DIAGNOSTIC_MESSAGES = {
    SruDiagnostic.GENERAL_SYSTEM_ERROR: "General system error",
    SruDiagnostic.SYSTEM_TEMPORARILY_UNAVAILABLE: "System temporarily unavailable",
    SruDiagnostic.UNSUPPORTED_OPERATION: "Unsupported operation",
    SruDiagnostic.UNSUPPORTED_VERSION: "Unsupported version",
    SruDiagnostic.UNSUPPORTED_PARAMETER_VALUE: "Unsupported parameter value",
    SruDiagnostic.MANDATORY_PARAMETER_NOT_SUPPLIED: "Mandatory parameter not supplied",
    SruDiagnostic.UNSUPPORTED_PARAMETER: "Unsupported parameter",
    SruDiagnostic.QUERY_SYNTAX_ERROR: "Query syntax error",
    SruDiagnostic.TOO_MANY_CHARACTERS_IN_QUERY: "Too many characters in query",
    SruDiagnostic.INVALID_USE_OF_PARENTHESES: "Invalid or unsupported use of parentheses",
    SruDiagnostic.INVALID_USE_OF_QUOTES: "Invalid or unsupported use of quotes",
    SruDiagnostic.UNSUPPORTED_CONTEXT_SET: "Unsupported context set",
    SruDiagnostic.UNSUPPORTED_INDEX: "Unsupported index",
    SruDiagnostic.UNSUPPORTED_COMBINATION_OF_INDEXES: "Unsupported combination of indexes",
    SruDiagnostic.UNSUPPORTED_RELATION: "Unsupported relation",
    SruDiagnostic.UNSUPPORTED_RELATION_MODIFIER: "Unsupported relation modifier",
    SruDiagnostic.UNSUPPORTED_COMBINATION_OF_RELATION_AND_INDEX: (
        "Unsupported combination of relation and index"
    ),
    SruDiagnostic.TOO_MANY_CHARACTERS_IN_TERM: "Too many characters in term",
    SruDiagnostic.UNSUPPORTED_COMBINATION_OF_RELATION_AND_TERM: (
        "Unsupported combination of relation and term"
    ),
    SruDiagnostic.EMPTY_TERM_UNSUPPORTED: "Empty term unsupported",
    SruDiagnostic.MASKING_CHARACTER_NOT_SUPPORTED: "Masking character not supported",
    SruDiagnostic.ANCHORING_CHARACTER_NOT_SUPPORTED: "Anchoring character not supported",
    SruDiagnostic.TERM_IN_INVALID_FORMAT: "Term in invalid format for index or relation",
    SruDiagnostic.TOO_MANY_BOOLEAN_OPERATORS: "Too many boolean operators in query",
    SruDiagnostic.PROXIMITY_NOT_SUPPORTED: "Proximity not supported",
    SruDiagnostic.UNSUPPORTED_BOOLEAN_MODIFIER: "Unsupported boolean modifier",
    SruDiagnostic.QUERY_FEATURE_UNSUPPORTED: "Query feature unsupported",
    SruDiagnostic.FIRST_RECORD_POSITION_OUT_OF_RANGE: "First record position out of range",
    SruDiagnostic.RECORD_DOES_NOT_EXIST: "Record does not exist",
    SruDiagnostic.UNKNOWN_SCHEMA_FOR_RETRIEVAL: "Unknown schema for retrieval",
    SruDiagnostic.UNSUPPORTED_RECORD_PACKING: "Unsupported record packing",
    SruDiagnostic.SORT_NOT_SUPPORTED: "Sort not supported",
    SruDiagnostic.TOO_MANY_SORT_KEYS: "Too many sort keys to sort",
    SruDiagnostic.UNSUPPORTED_SORT_PATH: "Unsupported path for sort",
    SruDiagnostic.UNSUPPORTED_SORT_DIRECTION: "Unsupported direction",
    SruDiagnostic.UNSUPPORTED_MISSING_VALUE_ACTION: "Unsupported missing value action",
    SruDiagnostic.STYLESHEETS_NOT_SUPPORTED: "Stylesheets not supported",
}


def diagnostic_uri(code: SruDiagnostic) -> str:
    """The diagnostic's URI, e.g. `info:srw/diagnostic/1/16`."""
    return f"{DIAGNOSTIC_URI_PREFIX}{int(code)}"


class SruError(MuclucError):
    """A request SRU answers with a diagnostic.

    `details` is what the list prescribes for the code (the index name for
    16, the parameter name for 6 and 7, the highest version for 5 …); the
    message explains the problem in words a client's user can act on.
    """

    def __init__(self, code: SruDiagnostic, details: str | None = None, message: str = "") -> None:
        super().__init__(message or DIAGNOSTIC_MESSAGES[code])
        self.code = code
        self.details = details
        self.message = message or DIAGNOSTIC_MESSAGES[code]
