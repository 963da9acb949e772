"""What staff see of ingest work: file loads, harvested pages and contribution API jobs.

Ingest writes a job's counts when it finishes; while it runs, the records
it has stored so far (committed batches) show its progress. Staff of a
library see their library's jobs, national administrators everyone's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from mucluc.accounts.ports import ContributionJobView
from mucluc.accounts.roles import Action, Principal, Role, authorise

JOBS_PAGE_SIZE = 100
HARVEST_PAGE = re.compile(r"^https?://.*#page\d+$")
"""How `harvest_library` names the ingest job of each harvested page: `URL#pageN`."""
API_JOB = re.compile(r"^api-job-\d+$")
"""How `run_contribution` names the ingest job of a contribution API body."""


@dataclass(frozen=True)
class IngestJobView:
    """One ingest run over one file, harvested page or API body, with its counts.

    `stored_so_far` counts the records the job has written in committed
    batches, which is its progress while `status` is running.
    """

    id: int
    library_code: str
    source_name: str
    record_format: str
    status: str
    counts: dict[str, int]
    stored_so_far: int
    message: str
    started_at: datetime
    finished_at: datetime | None

    @property
    def kind(self) -> str:
        """Where the records came from: harvest, api or file."""
        if HARVEST_PAGE.match(self.source_name):
            return "harvest"
        if API_JOB.match(self.source_name):
            return "api"
        return "file"


class JobBoard(Protocol):
    """Where ingest and contribution jobs are read back, newest first."""

    def ingest_jobs(self, library_code: str | None, limit: int) -> list[IngestJobView]:
        """Ingest jobs, of one library when a code is given, newest first."""

    def contribution_jobs(self, library_code: str | None, limit: int) -> list[ContributionJobView]:
        """Contribution API jobs, of one library when a code is given, newest first."""


@dataclass(frozen=True)
class JobsOverview:
    """The latest jobs a principal may read; `library_code` None means every library's."""

    library_code: str | None
    ingest_jobs: list[IngestJobView]
    contribution_jobs: list[ContributionJobView]

    @property
    def running(self) -> bool:
        """Whether any job is still under way (its page then refreshes itself)."""
        return any(job.status == "running" for job in self.ingest_jobs) or any(
            job.status in ("queued", "running") for job in self.contribution_jobs
        )


def jobs_overview(
    board: JobBoard,
    principal: Principal,
    library_code: str | None = None,
    *,
    limit: int = JOBS_PAGE_SIZE,
) -> JobsOverview:
    """The latest jobs of one library, or of all for a national administrator."""
    if library_code is None and principal.role is not Role.NATIONAL_ADMINISTRATOR:
        library_code = principal.library_code
    authorise(principal, Action.READ_JOBS, library_code)
    return JobsOverview(
        library_code,
        board.ingest_jobs(library_code, limit),
        board.contribution_jobs(library_code, limit),
    )
