"""Harvesting over OAI-PMH from real servers on loopback: mucluc itself and recorded responses."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from mucluc.config import Settings
from mucluc.core.model import LibraryInfo
from mucluc.harvest.oai import HarvestError, OaiHarvester
from mucluc.services.catalogue import add_library
from mucluc.services.harvest import HarvestState, harvest_library
from mucluc.services.ingest import ingest_bytes
from mucluc.storage.repository import SqlCatalogue
from mucluc.storage.tables import SourceRecord, UnionRecord
from mucluc.web.app import create_app
from mucluc.wiring import initialise_home, open_store
from tests.builders import make_marc_file, make_marc_record
from tests.conftest import LIBRARIES
from tests.protocol.schemas import SHARED_DATA
from tests.servers import running_server

SICKLE = SHARED_DATA / "sickle-oai-pmh-responses"
TRAJECT = SHARED_DATA / "traject-oai-pmh-responses"
MOVABLE = iter(range(9, 1, -1))  # each run of the test moves another record of the first instance
HARVESTED = LibraryInfo("VN-A", "Thư viện A", "Library A", "provincial", "Huế")


def replay_app(first: Path, pages: dict[str, Path], failures: dict[str, int]) -> FastAPI:
    """Answers ListRecords from recorded files: the first page, then one file per token.

    `failures[token]` makes that many requests for the token fail with 503.
    """
    app = FastAPI()

    @app.get("/oai")
    def oai(request: Request) -> Response:
        token = request.query_params.get("resumptionToken")
        if token is None:
            return Response(first.read_bytes(), media_type="text/xml")
        if failures.get(token, 0) > 0:
            failures[token] -= 1
            return Response("busy", status_code=503, headers={"Retry-After": "0"})
        return Response(pages[token].read_bytes(), media_type="text/xml")

    return app


def sickle_pages() -> dict[str, Path]:
    return {
        name: SICKLE / name for name in ("ListRecords2.xml", "ListRecords3.xml", "ListRecords4.xml")
    }


@pytest.fixture
def library_a(store: SqlCatalogue) -> SqlCatalogue:
    add_library(store, HARVESTED)
    return store


def harvester(client: httpx.Client, attempts: int = 3) -> OaiHarvester:
    return OaiHarvester(
        client, max_attempts=attempts, first_backoff_seconds=0, sleep=lambda _s: None
    )


def source_statuses(store: SqlCatalogue) -> dict[str, str]:
    with Session(store.engine) as session:
        rows = session.execute(select(SourceRecord.local_id, SourceRecord.status))
        return dict(rows.all())


def test_recorded_oai_dc_responses_are_harvested_through_tokens_and_503s(
    library_a: SqlCatalogue,
) -> None:
    saved: list[HarvestState] = []
    app = replay_app(SICKLE / "ListRecords.xml", sickle_pages(), {"ListRecords3.xml": 2})
    with running_server(app) as base_url, httpx.Client() as client:
        state = HarvestState(url=f"{base_url}/oai", metadata_prefix="oai_dc")
        summary = harvest_library(
            library_a, "VN-A", harvester(client), state, save_state=saved.append
        )
    assert summary.pages == 4
    assert summary.harvested == 8
    assert summary.deleted == 3
    # ListRecords4.xml carries a deleted header without identifier: counted and named, not lost.
    assert summary.unconvertible == 1
    assert summary.problems == ["?: a record header has no identifier"]
    statuses = source_statuses(library_a)
    assert sum(1 for status in statuses.values() if status == "active") >= 1
    assert all(local_id.startswith("oai:") for local_id in statuses)
    assert saved[-1].resumption_token is None
    assert saved[-1].last_datestamp


def test_traject_recorded_responses_with_an_empty_final_token(library_a: SqlCatalogue) -> None:
    app = replay_app(
        TRAJECT / "oai-pmh-one-record-first.xml",
        {"dummy_resumption": TRAJECT / "oai-pmh-one-record-2.xml"},
        {},
    )
    with running_server(app) as base_url, httpx.Client() as client:
        state = HarvestState(url=f"{base_url}/oai", metadata_prefix="oai_dc")
        summary = harvest_library(library_a, "VN-A", harvester(client), state)
    assert (summary.pages, summary.harvested) == (2, 2)
    assert summary.counts["added"] == 2


def test_a_network_failure_mid_harvest_is_resumed_from_the_saved_token(
    library_a: SqlCatalogue,
) -> None:
    saved: list[HarvestState] = []
    app = replay_app(SICKLE / "ListRecords.xml", sickle_pages(), {"ListRecords3.xml": 10})
    with running_server(app) as base_url, httpx.Client() as client:
        state = HarvestState(url=f"{base_url}/oai", metadata_prefix="oai_dc")
        with pytest.raises(HarvestError, match="gave up after 3 attempts"):
            harvest_library(library_a, "VN-A", harvester(client), state, save_state=saved.append)
    interrupted = saved[-1]
    assert interrupted.resumption_token == "ListRecords3.xml"
    # The provider comes back (on another port: the state's URL is updated as a library would).
    back = replay_app(SICKLE / "ListRecords.xml", sickle_pages(), {})
    with running_server(back) as base_url, httpx.Client() as client:
        resumed = harvest_library(
            library_a,
            "VN-A",
            harvester(client),
            replace(interrupted, url=f"{base_url}/oai"),
        )
    assert resumed.resumed
    assert (resumed.pages, resumed.harvested) == (2, 4)
    # The recorded pages repeat one deleted and one live identifier.
    assert source_statuses(library_a) == {
        "oai:test.example.com:1585310": "deleted",
        "oai:test.example.com:1585322": "active",
    }


def test_a_stopped_server_is_a_harvest_error_after_retries(library_a: SqlCatalogue) -> None:
    with running_server(FastAPI()) as base_url:
        url = f"{base_url}/oai"
    with httpx.Client() as client, pytest.raises(HarvestError, match="ConnectError"):
        harvest_library(library_a, "VN-A", harvester(client, attempts=2), HarvestState(url=url))


@pytest.fixture(scope="module")
def first_instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SqlCatalogue, str]]:
    settings = Settings(
        home=tmp_path_factory.mktemp("first"), oai_page_size=4, index_refresh_seconds=60
    )
    initialise_home(settings)
    first = open_store(settings)
    for library in LIBRARIES:
        add_library(first, library)
    ingest_bytes(
        first,
        "VN-NLV",
        make_marc_file(
            make_marc_record(
                "n1", "Lịch sử Việt Nam", isbn="978-604-0-00001-9", author="Phan Huy Lê"
            ),
            *(make_marc_record(f"n{n}", f"Giáo trình kinh tế tập {n}") for n in range(2, 10)),
        ),
        source_name="nlv.mrc",
    )
    ingest_bytes(
        first,
        "VN-HCM",
        make_marc_file(make_marc_record("h1", "Lịch sử Việt Nam", isbn="9786040000019")),
        source_name="hcm.mrc",
    )
    with running_server(create_app(settings)) as base_url:
        yield first, f"{base_url}/oai"


def active_titles(store: SqlCatalogue) -> list[str]:
    with Session(store.engine) as session:
        return sorted(
            session.scalars(select(UnionRecord.title).where(UnionRecord.status == "active"))
        )


@pytest.mark.parametrize("prefix", ["marc21", "oai_dc"])
def test_a_harvest_from_one_mucluc_into_another_reproduces_its_records(
    first_instance: tuple[SqlCatalogue, str], library_a: SqlCatalogue, prefix: str
) -> None:
    first, url = first_instance
    saved: list[HarvestState] = []
    with httpx.Client() as client:
        state = HarvestState(url=url, metadata_prefix=prefix)
        summary = harvest_library(
            library_a, "VN-A", harvester(client), state, save_state=saved.append
        )
    assert summary.unconvertible == 0
    assert active_titles(library_a) == active_titles(first)
    with Session(library_a.engine) as session:
        union_id = session.scalar(
            select(UnionRecord.id).where(UnionRecord.title == "Lịch sử Việt Nam")
        )
    assert union_id is not None


def test_an_incremental_harvest_brings_changes_and_deletions(
    first_instance: tuple[SqlCatalogue, str], library_a: SqlCatalogue
) -> None:
    first, url = first_instance
    saved: list[HarvestState] = []
    with httpx.Client() as client:
        harvest_library(
            library_a, "VN-A", harvester(client), HarvestState(url=url), save_state=saved.append
        )
        # In the first instance a record is deleted: its union record is deleted too.
        deletion = make_marc_record(f"n{next(MOVABLE)}", "Lịch sử Việt Nam")
        deletion.leader = deletion.leader[:5] + "d" + deletion.leader[6:]
        ingest_bytes(first, "VN-NLV", make_marc_file(deletion), source_name="nlv-2.mrc")
        assert saved[-1].last_datestamp  # the second run asks only `from` there
        again = harvest_library(
            library_a, "VN-A", harvester(client), saved[-1], save_state=saved.append
        )
    assert saved[0].last_datestamp is None
    assert saved[-1].last_datestamp is not None
    assert again.counts["deleted"] == 1
    assert active_titles(library_a) == active_titles(first)
