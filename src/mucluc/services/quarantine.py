"""The quarantine: records ingest kept but could not use, and what staff do with them.

Staff read why a record was quarantined, then either fix it — edited as
MarcEdit mnemonic text and ingested again for its library, so it ends added
or updated like any record, or quarantined again with new reasons — or
discard it with a note. Either way the quarantined row is retired (status
"deleted", raw bytes kept) with who, when and why in its provenance, and in
the audit log in the same transaction. Cataloguers and library
administrators act on their own library's records only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from mucluc.accounts.roles import Action, Principal, Role, authorise
from mucluc.core.audit import AuditEvent
from mucluc.core.marc.formats import MRK, read_mrk, write_mrk
from mucluc.core.marc.lean import LeanRecord
from mucluc.core.ports import IngestStore
from mucluc.errors import QuarantineError, RecordNotFoundError
from mucluc.services.ingest import OUTCOMES, ingest_bytes

QUARANTINE_PAGE_SIZE = 200
NOTE_LENGTH = 2_000
CONTROL_PICTURES = 0x2400  # U+2400…U+241F picture the C0 controls (␝ ␞ ␟ end MARC parts)


@dataclass(frozen=True)
class QuarantinedRecord:
    """A quarantined source record: its raw bytes, what could be read, and its problems."""

    id: int
    library_code: str
    local_id: str
    record_format: str
    raw: bytes
    record: dict[str, Any] | None
    problems: tuple[dict[str, Any], ...]
    provenance: dict[str, Any]
    ingest_job_id: int | None
    updated_at: datetime

    @property
    def mnemonic(self) -> str | None:
        """The record as MarcEdit mnemonic text, when ingest could parse it."""
        return write_mrk(LeanRecord.from_dict(self.record)) if self.record else None

    @property
    def escaped_text(self) -> str:
        """The raw bytes as text: bad UTF-8 as hex escapes, control characters as pictures."""
        text = self.raw.decode("utf-8", errors="backslashreplace")
        return "".join(
            chr(CONTROL_PICTURES + ord(character))
            if ord(character) < 0x20 and character not in "\n\t"
            else character
            for character in text
        )


class QuarantineStore(Protocol):
    """Where quarantined records are read and retired."""

    def quarantined_records(
        self, library_code: str | None, job_id: int | None, limit: int
    ) -> list[QuarantinedRecord]:
        """Quarantined records, of one library and/or ingest job when given, newest first."""

    def quarantined_record(self, source_record_id: int) -> QuarantinedRecord | None:
        """The record with this id if it is quarantined now."""

    def retire_quarantined_record(
        self, source_record_id: int, resolution: dict[str, Any], audit: AuditEvent
    ) -> bool:
        """Mark a quarantined record deleted, add `resolution` to its provenance, audit it.

        Returns False (and changes nothing) if the record is no longer quarantined.
        """


@dataclass(frozen=True)
class Resubmission:
    """What became of a fixed record: ingest's outcome, the local id, the ingest job."""

    original: QuarantinedRecord
    outcome: str
    local_id: str
    ingest_job_id: int


def list_quarantine(
    store: QuarantineStore,
    principal: Principal,
    library_code: str | None = None,
    job_id: int | None = None,
) -> list[QuarantinedRecord]:
    """Quarantined records of the principal's library (any library for a national admin)."""
    if library_code is None and principal.role is not Role.NATIONAL_ADMINISTRATOR:
        library_code = principal.library_code
    authorise(principal, Action.WRITE_RECORDS, library_code)
    return store.quarantined_records(library_code, job_id, QUARANTINE_PAGE_SIZE)


def read_quarantined(
    store: QuarantineStore, principal: Principal, source_record_id: int
) -> QuarantinedRecord:
    """One quarantined record, for someone who may write its library's records."""
    found = store.quarantined_record(source_record_id)
    if found is None:
        raise RecordNotFoundError(f"no quarantined record has the id {source_record_id}")
    authorise(principal, Action.WRITE_RECORDS, found.library_code)
    return found


def _retire(
    store: QuarantineStore,
    record: QuarantinedRecord,
    action: str,
    resolution: dict[str, Any],
    audit: AuditEvent,
) -> None:
    if not store.retire_quarantined_record(record.id, {action: resolution}, audit):
        raise QuarantineError(f"record {record.id} was already fixed or discarded")


def discard_quarantined(
    store: QuarantineStore,
    principal: Principal,
    source_record_id: int,
    note: str,
    *,
    client_address: str = "",
) -> QuarantinedRecord:
    """Discard a quarantined record with a note saying why; raw bytes are kept."""
    note = note.strip()
    if not note:
        raise QuarantineError("say why the record is discarded: the note is required")
    record = read_quarantined(store, principal, source_record_id)
    resolution = {
        "note": note[:NOTE_LENGTH],
        "by": principal.actor,
        "at": datetime.now(UTC).isoformat(),
    }
    _retire(
        store,
        record,
        "discarded",
        resolution,
        AuditEvent(
            principal.actor,
            "record.discard",
            record.library_code,
            record.local_id,
            client_address,
            {"source_record": record.id, "note": resolution["note"]},
        ),
    )
    return record


def resubmit_quarantined(
    store: QuarantineStore,
    ingest_store: IngestStore,
    principal: Principal,
    source_record_id: int,
    mnemonic: str,
    *,
    client_address: str = "",
) -> Resubmission:
    """Ingest a fixed record (mnemonic text) for the quarantined record's library.

    The text must hold exactly one record. Ingest decides the outcome as for
    any file; the quarantined original is then retired, pointing at the job.
    """
    record = read_quarantined(store, principal, source_record_id)
    data = mnemonic.strip().encode("utf-8")
    source_name = f"quarantine-{record.id}.mrk"
    parsed = list(read_mrk(data, source_name))
    if len(parsed) != 1:
        raise QuarantineError(
            f"the text holds {len(parsed)} records; give exactly one, with no blank lines inside"
        )
    claimed = parsed[0].record.get("001") if parsed[0].record is not None else None
    summary = ingest_bytes(
        ingest_store, record.library_code, data, source_name=source_name, record_format=MRK
    )
    outcome = next(name for name in OUTCOMES if summary.counts()[name])
    local_id = (claimed.data or "").strip() if claimed is not None else ""
    resolution = {
        "by": principal.actor,
        "at": datetime.now(UTC).isoformat(),
        "outcome": outcome,
        "local_id": local_id,
        "ingest_job": summary.job_id,
    }
    _retire(
        store,
        record,
        "resubmitted",
        resolution,
        AuditEvent(
            principal.actor,
            "record.resubmit",
            record.library_code,
            record.local_id,
            client_address,
            {"source_record": record.id, **resolution},
        ),
    )
    return Resubmission(record, outcome, local_id, summary.job_id)
