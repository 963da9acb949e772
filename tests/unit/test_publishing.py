"""Publishing rounds: every stale record rendered, in batches, and where the next begins (#3)."""

from __future__ import annotations

from mucluc.services.publishing import (
    CHANGES_PER_BATCH,
    LOOKBACK_SEQUENCES,
    PublishedBatch,
    PublishingRound,
    publish_stale_metadata,
)


class FakePublisher:
    """A change log of sequences 1..latest, of which the `stale` ones need rendering."""

    def __init__(self, latest: int, stale: set[int]) -> None:
        self.latest = latest
        self.stale = set(stale)
        self.rendered: list[int] = []

    def latest_change_sequence(self) -> int:
        return self.latest

    def publish_stale_records(self, after_sequence: int, limit: int) -> PublishedBatch | None:
        entries = range(after_sequence + 1, min(after_sequence + limit, self.latest) + 1)
        if not entries:
            return None
        rendered = sorted(self.stale & set(entries))
        self.stale -= set(rendered)
        self.rendered.extend(rendered)
        return PublishedBatch(records=len(rendered), last_sequence=entries[-1])


def test_publish_stale_metadata_renders_every_stale_record_in_batches() -> None:
    stale = {1, CHANGES_PER_BATCH, CHANGES_PER_BATCH + 1, 3 * CHANGES_PER_BATCH}
    publisher = FakePublisher(latest=3 * CHANGES_PER_BATCH, stale=stale)
    assert publish_stale_metadata(publisher).records == 4
    assert publisher.rendered == sorted(stale)


def test_publish_stale_metadata_resumes_a_lookback_below_the_latest_change() -> None:
    latest = 3 * LOOKBACK_SEQUENCES
    publisher = FakePublisher(latest=latest, stale={latest})
    done = publish_stale_metadata(publisher)
    assert done.resume_after == latest - LOOKBACK_SEQUENCES
    late = latest - LOOKBACK_SEQUENCES // 2  # committed after a higher sequence was read
    publisher.stale.add(late)
    assert publish_stale_metadata(publisher, done.resume_after).records == 1
    assert publisher.rendered == [latest, late]


def test_publish_stale_metadata_resumes_from_the_start_of_a_short_log() -> None:
    publisher = FakePublisher(latest=10, stale={3, 7})
    assert publish_stale_metadata(publisher).resume_after == 0


def test_publish_stale_metadata_stopped_early_resumes_where_it_began() -> None:
    publisher = FakePublisher(latest=90_000, stale={70_001, 70_000 + CHANGES_PER_BATCH + 1})
    asked = iter([False, True])
    done = publish_stale_metadata(publisher, 70_000, stopping=lambda: next(asked))
    assert done == PublishingRound(records=1, resume_after=70_000)
    assert publisher.stale == {70_000 + CHANGES_PER_BATCH + 1}
