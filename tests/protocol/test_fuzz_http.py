"""Fuzzing OAI-PMH arguments, SRU queries and the JSON API over HTTP (issue #9): no 500, ever.

A real mucluc on loopback gets arguments and paths stitched from its own
vocabulary and arbitrary text. OAI-PMH must answer 200 with a document that
is either the verb's answer or errors with a known code and a reason; SRU
answers 200 with records or diagnostics that say why (never diagnostic 1,
"general system error"); the API answers below 500, every rejection an
RFC 9457 problem that names the problem.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mucluc.config import Settings
from mucluc.core.crosswalk.xml_input import parse_xml
from mucluc.protocols.oaipmh.errors import OaiErrorCode
from mucluc.services.catalogue import add_library
from mucluc.services.ingest import ingest_bytes
from mucluc.web.app import create_app
from mucluc.wiring import initialise_home, open_store
from tests.builders import make_marc_file, make_marc_record
from tests.conftest import LIBRARIES
from tests.fuzzing import CQL_TOKENS, stitched
from tests.servers import running_server

OAI = "{http://www.openarchives.org/OAI/2.0/}"
SRU = "{http://docs.oasis-open.org/ns/search-ws/sruResponse}"
SRU_DIAGNOSTIC = "{http://docs.oasis-open.org/ns/search-ws/diagnostic}"
GENERAL_SYSTEM_ERROR = "info:srw/diagnostic/1/1"
OAI_VERBS = (
    "Identify",
    "ListMetadataFormats",
    "ListSets",
    "ListIdentifiers",
    "ListRecords",
    "GetRecord",
)
OAI_ERROR_CODES = {code.value for code in OaiErrorCode}
HTTP_FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

some_text = st.text(max_size=30)
oai_values = st.one_of(
    st.sampled_from(
        (
            *OAI_VERBS,
            "marc21",
            "oai_dc",
            "marcxml",
            "2020-01-01",
            "2020-01-01T00:00:00Z",
            "2020-13-45",
            "9999-12-31T23:59:59Z",
            "library:VN-NLV",
            "library",
            "oai:mucluc:1",
            "oai:mucluc:999999999999999999999",
            "eyJ2IjoxfQ",
            "",
        )
    ),
    some_text,
)
oai_names = st.one_of(
    st.sampled_from(
        ("verb", "metadataPrefix", "identifier", "from", "until", "set", "resumptionToken")
    ),
    some_text,
)
oai_arguments = st.lists(st.tuples(oai_names, oai_values), max_size=6)

path_segments = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    some_text.filter(lambda text: text not in (".", "..")),
).map(lambda segment: quote(segment, safe=""))
api_values = st.one_of(
    st.sampled_from(
        ("", "0", "-1", "1", "99999999999999999999", "title", "year_desc", "library", "decade")
    ),
    st.sampled_from(("library:VN-NLV", "year:2020", "colour:red", "marcxml", "bibtex", "ris")),
    some_text,
)
api_parameters = st.lists(
    st.tuples(
        st.sampled_from(("q", "page", "page_size", "sort", "facet", "filter", "format", "limit")),
        api_values,
    ),
    max_size=5,
)
api_paths = st.one_of(
    st.just("/api/v1/search"),
    st.just("/api/v1/export"),
    st.just("/api/v1/libraries"),
    st.just("/api/v1/stats"),
    path_segments.map(lambda segment: f"/api/v1/records/{segment}"),
    path_segments.map(lambda segment: f"/api/v1/records/{segment}/holdings"),
    path_segments.map(lambda segment: f"/api/v1/records/{segment}/export"),
    path_segments.map(lambda segment: f"/api/v1/libraries/{segment}"),
)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = Settings(
        home=tmp_path_factory.mktemp("fuzz-http"),
        index_refresh_seconds=0.2,
        oai_page_size=2,
        rate_limit_per_minute=0,
    )
    initialise_home(settings)
    store = open_store(settings)
    for library in LIBRARIES:
        add_library(store, library)
    ingest_bytes(
        store,
        "VN-NLV",
        make_marc_file(*(make_marc_record(f"n{n}", f"Sách {n}") for n in range(5))),
        source_name="nlv.mrc",
    )
    with running_server(create_app(settings)) as url:
        yield url
    store.engine.dispose()


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        yield client


@HTTP_FUZZ
@given(oai_arguments, st.booleans())
@example([("verb", "GetRecord"), ("metadataPrefix", "marc21"), ("identifier", "oai:x:1")], False)
@example([("verb", "ListRecords"), ("resumptionToken", "\x00")], True)
def test_oai_pmh_answers_any_arguments_with_its_answer_or_explained_errors(
    client: httpx.Client, arguments: list[tuple[str, str]], post: bool
) -> None:
    if post:
        answer = client.post("/oai", data=dict(arguments))
    else:
        answer = client.get("/oai", params=arguments)
    assert answer.status_code == 200, answer.text
    root = parse_xml(answer.content, source_name="the OAI-PMH answer")
    errors = root.findall(f"{OAI}error")
    for error in errors:
        assert error.get("code") in OAI_ERROR_CODES
        assert (error.text or "").strip(), "an OAI-PMH error must say what is wrong"
    if not errors:
        assert root.find(f"{OAI}request") is not None
        assert any(root.find(f"{OAI}{verb}") is not None for verb in OAI_VERBS)


@HTTP_FUZZ
@given(api_paths, api_parameters)
@example("/api/v1/records/99999999999999999999", [])
@example("/api/v1/search", [("page", "99999999999999999999")])
def test_the_json_api_never_fails_and_explains_every_rejection(
    client: httpx.Client, path: str, parameters: list[tuple[str, str]]
) -> None:
    answer = client.get(path, params=parameters)
    assert answer.status_code < 500, answer.text
    if answer.status_code >= 400:
        assert answer.headers["content-type"] == "application/problem+json"
        body = answer.json()
        assert body["status"] == answer.status_code
        assert body["title"]
        assert body["detail"], "a problem must name what is wrong"


@HTTP_FUZZ
@given(st.one_of(stitched(CQL_TOKENS), some_text))
@example("rec.id = 99999999999999999999")
@example("rec.id = ²")
@example("rec.id = " + "9" * 400)
def test_sru_answers_any_query_with_records_or_explained_diagnostics(
    client: httpx.Client, query: str
) -> None:
    answer = client.get(
        "/sru", params={"operation": "searchRetrieve", "version": "2.0", "query": query}
    )
    assert answer.status_code == 200, answer.text
    root = parse_xml(answer.content, source_name="the SRU answer")
    for diagnostic in root.iter(f"{SRU_DIAGNOSTIC}diagnostic"):
        # Diagnostic 1 is "general system error": SRU's way of saying 500.
        assert diagnostic.findtext(f"{SRU_DIAGNOSTIC}uri") != GENERAL_SYSTEM_ERROR, answer.text
        assert (diagnostic.findtext(f"{SRU_DIAGNOSTIC}message") or "").strip()
    answered = root.find(f"{SRU}numberOfRecords") is not None
    assert answered or root.find(f"{SRU}diagnostics") is not None
