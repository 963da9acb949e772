"""Bib-1 diagnostics: the codes mucluc's Z39.50 server answers with, and their wire form.

Codes and meanings are those of the Bib-1 diagnostic set
(https://www.loc.gov/z3950/agency/defns/bib1diag.html, OID 1.2.840.10003.4.1).
A handler raises `Z3950Error`; the association turns it into a
DefaultDiagFormat in the response the request expects.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from mucluc.errors import MuclucError
from mucluc.protocols.z3950.codec import to_international_string

BIB1_DIAGNOSTIC_SET = "1.2.840.10003.4.1"


class Bib1Diagnostic(IntEnum):
    """The Bib-1 conditions mucluc reports, named as the list names them."""

    PERMANENT_SYSTEM_ERROR = 1
    TEMPORARY_SYSTEM_ERROR = 2
    UNSUPPORTED_SEARCH = 3
    TOO_MANY_CHARACTERS_IN_SEARCH = 11
    PRESENT_OUT_OF_RANGE = 13
    SYSTEM_ERROR_IN_PRESENTING_RECORDS = 14
    RECORD_EXCEEDS_PREFERRED_MESSAGE_SIZE = 16
    RECORD_EXCEEDS_EXCEPTIONAL_RECORD_SIZE = 17
    RESULT_SET_AS_TERM_UNSUPPORTED = 18
    RESULT_SET_EXISTS_AND_REPLACE_OFF = 21
    ELEMENT_SET_NAME_NOT_VALID = 25
    ONLY_GENERIC_ELEMENT_SET_NAMES = 26
    RESULT_SET_DOES_NOT_EXIST = 30
    MALFORMED_QUERY = 108
    DATABASE_UNAVAILABLE = 109
    OPERATOR_UNSUPPORTED = 110
    TOO_MANY_DATABASES = 111
    TOO_MANY_RESULT_SETS = 112
    UNSUPPORTED_ATTRIBUTE_TYPE = 113
    UNSUPPORTED_USE_ATTRIBUTE = 114
    UNSUPPORTED_TERM_FOR_USE_ATTRIBUTE = 115
    UNSUPPORTED_RELATION_ATTRIBUTE = 117
    UNSUPPORTED_STRUCTURE_ATTRIBUTE = 118
    UNSUPPORTED_POSITION_ATTRIBUTE = 119
    UNSUPPORTED_TRUNCATION_ATTRIBUTE = 120
    UNSUPPORTED_ATTRIBUTE_SET = 121
    UNSUPPORTED_COMPLETENESS_ATTRIBUTE = 122
    UNSUPPORTED_ATTRIBUTE_COMBINATION = 123
    UNSUPPORTED_CODED_VALUE_FOR_TERM = 124
    MALFORMED_SEARCH_TERM = 125
    ILLEGAL_RESULT_SET_NAME = 128
    PROXIMITY_UNSUPPORTED = 129
    CANNOT_SORT_ACCORDING_TO_SEQUENCE = 207
    TOO_MANY_SORT_KEYS = 211
    ILLEGAL_SORT_RELATION = 214
    TOO_MANY_SORT_INPUT_SETS = 230
    RECORD_SYNTAX_UNSUPPORTED = 239
    INIT_BAD_USER_OR_PASSWORD = 1011


class Z3950Error(MuclucError):
    """A request the server cannot carry out, as a Bib-1 condition and its addinfo.

    `addinfo` is what the list says to put there: the attribute value, the
    result set name, the record syntax OID, or a sentence for a person.
    """

    def __init__(self, condition: Bib1Diagnostic, addinfo: str = "") -> None:
        super().__init__(f"Bib-1 diagnostic {int(condition)} ({condition.name}): {addinfo}")
        self.condition = condition
        self.addinfo = addinfo


def default_diag_format(diagnostic: Z3950Error) -> dict[str, Any]:
    """The DefaultDiagFormat value for a diagnostic (Z39.50-2003 §3.2.2.1.7)."""
    return {
        "diagnosticSetId": BIB1_DIAGNOSTIC_SET,
        "condition": int(diagnostic.condition),
        "addinfo": ("v3Addinfo", to_international_string(diagnostic.addinfo)),
    }


def diag_rec(diagnostic: Z3950Error) -> tuple[str, dict[str, Any]]:
    """The DiagRec CHOICE carrying a diagnostic in the default format."""
    return ("defaultFormat", default_diag_format(diagnostic))
