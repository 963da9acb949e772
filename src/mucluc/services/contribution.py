"""The contribution API's use cases: a library sends records, ingest places them, jobs report.

Bodies come as MARC 21 (ISO 2709), MARCXML or MARC-in-JSON; MARCXML and
MARC-in-JSON are read here (XML through the hardened parser, so DTDs and
entities are refused) and handed to ingest as UTF-8 ISO 2709, which keeps
every outcome — added, updated, unchanged, deleted, quarantined — ingest's
own. Each body is a contribution job whose summary `GET /api/v1/jobs/{id}`
reports, and each finished job appends one audit event.
"""

from __future__ import annotations

import io
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from pymarc import Field, Leader, Record

from mucluc.accounts.ports import ContributionJobView, SecurityStore
from mucluc.accounts.roles import Action, Principal, authorise
from mucluc.core.audit import AuditEvent
from mucluc.core.crosswalk.marcxml import MarcXmlError, read_marcxml
from mucluc.core.crosswalk.xml_input import XmlInputError, parse_xml
from mucluc.core.marc.iso2709 import read_iso2709_stream
from mucluc.core.marc.marc_json import record_from_dict
from mucluc.core.ports import IngestStore
from mucluc.errors import (
    AuthenticationError,
    ContributionError,
    JobNotFoundError,
    RecordNotFoundError,
    UnsupportedFormatError,
)
from mucluc.process_identity import process_identity
from mucluc.services.ingest import ingest_bytes

logger = logging.getLogger(__name__)

MEDIA_TYPES = {
    "application/marc": "marc21",
    "application/octet-stream": "marc21",
    "application/marcxml+xml": "marcxml",
    "application/xml": "marcxml",
    "text/xml": "marcxml",
    "application/marc+json": "marc-json",
    "application/json": "marc-json",
}
_BOOK_LISTS = (
    "book lists (CSV, XLSX) are loaded with `mucluc ingest --library CODE FILE`, which maps "
    "their columns; this API takes MARC 21, MARCXML and MARC-in-JSON"
)
READ_ELSEWHERE = {
    "text/csv": _BOOK_LISTS,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _BOOK_LISTS,
}
TAG_PATTERN = re.compile(r"^[0-9A-Za-z]{3}$")
LEADER_LENGTH = 24


@dataclass(frozen=True)
class Contribution:
    """What a request asks: which library, which operation, the body and its format."""

    library_code: str
    operation: str  # "submit", "replace" or "delete"
    record_format: str
    body: bytes
    local_id: str | None = None


def record_format_of(content_type: str) -> str:
    """Our format name for a request's media type; raises UnsupportedFormatError."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type in MEDIA_TYPES:
        return MEDIA_TYPES[media_type]
    if media_type in READ_ELSEWHERE:
        raise UnsupportedFormatError(READ_ELSEWHERE[media_type])
    accepted = ", ".join(sorted(MEDIA_TYPES))
    raise UnsupportedFormatError(
        f"the media type {media_type or '(none)'!r} is not read here; send one of: {accepted}"
    )


def utf8_record(record: Record) -> Record:
    """Mark a record read from (or kept as) Unicode text as UTF-8 (leader/09 = 'a')."""
    record.force_utf8 = True
    leader = str(record.leader).ljust(LEADER_LENGTH)[:LEADER_LENGTH]
    record.leader = Leader(leader[:9] + "a" + leader[10:])
    return record


def _check_marc_json(entry: Any, position: int) -> dict[str, Any]:
    """Refuse MARC-in-JSON that is not shaped as the code4lib layout, naming what is wrong."""
    where = f"record {position}"
    if not isinstance(entry, dict):
        raise ContributionError(f"{where}: expected a JSON object with leader and fields")
    leader = entry.get("leader")
    if not isinstance(leader, str) or len(leader) != LEADER_LENGTH or not leader.isascii():
        raise ContributionError(f"{where}: the leader must be 24 ASCII characters")
    fields = entry.get("fields")
    if not isinstance(fields, list):
        raise ContributionError(f"{where}: `fields` must be a list")
    for number, field in enumerate(fields, start=1):
        if not isinstance(field, dict) or len(field) != 1:
            raise ContributionError(f"{where}, field {number}: expected {{tag: value}}")
        ((tag, value),) = field.items()
        if not TAG_PATTERN.fullmatch(tag):
            raise ContributionError(f"{where}, field {number}: {tag!r} is not a MARC tag")
        if isinstance(value, str):
            continue
        if not isinstance(value, dict) or not isinstance(value.get("subfields", []), list):
            raise ContributionError(f"{where}, field {tag}: expected a string or subfields")
        for indicator in ("ind1", "ind2"):
            if (
                not isinstance(value.get(indicator, " "), str)
                or len(value.get(indicator, " ")) != 1
            ):
                raise ContributionError(f"{where}, field {tag}: {indicator} must be one character")
        for subfield in value.get("subfields", []):
            if not (
                isinstance(subfield, dict)
                and len(subfield) == 1
                and all(
                    isinstance(code, str) and len(code) == 1 and isinstance(text, str)
                    for code, text in subfield.items()
                )
            ):
                raise ContributionError(
                    f"{where}, field {tag}: each subfield must be {{code: text}}"
                )
    return entry


def read_body(record_format: str, body: bytes, *, source_name: str) -> list[Record]:
    """The records of a MARCXML or MARC-in-JSON body; raises ContributionError naming the place."""
    if record_format == "marcxml":
        try:
            root = parse_xml(body, source_name=source_name)
            elements = [root] if etree_local_name(root) == "record" else list(root)
            return [
                utf8_record(read_marcxml(element, source_name=source_name))
                for element in elements
                if isinstance(element.tag, str)
            ]
        except (XmlInputError, MarcXmlError) as error:
            raise ContributionError(str(error)) from error
    if record_format == "marc-json":
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ContributionError(f"{source_name}: not UTF-8 JSON ({error})") from error
        entries = data if isinstance(data, list) else [data]
        return [
            utf8_record(record_from_dict(_check_marc_json(entry, position)))
            for position, entry in enumerate(entries, start=1)
        ]
    raise UnsupportedFormatError(f"{record_format} bodies are not read here")


def etree_local_name(element: Any) -> str:
    """The local name of an lxml element, without its namespace."""
    tag = str(element.tag)
    return tag.rsplit("}", 1)[-1]


def deletion_record(local_id: str) -> bytes:
    """A MARC 21 record whose leader/05 'd' tells ingest to delete `local_id`."""
    record = Record(force_utf8=True)
    record.leader = Leader("00000dam a2200000 a 4500")
    record.add_field(Field(tag="001", data=local_id))  # type: ignore[no-untyped-call]
    return bytes(record.as_marc())


def _iso2709_control_numbers(data: bytes, source_name: str) -> list[str]:
    """The 001 of each record of an ISO 2709 body (blank for an unreadable record)."""
    numbers = []
    for parsed in read_iso2709_stream(io.BytesIO(data), source_name):
        control = parsed.record.get("001") if parsed.record is not None else None
        numbers.append((control.data or "").strip() if control is not None else "")
    return numbers


def as_iso2709(contribution: Contribution, *, source_name: str) -> bytes:
    """The body as ISO 2709 bytes for ingest; a PUT's one record must carry the path's id."""
    if contribution.operation == "delete":
        return deletion_record(contribution.local_id or "")
    records: list[Record] = []
    if contribution.record_format == "marc21":
        data = contribution.body
        control_numbers = (
            _iso2709_control_numbers(data, source_name)
            if contribution.operation == "replace"
            else []
        )
    else:
        records = read_body(contribution.record_format, contribution.body, source_name=source_name)
        try:
            data = b"".join(bytes(record.as_marc()) for record in records)
        except (ValueError, UnicodeError) as error:
            raise ContributionError(f"{source_name}: cannot write the records ({error})") from error
        control_numbers = [
            (control.data or "").strip() if (control := record.get("001")) is not None else ""
            for record in records
        ]
    if contribution.operation == "replace":
        if len(control_numbers) != 1:
            raise ContributionError(
                f"{source_name}: PUT takes exactly one record, not {len(control_numbers)}"
            )
        if control_numbers[0] != contribution.local_id:
            raise ContributionError(
                f"{source_name}: the record's 001 is {control_numbers[0]!r} but the path names "
                f"{contribution.local_id!r}"
            )
    if not data.strip():
        raise ContributionError(f"{source_name}: the body holds no records")
    return data


AUDIT_ACTIONS = {"submit": "record.submit", "replace": "record.replace", "delete": "record.delete"}


def queue_contribution(
    security: SecurityStore, principal: Principal, contribution: Contribution
) -> int:
    """Check the principal may write the library's records and record a queued job."""
    authorise(principal, Action.WRITE_RECORDS, contribution.library_code)
    return security.add_contribution_job(
        library_code=contribution.library_code,
        operation=contribution.operation,
        record_format=contribution.record_format,
        size_bytes=len(contribution.body),
        actor=principal.actor,
        # The body stays in this process's memory until the job runs here.
        owner=process_identity(),
    )


def run_contribution(
    store: IngestStore,
    security: SecurityStore,
    principal: Principal,
    contribution: Contribution,
    job_id: int,
    *,
    client_address: str = "",
) -> ContributionJobView:
    """Ingest a queued job's body, finish the job with ingest's summary, audit it.

    A body that cannot be read fails the job with the reason and raises
    ContributionError; single bad records are ingest's business (quarantined).
    """
    source_name = f"api-job-{job_id}"
    security.update_contribution_job(job_id, status="running")
    try:
        if contribution.operation == "delete" and security.source_record_status(
            contribution.library_code, contribution.local_id or ""
        ) in (None, "deleted"):
            raise RecordNotFoundError(
                f"library {contribution.library_code} has no record {contribution.local_id!r}"
            )
        data = as_iso2709(contribution, source_name=source_name)
        summary = ingest_bytes(store, contribution.library_code, data, source_name=source_name)
    except (ContributionError, RecordNotFoundError) as error:
        security.update_contribution_job(job_id, status="failed", message=str(error), finished=True)
        raise
    except Exception as error:
        # Recorded on the job so the client can read why; the caller's boundary answers 500.
        security.update_contribution_job(
            job_id,
            status="failed",
            message=f"internal error: {type(error).__name__}",
            finished=True,
        )
        raise
    counts = {**summary.counts(), "ingest_job": summary.job_id}
    security.update_contribution_job(job_id, status="finished", summary=counts, finished=True)
    security.append_audit_event(
        AuditEvent(
            principal.actor,
            AUDIT_ACTIONS[contribution.operation],
            contribution.library_code,
            contribution.local_id or source_name,
            client_address,
            {"job": job_id, "format": contribution.record_format, **counts},
        )
    )
    logger.info("contribution_finished", extra={"job": job_id, **summary.counts()})
    job = security.find_contribution_job(job_id)
    assert job is not None
    return job


def read_job(security: SecurityStore, principal: Principal, job_id: int) -> ContributionJobView:
    """A job, for a principal allowed to read its library's jobs (404 hides other libraries').

    Anonymous callers are refused before the lookup, so they cannot learn which ids exist.
    """
    if principal.is_anonymous:
        raise AuthenticationError("sign in, or send `Authorization: Bearer KEY`, to read jobs")
    job = security.find_contribution_job(job_id)
    if job is None:
        raise JobNotFoundError(f"no contribution job has the id {job_id}")
    authorise(principal, Action.READ_JOBS, job.library_code)
    return job
