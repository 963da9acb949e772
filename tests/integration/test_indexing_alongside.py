"""A large load indexed by a second process while it is stored, on both stores."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mucluc.config import Settings
from mucluc.indexing_alongside import IndexingAlongside
from mucluc.search.index import TantivyIndex
from mucluc.services.indexing import apply_pending_changes
from mucluc.services.search import reader_search_request, search_catalogue
from mucluc.storage.repository import SqlCatalogue
from mucluc.wiring import INDEX_WRITER_LOCK_FILE, IndexWriterLock, open_store
from tests.builders import home_with_national_library, ingest_title

TITLES = ("Sông Đà", "Sông Hồng", "Cửu Long", "Đồng Nai")


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return home_with_national_library(tmp_path / "home", database_url)


@pytest.fixture
def live_store(settings: Settings) -> Iterator[SqlCatalogue]:
    """The data folder's store."""
    store = open_store(settings)
    yield store
    store.engine.dispose()


def found(settings: Settings, text: str) -> int:
    return search_catalogue(TantivyIndex(settings.index_path), reader_search_request(text)).total


def test_every_change_stored_while_it_runs_is_indexed_when_it_finishes(
    settings: Settings, live_store: SqlCatalogue
) -> None:
    with IndexingAlongside(settings) as indexing:
        for number, title in enumerate(TITLES):
            ingest_title(live_store, f"r{number}", title)
        outcome = indexing.finish()
    assert (outcome.applied, outcome.busy) == (len(TITLES), False)
    assert [found(settings, text) for text in ("song", "cuu long", "dong nai")] == [2, 1, 1]
    assert TantivyIndex(settings.index_path).applied_sequence() > 0


def test_the_batches_stored_before_ingest_failed_are_still_indexed(
    settings: Settings, live_store: SqlCatalogue
) -> None:
    def ingest_then_fail() -> None:
        with IndexingAlongside(settings):
            ingest_title(live_store, "r1", "Sông Đà")
            raise RuntimeError("the file ended early")

    with pytest.raises(RuntimeError, match="the file ended early"):
        ingest_then_fail()
    assert found(settings, "song da") == 1


def test_it_leaves_the_index_to_the_process_that_writes_it(
    settings: Settings, live_store: SqlCatalogue
) -> None:
    server = IndexWriterLock(settings.home / INDEX_WRITER_LOCK_FILE)
    assert server.try_acquire()
    try:
        with IndexingAlongside(settings) as indexing:
            ingest_title(live_store, "r1", "Sông Đà")
        assert indexing.finish().busy
        assert found(settings, "song da") == 0
    finally:
        server.release()
    assert apply_pending_changes(live_store, TantivyIndex(settings.index_path)) == 1
    assert found(settings, "song da") == 1


def running_indexing_process(settings: Settings) -> int:
    """The pid of the indexing process, once its first round has applied the change log."""
    index = TantivyIndex(settings.index_path)
    deadline = time.monotonic() + 60
    while index.applied_sequence() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    children = multiprocessing.active_children()
    (child,) = [process for process in children if process.name == "mucluc-indexing"]
    assert child.pid is not None
    return child.pid


def test_ctrl_c_leaves_it_to_apply_what_ingest_stored_before_stopping(
    settings: Settings, live_store: SqlCatalogue
) -> None:
    with IndexingAlongside(settings) as indexing:
        ingest_title(live_store, "r1", "Sông Đà")
        os.kill(running_indexing_process(settings), signal.SIGINT)  # as Ctrl-C sends it
        ingest_title(live_store, "r2", "Sông Hồng")
        outcome = indexing.finish()
    assert outcome.applied == 2
    assert found(settings, "song") == 2


def test_an_indexing_process_that_died_is_reported(
    settings: Settings, live_store: SqlCatalogue
) -> None:
    def ingest_while_it_dies() -> None:
        with IndexingAlongside(settings) as indexing:
            ingest_title(live_store, "r1", "Sông Đà")
            os.kill(running_indexing_process(settings), signal.SIGKILL)
            indexing.finish()

    with pytest.raises(RuntimeError, match="ended without a result"):
        ingest_while_it_dies()
