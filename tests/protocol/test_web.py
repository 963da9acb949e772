"""The web catalogue and JSON API through a real HTTP server on loopback."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pymarc import MARCReader

from mucluc.config import Settings
from mucluc.core.model import LibraryInfo
from mucluc.services.catalogue import add_library
from mucluc.services.ingest import ingest_bytes
from mucluc.web.app import create_app
from mucluc.wiring import initialise_home, open_store
from tests.builders import make_marc_file, make_marc_record
from tests.protocol.schemas import assert_valid, marcxml_schema, oai_dc_schema
from tests.servers import running_server


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A data folder with two libraries sharing one edition, and a few other records."""
    home = tmp_path_factory.mktemp("web-home")
    settings = Settings(home=home, index_refresh_seconds=0.2)
    initialise_home(settings)
    store = open_store(settings)
    add_library(
        store,
        LibraryInfo(
            "VN-NLV",
            "Thư viện Quốc gia Việt Nam",
            "National Library of Vietnam",
            "national",
            "Hà Nội",
        ),
    )
    add_library(
        store,
        LibraryInfo(
            "VN-HCM",
            "Thư viện KHTH TP. Hồ Chí Minh",
            "HCMC Library",
            "provincial",
            "TP. Hồ Chí Minh",
        ),
    )
    ingest_bytes(
        store,
        "VN-NLV",
        make_marc_file(
            make_marc_record(
                "n1", "Lịch sử Việt Nam /", isbn="978-604-0-00001-9", author="Phan Huy Lê"
            ),
            *(make_marc_record(f"n{n}", f"Giáo trình kinh tế tập {n}") for n in range(2, 30)),
        ),
        source_name="nlv.mrc",
    )
    ingest_bytes(
        store,
        "VN-HCM",
        make_marc_file(
            make_marc_record(
                "h1",
                "Lịch sử Việt Nam",
                isbn="9786040000019",
                holdings=(("Kho mượn", "959.7 PH-L", 3),),
            )
        ),
        source_name="hcm.mrc",
    )
    return settings


@pytest.fixture(scope="module")
def base_url(settings: Settings) -> Iterator[str]:
    """The application on a free loopback port."""
    with running_server(create_app(settings)) as url:
        yield url


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        yield client


def test_home_page_has_a_search_box_and_counts(client: httpx.Client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert '<html lang="vi">' in page.text
    assert 'name="q"' in page.text
    assert "Thư viện Quốc gia Việt Nam" in page.text


def test_search_page_closes_a_phrase_the_reader_left_open(client: httpx.Client) -> None:
    page = client.get("/search", params={"q": '"lich su'})
    assert page.status_code == 200
    assert "<mark>Lịch</mark> <mark>sử</mark> Việt Nam" in page.text
    assert 'value="&#34;lich su&#34;"' in page.text  # the box shows what was searched


def test_a_page_past_the_last_one_says_so_and_links_back(client: httpx.Client) -> None:
    page = client.get("/search", params={"q": "lich su", "page": 50})
    assert page.status_code == 200
    assert "Trang này ở sau trang cuối." in page.text
    assert "Không tìm thấy" not in page.text
    assert 'page=1">Về trang cuối</a>' in page.text  # "lich su" fills one page here


def test_search_page_finds_toned_titles_from_a_query_without_tones(client: httpx.Client) -> None:
    page = client.get("/search", params={"q": "lich su"})
    assert page.status_code == 200
    assert "<mark>Lịch</mark> <mark>sử</mark> Việt Nam" in page.text
    assert "Có tại 2 thư viện" in page.text
    assert ">Tiếng Việt</a>" in page.text  # the language facet names languages
    assert ">Sách</a>" in page.text  # and material types


def test_search_page_pages_through_results(client: httpx.Client) -> None:
    first = client.get("/search", params={"q": "giao trinh"})
    second = client.get("/search", params={"q": "giao trinh", "page": 2})
    assert "Trang 1 / 2" in first.text
    assert "Trang 2 / 2" in second.text
    assert 'rel="next"' in first.text


def test_search_page_escapes_the_query(client: httpx.Client) -> None:
    page = client.get("/search", params={"q": "<script>alert(1)</script>"})
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text


def test_record_page_lists_every_holding_library(client: httpx.Client) -> None:
    (hit,) = client.get("/api/v1/search", params={"q": "lịch sử việt nam"}).json()["hits"]
    page = client.get(f"/records/{hit['id']}")
    assert page.status_code == 200
    assert "Thư viện Quốc gia Việt Nam" in page.text
    assert "Thư viện KHTH TP. Hồ Chí Minh" in page.text
    assert "959.7 PH-L" in page.text
    assert "<dd>Tiếng Việt</dd>" in page.text  # the language named, not its code "vie"
    english = client.get(f"/records/{hit['id']}", params={"lang": "en"})
    assert "<dd>Vietnamese</dd>" in english.text


def test_api_search_returns_hits_with_libraries(client: httpx.Client) -> None:
    answer = client.get("/api/v1/search", params={"q": "lich su viet nam"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["total"] == 1
    assert body["hits"][0]["title"] == "Lịch sử Việt Nam"
    assert body["hits"][0]["libraries"] == ["VN-NLV", "VN-HCM"]


def test_api_record_has_members_and_holdings(client: httpx.Client) -> None:
    (hit,) = client.get("/api/v1/search", params={"q": "9786040000019"}).json()["hits"]
    record = client.get(f"/api/v1/records/{hit['id']}").json()
    assert [member["library"] for member in record["members"]] == ["VN-NLV", "VN-HCM"]
    assert record["members"][1]["holdings"] == [
        {"location": "Kho mượn", "call_number": "959.7 PH-L", "copies": 3, "lendable": True}
    ]
    assert record["description"]["isbns"] == ["9786040000019"]


def test_api_unknown_record_is_a_problem_document(client: httpx.Client) -> None:
    answer = client.get("/api/v1/records/999999")
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json() == {
        "type": "about:blank",
        "title": "Not found",
        "status": 404,
        "detail": "no union record has the id 999999",
        "instance": "/api/v1/records/999999",
    }


def test_api_bad_parameter_is_a_problem_document(client: httpx.Client) -> None:
    answer = client.get("/api/v1/search", params={"q": "x", "page": 0})
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("query.page")


def test_unknown_record_page_is_a_page_in_plain_words(client: httpx.Client) -> None:
    page = client.get("/records/999999")
    assert page.status_code == 404
    assert "Không tìm thấy" in page.text
    assert "Traceback" not in page.text


def test_records_ingested_while_serving_become_searchable(
    client: httpx.Client, settings: Settings
) -> None:
    store = open_store(settings)
    ingest_bytes(
        store,
        "VN-HCM",
        make_marc_file(make_marc_record("h2", "Nhật ký Đặng Thùy Trâm")),
        source_name="late.mrc",
    )
    deadline = time.monotonic() + 10
    while client.get("/api/v1/search", params={"q": "dang thuy tram"}).json()["total"] == 0:
        assert time.monotonic() < deadline, "the record never became searchable"
        time.sleep(0.1)


def test_english_is_one_click_away_and_remembered(client: httpx.Client) -> None:
    english = client.get("/", params={"lang": "en"})
    assert '<html lang="en">' in english.text
    assert "Find books in Vietnam&#39;s libraries" in english.text
    assert english.cookies.get("lang") == "en"
    again = client.get("/libraries")
    assert '<html lang="en">' in again.text
    back = client.get("/", params={"lang": "vi"})
    assert "Tìm tài liệu trong các thư viện Việt Nam" in back.text


def test_library_directory_lists_libraries_with_counts(client: httpx.Client) -> None:
    client.cookies.clear()
    page = client.get("/libraries")
    assert page.status_code == 200
    assert "Thư viện cấp tỉnh" in page.text
    api = client.get("/api/v1/libraries").json()["libraries"]
    national = next(entry for entry in api if entry["code"] == "VN-NLV")
    assert (national["type"], national["source_records"], national["copies"]) == (
        "national",
        29,
        29,
    )


def test_library_page_and_unknown_library(client: httpx.Client) -> None:
    assert "Thư viện KHTH TP. Hồ Chí Minh" in client.get("/libraries/VN-HCM").text
    missing = client.get("/api/v1/libraries/VN-NOPE")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "no member library has the code 'VN-NOPE'"


def test_api_stats_counts_the_catalogue(client: httpx.Client) -> None:
    stats = client.get("/api/v1/stats").json()
    assert stats["libraries"] == 2
    assert stats["source_records"] >= 30
    assert stats["union_records"] == stats["source_records"] - 1


def test_health_reports_the_index_position(client: httpx.Client) -> None:
    health = client.get("/healthz").json()
    assert health["status"] == "ok"
    assert health["index_sequence"] <= health["change_log_sequence"]


def test_metrics_speak_prometheus(client: httpx.Client) -> None:
    client.get("/api/v1/stats")
    text = client.get("/metrics").text
    assert 'mucluc_http_requests_total{method="GET",route="/api/v1/stats",status="200"}' in text
    assert "mucluc_libraries 2.0" in text


def test_api_allows_cross_origin_reading(client: httpx.Client) -> None:
    answer = client.get("/api/v1/stats", headers={"Origin": "https://opac.example.vn"})
    assert answer.headers["access-control-allow-origin"] == "*"


def lich_su_record_id(client: httpx.Client) -> int:
    (hit,) = client.get("/api/v1/search", params={"q": "9786040000019"}).json()["hits"]
    return int(hit["id"])


def test_marc21_export_reads_back_with_both_libraries_holdings(client: httpx.Client) -> None:
    record_id = lich_su_record_id(client)
    answer = client.get(f"/api/v1/records/{record_id}/export", params={"format": "marc21"})
    assert answer.headers["content-type"] == "application/marc"
    assert f'filename="mucluc-{record_id}.mrc"' in answer.headers["content-disposition"]
    (record,) = list(MARCReader(answer.content, to_unicode=True, force_utf8=True))
    assert record["001"].data == str(record_id)
    assert record["245"]["a"].startswith("Lịch sử Việt Nam")
    assert sorted(field["a"] for field in record.get_fields("852")) == ["VN-HCM", "VN-NLV"]


def test_marcxml_export_validates_against_marc21slim(client: httpx.Client) -> None:
    answer = client.get(
        f"/api/v1/records/{lich_su_record_id(client)}/export", params={"format": "marcxml"}
    )
    assert_valid(marcxml_schema(), answer.content)
    assert "Lịch sử Việt Nam".encode() in answer.content


def test_dublin_core_export_validates_against_oai_dc(client: httpx.Client) -> None:
    answer = client.get(
        f"/api/v1/records/{lich_su_record_id(client)}/export", params={"format": "dc"}
    )
    assert_valid(oai_dc_schema(), answer.content)


def test_citation_exports_have_their_media_types(client: httpx.Client) -> None:
    record_id = lich_su_record_id(client)
    media_types = {
        name: client.get(f"/api/v1/records/{record_id}/export", params={"format": name}).headers[
            "content-type"
        ]
        for name in ("bibtex", "ris", "csljson", "marcjson")
    }
    assert media_types == {
        "bibtex": "application/x-bibtex; charset=utf-8",
        "ris": "application/x-research-info-systems; charset=utf-8",
        "csljson": "application/vnd.citationstyles.csl+json",
        "marcjson": "application/json",
    }


def test_unknown_export_format_is_a_problem_naming_the_formats(client: httpx.Client) -> None:
    answer = client.get(
        f"/api/v1/records/{lich_su_record_id(client)}/export", params={"format": "pdf"}
    )
    assert answer.status_code == 400
    assert "unknown export format 'pdf'" in answer.json()["detail"]


def test_record_page_links_every_export(client: httpx.Client) -> None:
    page = client.get(f"/records/{lich_su_record_id(client)}")
    for label in ("MARC 21", "MARCXML", "MARC-in-JSON", "Dublin Core", "BibTeX", "RIS", "CSL-JSON"):
        assert f">{label}</a>" in page.text


def test_no_results_page_suggests_easier_queries(client: httpx.Client) -> None:
    page = client.get("/search", params={"q": "lịch sử xyzzy"})
    assert "Không tìm thấy tài liệu nào." in page.text
    assert '/search?q=lich%20su%20xyzzy">lich su xyzzy</a>' in page.text
    assert '/search?q=l%E1%BB%8Bch%20s%E1%BB%AD">lịch sử</a>' in page.text


def test_result_list_exports_as_marcxml_and_bibtex(client: httpx.Client) -> None:
    marcxml = client.get(
        "/api/v1/export", params={"q": "giao trinh", "format": "marcxml", "limit": 5}
    )
    assert marcxml.status_code == 200
    assert_valid(marcxml_schema(), marcxml.content)
    assert marcxml.content.count(b"<marc:record") + marcxml.content.count(b"<record") == 5
    bibtex = client.get(
        "/api/v1/export", params={"q": "giao trinh", "format": "bibtex", "limit": 3}
    )
    assert bibtex.text.count("@book{") == 3


def test_result_list_export_limit_is_enforced(client: httpx.Client) -> None:
    answer = client.get("/api/v1/export", params={"q": "giao trinh", "limit": 100000})
    assert answer.status_code == 422


def test_api_record_is_cacheable_with_etag_and_last_modified(client: httpx.Client) -> None:
    record_id = lich_su_record_id(client)
    first = client.get(f"/api/v1/records/{record_id}")
    assert first.headers["etag"].startswith('"')
    assert first.headers["last-modified"].endswith("GMT")
    cached = {"If-None-Match": first.headers["etag"]}
    again = client.get(f"/api/v1/records/{record_id}", headers=cached)
    assert again.status_code == 304
    assert again.content == b""


def test_api_holdings_lists_each_library_with_lendability(client: httpx.Client) -> None:
    answer = client.get(f"/api/v1/records/{lich_su_record_id(client)}/holdings")
    holdings = answer.json()["holdings"]
    assert {(h["library"], h["copies"], h["lendable"]) for h in holdings} == {
        ("VN-NLV", 1, True),
        ("VN-HCM", 3, True),
    }


def test_record_page_has_a_marc_view_and_lendability(client: httpx.Client) -> None:
    page = client.get(f"/records/{lich_su_record_id(client)}")
    assert "<summary>Xem biểu ghi MARC</summary>" in page.text
    assert "=245  00$aLịch sử Việt Nam" in page.text
    assert '<th scope="col">Cho mượn</th>' in page.text


def test_marc21_export_is_read_by_yaz_marcdump(client: httpx.Client, tmp_path: Path) -> None:
    search = {"q": "giao trinh", "format": "marc21", "limit": 10}
    answer = client.get("/api/v1/export", params=search)
    exported = tmp_path / "results.mrc"
    exported.write_bytes(answer.content)
    dump = subprocess.run(
        ["yaz-marcdump", "-i", "marc", "-o", "line", str(exported)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert dump.returncode == 0, dump.stderr
    assert "(Error" not in dump.stdout + dump.stderr
    assert dump.stdout.count("\n245 ") == 10


PROBLEM_CASES = [
    ("GET", "/api/v1/search?q=(lich", 400),
    ("GET", "/api/v1/search?q=x&page=0", 422),
    ("GET", "/api/v1/search?q=nope:word", 400),
    ("GET", "/api/v1/records/999999", 404),
    ("GET", "/api/v1/records/not-a-number", 422),
    ("GET", "/api/v1/records/999999/holdings", 404),
    ("GET", "/api/v1/records/999999/export", 404),
    ("GET", "/api/v1/export?q=x&format=pdf", 400),
    ("GET", "/api/v1/export?q=x&limit=0", 422),
    ("GET", "/api/v1/libraries/VN-NOPE", 404),
    ("GET", "/api/v1/no-such-endpoint", 404),
    ("POST", "/api/v1/stats", 405),
    ("POST", "/api/v1/libraries/VN-NLV/records", 401),
    ("DELETE", "/api/v1/libraries/VN-NLV/records/n1", 401),
    ("GET", "/api/v1/jobs/1", 401),
    ("GET", "/api/v1/audit", 401),
]


@pytest.mark.parametrize(("method", "path", "status"), PROBLEM_CASES)
def test_every_api_error_is_a_problem_document(
    client: httpx.Client, method: str, path: str, status: int
) -> None:
    answer = client.request(method, path)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert set(body) == {"type", "title", "status", "detail", "instance"}
    assert body["status"] == status
    assert body["detail"]
