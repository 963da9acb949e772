"""Several index followers on one data folder, as in the workers of `mucluc serve --workers N`."""

from __future__ import annotations

from pathlib import Path

import pytest

from mucluc.config import Settings
from mucluc.search.index import TantivyIndex
from mucluc.services.search import reader_search_request, search_catalogue
from mucluc.wiring import IndexFollower, open_store, rebuild_live_index
from tests.builders import home_with_national_library, ingest_title


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return home_with_national_library(tmp_path)


def found(index: TantivyIndex, text: str) -> int:
    return search_catalogue(index, reader_search_request(text)).total


def test_one_follower_writes_the_index_and_the_others_see_its_commits(
    settings: Settings,
) -> None:
    writer = IndexFollower(open_store(settings), settings)
    reader = IndexFollower(open_store(settings), settings)
    try:
        writer.catch_up()
        ingest_title(writer.store, "a1", "Sông Đà")
        assert reader.catch_up() == 0  # not the writer: it applies nothing
        assert found(reader.index, "song da") == 0
        assert writer.catch_up() == 1
        reader.catch_up()
        assert found(reader.index, "song da") == 1
    finally:
        writer.stop()
        reader.stop()


def test_another_follower_writes_once_the_writer_has_stopped(settings: Settings) -> None:
    writer = IndexFollower(open_store(settings), settings)
    successor = IndexFollower(open_store(settings), settings)
    try:
        writer.catch_up()
        successor.catch_up()
        writer.stop()
        ingest_title(successor.store, "a2", "Sông Hồng")
        assert successor.catch_up() == 1
        assert found(successor.index, "song hong") == 1
    finally:
        successor.stop()


def test_a_follower_that_does_not_write_reopens_the_index_a_rebuild_swapped_in(
    settings: Settings,
) -> None:
    writer = IndexFollower(open_store(settings), settings)
    reader = IndexFollower(open_store(settings), settings)
    try:
        writer.catch_up()
        reader.catch_up()
        before = reader.index
        ingest_title(writer.store, "a3", "Cửu Long")
        rebuild_live_index(settings, writer.store)
        assert reader.catch_up() == 0
        assert reader.index is not before
        assert found(reader.index, "cuu long") == 1
    finally:
        writer.stop()
        reader.stop()
