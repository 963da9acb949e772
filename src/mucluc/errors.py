"""The errors mucluc raises on purpose, each carrying a message a person can act on.

    MuclucError
    ├── ConfigurationError      a setting or settings file is wrong
    │   └── SourceConfigError   a library's sources.toml section is wrong (file, section, key)
    ├── LibraryError            a member library is unknown or defined twice
    │   └── LibraryNotFoundError    no member library has the asked code
    ├── RecordNotFoundError     no union record has the asked id
    ├── DedupError              a staff merge, split or blocklist change cannot be done
    ├── QuarantineError         a quarantined record cannot be fixed or discarded as asked
    ├── QueryError              a search query cannot be understood
    ├── IngestError             a file to ingest cannot be read at all
    ├── IndexBusyError          another process is writing the search index
    ├── AuthenticationError     no credentials, or wrong ones (HTTP 401)
    ├── PermissionDeniedError   the credentials do not allow this (HTTP 403)
    ├── AccountError            an account, key or session request cannot be done
    ├── ContributionError       a body sent to the contribution API cannot be used
    │   └── UnsupportedFormatError  the body's media type is not one we read
    ├── JobNotFoundError        no contribution job has the asked id
    ├── TooManyRequestsError    a client went over its rate or sign-in limit
    ├── RequestTooLargeError    a request body is larger than the limit
    └── BackupError             a backup cannot be taken, verified or restored

A single bad record inside a file is not an error: ingest keeps it, with its
reason, as a rejected source record and goes on.
"""


class MuclucError(Exception):
    """Root of every error mucluc raises deliberately."""


class ConfigurationError(MuclucError):
    """A setting or the settings file cannot be used."""


class LibraryError(MuclucError):
    """A member library is unknown, or a code is used twice."""


class LibraryNotFoundError(LibraryError):
    """No member library has the requested code."""


class RecordNotFoundError(MuclucError):
    """No union record has the requested id."""


class DedupError(MuclucError):
    """A staff merge, split, never-merge or blocklist change names something unusable."""


class QuarantineError(MuclucError):
    """A quarantined record cannot be re-submitted or discarded as asked (no note, no record)."""


class QueryError(MuclucError):
    """A search query is malformed; the message names the problem.

    `problem` says what kind of mistake it is, so a protocol can choose its
    diagnostic (SRU: "syntax" → 10, "field" → 16, "unsupported" → 48 …):
    one of syntax, field, value, unsupported, too_complex. `field` names the
    field concerned and `position` the character (from 0) where the mistake
    is, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        problem: str = "syntax",
        field: str | None = None,
        position: int | None = None,
    ) -> None:
        super().__init__(message)
        self.problem = problem
        self.field = field
        self.position = position


class IngestError(MuclucError):
    """A file offered for ingest cannot be opened or read at all."""


class SourceConfigError(ConfigurationError):
    """A per-library source configuration is invalid; the message names file, section and key."""


class IndexBusyError(MuclucError):
    """Another process holds the search index writer; its updater will apply the changes."""


class AuthenticationError(MuclucError):
    """The request carries no credentials, or credentials that are wrong, revoked or expired."""


class PermissionDeniedError(MuclucError):
    """The credentials are good but do not allow this action on this library."""


class AccountError(MuclucError):
    """An account, API key or session request cannot be done (unknown role, name taken …)."""


class ContributionError(MuclucError):
    """A body sent to the contribution API cannot be read; the message names record and line."""


class UnsupportedFormatError(ContributionError):
    """The body's media type is not one the contribution API reads."""


class JobNotFoundError(MuclucError):
    """No contribution job has the requested id."""


class TooManyRequestsError(MuclucError):
    """A client went over its limit; `retry_after_seconds` says when to try again."""

    def __init__(self, message: str, *, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class BackupError(MuclucError):
    """A backup cannot be taken, verified or restored; the message names the file or table."""


class RequestTooLargeError(MuclucError):
    """A request body is larger than `max_request_bytes`."""
