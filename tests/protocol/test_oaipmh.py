"""The OAI-PMH provider: every verb and error, schema-valid, paged safely, harvested by Sickle."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from lxml import etree
from sickle import Sickle
from sqlalchemy import update
from sqlalchemy.orm import Session

from mucluc.config import Settings
from mucluc.protocols.oaipmh.verbs import Repository, respond
from mucluc.services.catalogue import add_library
from mucluc.services.ingest import ingest_bytes
from mucluc.storage.harvesting import SqlPublicationSource
from mucluc.storage.repository import SqlCatalogue
from mucluc.storage.tables import Change, UnionRecord
from mucluc.web.app import create_app
from mucluc.wiring import initialise_home, open_store
from tests.builders import make_marc_file, make_marc_record
from tests.conftest import LIBRARIES
from tests.protocol.schemas import assert_valid, oai_pmh_schema
from tests.servers import running_server

OAI = "{http://www.openarchives.org/OAI/2.0/}"
NOW = datetime(2030, 1, 1, tzinfo=UTC)


def repository(page_size: int = 4) -> Repository:
    return Repository(
        name="mucluc test",
        base_url="http://127.0.0.1/oai",
        admin_email="catalogue@mucluc.invalid",
        repository_identifier="mucluc.vn",
        page_size=page_size,
    )


def load_records(store: SqlCatalogue) -> None:
    """Ten NLV records, two HCM records (one shares an ISBN), one VNU record."""
    ingest_bytes(
        store,
        "VN-NLV",
        make_marc_file(
            make_marc_record(
                "n1", "Lịch sử Việt Nam /", isbn="978-604-0-00001-9", author="Phan Huy Lê"
            ),
            *(make_marc_record(f"n{n}", f"Giáo trình kinh tế tập {n}") for n in range(2, 11)),
        ),
        source_name="nlv.mrc",
    )
    ingest_bytes(
        store,
        "VN-HCM",
        make_marc_file(
            make_marc_record("h1", "Lịch sử Việt Nam", isbn="9786040000019"),
            make_marc_record("h2", "Truyện Kiều", isbn="978-0-306-40615-7"),
        ),
        source_name="hcm.mrc",
    )
    ingest_bytes(
        store, "VN-VNU", make_marc_file(make_marc_record("v1", "Toán cao cấp")), source_name="v"
    )


def delete_by_moving(store: SqlCatalogue) -> None:
    """HCM deletes h2 (leader/05 'd'): its union record "Truyện Kiều" is emptied and deleted.

    (A record that changes but matches nothing keeps its union record id since #4.)
    """
    deletion = make_marc_record("h2", "Truyện Kiều", isbn="978-0-306-40615-7")
    deletion.leader = deletion.leader[:5] + "d" + deletion.leader[6:]
    ingest_bytes(store, "VN-HCM", make_marc_file(deletion), source_name="hcm-2.mrc")


def ask(store: SqlCatalogue, page_size: int = 4, **arguments: str | list[str]) -> etree._Element:
    values = {
        name: value if isinstance(value, list) else [value] for name, value in arguments.items()
    }
    document = respond(values, SqlPublicationSource(store.engine), repository(page_size), NOW)
    assert_valid(oai_pmh_schema(), document)
    return etree.fromstring(document)


def error_code(root: etree._Element) -> str | None:
    error = root.find(f"{OAI}error")
    return None if error is None else error.get("code")


def harvest(
    store: SqlCatalogue, verb: str = "ListIdentifiers", **arguments: str
) -> list[tuple[str, bool]]:
    """Every (identifier, deleted) a list request returns, following tokens."""
    found = []
    root = ask(store, verb=verb, **arguments)
    while True:
        assert error_code(root) is None, etree.tostring(root)
        for header in root.iter(f"{OAI}header"):
            found.append((header.findtext(f"{OAI}identifier"), header.get("status") == "deleted"))
        token = root.findtext(f".//{OAI}resumptionToken")
        if not token:
            return found
        root = ask(store, verb=verb, resumptionToken=token)


@pytest.fixture
def loaded(catalogue: SqlCatalogue) -> SqlCatalogue:
    load_records(catalogue)
    return catalogue


def identifiers_of(store: SqlCatalogue) -> tuple[set[str], set[str]]:
    with Session(store.engine) as session:
        rows = session.query(UnionRecord.id, UnionRecord.status).all()
    active = {f"oai:mucluc.vn:{id_}" for id_, status in rows if status == "active"}
    return active, {f"oai:mucluc.vn:{id_}" for id_, status in rows if status != "active"}


@pytest.mark.postgres
def test_identify_is_valid_and_says_deletions_are_persistent(loaded: SqlCatalogue) -> None:
    root = ask(loaded, verb="Identify")
    assert root.findtext(f".//{OAI}deletedRecord") == "persistent"
    assert root.findtext(f".//{OAI}granularity") == "YYYY-MM-DDThh:mm:ssZ"
    assert root.find(f"{OAI}request").get("verb") == "Identify"


@pytest.mark.postgres
def test_list_records_pages_through_every_record_and_deletion(loaded: SqlCatalogue) -> None:
    delete_by_moving(loaded)
    active, deleted = identifiers_of(loaded)
    for prefix in ("marc21", "oai_dc"):
        found = harvest(loaded, "ListRecords", metadataPrefix=prefix)
        assert len(found) == len(set(found))
        assert {identifier for identifier, gone in found if not gone} == active
        assert {identifier for identifier, gone in found if gone} == deleted
    assert len(deleted) == 1


@pytest.mark.postgres
def test_sets_select_records_by_library_type_and_province(loaded: SqlCatalogue) -> None:
    sets = ask(loaded, verb="ListSets")
    specs = [element.text for element in sets.iter(f"{OAI}setSpec")]
    assert {
        "library:VN-NLV",
        "type:university",
        "province:ha-noi",
        "province:tp-ho-chi-minh",
    } <= set(specs)
    hcm = harvest(loaded, metadataPrefix="marc21", set="library:VN-HCM")
    university = harvest(loaded, metadataPrefix="oai_dc", set="type:university")
    ha_noi = harvest(loaded, metadataPrefix="marc21", set="province:ha-noi")
    assert len(hcm) == 2  # "Lịch sử Việt Nam" (shared with NLV) and "Truyện Kiều"
    assert len(university) == 1
    assert len(ha_noi) == 11  # NLV's ten and VNU's one


@pytest.mark.postgres
def test_a_record_changed_while_paging_is_neither_skipped_nor_lost(loaded: SqlCatalogue) -> None:
    first = ask(loaded, verb="ListIdentifiers", metadataPrefix="marc21")
    seen = [header.findtext(f"{OAI}identifier") for header in first.iter(f"{OAI}header")]
    token = first.findtext(f".//{OAI}resumptionToken")
    # A record already served changes, and so does one not yet served.
    ingest_bytes(
        loaded,
        "VN-NLV",
        make_marc_file(
            make_marc_record("n2", "Giáo trình kinh tế tập 2, tái bản"),
            make_marc_record("n9", "Giáo trình kinh tế tập 9, tái bản"),
        ),
        source_name="nlv-2.mrc",
    )
    root = ask(loaded, verb="ListIdentifiers", resumptionToken=token)
    while True:
        seen += [header.findtext(f"{OAI}identifier") for header in root.iter(f"{OAI}header")]
        token = root.findtext(f".//{OAI}resumptionToken")
        if not token:
            break
        root = ask(loaded, verb="ListIdentifiers", resumptionToken=token)
    active, _ = identifiers_of(loaded)
    assert set(seen) == active
    assert len(seen) == len(active) + 1  # only the changed, already-served record comes again


@pytest.mark.postgres
def test_a_union_record_absorbed_by_a_merge_is_a_deleted_record(loaded: SqlCatalogue) -> None:
    active, _ = identifiers_of(loaded)
    absorbed, survivor = sorted(int(identifier.rsplit(":", 1)[1]) for identifier in active)[:2]
    with Session(loaded.engine) as session, session.begin():
        session.execute(
            update(UnionRecord)
            .where(UnionRecord.id == absorbed)
            .values(status="merged", merged_into_id=survivor)
        )
        session.add(Change(union_record_id=absorbed, operation="delete"))
    root = ask(
        loaded, verb="GetRecord", identifier=f"oai:mucluc.vn:{absorbed}", metadataPrefix="marc21"
    )
    header = root.find(f".//{OAI}header")
    assert header.get("status") == "deleted"
    assert root.find(f".//{OAI}metadata") is None


@pytest.mark.postgres
def test_from_and_until_select_by_datestamp(loaded: SqlCatalogue) -> None:
    everything = harvest(loaded, metadataPrefix="marc21")
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d")
    yesterday = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d")
    assert (
        harvest(loaded, metadataPrefix="marc21", **{"from": yesterday, "until": tomorrow})
        == everything
    )
    root = ask(loaded, verb="ListIdentifiers", metadataPrefix="marc21", **{"from": tomorrow})
    assert error_code(root) == "noRecordsMatch"
    root = ask(
        loaded, verb="ListIdentifiers", metadataPrefix="marc21", until="2000-01-01T00:00:00Z"
    )
    assert error_code(root) == "noRecordsMatch"


def test_a_token_outlives_the_reader_that_issued_it(loaded: SqlCatalogue) -> None:
    first = ask(loaded, verb="ListRecords", metadataPrefix="marc21")
    token = first.findtext(f".//{OAI}resumptionToken")
    restarted = SqlCatalogue(loaded.engine)  # a new process would build exactly this
    second = ask(restarted, verb="ListRecords", resumptionToken=token)
    assert error_code(second) is None
    assert second.find(f".//{OAI}resumptionToken").get("cursor") == "4"


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Explode"}, "badVerb"),
        ({"verb": ["Identify", "Identify"]}, "badVerb"),
        ({"verb": "Identify", "metadataPrefix": "marc21"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": ["marc21", "oai_dc"]}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21", "from": "yesterday"}, "badArgument"),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "marc21",
                "from": "2024-01-01",
                "until": "2024-01-02T00:00:00Z",
            },
            "badArgument",
        ),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "marc21",
                "from": "2024-02-01",
                "until": "2024-01-01",
            },
            "badArgument",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "marc21", "resumptionToken": "x"},
            "badArgument",
        ),
        ({"verb": "ListRecords", "resumptionToken": "not-a-token"}, "badResumptionToken"),
        ({"verb": "ListSets", "resumptionToken": "not-a-token"}, "badResumptionToken"),
        ({"verb": "ListRecords", "metadataPrefix": "mods"}, "cannotDisseminateFormat"),
        (
            {"verb": "ListRecords", "metadataPrefix": "marc21", "set": "library:NOWHERE"},
            "noRecordsMatch",
        ),
        (
            {"verb": "GetRecord", "identifier": "oai:mucluc.vn:1", "metadataPrefix": "mods"},
            "cannotDisseminateFormat",
        ),
        (
            {"verb": "GetRecord", "identifier": "oai:elsewhere:1", "metadataPrefix": "marc21"},
            "idDoesNotExist",
        ),
        (
            {"verb": "GetRecord", "identifier": "oai:mucluc.vn:99999", "metadataPrefix": "marc21"},
            "idDoesNotExist",
        ),
        ({"verb": "ListMetadataFormats", "identifier": "oai:mucluc.vn:99999"}, "idDoesNotExist"),
    ],
)
def test_every_error_condition_is_an_oai_error_element(
    loaded: SqlCatalogue, arguments: dict[str, str | list[str]], code: str
) -> None:
    root = ask(loaded, **arguments)
    assert error_code(root) == code
    if code in ("badVerb", "badArgument"):
        assert root.find(f"{OAI}request").attrib == {}


def test_list_metadata_formats_names_both_formats(loaded: SqlCatalogue) -> None:
    root = ask(loaded, verb="ListMetadataFormats", identifier="oai:mucluc.vn:1")
    prefixes = [element.text for element in root.iter(f"{OAI}metadataPrefix")]
    assert prefixes == ["oai_dc", "marc21"]


def test_get_record_publishes_every_members_holdings(loaded: SqlCatalogue) -> None:
    root = ask(loaded, verb="GetRecord", identifier="oai:mucluc.vn:1", metadataPrefix="marc21")
    marc = "{http://www.loc.gov/MARC21/slim}"
    holding_libraries = [
        field.findtext(f"{marc}subfield[@code='a']")
        for field in root.iter(f"{marc}datafield")
        if field.get("tag") == "852"
    ]
    assert holding_libraries == ["VN-NLV", "VN-HCM"]
    header_sets = [element.text for element in root.iter(f"{OAI}setSpec")]
    assert "library:VN-HCM" in header_sets


@pytest.fixture(scope="module")
def served_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, str]]:
    home = tmp_path_factory.mktemp("oai-home")
    settings = Settings(home=home, oai_page_size=3, index_refresh_seconds=60)
    initialise_home(settings)
    store = open_store(settings)
    for library in LIBRARIES:
        add_library(store, library)
    load_records(store)
    delete_by_moving(store)
    with running_server(create_app(settings)) as base_url:
        yield settings, f"{base_url}/oai"


def test_sickle_harvests_every_record_and_deletion_from_a_running_server(
    served_home: tuple[Settings, str],
) -> None:
    settings, url = served_home
    store = open_store(settings)
    active, deleted = identifiers_of(store)
    sickle = Sickle(url, max_retries=1, timeout=10)
    records = list(sickle.ListRecords(metadataPrefix="marc21", ignore_deleted=False))
    assert {r.header.identifier for r in records if not r.header.deleted} == active
    assert {r.header.identifier for r in records if r.header.deleted} == deleted
    for set_spec in ("library:VN-NLV", "type:provincial", "province:tp-ho-chi-minh"):
        headers = list(
            sickle.ListIdentifiers(metadataPrefix="oai_dc", set=set_spec, ignore_deleted=False)
        )
        expected = set(harvest(store, metadataPrefix="oai_dc", set=set_spec))
        assert {(h.identifier, h.deleted) for h in headers} == expected
    assert sickle.Identify().deletedRecord == "persistent"


def test_post_requests_are_answered_like_get(served_home: tuple[Settings, str]) -> None:
    _, url = served_home
    answer = httpx.post(url, data={"verb": "ListSets"}, timeout=10)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/xml")
    assert_valid(oai_pmh_schema(), answer.content)
    assert b"library:VN-VNU" in answer.content
