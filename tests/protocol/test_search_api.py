"""Search through HTTP: /api/v1/search and /search with fields, facets, filters, sort, freshness."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mucluc.config import Settings
from mucluc.services.catalogue import add_library
from mucluc.services.ingest import ingest_bytes
from mucluc.web.app import create_app
from mucluc.wiring import initialise_home, open_store
from tests.builders import make_marc_file, make_marc_record
from tests.conftest import LIBRARIES
from tests.servers import running_server


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = Settings(home=tmp_path_factory.mktemp("search-api"), index_refresh_seconds=0.2)
    initialise_home(settings)
    store = open_store(settings)
    for library in LIBRARIES:
        add_library(store, library)
    ingest_bytes(
        store,
        "VN-NLV",
        make_marc_file(
            make_marc_record("n1", "Truyện Kiều", author="Nguyễn, Du", year=1999),
            make_marc_record("n2", "Lịch sử Việt Nam", year=2010),
            make_marc_record("n3", "Đường về Đà Nẵng", year=2001),
        ),
        source_name="nlv.mrc",
    )
    ingest_bytes(
        store,
        "VN-HCM",
        make_marc_file(make_marc_record("h1", "Dương cầm", year=1985)),
        source_name="hcm.mrc",
    )
    with running_server(create_app(settings)) as url:
        yield url


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        yield client


def test_api_search_returns_facets_sorted_hits_and_fielded_matches(client: httpx.Client) -> None:
    body = client.get(
        "/api/v1/search",
        params={"q": "", "sort": "year_asc", "facet": ["library", "decade"]},
    ).json()
    assert [hit["year"] for hit in body["hits"]] == [1985, 1999, 2001, 2010]
    assert body["facets"]["library"] == [
        {"value": "VN-NLV", "count": 3},
        {"value": "VN-HCM", "count": 1},
    ]
    assert {item["value"] for item in body["facets"]["decade"]} == {"1980", "1990", "2000", "2010"}
    (hit,) = client.get("/api/v1/search", params={"q": "author:Du Nguyễn"}).json()["hits"]
    assert hit["title"] == "Truyện Kiều"


def test_api_search_filters_by_facet_value(client: httpx.Client) -> None:
    body = client.get("/api/v1/search", params={"filter": "library_type:provincial"}).json()
    assert [hit["title"] for hit in body["hits"]] == ["Dương cầm"]


def test_api_malformed_query_is_a_problem_naming_it(client: httpx.Client) -> None:
    answer = client.get("/api/v1/search", params={"q": "colour:red"})
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"
    assert "unknown field 'colour'" in answer.json()["detail"]
    assert client.get("/api/v1/search", params={"q": '"open'}).status_code == 400
    assert client.get("/api/v1/search", params={"sort": "colour"}).status_code == 400


def test_search_page_offers_facets_and_sort(client: httpx.Client) -> None:
    page = client.get("/search", params={"q": "duong", "sort": "title"})
    assert page.status_code == 200
    assert 'value="title" selected' in page.text
    assert "filter=library%3AVN-NLV" in page.text
    assert page.text.index("<mark>Dương</mark> cầm") < page.text.index(
        "<mark>Đường</mark> về Đà Nẵng"
    )
