"""The errors mucluc raises on purpose, each carrying a message a person can act on.

    MuclucError
    ├── ConfigurationError      a setting or settings file is wrong
    ├── LibraryError            a member library is unknown or defined twice
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


class RecordNotFoundError(MuclucError):
    """No union record has the requested id."""


class QueryError(MuclucError):
    """A search query is malformed; the message names the problem."""


class IngestError(MuclucError):
    """A file offered for ingest cannot be opened or read at all."""


class IndexBusyError(MuclucError):
    """Another process holds the search index writer; its updater will apply the changes."""
