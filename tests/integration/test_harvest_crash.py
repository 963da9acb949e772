"""Crash safety: `mucluc harvest` SIGKILLed at seeded points resumes and ends as one clean run.

The provider is a real mucluc serving OAI-PMH on loopback; the harvester
is the real command line. Each kill lands after some pages are stored and
before the last; the next run resumes from the saved resumption token.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mucluc.cli.harvest import state_path
from mucluc.config import Settings
from mucluc.harvest.oai import OaiHarvester
from mucluc.services.catalogue import add_library
from mucluc.services.harvest import HarvestState, harvest_library
from mucluc.services.ingest import ingest_bytes
from mucluc.storage.accounts import SqlSecurityStore
from mucluc.storage.repository import SqlCatalogue
from mucluc.web.app import create_app
from mucluc.wiring import initialise_home, open_store
from tests.conftest import LIBRARIES
from tests.crash import (
    RunningMucluc,
    catalogue_state,
    committed,
    kill_points,
    library_file,
    mucluc_environment,
    reference_catalogue,
    run_mucluc,
)
from tests.servers import running_server

PROVIDED = 240
PAGE_SIZE = 30
LOCAL = 60  # records the harvesting catalogue holds already, sharing ISBNs with the provider's
HARVESTED_INTO = "VN-VNU"


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A mucluc with PROVIDED union records serving OAI-PMH pages of PAGE_SIZE."""
    settings = Settings(
        home=tmp_path_factory.mktemp("provider"),
        oai_page_size=PAGE_SIZE,
        index_refresh_seconds=60,
    )
    initialise_home(settings)
    store = open_store(settings)
    for library in LIBRARIES:
        add_library(store, library)
    ingest_bytes(store, "VN-NLV", library_file("p", 0, PROVIDED), source_name="provider.mrc")
    with running_server(create_app(settings)) as base_url:
        yield f"{base_url}/oai"
    store.engine.dispose()


def test_harvest_killed_at_seeded_points_resumes_to_an_uninterrupted_result(
    provider: str, catalogue: SqlCatalogue, database_url: str, tmp_path: Path
) -> None:
    local = library_file("h", 7, LOCAL)
    ingest_bytes(catalogue, "VN-HCM", local, source_name="hcm.mrc")
    home = tmp_path / "home"
    environment = mucluc_environment(home, database_url)
    command = ("harvest", "--library", HARVESTED_INTO, provider)

    # Each point is a number of stored records, past the first page, two pages before the end.
    for point in kill_points(seed=9, count=3, low=PAGE_SIZE + 1, high=PROVIDED - 2 * PAGE_SIZE):
        RunningMucluc(environment, *command).kill_when(
            lambda point=point: committed(catalogue, HARVESTED_INTO) >= point
        )
        assert committed(catalogue, HARVESTED_INTO) < PROVIDED, "the kill should land mid-harvest"
        saved = json.loads(state_path(home, HARVESTED_INTO).read_text(encoding="utf-8"))
        assert saved["resumption_token"], "a killed harvest leaves a token to resume from"
    summary = json.loads(run_mucluc(environment, *command, "--json"))
    assert summary["resumed"]
    assert summary["harvested"] < PROVIDED
    audit_log = SqlSecurityStore(catalogue.engine)
    harvests = [
        event
        for event in audit_log.read_audit_events(library_code=HARVESTED_INTO, after_id=0, limit=50)
        if event.action == "records.harvest"
    ]
    assert [(event.target, event.details["pages"]) for event in harvests] == [
        (provider, summary["pages"])
    ], "the run that finished is audited once; killed runs leave only their ingest jobs"

    reference = reference_catalogue(tmp_path / "reference.db")
    ingest_bytes(reference, "VN-HCM", local, source_name="hcm.mrc")
    with httpx.Client() as client:
        uninterrupted = harvest_library(
            reference, HARVESTED_INTO, OaiHarvester(client), HarvestState(url=provider)
        )
    assert uninterrupted.harvested == PROVIDED
    assert committed(catalogue, HARVESTED_INTO) == PROVIDED
    assert catalogue_state(catalogue) == catalogue_state(reference)
    reference.engine.dispose()
