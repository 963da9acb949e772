"""Build the concrete adapters from settings: the one place that knows which store and index.

Entry points (`cli/main.py`, `web/app.py`) call these; services receive the
results through their ports.
"""

from __future__ import annotations

import fcntl
import logging
import shutil
import threading
from dataclasses import fields, replace
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy.engine import make_url

from mucluc.config import Settings
from mucluc.core.dedup.compare import ComparisonWeights
from mucluc.core.dedup.decide import DedupPolicy
from mucluc.errors import ConfigurationError, IndexBusyError
from mucluc.search.index import TantivyIndex, replace_index_folder
from mucluc.services.indexing import apply_pending_changes, rebuild_index
from mucluc.services.publishing import publish_stale_metadata
from mucluc.storage.database import is_initialised, make_engine, upgrade_database
from mucluc.storage.publishing import SqlMetadataPublisher
from mucluc.storage.repository import SqlCatalogue

logger = logging.getLogger(__name__)

INDEX_WRITER_LOCK_FILE = "index-writer.lock"

PUBLISHING_REFRESH_SECONDS = 5.0
PUBLISHER_LOCK_FILE = "publisher.lock"


def initialise_home(settings: Settings) -> None:
    """Create the data folder, migrate the store to the newest schema, create the index."""
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    try:
        upgrade_database(engine)
    finally:
        engine.dispose()
    TantivyIndex(settings.index_path)


def matching_policy(settings: Settings) -> DedupPolicy:
    """The matcher's policy as the settings change it; a weight with an unknown name is refused."""
    known = {item.name for item in fields(ComparisonWeights)}
    unknown = sorted(set(settings.dedup_weights) - known)
    if unknown:
        raise ConfigurationError(
            f"dedup_weights: no evidence weight is called {', '.join(unknown)} "
            f"(known: {', '.join(sorted(known))})"
        )
    policy = DedupPolicy()
    changes: dict[str, Any] = {"weights": replace(policy.weights, **settings.dedup_weights)}
    if settings.dedup_threshold is not None:
        changes["threshold"] = settings.dedup_threshold
    if settings.dedup_year_tolerance is not None:
        changes["year_tolerance"] = settings.dedup_year_tolerance
    if settings.dedup_block_limit is not None:
        changes["block_limit"] = settings.dedup_block_limit
    if settings.dedup_preferred_libraries is not None:
        changes["source_priority"] = replace(
            policy.source_priority, library_codes=tuple(settings.dedup_preferred_libraries)
        )
    return replace(policy, **changes)


def open_store(settings: Settings, *, migrate: bool = False) -> SqlCatalogue:
    """The store named by the settings; with `migrate`, brought to the newest schema first."""
    url = settings.resolved_database_url
    if url.startswith("sqlite"):
        database = make_url(url).database
        if not migrate and database and database != ":memory:" and not Path(database).exists():
            # Connecting would create an empty file: a mistyped MUCLUC_HOME left one behind.
            raise ConfigurationError(
                f"no store at {database}: run `mucluc init` first, or check MUCLUC_HOME"
            )
        settings.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    if migrate:
        upgrade_database(engine)
    elif not is_initialised(engine):
        raise ConfigurationError(
            f"the store at {engine.url.render_as_string()} is not initialised: "
            "run `mucluc init` (or `mucluc db upgrade`) first"
        )
    return SqlCatalogue(engine, matching_policy(settings))


def open_index(settings: Settings) -> TantivyIndex:
    """The live search index in the data folder."""
    return TantivyIndex(settings.index_path)


def rebuild_live_index(settings: Settings, store: SqlCatalogue) -> int:
    """Rebuild the index beside the live one, then swap it in; return the record count."""
    rebuilt_path = settings.index_path.with_name(f"{settings.index_path.name}.rebuilding")
    shutil.rmtree(rebuilt_path, ignore_errors=True)
    count = rebuild_index(store, lambda: TantivyIndex(rebuilt_path))
    replace_index_folder(settings.index_path, rebuilt_path)
    apply_pending_changes(store, TantivyIndex(settings.index_path))
    return count


class IndexWriterLock:
    """Says which one of several server processes writes the index: whoever holds a file lock.

    tantivy lets one writer at a time use an index, and web workers share
    one. The lock is an exclusive `flock` on a file in the data folder (not
    in the index folder, which `mucluc reindex` swaps). The system lets go of
    it when its holder exits or dies, so another process takes it at its next try.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._held: BinaryIO | None = None

    def try_acquire(self) -> bool:
        """Take the lock if nobody holds it, without waiting; True while this handle holds it."""
        if self._held is not None:
            return True
        lock_file = self.path.open("ab")
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.close()
            return False
        self._held = lock_file
        return True

    def release(self) -> None:
        """Let another process take the lock."""
        if self._held is not None:
            self._held.close()
            self._held = None


class IndexFollower:
    """Keeps a process's index handle current, in a background thread.

    The web server runs one in each worker so that records ingested by
    another process become searchable without a restart. The follower
    holding the `IndexWriterLock` applies the change log to the index; the
    others only reload what it commits, and every one reopens the index after
    `mucluc reindex` swaps the folder.
    """

    def __init__(self, store: SqlCatalogue, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.index = open_index(settings)
        self.writer_lock = IndexWriterLock(settings.home / INDEX_WRITER_LOCK_FILE)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="index-follower", daemon=True)

    def start(self) -> None:
        """Catch up once, then keep following in the background."""
        self.catch_up()
        self._thread.start()

    def stop(self) -> None:
        """Stop following, wait for the thread and let another process write the index."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self.writer_lock.release()

    def catch_up(self) -> int:
        """Bring the index handle up to date; return how many changes it applied.

        After a rebuild the handle is on the new index. Only the writer
        applies the change log; the others reload to see its commits.
        """
        self.index = self.index.reopen_if_replaced()
        if not self.writer_lock.try_acquire():
            self.index.reload()
            return 0
        return apply_pending_changes(
            self.store, self.index, changes_per_commit=self.settings.index_commit_changes
        )

    def _run(self) -> None:
        while not self._stop.wait(self.settings.index_refresh_seconds):
            try:
                self.catch_up()
            except IndexBusyError:
                # A CLI ingest or reindex holds the writer; the next round tries again.
                logger.info("index_busy")
            except Exception:
                # The follower must outlive a database hiccup; the failure is logged in full.
                logger.exception("index_follow_failed")


class PublishingFollower:
    """Renders changed union records' OAI-PMH text every few seconds, in a background thread.

    The web server runs one in each worker, so ingest (in any process) never
    renders: until a follower reaches a record, harvesters are served a fresh
    render of it. Only the follower holding the publisher lock (a file in the
    data folder, like the index writer's) renders, so workers do not render
    the same records twice. Its first round reads the whole change log, in
    the thread, so the server starts without waiting; `stop` waits at most
    one batch.
    """

    def __init__(
        self,
        store: SqlCatalogue,
        settings: Settings,
        refresh_seconds: float = PUBLISHING_REFRESH_SECONDS,
    ) -> None:
        self.publisher = SqlMetadataPublisher(store.engine)
        self.lock = IndexWriterLock(settings.home / PUBLISHER_LOCK_FILE)
        self.refresh_seconds = refresh_seconds
        self._resume_after = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="publishing-follower", daemon=True)

    def start(self) -> None:
        """Start following in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Stop following, wait for the thread and let another process render."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self.lock.release()

    def catch_up(self) -> int:
        """Render the records changed since the last round; return how many (0 without the lock)."""
        if not self.lock.try_acquire():
            return 0
        done = publish_stale_metadata(
            self.publisher, self._resume_after, stopping=self._stop.is_set
        )
        self._resume_after = done.resume_after
        return done.records

    def _run(self) -> None:
        while True:
            try:
                self.catch_up()
            except Exception:
                # The follower must outlive a database hiccup; the failure is logged in full.
                logger.exception("publishing_follow_failed")
            if self._stop.wait(self.refresh_seconds):
                return
