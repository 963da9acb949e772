"""Read ingest and contribution jobs back for the admin pages (`mucluc.services.jobs.JobBoard`).

A running ingest job's progress is the number of source records it has
stored so far, counted in one grouped query for all running jobs on a page.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Engine, Select, func, select
from sqlalchemy.orm import Session

from mucluc.accounts.ports import ContributionJobView
from mucluc.services.jobs import IngestJobView
from mucluc.storage.accounts import contribution_job_view
from mucluc.storage.tables import ContributionJob, IngestJob, Library, SourceRecord, as_utc

INGEST_COUNTS = ("read", "added", "updated", "unchanged", "deleted", "quarantined", "merged")
Job = TypeVar("Job", IngestJob, ContributionJob)


def _newest(job_table: type[Job], library_code: str | None, limit: int) -> Select[Job, str]:
    """The latest `limit` jobs of a kind with their library's code, of one library if given."""
    query = (
        select(job_table, Library.code)
        .join(Library, Library.id == job_table.library_id)
        .order_by(job_table.id.desc())
        .limit(limit)
    )
    if library_code is not None:
        query = query.where(Library.code == library_code)
    return query


class SqlJobBoard:
    """Jobs from the store, newest first, each page in a few queries."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def ingest_jobs(self, library_code: str | None, limit: int) -> list[IngestJobView]:
        """Ingest jobs, of one library when a code is given, newest first."""
        with Session(self.engine) as session:
            rows = session.execute(_newest(IngestJob, library_code, limit)).all()
            running = [job.id for job, _code in rows if job.status == "running"]
            stored = dict(
                session.execute(
                    select(SourceRecord.ingest_job_id, func.count())
                    .where(SourceRecord.ingest_job_id.in_(running))
                    .group_by(SourceRecord.ingest_job_id)
                ).all()
            )
        return [
            IngestJobView(
                id=job.id,
                library_code=code,
                source_name=job.source_name,
                record_format=job.format,
                status=job.status,
                counts={name: getattr(job, f"records_{name}") or 0 for name in INGEST_COUNTS},
                stored_so_far=stored.get(job.id, 0),
                message=job.message or "",
                started_at=as_utc(job.started_at),
                finished_at=as_utc(job.finished_at),
            )
            for job, code in rows
        ]

    def contribution_jobs(self, library_code: str | None, limit: int) -> list[ContributionJobView]:
        """Contribution API jobs, of one library when a code is given, newest first."""
        query = _newest(ContributionJob, library_code, limit)
        with Session(self.engine) as session:
            return [contribution_job_view(job, code) for job, code in session.execute(query)]
