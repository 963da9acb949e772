"""Render the OAI-PMH text of changed union records in the background, off the ingest path.

Ingest logs each union-record change without rendering its metadata (issue
#3: rendering in the write transaction cost about 40 % of store + match).
A publisher renders afterwards, in batches, every active union record whose
kept text is missing or older than its latest change. Until it has, the
provider renders such a record afresh on every request, so how far behind
the publisher runs changes how fast harvests are, never what they are served.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

logger = logging.getLogger(__name__)

# Log entries read per batch; the stale records among them are rendered in one transaction.
CHANGES_PER_BATCH = 500
# Each later round reads the log again from this far below where the last one
# began. On PostgreSQL a transaction can commit a change numbered below ones
# already read (services/indexing.py, "Gap safety"); one that stays open past
# this many later changes is rendered by the next full round (`mucluc publish`
# or a server restart) and served as a fresh render until then.
LOOKBACK_SEQUENCES = 10_000


@dataclass(frozen=True)
class PublishedBatch:
    """One batch of the log a publisher read: how many records it rendered, the last entry read."""

    records: int
    last_sequence: int


class MetadataPublisher(Protocol):
    """Where stale published metadata is found and rendered (the store)."""

    def latest_change_sequence(self) -> int:
        """The highest sequence in the change log, 0 if empty."""

    def publish_stale_records(self, after_sequence: int, limit: int) -> PublishedBatch | None:
        """Render the stale records among the next `limit` log entries; None past the end."""


@dataclass(frozen=True)
class PublishingRound:
    """What one round rendered, and where the next round should begin reading the log."""

    records: int
    resume_after: int


def publish_stale_metadata(
    publisher: MetadataPublisher,
    after_sequence: int = 0,
    *,
    stopping: Callable[[], bool] = lambda: False,
) -> PublishingRound:
    """Render every stale record whose latest change follows `after_sequence`, a batch at a time.

    From 0 (the default) the whole log is read: that is how `mucluc publish`
    and a starting server catch up. Changes logged while the round runs are
    rendered too. `stopping` is asked between batches; a round stopped early
    resumes where it began.
    """
    latest = publisher.latest_change_sequence()
    position = after_sequence
    records = 0
    while True:
        if stopping():
            return PublishingRound(records, after_sequence)
        batch = publisher.publish_stale_records(position, CHANGES_PER_BATCH)
        if batch is None:
            break
        records += batch.records
        position = batch.last_sequence
    if records:
        logger.info("published_metadata_rendered", extra={"records": records, "sequence": position})
    return PublishingRound(records, max(after_sequence, latest - LOOKBACK_SEQUENCES))
