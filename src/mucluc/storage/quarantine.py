"""Quarantined source records for the admin pages (`mucluc.services.quarantine.QuarantineStore`).

Retiring a record and appending its audit event happen in one transaction,
and only while the record is still quarantined, so two staff acting at once
cannot both resolve it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import sessionmaker

from mucluc.core.audit import AuditEvent
from mucluc.services.quarantine import QuarantinedRecord
from mucluc.storage.audit import append_audit_event
from mucluc.storage.tables import Library, SourceRecord, as_utc, utc_now

QUARANTINED = "quarantined"


QUARANTINED_RECORDS = (
    select(SourceRecord, Library.code)
    .join(Library, Library.id == SourceRecord.library_id)
    .where(SourceRecord.status == QUARANTINED)
)


def _view(row: SourceRecord, library_code: str) -> QuarantinedRecord:
    return QuarantinedRecord(
        id=row.id,
        library_code=library_code,
        local_id=row.local_id,
        record_format=row.format,
        raw=row.raw,
        record=row.record,
        problems=tuple(row.problems or ()),
        provenance=dict(row.provenance or {}),
        ingest_job_id=row.ingest_job_id,
        updated_at=as_utc(row.updated_at),
    )


class SqlQuarantine:
    """Quarantined records in the catalogue's store."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def quarantined_records(
        self, library_code: str | None, job_id: int | None, limit: int
    ) -> list[QuarantinedRecord]:
        """Quarantined records, of one library and/or ingest job when given, newest first."""
        query = QUARANTINED_RECORDS.order_by(SourceRecord.id.desc()).limit(limit)
        if library_code is not None:
            query = query.where(Library.code == library_code)
        if job_id is not None:
            query = query.where(SourceRecord.ingest_job_id == job_id)
        with self._sessions() as session:
            return [_view(row[0], row[1]) for row in session.execute(query)]

    def quarantined_record(self, source_record_id: int) -> QuarantinedRecord | None:
        """The record with this id if it is quarantined now."""
        with self._sessions() as session:
            found = session.execute(
                QUARANTINED_RECORDS.where(SourceRecord.id == source_record_id)
            ).first()
        return _view(found[0], found[1]) if found else None

    def retire_quarantined_record(
        self, source_record_id: int, resolution: dict[str, Any], audit: AuditEvent
    ) -> bool:
        """Mark a quarantined record deleted, add `resolution` to its provenance, audit it."""
        with self._sessions.begin() as session:
            found = session.execute(
                select(SourceRecord.provenance).where(
                    SourceRecord.id == source_record_id, SourceRecord.status == QUARANTINED
                )
            ).first()
            if found is None:
                return False
            provenance = dict(found.provenance or {})
            retired = session.execute(
                update(SourceRecord)
                .where(SourceRecord.id == source_record_id, SourceRecord.status == QUARANTINED)
                .values(
                    status="deleted",
                    provenance={**provenance, **resolution},
                    updated_at=utc_now(),
                )
            )
            if not getattr(retired, "rowcount", 0):
                return False
            append_audit_event(session, audit)
            return True
