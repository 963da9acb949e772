"""The contribution API, its authorisation matrix and the request limits, over real HTTP."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pymarc
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from mucluc.accounts.roles import Role
from mucluc.accounts.service import SYSTEM_ACTOR, create_account, create_api_key, sign_in
from mucluc.config import Settings
from mucluc.core.model import LibraryInfo
from mucluc.services.catalogue import add_library
from mucluc.services.ingest import ingest_bytes
from mucluc.storage.accounts import SqlSecurityStore
from mucluc.web.app import create_app
from mucluc.wiring import initialise_home, open_store
from tests.builders import make_marc_file, make_marc_record
from tests.servers import running_server

PASSWORD = "correct horse battery staple"
MARCXML_HEADER = b'<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass(frozen=True)
class Caller:
    """Credentials for one row of the matrix and the library it belongs to."""

    name: str
    headers: dict[str, str]
    cookies: dict[str, str]
    writes: frozenset[str]  # libraries whose records it may write
    exports: frozenset[str]  # libraries whose own export it may read
    authenticated: bool = True


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    home = tmp_path_factory.mktemp("contribution-home")
    settings = Settings(home=home, index_refresh_seconds=0.2, session_cookie_secure=False)
    initialise_home(settings)
    store = open_store(settings)
    add_library(store, LibraryInfo("VN-NLV", "Thư viện Quốc gia", "NLV", "national", "Hà Nội"))
    add_library(store, LibraryInfo("VN-HCM", "Thư viện TP.HCM", "HCMC", "provincial", "HCM"))
    return settings


@pytest.fixture(scope="module")
def security(settings: Settings) -> SqlSecurityStore:
    return SqlSecurityStore(open_store(settings).engine)


@pytest.fixture(scope="module")
def base_url(settings: Settings) -> Iterator[str]:
    with running_server(create_app(settings)) as url:
        yield url


@pytest.fixture(scope="module")
def callers(security: SqlSecurityStore) -> list[Caller]:
    """Every role, as a session (with its CSRF token) or an API key, plus nobody."""
    result = []
    for role, library in (
        (Role.NATIONAL_ADMINISTRATOR, None),
        (Role.LIBRARY_ADMINISTRATOR, "VN-NLV"),
        (Role.CATALOGUER, "VN-NLV"),
        (Role.MERGE_REVIEWER, None),
        (Role.API_READER, "VN-NLV"),
    ):
        username = role.value.replace("_", "-")
        create_account(
            security,
            SYSTEM_ACTOR,
            username=username,
            password=PASSWORD,
            role=role,
            library_code=library,
        )
        started = sign_in(
            security, username, PASSWORD, client_address="test", lifetime=timedelta(hours=1)
        )
        writes = {
            Role.NATIONAL_ADMINISTRATOR: {"VN-NLV", "VN-HCM"},
            Role.LIBRARY_ADMINISTRATOR: {"VN-NLV"},
            Role.CATALOGUER: {"VN-NLV"},
        }.get(role, set())
        exports = writes | ({"VN-NLV"} if role is Role.API_READER else set())
        result.append(
            Caller(
                f"session:{role.value}",
                {"X-CSRF-Token": started.csrf_token},
                {"mucluc_session": started.token},
                frozenset(writes),
                frozenset(exports),
            )
        )
    write_key = create_api_key(security, SYSTEM_ACTOR, "VN-NLV", scope="write").token
    read_key = create_api_key(security, SYSTEM_ACTOR, "VN-NLV", scope="read").token
    nlv = frozenset({"VN-NLV"})
    result.append(
        Caller("key:write:VN-NLV", {"Authorization": f"Bearer {write_key}"}, {}, nlv, nlv)
    )
    result.append(
        Caller("key:read:VN-NLV", {"Authorization": f"Bearer {read_key}"}, {}, frozenset(), nlv)
    )
    result.append(Caller("anonymous", {}, {}, frozenset(), frozenset(), authenticated=False))
    return result


def _record_bytes(local_id: str, title: str = "Văn học Việt Nam") -> bytes:
    return make_marc_file(make_marc_record(local_id, title))


def _client(base_url: str, caller: Caller) -> httpx.Client:
    return httpx.Client(base_url=base_url, headers=caller.headers, cookies=caller.cookies)


WRITE_ENDPOINTS = ("POST records", "PUT record", "DELETE record")


@pytest.mark.parametrize("endpoint", WRITE_ENDPOINTS)
@pytest.mark.parametrize("library", ["VN-NLV", "VN-HCM"])
def test_authorisation_matrix_covers_every_write_endpoint_and_role(
    base_url: str, settings: Settings, callers: list[Caller], endpoint: str, library: str
) -> None:
    store = open_store(settings)
    outcomes = {}
    for number, caller in enumerate(callers):
        local_id = f"m-{endpoint.split()[0].lower()}-{library}-{number}"
        # The record to replace or delete exists, so an allowed call succeeds.
        ingest_bytes(store, library, _record_bytes(local_id), source_name="setup.mrc")
        with _client(base_url, caller) as client:
            if endpoint == "POST records":
                response = client.post(
                    f"/api/v1/libraries/{library}/records",
                    content=_record_bytes(local_id + "-new"),
                    headers={"Content-Type": "application/marc"},
                )
            elif endpoint == "PUT record":
                response = client.put(
                    f"/api/v1/libraries/{library}/records/{local_id}",
                    content=_record_bytes(local_id, "Tên mới"),
                    headers={"Content-Type": "application/marc"},
                )
            else:
                response = client.delete(f"/api/v1/libraries/{library}/records/{local_id}")
        outcomes[caller.name] = response.status_code
    expected = {
        caller.name: 200 if library in caller.writes else 403 if caller.authenticated else 401
        for caller in callers
    }
    assert outcomes == expected


def test_a_session_write_without_its_csrf_token_is_refused(
    base_url: str, callers: list[Caller]
) -> None:
    national = callers[0]
    response = httpx.post(
        f"{base_url}/api/v1/libraries/VN-NLV/records",
        content=_record_bytes("csrf-1"),
        headers={"Content-Type": "application/marc"},
        cookies=national.cookies,
    )
    assert response.status_code == 403
    assert "X-CSRF-Token" in response.json()["detail"]


def test_a_revoked_or_wrong_key_gets_401(base_url: str, security: SqlSecurityStore) -> None:
    issued = create_api_key(security, SYSTEM_ACTOR, "VN-HCM")
    from mucluc.accounts.service import revoke_api_key

    revoke_api_key(security, SYSTEM_ACTOR, issued.key.key_id)
    for token in (issued.token, issued.token[:-2] + "xx", "not-a-key"):
        response = httpx.post(
            f"{base_url}/api/v1/libraries/VN-HCM/records",
            content=_record_bytes("r1"),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/marc"},
        )
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.fixture(scope="module")
def writer(base_url: str, security: SqlSecurityStore) -> Iterator[httpx.Client]:
    token = create_api_key(security, SYSTEM_ACTOR, "VN-HCM", scope="write").token
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


def test_post_marc21_answers_the_ingest_summary_and_the_job_reads_back(
    writer: httpx.Client,
) -> None:
    response = writer.post(
        "/api/v1/libraries/VN-HCM/records",
        content=_record_bytes("c1")
        + _record_bytes("c2")
        + make_marc_file(make_marc_record("c3", None)),
        headers={"Content-Type": "application/marc"},
    )
    assert response.status_code == 200
    job = response.json()
    assert (job["status"], job["summary"]["added"], job["summary"]["quarantined"]) == (
        "finished",
        2,
        1,
    )
    assert writer.get(response.headers["Location"]).json()["summary"] == job["summary"]


def test_post_marcxml_and_marc_json_are_ingested(writer: httpx.Client) -> None:
    record = make_marc_record("x1", "Địa chí Hà Nội")
    from mucluc.core.crosswalk.marcxml import marcxml_bytes

    as_xml = writer.post(
        "/api/v1/libraries/VN-HCM/records",
        content=marcxml_bytes([record]),
        headers={"Content-Type": "application/marcxml+xml"},
    )
    as_json = writer.post(
        "/api/v1/libraries/VN-HCM/records",
        content=json.dumps([make_marc_record("j1", "Ca dao").as_dict()]),
        headers={"Content-Type": "application/marc+json"},
    )
    assert as_xml.json()["summary"]["added"] == 1
    assert as_json.json()["summary"]["added"] == 1


def test_put_refuses_a_record_whose_001_differs_from_the_path(writer: httpx.Client) -> None:
    response = writer.put(
        "/api/v1/libraries/VN-HCM/records/p1",
        content=_record_bytes("p2"),
        headers={"Content-Type": "application/marc"},
    )
    assert response.status_code == 400
    assert "'p2' but the path names 'p1'" in response.json()["detail"]


def test_delete_of_an_unknown_record_is_404(writer: httpx.Client) -> None:
    response = writer.delete("/api/v1/libraries/VN-HCM/records/never-sent")
    assert response.status_code == 404


def test_csv_is_refused_with_415_and_the_reason(writer: httpx.Client) -> None:
    response = writer.post(
        "/api/v1/libraries/VN-HCM/records", content=b"a,b\n", headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 415
    assert "mucluc ingest --library CODE FILE" in response.json()["detail"]


BILLION_LAUGHS = (
    MARCXML_HEADER
    + b"""<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<record xmlns="http://www.loc.gov/MARC21/slim"><leader>00000nam a2200000 a 4500</leader>
<controlfield tag="001">&lol3;</controlfield></record>"""
)
XXE = (
    MARCXML_HEADER
    + b"""<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<record xmlns="http://www.loc.gov/MARC21/slim"><leader>00000nam a2200000 a 4500</leader>
<datafield tag="245" ind1="0" ind2="0"><subfield code="a">&xxe;</subfield></datafield></record>"""
)


@pytest.mark.parametrize("body", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_hostile_xml_is_refused_with_a_clear_error(writer: httpx.Client, body: bytes) -> None:
    response = writer.post(
        "/api/v1/libraries/VN-HCM/records",
        content=body,
        headers={"Content-Type": "application/marcxml+xml"},
    )
    assert response.status_code == 400
    assert "DOCTYPE" in response.json()["detail"] or "entit" in response.json()["detail"]
    assert "root:" not in response.text


@pytest.mark.parametrize("library", ["VN-NLV", "VN-HCM"])
def test_authorisation_matrix_covers_the_library_export(
    base_url: str, callers: list[Caller], library: str
) -> None:
    outcomes = {}
    for caller in callers:
        with _client(base_url, caller) as client:
            outcomes[caller.name] = client.get(f"/api/v1/libraries/{library}/export").status_code
    expected = {
        caller.name: 200 if library in caller.exports else 403 if caller.authenticated else 401
        for caller in callers
    }
    assert outcomes == expected


def test_a_key_reads_only_its_own_jobs(
    writer: httpx.Client, base_url: str, callers: list[Caller]
) -> None:
    job_id = writer.post(
        "/api/v1/libraries/VN-HCM/records",
        content=_record_bytes("e1"),
        headers={"Content-Type": "application/marc"},
    ).json()["id"]
    nlv_key = next(caller for caller in callers if caller.name == "key:write:VN-NLV")
    with _client(base_url, nlv_key) as other:
        assert other.get(f"/api/v1/jobs/{job_id}").status_code == 403


def test_the_export_streams_a_zip_of_the_librarys_records_and_holdings(
    writer: httpx.Client,
) -> None:
    writer.post(
        "/api/v1/libraries/VN-HCM/records",
        content=_record_bytes("z1", "Địa chí Sài Gòn"),
        headers={"Content-Type": "application/marc"},
    )
    with writer.stream("GET", "/api/v1/libraries/VN-HCM/export", params={"format": "marcxml"}) as (
        response
    ):
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/zip"
        assert "content-length" not in response.headers  # streamed, not built whole
        body = response.read()
    archive = zipfile.ZipFile(io.BytesIO(body))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["library"] == "VN-HCM"
    records = {
        record["001"].data: record
        for record in pymarc.parse_xml_to_array(io.BytesIO(archive.read("records.xml")))
    }
    assert records["z1"].title == "Địa chí Sài Gòn"
    assert manifest["counts"]["active"] == sum(1 for r in records.values() if r.leader[5] != "d")
    holdings = archive.read("holdings.csv").decode("utf-8").splitlines()
    assert "z1,Kho mượn,959.7 L302S,1,true" in holdings


def test_an_unknown_export_format_is_400(writer: httpx.Client) -> None:
    response = writer.get("/api/v1/libraries/VN-HCM/export", params={"format": "csv"})
    assert response.status_code == 400
    assert "marc, marcxml, json" in response.json()["detail"]


def test_the_audit_log_records_writes_and_only_administrators_read_it(
    writer: httpx.Client, base_url: str, callers: list[Caller]
) -> None:
    writer.delete("/api/v1/libraries/VN-HCM/records/c1")
    national = callers[0]
    with _client(base_url, national) as client:
        events = client.get("/api/v1/audit", params={"library": "VN-HCM"}).json()["events"]
        exported = client.get("/api/v1/audit/export", params={"format": "csv"}).text
    assert any(e["action"] == "record.delete" and e["target"] == "c1" for e in events)
    assert exported.startswith("id,occurred_at,actor")
    assert writer.get("/api/v1/audit").status_code == 403
    assert httpx.get(f"{base_url}/api/v1/audit").status_code == 401


def test_pages_carry_the_security_headers(base_url: str) -> None:
    response = httpx.get(f"{base_url}/")
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_overlong_query_and_deep_page_are_refused(base_url: str) -> None:
    assert httpx.get(f"{base_url}/api/v1/search", params={"q": "a" * 501}).status_code == 400
    assert httpx.get(f"{base_url}/search", params={"q": "x" * 5000}).status_code == 414
    deep = httpx.get(f"{base_url}/api/v1/search", params={"q": "a", "page": 100_000})
    assert deep.status_code == 400
    assert "narrow the search" in deep.json()["detail"]


@given(
    body=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=30),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=5), children, max_size=4)
        ),
        max_leaves=20,
    )
)
@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_fuzzed_marc_json_bodies_never_cause_a_server_error(
    writer: httpx.Client, body: object
) -> None:
    response = writer.post(
        "/api/v1/libraries/VN-HCM/records",
        content=json.dumps(body),
        headers={"Content-Type": "application/marc+json"},
    )
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        assert response.json()["detail"]


@given(
    leader=st.text(min_size=24, max_size=24, alphabet=st.characters(max_codepoint=127)),
    tag=st.text(min_size=3, max_size=3),
    value=st.text(max_size=40),
)
@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_fuzzed_marc_json_records_never_cause_a_server_error(
    writer: httpx.Client, leader: str, tag: str, value: str
) -> None:
    body = {"leader": leader, "fields": [{"001": "fz"}, {tag: value}]}
    response = writer.post(
        "/api/v1/libraries/VN-HCM/records",
        content=json.dumps(body),
        headers={"Content-Type": "application/marc+json"},
    )
    assert response.status_code in (200, 400), response.text
