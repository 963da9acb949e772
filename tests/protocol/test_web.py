"""The web catalogue and JSON API through a real HTTP server on loopback."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from mucluc.config import Settings
from mucluc.core.model import LibraryInfo
from mucluc.services.catalogue import add_library
from mucluc.services.ingest import ingest_bytes
from mucluc.web.app import create_app
from mucluc.wiring import initialise_home, open_store
from tests.builders import make_marc_file, make_marc_record

SERVER_START_SECONDS = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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
    """A uvicorn server running the app on a free loopback port."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_SECONDS
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("the web server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join()


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


def test_search_page_finds_toned_titles_from_a_query_without_tones(client: httpx.Client) -> None:
    page = client.get("/search", params={"q": "lich su"})
    assert page.status_code == 200
    assert "Lịch sử Việt Nam" in page.text
    assert "Có tại 2 thư viện" in page.text


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
        {"location": "Kho mượn", "call_number": "959.7 PH-L", "copies": 3}
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
