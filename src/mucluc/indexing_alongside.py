"""Index while a large ingest runs: a second process applies the change log as ingest writes it.

Ingest (read, check, store, match) and indexing (read the changed union
records back, build their documents, hand them to tantivy) each keep about
one core busy; one after the other a load takes the sum of their times,
side by side about the longer of the two (issue #3). The second process
follows the change log exactly as the server's index follower does, so a
crash of either process loses nothing: the index resumes from the position
it recorded. When ingest ends, the follower applies what is left, reports
how many changes it applied, and exits.

The process is started with `spawn`, not `fork`: it opens its own store and
index instead of inheriting the parent's connections and threads. Starting
it costs about a second, which only a large load repays.
"""

from __future__ import annotations

import logging
import multiprocessing
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from types import TracebackType

from mucluc.config import Settings
from mucluc.errors import IndexBusyError
from mucluc.gc_tuning import tune_garbage_collection
from mucluc.services.indexing import apply_pending_changes
from mucluc.wiring import INDEX_WRITER_LOCK_FILE, IndexWriterLock, open_index, open_store

logger = logging.getLogger(__name__)

# Caught up with ingest, the follower waits this long before looking again:
# each round that applies anything ends with a tantivy commit (about 0.25 s).
FOLLOW_PAUSE_SECONDS = 5.0


@dataclass(frozen=True)
class IndexingOutcome:
    """What the indexing process did: changes applied, or why it applied none."""

    applied: int
    busy: bool = False  # another process (a running server) writes the index


class IndexingAlongside:
    """Runs the index follower in its own process for the length of a `with` block.

    `finish()` (or leaving the block) tells it ingest is over and waits
    until it has applied the rest of the change log.
    """

    def __init__(self, settings: Settings) -> None:
        context = multiprocessing.get_context("spawn")
        self._stopping = context.Event()
        self._results, child_end = context.Pipe(duplex=False)
        self._process = context.Process(
            target=follow_change_log,
            args=(settings, self._stopping, child_end),
            name="mucluc-indexing",
            daemon=True,
        )
        self._outcome: IndexingOutcome | None = None

    def __enter__(self) -> IndexingAlongside:
        self._process.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if error is None:
            self.finish()
            return
        # Ingest failed or was interrupted: stop the follower too, and let the error through.
        self._stopping.set()
        self._process.join()

    def finish(self) -> IndexingOutcome:
        """Let the follower apply the rest of the change log, wait for it, say what it did."""
        if self._outcome is None:
            self._stopping.set()
            self._process.join()
            if not self._results.poll():
                raise RuntimeError(
                    f"the indexing process ended without a result (exit code "
                    f"{self._process.exitcode}); `mucluc index update` applies the changes"
                )
            kind, value = self._results.recv()
            if kind == "failed":
                raise RuntimeError(f"the indexing process failed: {value}")
            self._outcome = IndexingOutcome(applied=value, busy=kind == "busy")
        return self._outcome


def follow_change_log(settings: Settings, stopping: Event, results: Connection) -> None:
    """The indexing process: apply the change log until told to stop, then once more.

    Sends ("applied", count), ("busy", 0) when another process holds the
    index writer, or ("failed", message).
    """
    tune_garbage_collection()
    writer_lock = IndexWriterLock(settings.home / INDEX_WRITER_LOCK_FILE)
    if not writer_lock.try_acquire():
        results.send(("busy", 0))
        return
    applied = 0
    try:
        store = open_store(settings)
        index = open_index(settings)
        while True:
            last_round = stopping.is_set()
            applied += apply_pending_changes(
                store, index, changes_per_commit=settings.index_commit_changes
            )
            if last_round:
                break
            stopping.wait(FOLLOW_PAUSE_SECONDS)
    except IndexBusyError:
        results.send(("busy", applied))
        return
    except Exception as error:
        logger.exception("indexing_alongside_failed")
        results.send(("failed", str(error)))
        return
    finally:
        writer_lock.release()
    results.send(("applied", applied))
