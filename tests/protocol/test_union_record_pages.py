"""Why records are one, and merged ids redirecting, through a real HTTP server (issue #4)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select

from mucluc.config import Settings
from mucluc.core.model import LibraryInfo
from mucluc.services.catalogue import add_library
from mucluc.services.ingest import ingest_bytes
from mucluc.services.matching import merge_union_records
from mucluc.storage.tables import SourceRecord
from mucluc.web.app import create_app
from mucluc.wiring import initialise_home, open_store
from tests.builders import make_marc_file, make_marc_record
from tests.servers import running_server


@dataclass(frozen=True)
class Catalogue:
    base_url: str
    matched_id: int  # two libraries' records joined by the matcher
    survivor_id: int  # a staff merge kept this id ...
    absorbed_id: int  # ... and this one redirects to it


def union_id_of(settings: Settings, local_id: str) -> int:
    """The union record a source record (by its local id) belongs to."""
    with open_store(settings).transaction() as transaction:
        union_id = transaction.session.scalar(
            select(SourceRecord.union_record_id).where(SourceRecord.local_id == local_id)
        )
    assert union_id is not None
    return int(union_id)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalogue]:
    settings = Settings(home=tmp_path_factory.mktemp("union-home"), index_refresh_seconds=0.2)
    initialise_home(settings)
    store = open_store(settings)
    add_library(store, LibraryInfo("VN-NLV", "Thư viện Quốc gia", "National", "national"))
    add_library(store, LibraryInfo("VN-HCM", "Thư viện TP.HCM", "HCMC", "provincial"))
    ingest_bytes(
        store,
        "VN-NLV",
        make_marc_file(
            make_marc_record("n1", "Truyện Kiều", isbn="978-604-0-00001-9", author="Nguyễn Du"),
            make_marc_record("n2", "Số đỏ", author="Vũ Trọng Phụng"),
        ),
        source_name="nlv.mrc",
    )
    ingest_bytes(
        store,
        "VN-HCM",
        make_marc_file(
            make_marc_record("h1", "Truyện Kiều", isbn="9786040000019", author="Nguyễn, Du"),
            make_marc_record("h2", "Số đỏ : tiểu thuyết", author="Vũ, Trọng Phụng", year=1936),
        ),
        source_name="hcm.mrc",
    )
    survivor, absorbed = union_id_of(settings, "n2"), union_id_of(settings, "h2")
    merge_union_records(store, [survivor, absorbed], reason="the 1936 first printing")
    with running_server(create_app(settings)) as url:
        yield Catalogue(url, union_id_of(settings, "n1"), survivor, absorbed)


@pytest.fixture
def client(served: Catalogue) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served.base_url, timeout=10) as client:
        yield client


def test_api_record_says_why_its_members_are_one(client: httpx.Client, served: Catalogue) -> None:
    why = client.get(f"/api/v1/records/{served.matched_id}").json()["why"]
    assert why["members"] == [
        {"library": "VN-NLV", "local_id": "n1"},
        {"library": "VN-HCM", "local_id": "h1"},
    ]
    (link,) = why["links"]
    assert (link["left"], link["right"], link["kind"]) == ("VN-NLV:n1", "VN-HCM:h1", "match")
    assert {"field": "isbn", "rule": "isbn-shared"}.items() <= link["evidence"][0].items()


def test_record_page_shows_the_evidence(client: httpx.Client, served: Catalogue) -> None:
    page = client.get(f"/records/{served.matched_id}", params={"lang": "en"})
    assert "Why these records are one" in page.text
    assert '<td title="isbn-shared">same ISBN</td>' in page.text  # the rule's code on hover
    vietnamese = client.get(f"/records/{served.matched_id}", params={"lang": "vi"})
    assert '<td title="isbn-shared">trùng ISBN</td>' in vietnamese.text
    assert "<td>Nhan đề</td>" in vietnamese.text


def test_staff_merge_is_explained_with_its_reason(client: httpx.Client, served: Catalogue) -> None:
    (link,) = client.get(f"/api/v1/records/{served.survivor_id}").json()["why"]["links"]
    assert (link["kind"], link["reason"]) == ("staff-merge", "the 1936 first printing")


def test_absorbed_id_redirects_on_the_page_and_in_the_api(
    client: httpx.Client, served: Catalogue
) -> None:
    page = client.get(f"/records/{served.absorbed_id}")
    api = client.get(f"/api/v1/records/{served.absorbed_id}")
    assert page.status_code == api.status_code == 301
    assert page.headers["location"].endswith(f"/records/{served.survivor_id}")
    assert api.headers["location"].endswith(f"/api/v1/records/{served.survivor_id}")
    assert api.json() == {
        "id": served.absorbed_id,
        "status": "merged",
        "merged_into": served.survivor_id,
    }
