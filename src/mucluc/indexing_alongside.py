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
import signal
from contextlib import suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection
from types import TracebackType

from mucluc.config import Settings
from mucluc.errors import IndexBusyError
from mucluc.gc_tuning import tune_garbage_collection
from mucluc.services.indexing import apply_pending_changes
from mucluc.wiring import INDEX_WRITER_LOCK_FILE, IndexWriterLock, open_index, open_store

logger = logging.getLogger(__name__)

STOP = "stop"  # what the ingest process sends when it has stored everything
# Caught up with ingest, the follower waits this long before looking again:
# each round that applies anything ends with a tantivy commit and its merges
# (about a quarter of a second). On 20,000 LoC records a 1 s pause made the
# follower commit so often that the load took 25.5 s; with 5 s, 21.0 s.
FOLLOW_PAUSE_SECONDS = 5.0


@dataclass(frozen=True)
class IndexingOutcome:
    """What the indexing process did: changes applied, or why it applied none."""

    applied: int
    busy: bool = False  # another process (a running server) writes the index


class IndexingAlongside:
    """Runs the index follower in its own process for the length of a `with` block.

    `finish()` (or leaving the block) tells it ingest is over and waits
    until it has applied the rest of the change log. The two talk over a
    pipe only: a process killed while holding a shared lock (an Event's)
    would leave the other waiting for good, a pipe just ends.
    """

    def __init__(self, settings: Settings) -> None:
        context = multiprocessing.get_context("spawn")
        self._channel, self._child_end = context.Pipe()
        self._process = context.Process(
            target=follow_change_log,
            args=(settings, self._child_end),
            name="mucluc-indexing",
            daemon=True,
        )
        self._outcome: IndexingOutcome | None = None

    def __enter__(self) -> IndexingAlongside:
        self._process.start()
        self._child_end.close()  # the child has its own: the pipe ends when the child does
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
        self._stop_and_wait()

    def finish(self) -> IndexingOutcome:
        """Let the follower apply the rest of the change log, wait for it, say what it did."""
        if self._outcome is None:
            self._stop_and_wait()
            try:
                kind, value = self._channel.recv() if self._channel.poll() else ("", 0)
            except (EOFError, OSError):  # it ended before sending anything
                kind, value = "", 0
            if not kind:
                raise RuntimeError(
                    f"the indexing process ended without a result (exit code "
                    f"{self._process.exitcode}); the next `mucluc serve` or ingest "
                    "applies the changes"
                )
            if kind == "failed":
                raise RuntimeError(f"the indexing process failed: {value}")
            self._outcome = IndexingOutcome(applied=value, busy=kind == "busy")
        return self._outcome

    def _stop_and_wait(self) -> None:
        with suppress(OSError):  # already gone: nothing to tell
            self._channel.send(STOP)
        self._process.join()


def follow_change_log(settings: Settings, parent: Connection) -> None:
    """The indexing process: apply the change log until told to stop, then once more.

    Sends ("applied", count), ("busy", 0) when another process holds the
    index writer, or ("failed", message). The parent's end closing (it
    died) counts as being told to stop.
    """
    # Ctrl-C on the terminal reaches the whole process group: the ingest
    # process stops, and tells this one to apply what it committed first.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    tune_garbage_collection()
    writer_lock = IndexWriterLock(settings.home / INDEX_WRITER_LOCK_FILE)
    if not writer_lock.try_acquire():
        _report(parent, ("busy", 0))
        return
    applied = 0
    try:
        store = open_store(settings)
        index = open_index(settings)
        while True:
            last_round = parent.poll()
            applied += apply_pending_changes(
                store, index, changes_per_commit=settings.index_commit_changes
            )
            if last_round:
                break
            parent.poll(FOLLOW_PAUSE_SECONDS)
    except IndexBusyError:
        _report(parent, ("busy", applied))
        return
    except Exception as error:
        logger.exception("indexing_alongside_failed")
        _report(parent, ("failed", str(error)))
        return
    finally:
        writer_lock.release()
    _report(parent, ("applied", applied))


def _report(parent: Connection, result: tuple[str, object]) -> None:
    with suppress(OSError):  # the parent is gone: nobody to tell
        parent.send(result)
