"""Harvest a member library over OAI-PMH into the union catalogue, incrementally.

Each page of records is converted to ISO 2709 and handed to ingest, so a
harvested record is kept, matched and logged exactly like a file load;
deleted headers arrive as deletion records (leader/05 'd'). After every
page the harvest state is saved: the token to resume an interrupted run
from, and the latest datestamp seen, which the next run harvests `from`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

from mucluc.core.harvesting import Harvester, HarvestRequest
from mucluc.core.ports import IngestStore
from mucluc.services.ingest import ingest_bytes

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class HarvestState:
    """What a library's harvest remembers between runs.

    `resumption_token` is set while a run is unfinished; `last_datestamp` is
    the latest datestamp harvested, where the next incremental run starts.
    """

    url: str
    metadata_prefix: str = "marc21"
    set_spec: str | None = None
    last_datestamp: str | None = None
    resumption_token: str | None = None


@dataclass
class HarvestSummary:
    """What one harvest run did, with ingest's counts summed over its pages."""

    library_code: str
    url: str
    pages: int = 0
    harvested: int = 0
    deleted: int = 0
    unconvertible: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    resumed: bool = False


def harvest_library(
    store: IngestStore,
    library_code: str,
    harvester: Harvester,
    state: HarvestState,
    *,
    from_date: str | None = None,
    save_state: Callable[[HarvestState], None] = lambda _state: None,
    progress: Callable[[HarvestSummary], None] | None = None,
) -> HarvestSummary:
    """Harvest one library, resuming an interrupted run or continuing from the last datestamp.

    `from_date` overrides the remembered datestamp (and discards a pending
    token). Records that cannot be converted to MARC 21 are counted and
    their reasons listed in the summary; they never stop the run.

    Raises:
        HarvestError: the provider failed for good; the state saved so far
            lets the next run resume from the last page ingested.
    """
    summary = HarvestSummary(library_code=library_code, url=state.url)
    token = None if from_date else state.resumption_token
    summary.resumed = token is not None
    request = HarvestRequest(
        url=state.url,
        metadata_prefix=state.metadata_prefix,
        set_spec=state.set_spec,
        from_date=from_date or state.last_datestamp,
        resumption_token=token,
    )
    latest = state.last_datestamp or ""
    for page in harvester.pages(request):
        records = []
        for harvested in page.records:
            if harvested.record is None:
                summary.unconvertible += 1
                summary.problems.append(f"{harvested.identifier or '?'}: {harvested.problem}")
                logger.warning(
                    "harvest_record_unconvertible",
                    extra={"identifier": harvested.identifier, "problem": harvested.problem},
                )
                continue
            records.append(harvested.record.as_marc())
            summary.deleted += int(harvested.deleted)
            latest = max(latest, harvested.datestamp)
        summary.pages += 1
        summary.harvested += len(page.records)
        if records:
            ingested = ingest_bytes(
                store,
                library_code,
                b"".join(records),
                source_name=f"{state.url}#page{page.number}",
            )
            for name, value in ingested.counts().items():
                summary.counts[name] = summary.counts.get(name, 0) + value
        state = replace(state, resumption_token=page.resumption_token or None)
        save_state(state)
        if progress is not None:
            progress(summary)
    save_state(replace(state, resumption_token=None, last_datestamp=latest or None))
    logger.info("harvest_finished", extra=asdict(summary))
    return summary
