"""Crash safety of the search index: `mucluc reindex` and the change-log follower SIGKILLed.

A killed reindex leaves the live index answering as before (the new one is
built beside it) and a re-run converges; a follower killed between batches
resumes from the position the index recorded and converges too.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from mucluc.config import Settings
from mucluc.search.index import TantivyIndex
from mucluc.services.catalogue import add_library
from mucluc.services.indexing import CHANGES_PER_BATCH, rebuild_index
from mucluc.services.ingest import ingest_bytes
from mucluc.services.matching import rebuild_union_records
from mucluc.services.search import reader_search_request, search_catalogue
from mucluc.storage.repository import SqlCatalogue
from mucluc.wiring import (
    IndexFollower,
    initialise_home,
    open_index,
    open_store,
    rebuild_live_index,
)
from tests.conftest import LIBRARIES
from tests.crash import RunningMucluc, kill_points, library_file, mucluc_environment, run_mucluc
from tests.servers import free_port

RECORDS = 600  # two libraries sharing most books: 605 union records, two rebuild batches
QUERIES = ("sách", "sach 7", "sách 12", "giáo dục", "hà nội", "không có sách này")


@pytest.fixture(scope="module")
def unindexed_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home whose store has a long change log (ingests, then rebuilds) and an empty index."""
    settings = Settings(home=tmp_path_factory.mktemp("unindexed"))
    initialise_home(settings)
    store = open_store(settings)
    for library in LIBRARIES:
        add_library(store, library)
    ingest_bytes(store, "VN-NLV", library_file("n", 0, RECORDS), source_name="nlv.mrc")
    ingest_bytes(store, "VN-HCM", library_file("h", 5, RECORDS), source_name="hcm.mrc")
    rebuild_union_records(store)  # logs one more change per union record
    store.engine.dispose()
    return settings.home


def copied_home(unindexed_home: Path, tmp_path: Path) -> tuple[Settings, SqlCatalogue]:
    home = tmp_path / "home"
    shutil.copytree(unindexed_home, home)
    settings = Settings(home=home, index_refresh_seconds=60)
    return settings, open_store(settings)


def hit_counts(index: TantivyIndex) -> dict[str, int]:
    return {query: search_catalogue(index, reader_search_request(query)).total for query in QUERIES}


def uninterrupted_counts(store: SqlCatalogue, folder: Path) -> dict[str, int]:
    """Hit counts of an index built from the store in one go."""
    built = rebuild_index(store, lambda: TantivyIndex(folder))
    counts = hit_counts(TantivyIndex(folder))
    assert counts[QUERIES[0]] == built > RECORDS
    return counts


def latest_sequence(store: SqlCatalogue) -> int:
    with store.transaction() as transaction:
        return transaction.latest_change_sequence()


def test_reindex_killed_mid_build_keeps_search_answering_and_a_rerun_converges(
    unindexed_home: Path, tmp_path: Path
) -> None:
    settings, store = copied_home(unindexed_home, tmp_path)
    rebuild_live_index(settings, store)
    before = hit_counts(open_index(settings))
    rebuilding = settings.index_path.with_name(f"{settings.index_path.name}.rebuilding")
    environment = mucluc_environment(settings.home)
    seeded = random.Random(11)
    # Kill as the new index is begun, or once the first of its two batches is in.
    for batches in (0, 1, seeded.choice((0, 1))):
        running = RunningMucluc(environment, "--debug", "reindex")
        running.kill_when(
            lambda batches=batches, running=running: (
                rebuilding.exists() and running.said("index_rebuild_progress") >= batches
            ),
            then_wait=seeded.random() / 50,
        )
        assert rebuilding.exists(), "the kill should land while the new index is being built"
        assert hit_counts(open_index(settings)) == before

    ingest_bytes(store, "VN-VNU", library_file("v", 1_000, 50), source_name="vnu.mrc")
    assert run_mucluc(environment, "reindex").startswith("indexed ")
    assert not rebuilding.exists()
    after = hit_counts(open_index(settings))
    assert after == uninterrupted_counts(store, tmp_path / "reference")
    assert after != before  # the re-run saw the records ingested since
    store.engine.dispose()


def test_follower_killed_between_batches_resumes_and_converges(
    unindexed_home: Path, tmp_path: Path
) -> None:
    settings, store = copied_home(unindexed_home, tmp_path)
    latest = latest_sequence(store)
    reference = uninterrupted_counts(store, tmp_path / "reference")
    # Commits after every batch, so that the kills land between committed batches.
    environment = {
        **mucluc_environment(settings.home),
        "MUCLUC_INDEX_COMMIT_CHANGES": str(CHANGES_PER_BATCH),
    }
    command = ("serve", "--host", "127.0.0.1", "--port", str(free_port()))
    index = open_index(settings)
    # Each point is a change-log position the index must pass, with a batch still to apply.
    for point in kill_points(seed=5, count=2, low=1, high=latest - 2 * CHANGES_PER_BATCH):
        RunningMucluc(environment, *command).kill_when(
            lambda point=point: index.applied_sequence() >= point
        )
        assert 0 < index.applied_sequence() < latest, "the kill should land mid-catch-up"

    follower = IndexFollower(store, settings)
    follower.catch_up()
    follower.stop()
    assert follower.index.applied_sequence() == latest
    assert hit_counts(follower.index) == reference
    store.engine.dispose()


def test_a_swap_killed_between_its_renames_loses_no_index(
    unindexed_home: Path, tmp_path: Path
) -> None:
    settings, store = copied_home(unindexed_home, tmp_path)
    rebuild_live_index(settings, store)
    before = hit_counts(open_index(settings))
    # What `replace_index_folder` leaves when killed after its first rename.
    settings.index_path.rename(settings.index_path.with_name("index.retired"))
    assert hit_counts(open_index(settings)) == before
    store.engine.dispose()
