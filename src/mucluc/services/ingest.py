"""Ingest a member library's MARC21 file: keep every record, match it, log the changes.

Every record read ends in the store: a good one as an active source record
in a union record, a bad one as a rejected source record whose problems say
which file, record number, byte offset and field went wrong. Records are
committed in batches so a large file neither holds one huge transaction nor
pays for one commit per record.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mucluc.core.dedup.keys import candidate_keys
from mucluc.core.marc.describe import describe_record, record_holdings
from mucluc.core.marc.marc_json import record_to_dict
from mucluc.core.marc.read import ReadOutcome, ReadRecord, read_iso2709
from mucluc.core.ports import CatalogueStore, CatalogueTransaction
from mucluc.errors import IngestError
from mucluc.services.matching import assign_union_record

logger = logging.getLogger(__name__)

RECORDS_PER_TRANSACTION = 500
ISO2709_FORMAT = "marc21"


@dataclass
class IngestSummary:
    """What happened to the records of one file."""

    source_name: str
    job_id: int = 0
    read: int = 0
    loaded: int = 0
    unchanged: int = 0
    rejected: int = 0
    merged: int = 0

    def counts(self) -> dict[str, int]:
        """The counts by name, as the ingest job stores them."""
        return {
            "read": self.read,
            "loaded": self.loaded,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "merged": self.merged,
        }


def ingest_file(store: CatalogueStore, library_code: str, path: Path) -> IngestSummary:
    """Ingest one ISO 2709 file for a member library; raises IngestError if unreadable."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise IngestError(f"{path}: cannot read the file ({error.strerror})") from error
    return ingest_bytes(store, library_code, data, source_name=path.name)


def ingest_bytes(
    store: CatalogueStore, library_code: str, data: bytes, *, source_name: str
) -> IngestSummary:
    """Ingest ISO 2709 bytes for a member library, naming them `source_name` in problems."""
    summary = IngestSummary(source_name=source_name)
    with store.transaction() as transaction:
        library_id = transaction.library_id(library_code)
        summary.job_id = transaction.start_job(library_id, source_name, ISO2709_FORMAT)
    outcomes = read_iso2709(data)
    try:
        while _ingest_batch(store, library_id, outcomes, summary):
            pass
    except Exception as error:
        with store.transaction() as transaction:
            transaction.finish_job(summary.job_id, "failed", summary.counts(), str(error))
        raise
    with store.transaction() as transaction:
        transaction.finish_job(summary.job_id, "finished", summary.counts(), "")
    logger.info("ingest_finished", extra={"source": source_name, **summary.counts()})
    return summary


def _ingest_batch(
    store: CatalogueStore, library_id: int, outcomes: Any, summary: IngestSummary
) -> bool:
    """Ingest up to one batch of outcomes in one transaction; False when none were left."""
    with store.transaction() as transaction:
        for count, outcome in enumerate(outcomes, start=1):
            summary.read += 1
            _ingest_outcome(transaction, library_id, outcome, summary)
            if count == RECORDS_PER_TRANSACTION:
                return True
    return False


def _problem(
    summary: IngestSummary, outcome: ReadOutcome, message: str, tag: str
) -> dict[str, Any]:
    return {
        "severity": "error",
        "file": summary.source_name,
        "record": outcome.position,
        "offset": outcome.offset,
        "tag": tag,
        "message": message,
    }


def _local_id(outcome: ReadRecord) -> str:
    control = outcome.record.get("001")
    return control.data.strip() if control is not None and control.data else ""


def _ingest_outcome(
    transaction: CatalogueTransaction,
    library_id: int,
    outcome: ReadOutcome,
    summary: IngestSummary,
) -> None:
    content_hash = hashlib.sha256(outcome.raw).hexdigest()
    problems: list[dict[str, Any]] = []
    local_id = ""
    if isinstance(outcome, ReadRecord):
        local_id = _local_id(outcome)
        if not local_id:
            problems.append(_problem(summary, outcome, "no local identifier in 001", "001"))
        if not outcome.record.get_fields("245"):
            problems.append(_problem(summary, outcome, "no title statement (245)", "245"))
    else:
        problems.append(_problem(summary, outcome, outcome.reason, ""))
    if problems:
        summary.rejected += 1
        transaction.save_source_record(
            library_id=library_id,
            # Kept under its place in the file, so a bad resubmission never replaces
            # a library's good record; the 001 it claimed stays in `record`.
            local_id=f"{summary.source_name}#{outcome.position}",
            record_format=ISO2709_FORMAT,
            raw=outcome.raw,
            record=record_to_dict(outcome.record) if isinstance(outcome, ReadRecord) else None,
            content_hash=content_hash,
            status="rejected",
            problems=problems,
            job_id=summary.job_id,
        )
        logger.warning(
            "record_rejected",
            extra={"source": summary.source_name, "record": outcome.position, "problems": problems},
        )
        return
    assert isinstance(outcome, ReadRecord)
    existing = transaction.find_source_record(library_id, local_id)
    if existing and existing.content_hash == content_hash and existing.status == "active":
        summary.unchanged += 1
        return
    description = describe_record(outcome.record)
    source_record_id = transaction.save_source_record(
        library_id=library_id,
        local_id=local_id,
        record_format=ISO2709_FORMAT,
        raw=outcome.raw,
        record=record_to_dict(outcome.record),
        content_hash=content_hash,
        status="active",
        problems=[],
        job_id=summary.job_id,
    )
    keys = candidate_keys(description)
    transaction.replace_match_keys(source_record_id, keys)
    transaction.replace_holdings(source_record_id, library_id, record_holdings(outcome.record))
    _, joined = assign_union_record(
        transaction,
        source_record_id=source_record_id,
        library_id=library_id,
        keys=keys,
        previous_union_record_id=existing.union_record_id if existing else None,
    )
    summary.loaded += 1
    summary.merged += int(joined)
