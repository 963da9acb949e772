"""Build the concrete adapters from settings: the one place that knows which store and index.

Entry points (`cli/main.py`, `web/app.py`) call these; services receive the
results through their ports.
"""

from __future__ import annotations

import logging
import shutil
import threading
from dataclasses import fields, replace
from typing import Any

from mucluc.config import Settings
from mucluc.core.dedup.compare import ComparisonWeights
from mucluc.core.dedup.decide import DedupPolicy
from mucluc.errors import ConfigurationError, IndexBusyError
from mucluc.search.index import TantivyIndex, replace_index_folder
from mucluc.services.indexing import apply_pending_changes, rebuild_index
from mucluc.storage.database import is_initialised, make_engine, upgrade_database
from mucluc.storage.repository import SqlCatalogue

logger = logging.getLogger(__name__)


def initialise_home(settings: Settings) -> None:
    """Create the data folder, migrate the store to the newest schema, create the index."""
    settings.home.mkdir(parents=True, exist_ok=True)
    upgrade_database(make_engine(settings.resolved_database_url))
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
    if settings.dedup_preferred_libraries is not None:
        changes["source_priority"] = replace(
            policy.source_priority, library_codes=tuple(settings.dedup_preferred_libraries)
        )
    return replace(policy, **changes)


def open_store(settings: Settings, *, migrate: bool = False) -> SqlCatalogue:
    """The store named by the settings; with `migrate`, brought to the newest schema first."""
    if settings.resolved_database_url.startswith("sqlite"):
        settings.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
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


class IndexFollower:
    """Applies the change log to the index every few seconds, in a background thread.

    The web server runs one so that records ingested by another process
    become searchable without a restart.
    """

    def __init__(self, store: SqlCatalogue, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.index = open_index(settings)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="index-follower", daemon=True)

    def start(self) -> None:
        """Catch up once, then keep following in the background."""
        self.catch_up()
        self._thread.start()

    def stop(self) -> None:
        """Stop following and wait for the thread."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def catch_up(self) -> int:
        """Apply pending changes now (after a rebuild, to the new index)."""
        self.index = self.index.reopen_if_replaced()
        return apply_pending_changes(self.store, self.index)

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
