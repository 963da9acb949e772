"""The SRU server on loopback: explain, searchRetrieve and diagnostics over HTTP, and yaz-client.

Every SRU 2.0 response is validated against the OASIS schemas (with the
MARCXML and ZeeRex records inside); the same searches over SRU, the JSON
API and Z39.50 must count the same hits.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree

from mucluc.config import Settings
from mucluc.core.model import LibraryInfo
from mucluc.services.catalogue import add_library
from mucluc.services.ingest import ingest_bytes
from mucluc.web.app import create_app
from mucluc.wiring import initialise_home, open_store
from tests.builders import make_marc_file, make_marc_record
from tests.protocol.schemas import assert_valid, sru_response_schema
from tests.protocol.test_z3950 import running_z3950
from tests.servers import running_server

YAZ_CLIENT = shutil.which("yaz-client")
needs_yaz = pytest.mark.skipif(
    YAZ_CLIENT is None, reason="yaz-client is not installed (CI installs yaz)"
)
SRU = "http://docs.oasis-open.org/ns/search-ws/sruResponse"
SRU_1 = "http://www.loc.gov/zing/srw/"
SCAN = "http://docs.oasis-open.org/ns/search-ws/scan"
DIAGNOSTIC = "http://docs.oasis-open.org/ns/search-ws/diagnostic"
MARC = "http://www.loc.gov/MARC21/slim"
DC = "http://purl.org/dc/elements/1.1/"
NAMESPACES = {"sru": SRU, "srw": SRU_1, "diag": DIAGNOSTIC, "marc": MARC, "dc": DC}


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Two libraries holding "Lịch sử Việt Nam", and 12 textbooks from 2001 to 2012."""
    settings = Settings(home=tmp_path_factory.mktemp("sru-home"), index_refresh_seconds=0.2)
    initialise_home(settings)
    store = open_store(settings)
    add_library(
        store, LibraryInfo("VN-NLV", "Thư viện Quốc gia Việt Nam", "NLV", "national", "Hà Nội")
    )
    add_library(
        store,
        LibraryInfo("VN-HCM", "Thư viện KHTH TP. HCM", "HCMC", "provincial", "TP. Hồ Chí Minh"),
    )
    textbooks = (
        make_marc_record(f"n{n}", f"Giáo trình kinh tế tập {n}", year=2000 + n)
        for n in range(1, 13)
    )
    nlv_file = make_marc_file(
        make_marc_record(
            "n0", "Lịch sử Việt Nam /", isbn="978-604-0-00001-9", author="Phan Huy Lê", year=1999
        ),
        *textbooks,
    )
    ingest_bytes(store, "VN-NLV", nlv_file, source_name="nlv.mrc")
    hcm_file = make_marc_file(
        make_marc_record("h1", "Lịch sử Việt Nam", isbn="9786040000019", year=1999),
        make_marc_record("h2", "Truyện Kiều", author="Nguyễn Du", year=1990),
    )
    ingest_bytes(store, "VN-HCM", hcm_file, source_name="hcm.mrc")
    return settings


@pytest.fixture(scope="module")
def app(settings: Settings) -> Any:
    return create_app(settings)


@pytest.fixture(scope="module")
def base_url(app: Any) -> Iterator[str]:
    with running_server(app) as url:
        yield url


def sru(base_url: str, **parameters: str) -> etree._Element:
    """GET /sru with these parameters; the parsed response, checked to be HTTP 200 XML."""
    answer = httpx.get(f"{base_url}/sru", params=parameters, timeout=20)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/xml")
    root = etree.fromstring(answer.content)
    if root.tag.startswith((f"{{{SRU}}}", f"{{{SCAN}}}")):
        assert_valid(sru_response_schema(), root)
    else:  # SRU 1.x: no schema at hand; only what the request said leads here
        assert parameters.get("version", "1.2").startswith("1")
        assert "operation" in parameters
    return root


def search(base_url: str, query: str, **parameters: str) -> etree._Element:
    return sru(base_url, version="2.0", query=query, **parameters)


def hit_count(root: etree._Element) -> int:
    return int(root.findtext("sru:numberOfRecords", namespaces=NAMESPACES) or "-1")


def diagnostic(root: etree._Element) -> tuple[str, str | None]:
    """The URI and details of the response's first diagnostic."""
    found = root.xpath("//*[local-name()='diagnostic']")
    assert found, etree.tostring(root).decode()
    namespace = etree.QName(found[0]).namespace
    return (
        found[0].findtext(f"{{{namespace}}}uri") or "",
        found[0].findtext(f"{{{namespace}}}details"),
    )


def test_explain_2_0_validates_and_lists_indexes_and_schemas(base_url: str) -> None:
    root = sru(base_url)
    assert root.tag == f"{{{SRU}}}explainResponse"
    indexes = root.xpath(
        "//zr:index/zr:map/zr:name", namespaces={"zr": "http://explain.z3950.org/dtd/2.0/"}
    )
    names = {f"{name.get('set')}.{name.text}" for name in indexes}
    assert {"dc.title", "bath.isbn", "rec.id", "mucluc.library", "cql.serverChoice"} <= names
    schemas = root.xpath(
        "//zr:schema/@name", namespaces={"zr": "http://explain.z3950.org/dtd/2.0/"}
    )
    assert schemas == ["marcxml", "dc", "json"]


def test_explain_1_2_answers_in_the_srw_namespace_with_its_version(base_url: str) -> None:
    root = sru(base_url, version="1.2", operation="explain")
    assert root.tag == f"{{{SRU_1}}}explainResponse"
    assert root.findtext("srw:version", namespaces=NAMESPACES) == "1.2"
    assert root.findtext("srw:record/srw:recordPacking", namespaces=NAMESPACES) == "xml"


def test_search_retrieve_returns_valid_marcxml_pages(base_url: str) -> None:
    root = search(base_url, 'dc.title all "giáo trình"', maximumRecords="5", startRecord="3")
    assert hit_count(root) == 12
    positions = root.xpath("//sru:recordPosition/text()", namespaces=NAMESPACES)
    assert positions == ["3", "4", "5", "6", "7"]
    assert root.findtext("sru:nextRecordPosition", namespaces=NAMESPACES) == "8"
    assert len(root.findall(".//marc:record", NAMESPACES)) == 5


def test_search_retrieve_1_2_finds_the_union_record_with_both_libraries(base_url: str) -> None:
    root = sru(
        base_url,
        version="1.2",
        operation="searchRetrieve",
        query='dc.title = "lịch sử việt nam"',
    )
    assert root.findtext("srw:numberOfRecords", namespaces=NAMESPACES) == "1"
    members = root.xpath("//marc:datafield[@tag='035']/marc:subfield/text()", namespaces=NAMESPACES)
    assert sorted(members) == ["(VN-HCM)h1", "(VN-NLV)n0"]
    assert root.findtext(".//srw:recordPacking", namespaces=NAMESPACES) == "xml"


def test_search_retrieve_serves_dublin_core(base_url: str) -> None:
    root = search(base_url, "dc.creator = nguyễn", recordSchema="dc")
    assert hit_count(root) == 1
    assert root.findtext(".//sru:recordSchema", namespaces=NAMESPACES) == (
        "info:srw/schema/1/dc-v1.1"
    )
    assert root.findtext(".//dc:title", namespaces=NAMESPACES) == "Truyện Kiều"


def test_search_retrieve_escapes_records_as_strings_when_asked(base_url: str) -> None:
    root = search(base_url, "bath.isbn = 9786040000019", recordXMLEscaping="string")
    data = root.find(".//sru:recordData", NAMESPACES)
    assert data is not None
    assert len(data) == 0
    assert etree.fromstring(data.text.encode()).tag == f"{{{MARC}}}record"
    json_root = search(base_url, "bath.isbn = 9786040000019", recordSchema="json")
    json_data = json_root.findtext(".//sru:recordData", namespaces=NAMESPACES) or ""
    assert '"245"' in json_data


def test_sort_keys_and_sortby_order_by_year(base_url: str) -> None:
    sortby = search(base_url, "dc.title = giáo sortby dc.date/sort.descending", maximumRecords="2")
    years = sortby.xpath("//marc:controlfield[@tag='008']/text()", namespaces=NAMESPACES)
    assert [year[7:11] for year in years] == ["2012", "2011"]
    sort_keys = sru(
        base_url,
        version="1.2",
        operation="searchRetrieve",
        query="dc.title = giáo",
        sortKeys="dc.date,,1",
        maximumRecords="2",
    )
    years = sort_keys.xpath("//marc:controlfield[@tag='008']/text()", namespaces=NAMESPACES)
    assert [year[7:11] for year in years] == ["2001", "2002"]


def test_rec_id_retrieves_the_union_record(base_url: str) -> None:
    found = search(base_url, "dc.creator = nguyễn")
    union_record_id = found.xpath("//marc:controlfield[@tag='001']/text()", namespaces=NAMESPACES)
    root = search(base_url, f"rec.id = {union_record_id[0]}")
    assert hit_count(root) == 1
    assert root.xpath("//marc:controlfield[@tag='001']/text()", namespaces=NAMESPACES) == (
        union_record_id
    )
    assert hit_count(search(base_url, "rec.id = 999999")) == 0


@pytest.mark.parametrize(
    ("parameters", "code", "details"),
    [
        ({"query": "dc.foo = x"}, 16, "dc.foo"),
        ({"query": "dc.title encloses x"}, 19, "encloses"),
        ({"query": "dc.title = (x"}, 10, None),
        ({"query": "(kiều"}, 13, "0"),
        ({"query": "a prox b"}, 39, None),
        ({"query": "ki?u"}, 28, "?"),
        ({"query": "kiều", "recordSchema": "mods"}, 66, "mods"),
        ({"query": "kiều", "startRecord": "0"}, 6, "startRecord"),
        ({"query": "kiều", "maximumRecords": "many"}, 6, "maximumRecords"),
        ({"query": "kiều", "recordXMLEscaping": "json"}, 71, "json"),
        ({"query": "kiều", "queryType": "searchTerms"}, 6, "queryType"),
        ({"query": "kiều", "sortKeys": "dc.publisher"}, 88, "dc.publisher"),
        ({"query": "kiều", "stylesheet": "x.xsl"}, 110, "x.xsl"),
        ({"query": "kiều", "colour": "blue"}, 8, "colour"),
        ({"query": "kiều", "version": "3.0"}, 5, "2.0"),
        ({"operation": "searchRetrieve"}, 7, "query"),
        ({"operation": "update"}, 4, "update"),
        ({"scanClause": "dc.title = kiều"}, 4, "scan"),
    ],
)
def test_bad_requests_get_the_sru_diagnostic_in_a_valid_response(
    base_url: str, parameters: dict[str, str], code: int, details: str | None
) -> None:
    root = sru(base_url, **parameters)
    uri, given_details = diagnostic(root)
    assert uri == f"info:srw/diagnostic/1/{code}"
    if details is not None:
        assert given_details == details


def test_a_start_beyond_the_hits_reports_diagnostic_61_with_the_count(base_url: str) -> None:
    root = search(base_url, "dc.creator = nguyễn", startRecord="5")
    assert hit_count(root) == 1
    assert diagnostic(root)[0] == "info:srw/diagnostic/1/61"


def test_a_1_2_diagnostic_uses_the_srw_diagnostic_namespace(base_url: str) -> None:
    root = sru(base_url, version="1.2", operation="searchRetrieve", query="dc.foo = x")
    assert root.findtext("srw:numberOfRecords", namespaces=NAMESPACES) == "0"
    uri = root.findtext(
        ".//{http://www.loc.gov/zing/srw/diagnostic/}diagnostic/"
        "{http://www.loc.gov/zing/srw/diagnostic/}uri"
    )
    assert uri == "info:srw/diagnostic/1/16"


def test_post_is_answered_like_get(base_url: str) -> None:
    answer = httpx.post(
        f"{base_url}/sru",
        data={"version": "2.0", "query": 'dc.title all "lịch sử"'},
        timeout=20,
    )
    root = etree.fromstring(answer.content)
    assert_valid(sru_response_schema(), root)
    assert hit_count(root) == 1


# Real clients: yaz-client over SRU, and the same counts over the JSON API and Z39.50.


def yaz(commands: list[str], folder: Path) -> str:
    assert YAZ_CLIENT is not None
    completed = subprocess.run(
        [YAZ_CLIENT],
        input="\n".join([*commands, "quit"]) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=folder,
        check=False,
    )
    return completed.stdout


def yaz_hits(output: str) -> list[int]:
    return [int(count) for count in re.findall(r"Number of hits: (\d+)", output)]


@needs_yaz
@pytest.mark.parametrize("version", ["1.2", "2.0"])
def test_yaz_client_searches_over_sru_and_retrieves_marc_records(
    base_url: str, tmp_path: Path, version: str
) -> None:
    output = yaz(
        [
            f"sru get {version}",
            f"open {base_url}/sru",
            'find dc.title = "lịch sử việt nam"',
            "show 1",
            "find dc.title = giáo and dc.date >= 2010",
            "find dc.foo = x",
        ],
        tmp_path,
    )
    assert yaz_hits(output) == [1, 1, 3, 0]  # "show" repeats the count
    assert '<marc:subfield code="a">Lịch sử Việt Nam /</marc:subfield>' in output
    assert '<marc:subfield code="a">(VN-HCM)h1</marc:subfield>' in output
    assert "SRW diagnostic info:srw/diagnostic/1/16" in output
    assert "Details: dc.foo" in output


@needs_yaz
def test_hit_counts_agree_over_sru_the_json_api_and_z3950(
    settings: Settings, app: Any, base_url: str, tmp_path: Path
) -> None:
    searches = [
        # (CQL, reader syntax for the JSON API, Bib-1 RPN for Z39.50)
        (
            'dc.title = "lịch sử việt nam"',
            'title:"lịch sử việt nam"',
            '@attr 1=4 @attr 4=1 "lịch sử việt nam"',
        ),
        ("lich", "lich", "@attr 1=1016 lich"),
        ('dc.creator all "phan huy lê"', "author:phan huy lê", '@attr 1=1003 "phan huy lê"'),
        ("bath.isbn = 9786040000019", "isbn:9786040000019", "@attr 1=7 9786040000019"),
        ("dc.title = kin*", "title:kin*", "@attr 1=4 @attr 5=1 kin"),
        (
            'dc.title = lịch or dc.title all "tập 3"',
            "title:lịch OR title:tập 3",
            '@or @attr 1=4 lịch @attr 1=4 "tập 3"',
        ),
        (
            'dc.title all "giáo trình" and dc.date = 2005',
            "title:giáo trình year:2005",
            '@and @attr 1=4 "giáo trình" @attr 1=31 2005',
        ),
        (
            'dc.title all "giáo trình" not dc.date = 2005',
            "title:giáo trình NOT year:2005",
            '@not @attr 1=4 "giáo trình" @attr 1=31 2005',
        ),
        ("dc.date >= 2010", "year:2010-", "@attr 1=31 @attr 2=4 2010"),
    ]
    sru_counts = [hit_count(search(base_url, cql, maximumRecords="0")) for cql, _, _ in searches]
    api_counts = [
        int(httpx.get(f"{base_url}/api/v1/search", params={"q": query}).json()["total"])
        for _, query, _ in searches
    ]
    with running_z3950(settings, app) as port:
        output = yaz(
            [
                "charset UTF-8",
                f"open tcp:127.0.0.1:{port}",
                *(f"find {rpn}" for *_, rpn in searches),
            ],
            tmp_path,
        )
    assert sru_counts == api_counts == yaz_hits(output)
    assert sru_counts[:4] == [1, 1, 1, 1]
    assert sru_counts[6:] == [1, 11, 3]
