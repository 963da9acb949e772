"""Ingest a member library's MARC 21 files: keep every record, match it, log the changes.

Every record read ends as exactly one of added, updated, unchanged, deleted
(leader/05 = 'd') or quarantined (unreadable, or missing what identifies it),
and the counts add up to the records read. Files are streamed and handled in
batches of `RECORDS_PER_TRANSACTION`, each in one transaction with a few
statements per batch, so a run killed at any moment and run again ends in the
state of an uninterrupted run: a committed batch comes back as unchanged, an
uncommitted one is simply done again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from mucluc.core.dedup.profile import profile_marc_record
from mucluc.core.marc.checks import check_record
from mucluc.core.marc.describe import describe_record, record_holdings
from mucluc.core.marc.formats import SNIFF_BYTES, detect_format, read_records
from mucluc.core.marc.iso2709 import ParsedRecord
from mucluc.core.marc.lean import LeanRecord, storable_record, storable_text
from mucluc.core.model import HoldingStatement
from mucluc.core.ports import IngestStore, MatchingTransaction, SourceRecordWrite
from mucluc.core.preference import completeness
from mucluc.core.source_config import MARC21_HOLDINGS, SourceConfig
from mucluc.errors import IngestError
from mucluc.services.matching import Placement, changing_catalogue, place_records, stored_keys

logger = logging.getLogger(__name__)

RECORDS_PER_TRANSACTION = 2_000
QUARANTINE_REASONS_KEPT = 10  # in the summary; the quarantine keeps every reason
ISO2709_FORMAT = "marc21"
OUTCOMES = ("added", "updated", "unchanged", "deleted", "quarantined")

ProgressCallback = Callable[[int], None]


@dataclass
class IngestSummary:
    """What happened to the records of one ingest run (one file, or several with `--full`).

    `reading_stopped` says where and why the reader gave up on the rest of
    the file ("" when it read to the end); `quarantine_reasons` gives the
    first QUARANTINE_REASONS_KEPT reasons, each with its place in the file;
    `withdrawal_refused` says why a complete load withdrew nothing.
    """

    source_name: str
    job_id: int = 0
    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    quarantined: int = 0
    merged: int = 0
    withdrawn: int = 0
    reading_stopped: str = ""
    quarantine_reasons: list[str] = field(default_factory=list)
    withdrawal_refused: str = ""

    @property
    def loaded(self) -> int:
        """Records added or updated."""
        return self.added + self.updated

    @property
    def rejected(self) -> int:
        """Records quarantined (the walking skeleton's word)."""
        return self.quarantined

    def counts(self) -> dict[str, int]:
        """The counts by name, as the ingest job stores them."""
        return {
            "read": self.read,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "quarantined": self.quarantined,
            "merged": self.merged,
        }


@dataclass
class _Prepared:
    write: SourceRecordWrite
    deletion: bool


@dataclass
class _Run:
    """State of one run: the summary and, for a complete load, the local ids seen."""

    summary: IngestSummary
    library_id: int
    seen: set[str] | None
    progress: ProgressCallback | None = None
    batch: list[_Prepared] = field(default_factory=list)
    batch_ids: set[str] = field(default_factory=set)


def ingest_file(
    store: IngestStore,
    library_code: str,
    path: Path,
    *,
    progress: ProgressCallback | None = None,
    record_format: str | None = None,
    source: SourceConfig | None = None,
) -> IngestSummary:
    """Ingest one file for a member library; raises IngestError if unreadable."""
    return ingest_files(
        store, library_code, [path], progress=progress, record_format=record_format, source=source
    )[0]


def ingest_files(
    store: IngestStore,
    library_code: str,
    paths: Iterable[Path],
    *,
    full: bool = False,
    progress: ProgressCallback | None = None,
    record_format: str | None = None,
    source: SourceConfig | None = None,
) -> list[IngestSummary]:
    """Ingest files for a member library, one summary each.

    With `full`, the files are the library's complete catalogue: its active
    records absent from all of them are withdrawn afterwards (counted as
    `withdrawn` on the last summary). Each file's format is detected unless
    `record_format` (or the library's `source` configuration) names it;
    `source` also gives the local-id field, holdings mapping, text encoding
    and CSV columns.
    """
    seen: set[str] | None = set() if full else None
    summaries = []
    for path in paths:
        try:
            stream = path.open("rb")
        except OSError as error:
            raise IngestError(f"{path}: cannot read the file ({error.strerror})") from error
        with stream:
            summaries.append(
                _ingest_stream(
                    store, library_code, stream, path.name, seen, progress, record_format, source
                )
            )
    if seen is not None and summaries:
        _finish_complete_load(store, library_code, seen, summaries)
    return summaries


def _finish_complete_load(
    store: IngestStore, library_code: str, seen: set[str], summaries: Sequence[IngestSummary]
) -> None:
    """Withdraw the library's records the load lacked, unless it was not a whole catalogue."""
    refusal = _withdrawal_refusal(summaries)
    if refusal:
        summaries[-1].withdrawal_refused = refusal
        logger.warning("withdrawal_refused", extra={"library": library_code, "why": refusal})
    else:
        summaries[-1].withdrawn = withdraw_absent_records(store, library_code, seen)


def _withdrawal_refusal(summaries: Sequence[IngestSummary]) -> str:
    """Why a complete load must not withdraw the records it lacks, or "" when it may.

    An empty, cut-short or unreadable file is not a library's whole catalogue:
    withdrawing what it lacks would hide every record the library has.
    """
    for summary in summaries:
        if summary.reading_stopped:
            return f"{summary.source_name} was not read to its end ({summary.reading_stopped})"
    if not any(summary.read - summary.quarantined for summary in summaries):
        return "no record of the load could be stored"
    return ""


def ingest_bytes(
    store: IngestStore,
    library_code: str,
    data: bytes,
    *,
    source_name: str,
    full: bool = False,
    record_format: str | None = ISO2709_FORMAT,
    source: SourceConfig | None = None,
) -> IngestSummary:
    """Ingest a file's bytes for a member library, naming them `source_name` in problems.

    The bytes are ISO 2709 unless `record_format` names another format, or is
    None to detect it from the content.
    """
    import io

    seen: set[str] | None = set() if full else None
    summary = _ingest_stream(
        store, library_code, io.BytesIO(data), source_name, seen, None, record_format, source
    )
    if seen is not None:
        _finish_complete_load(store, library_code, seen, [summary])
    return summary


def _ingest_stream(
    store: IngestStore,
    library_code: str,
    stream: BinaryIO,
    source_name: str,
    seen: set[str] | None,
    progress: ProgressCallback | None,
    record_format: str | None = None,
    source: SourceConfig | None = None,
) -> IngestSummary:
    summary = IngestSummary(source_name=source_name)
    record_format = record_format or (source.record_format if source else None)
    if record_format is None:
        record_format = detect_format(stream.read(SNIFF_BYTES), source_name)
        stream.seek(0)
    with store.transaction() as transaction:
        library_id = transaction.library_id(library_code)
        summary.job_id = transaction.start_job(library_id, source_name, record_format)
    run = _Run(summary, library_id, seen, progress)
    records = read_records(
        stream,
        source_name,
        record_format=record_format,
        encoding=source.encoding if source else None,
        columns=source.columns if source else None,
    )
    try:
        for parsed in records:
            if parsed.ends_reading:
                summary.reading_stopped = _place_and_reason(parsed.problems[-1])
            prepared = prepare_record(
                parsed, source_name, record_format=record_format, source=source
            )
            if prepared.write.local_id in run.batch_ids:
                _flush(store, run)  # the same record twice: the later one updates the earlier
            run.batch.append(prepared)
            run.batch_ids.add(prepared.write.local_id)
            if len(run.batch) >= RECORDS_PER_TRANSACTION:
                _flush(store, run)
        _flush(store, run)
    except Exception as error:
        with store.transaction() as transaction:
            transaction.finish_job(summary.job_id, "failed", summary.counts(), str(error))
        raise
    with store.transaction() as transaction:
        transaction.finish_job(summary.job_id, "finished", summary.counts(), "")
    logger.info("ingest_finished", extra={"source": source_name, **summary.counts()})
    return summary


def _place_and_reason(problem: Mapping[str, Any]) -> str:
    """Where a problem is, then what it is: "record 8, byte 5000, 245: message"."""
    place = [f"record {problem['record']}"]
    if problem.get("line"):
        place.append(f"line {problem['line']}")
    elif problem.get("offset"):
        place.append(f"byte {problem['offset']}")
    if problem.get("tag"):
        place.append(str(problem["tag"]))
    return f"{', '.join(place)}: {problem['message']}"


def _quarantine_reason(problems: Sequence[Mapping[str, Any]]) -> str:
    """The first error that sent a record to quarantine, with its place in the file."""
    errors = [problem for problem in problems if problem["severity"] == "error"]
    return _place_and_reason((errors or list(problems))[0]) if problems else "unreadable"


def _problem(parsed: ParsedRecord, source_name: str, tag: str, message: str) -> dict[str, Any]:
    problem: dict[str, Any] = {
        "severity": "error",
        "file": source_name,
        "record": parsed.position,
        "offset": parsed.offset,
        "tag": tag,
        "message": message,
    }
    if parsed.line:
        problem["line"] = parsed.line
    return problem


def _local_id(record: LeanRecord, source: SourceConfig | None) -> tuple[str, str]:
    """The record's local id and where it was looked for ("001", "035$a")."""
    tag = source.local_id_tag if source else "001"
    code = source.local_id_code if source else ""
    found = record.get(tag)
    if found is None:
        return "", f"{tag}${code}" if code else tag
    if code:
        return (found.get(code) or "").strip(), f"{tag}${code}"
    return (found.data or "").strip(), tag


def _configured_holdings(
    record: LeanRecord, source: SourceConfig | None
) -> tuple[HoldingStatement, ...]:
    """Holdings by the library's mapping (852 by default, Koha 952, or a local field)."""
    mapping = source.holdings if source else MARC21_HOLDINGS
    if mapping == MARC21_HOLDINGS:
        return record_holdings(record)
    holdings = []
    for item in record.get_fields(mapping.tag):
        location = next(
            (value for code in mapping.location for value in item.get_subfields(code) if value),
            "",
        )
        call_number = " ".join(
            value.strip() for value in item.get_subfields(*mapping.call_number) if value.strip()
        )
        barcodes = [value for value in item.get_subfields(*mapping.barcode) if value.strip()]
        not_for_loan = (
            [value.strip() for value in item.get_subfields(mapping.not_for_loan)]
            if mapping.not_for_loan
            else []
        )
        holdings.append(
            HoldingStatement(
                location=location.strip(),
                call_number=call_number,
                copies=max(1, len(barcodes)),
                lendable=not any(value not in ("", "0") for value in not_for_loan),
            )
        )
    return tuple(holdings) or record_holdings(record)


def prepare_record(
    parsed: ParsedRecord,
    source_name: str,
    *,
    record_format: str = ISO2709_FORMAT,
    source: SourceConfig | None = None,
) -> _Prepared:
    """Check one parsed record and derive what the store keeps: keys, holdings, title."""
    content_hash = hashlib.sha256(parsed.raw).hexdigest()
    problems = [
        {key: storable_text(value) if isinstance(value, str) else value for key, value in found}
        for found in map(dict.items, parsed.problems)
    ]
    provenance: dict[str, Any] = {
        "file": source_name,
        "record": parsed.position,
        "offset": parsed.offset,
        "encoding": parsed.encoding,
        "confidence": parsed.confidence,
    }
    if parsed.line:
        provenance["line"] = parsed.line
    record, cleaned = (None, []) if parsed.record is None else storable_record(parsed.record)
    repairs = parsed.repairs + [
        f"{tag}: NUL characters removed or blanked, lone surrogates replaced by U+FFFD"
        for tag in cleaned
    ]
    if repairs:
        provenance["repairs"] = repairs
    local_id = ""
    deletion = False
    if record is not None:
        local_id, id_field = _local_id(record, source)
        deletion = len(record.leader) > 5 and record.leader[5] == "d"
        if not local_id:
            problems.append(
                _problem(parsed, source_name, id_field[:3], f"no local identifier in {id_field}")
            )
        if not deletion:
            for found in check_record(record):
                problems.append(
                    {
                        **_problem(parsed, source_name, found.tag, found.message),
                        "severity": found.severity,
                    }
                )
    if record is None or any(problem["severity"] == "error" for problem in problems):
        logger.warning(
            "record_quarantined",
            extra={"source": source_name, "record": parsed.position, "problems": problems},
        )
        return _Prepared(
            SourceRecordWrite(
                # Kept under its place in the file, so a bad resubmission never replaces
                # a library's good record; the 001 it claimed stays in `record`.
                local_id=f"{source_name}#{parsed.position}",
                record_format=record_format,
                raw=parsed.raw,
                record=record.as_dict() if record is not None else None,
                content_hash=content_hash,
                status="quarantined",
                problems=tuple(problems),
                provenance=provenance,
            ),
            deletion=False,
        )
    assert record is not None
    if deletion:
        return _Prepared(
            SourceRecordWrite(
                local_id=local_id,
                record_format=record_format,
                raw=parsed.raw,
                record=record.as_dict(),
                content_hash=content_hash,
                status="deleted",
                problems=tuple(problems),
                provenance=provenance,
            ),
            deletion=True,
        )
    description = describe_record(record)
    profile = profile_marc_record(record, local_id, "")  # ids are set when the record is placed
    return _Prepared(
        SourceRecordWrite(
            local_id=local_id,
            record_format=record_format,
            raw=parsed.raw,
            record=record.as_dict(),
            content_hash=content_hash,
            status="active",
            problems=tuple(problems),
            provenance=provenance,
            title=description.full_title,
            completeness=completeness(description),
            keys=stored_keys(profile),
            holdings=_configured_holdings(record, source),
            profile=profile,
            description=description,
        ),
        deletion=False,
    )


def _flush(store: IngestStore, run: _Run) -> None:
    """Write one batch in one transaction: classify, store, match, log."""
    if not run.batch:
        return
    summary = run.summary
    counts = dict.fromkeys(OUTCOMES, 0)
    with changing_catalogue(store) as transaction:
        existing = transaction.find_source_records(run.library_id, run.batch_ids)
        writes: list[SourceRecordWrite] = []
        for prepared in run.batch:
            write = prepared.write
            stored = existing.get(write.local_id)
            if write.status == "quarantined":
                counts["quarantined"] += 1
                if len(summary.quarantine_reasons) < QUARANTINE_REASONS_KEPT:
                    summary.quarantine_reasons.append(_quarantine_reason(write.problems))
                if stored is None or stored.content_hash != write.content_hash:
                    writes.append(write)
                continue
            if run.seen is not None:
                run.seen.add(write.local_id)
            if stored is not None and (stored.content_hash, stored.status) == (
                write.content_hash,
                write.status,
            ):
                counts["unchanged"] += 1
                continue
            if prepared.deletion:
                counts["deleted"] += 1
            elif stored is None or stored.status != "active":
                counts["added"] += 1
            else:
                counts["updated"] += 1
            writes.append(write)
        previous_keys = transaction.blocking_keys_of(
            existing[write.local_id].id for write in writes if write.local_id in existing
        )
        ids = transaction.write_source_records(run.library_id, summary.job_id, writes)
        placements = [
            Placement(
                source_record_id=ids[write.local_id],
                keys=write.keys,
                previous_union_record_id=(
                    existing[write.local_id].union_record_id if write.local_id in existing else None
                ),
                active=write.status == "active",
                profile=write.profile,
                previous_keys=previous_keys.get(ids[write.local_id], frozenset()),
            )
            for write in writes
            if write.status != "quarantined"
        ]
        joined = place_records(transaction, run.library_id, placements)
    with store.transaction() as transaction:
        refreshed = transaction.refresh_stale_statistics()
    if refreshed:
        logger.info("planner_statistics_refreshed", extra={"tables": refreshed})
    summary.read += len(run.batch)
    for name, value in counts.items():
        setattr(summary, name, getattr(summary, name) + value)
    summary.merged += joined
    if run.progress is not None:
        run.progress(len(run.batch))
    run.batch = []
    run.batch_ids = set()


def withdraw_absent_records(store: IngestStore, library_code: str, seen: set[str]) -> int:
    """Withdraw a library's active records whose local ids a complete load did not contain."""
    withdrawn = 0
    with changing_catalogue(store) as transaction:
        library_id = transaction.library_id(library_code)
        absent = {
            local_id: stored
            for local_id, stored in transaction.active_local_ids(library_id).items()
            if local_id not in seen
        }
        for chunk in _chunks(sorted(absent), RECORDS_PER_TRANSACTION):
            _withdraw(transaction, library_id, {local_id: absent[local_id] for local_id in chunk})
            withdrawn += len(chunk)
    return withdrawn


def _chunks(values: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _withdraw(transaction: MatchingTransaction, library_id: int, absent: dict[str, Any]) -> None:
    ids = [stored.id for stored in absent.values()]
    previous_keys = transaction.blocking_keys_of(ids)
    transaction.withdraw_source_records(ids)
    place_records(
        transaction,
        library_id,
        [
            Placement(
                stored.id,
                frozenset(),
                stored.union_record_id,
                active=False,
                previous_keys=previous_keys.get(stored.id, frozenset()),
            )
            for stored in absent.values()
        ],
    )
