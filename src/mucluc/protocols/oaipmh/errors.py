"""OAI-PMH error conditions, each carrying the code the protocol defines (OAI-PMH 2.0 §3.6).

They are answered as `<error code="...">` elements with HTTP 200, never as
HTTP errors.
"""

from __future__ import annotations

from enum import StrEnum

from mucluc.errors import MuclucError


class OaiErrorCode(StrEnum):
    """The error codes of OAI-PMH 2.0 §3.6, in the spec's spelling."""

    BAD_ARGUMENT = "badArgument"
    BAD_RESUMPTION_TOKEN = "badResumptionToken"
    BAD_VERB = "badVerb"
    CANNOT_DISSEMINATE_FORMAT = "cannotDisseminateFormat"
    ID_DOES_NOT_EXIST = "idDoesNotExist"
    NO_RECORDS_MATCH = "noRecordsMatch"
    NO_METADATA_FORMATS = "noMetadataFormats"
    NO_SET_HIERARCHY = "noSetHierarchy"


class OaiPmhError(MuclucError):
    """A request the provider answers with an OAI-PMH error element.

    Example: `OaiPmhError(OaiErrorCode.BAD_ARGUMENT, "from is not a UTC datestamp")`.
    """

    def __init__(self, code: OaiErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
