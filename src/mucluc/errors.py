"""The errors mucluc raises on purpose, each carrying a message a person can act on.

    MuclucError
    ├── ConfigurationError      a setting or settings file is wrong
    ├── LibraryError            a member library is unknown or defined twice
    │   └── LibraryNotFoundError    no member library has the asked code
    ├── RecordNotFoundError     no union record has the asked id
    ├── QueryError              a search query cannot be understood
    ├── IngestError             a file to ingest cannot be read at all
    └── IndexBusyError          another process is writing the search index

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


class IndexBusyError(MuclucError):
    """Another process holds the search index writer; its updater will apply the changes."""
