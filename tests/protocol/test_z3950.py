"""The Z39.50 server through yaz-client and raw sockets, beside the JSON API on loopback.

yaz-client (Debian `yaz`) is the copy-cataloguing client the issue names; the
raw-socket tests send what no well-behaved client would (broken BER, cut-off
PDUs, oversized messages) and check that the server answers with a Close and
keeps serving everyone else.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest

from mucluc.accounts.service import SYSTEM_ACTOR, create_api_key, is_key_of_library, revoke_api_key
from mucluc.config import Settings
from mucluc.core.model import LibraryInfo
from mucluc.protocols.z3950.association import CloseReason, LoginCheck, Z3950Limits
from mucluc.protocols.z3950.codec import decode_pdu, encode_pdu, pdu_size
from mucluc.protocols.z3950.server import Z3950Server
from mucluc.services.catalogue import add_library
from mucluc.services.ingest import ingest_bytes
from mucluc.services.retrieval import CatalogueReader
from mucluc.storage.accounts import SqlSecurityStore
from mucluc.web.app import create_app
from mucluc.wiring import initialise_home, open_store
from tests.builders import make_marc_file, make_marc_record
from tests.servers import running_server

YAZ_CLIENT = shutil.which("yaz-client")
needs_yaz = pytest.mark.skipif(
    YAZ_CLIENT is None, reason="yaz-client is not installed (CI installs yaz)"
)
SOCKET_SECONDS = 10


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Two libraries holding "Lịch sử Việt Nam", and 28 textbooks from 1992 to 2019."""
    settings = Settings(home=tmp_path_factory.mktemp("z3950-home"), index_refresh_seconds=0.2)
    initialise_home(settings)
    store = open_store(settings)
    add_library(
        store,
        LibraryInfo("VN-NLV", "Thư viện Quốc gia Việt Nam", "NLV", "national", "Hà Nội"),
    )
    add_library(
        store,
        LibraryInfo("VN-HCM", "Thư viện KHTH TP. HCM", "HCMC", "provincial", "TP. Hồ Chí Minh"),
    )
    textbooks = (
        make_marc_record(f"n{n}", f"Giáo trình kinh tế tập {n}", year=1990 + n)
        for n in range(2, 30)
    )
    nlv_file = make_marc_file(
        make_marc_record(
            "n1", "Lịch sử Việt Nam /", isbn="978-604-0-00001-9", author="Phan Huy Lê"
        ),
        *textbooks,
    )
    ingest_bytes(store, "VN-NLV", nlv_file, source_name="nlv.mrc")
    hcm_file = make_marc_file(make_marc_record("h1", "Lịch sử Việt Nam", isbn="9786040000019"))
    ingest_bytes(store, "VN-HCM", hcm_file, source_name="hcm.mrc")
    return settings


@contextmanager
def running_z3950(
    settings: Settings,
    app: Any,
    limits: Z3950Limits | None = None,
    check_login: LoginCheck | None = None,
) -> Iterator[int]:
    """A Z39.50 server over the web app's store and index, in a thread; yields its port."""
    state = app.state.mucluc
    server = Z3950Server(
        CatalogueReader(state.store, lambda: state.follower.index), limits, check_login
    )
    loop = asyncio.new_event_loop()
    started = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.start("127.0.0.1", 0))
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert started.wait(20), "the Z39.50 server did not start"

    async def stop() -> None:
        await server.close()
        tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    try:
        yield server.port
    finally:
        asyncio.run_coroutine_threadsafe(stop(), loop).result(20)
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


@pytest.fixture(scope="module")
def app(settings: Settings) -> Any:
    return create_app(settings)


@pytest.fixture(scope="module")
def base_url(app: Any) -> Iterator[str]:
    with running_server(app) as url:
        yield url


@pytest.fixture(scope="module")
def z3950_port(settings: Settings, app: Any, base_url: str) -> Iterator[int]:
    with running_z3950(settings, app) as port:
        yield port


def yaz(
    port: int, commands: list[str], folder: Path, *options: str, before_open: tuple[str, ...] = ()
) -> str:
    """Run yaz-client against the server with these commands; its output."""
    assert YAZ_CLIENT is not None
    opening = [*before_open, "charset UTF-8", f"open tcp:127.0.0.1:{port}"]
    script = "\n".join([*opening, *commands, "quit"])
    completed = subprocess.run(
        [YAZ_CLIENT, *options],
        input=script + "\n",
        capture_output=True,
        text=True,
        timeout=30,
        cwd=folder,
        check=False,
    )
    return completed.stdout


def hit_counts(output: str) -> list[int]:
    return [int(count) for count in re.findall(r"Number of hits: (\d+)", output)]


def api_total(base_url: str, query: str) -> int:
    answer = httpx.get(f"{base_url}/api/v1/search", params={"q": query}, timeout=10)
    assert answer.status_code == 200, answer.text
    return int(answer.json()["total"])


@needs_yaz
def test_yaz_client_finds_a_vietnamese_title_and_gets_the_api_marc_record(
    z3950_port: int, base_url: str, tmp_path: Path
) -> None:
    marc_file = tmp_path / "copied.mrc"
    output = yaz(
        z3950_port,
        ['find @attr 1=4 "lịch sử việt nam"', "format usmarc", "show 1"],
        tmp_path,
        "-m",
        str(marc_file),
    )
    assert hit_counts(output) == [1]
    assert "Lịch sử Việt Nam" in output
    (hit,) = httpx.get(f"{base_url}/api/v1/search", params={"q": "title:lịch sử việt nam"}).json()[
        "hits"
    ]
    exported = httpx.get(
        f"{base_url}/api/v1/records/{hit['id']}/export", params={"format": "marc21"}
    )
    assert marc_file.read_bytes() == exported.content
    assert exported.content[9:10] == b"a"  # leader/09: UTF-8


@needs_yaz
def test_yaz_client_finds_by_isbn_and_retrieves_marcxml(z3950_port: int, tmp_path: Path) -> None:
    output = yaz(z3950_port, ["find @attr 1=7 978-604-0-00001-9", "format xml", "show 1"], tmp_path)
    assert hit_counts(output) == [1]
    assert "Record type: XML" in output
    assert '<marc:subfield code="a">Lịch sử Việt Nam /</marc:subfield>' in output
    assert '<marc:subfield code="a">(VN-HCM)h1</marc:subfield>' in output


@needs_yaz
def test_hit_counts_agree_with_the_json_api(z3950_port: int, base_url: str, tmp_path: Path) -> None:
    pairs = [
        ('@attr 1=4 "lịch sử việt nam"', "title:lịch sử việt nam"),
        ("@attr 1=1016 lich", "lich"),
        ('@attr 1=1003 "phan huy lê"', "author:phan huy lê"),
        ("@attr 1=7 9786040000019", "isbn:9786040000019"),
        ("@attr 1=4 @attr 5=1 kin", "title:kin*"),
        ('@or @attr 1=4 lịch @attr 1=4 "tập 3"', "title:lịch OR title:tập 3"),
        ('@and @attr 1=4 "giáo trình" @attr 1=31 2005', "title:giáo trình year:2005"),
        ('@not @attr 1=4 "giáo trình" @attr 1=31 2005', "title:giáo trình NOT year:2005"),
        ("@attr 1=31 @attr 2=4 2010", "year:2010-"),
        ('@attr 1=1018 @attr 4=1 "giáo dục"', 'publisher:"giáo dục"'),
    ]
    output = yaz(z3950_port, [f"find {rpn}" for rpn, _ in pairs], tmp_path)
    expected = [api_total(base_url, query) for _, query in pairs]
    assert hit_counts(output) == expected
    assert expected[:3] == [1, 1, 1]
    assert expected[6] == 1


@needs_yaz
def test_unsupported_attributes_and_syntaxes_get_bib1_diagnostics(
    z3950_port: int, tmp_path: Path
) -> None:
    output = yaz(
        z3950_port,
        [
            "find @attr 1=9999 x",
            "find @attr 2=6 @attr 1=4 x",
            "find @attr 1=4 lịch",
            "format 1.2.840.10003.5.1000",
            "show 1",
            "format usmarc",
            "show 1 @set nothing",
        ],
        tmp_path,
    )
    assert "[114] Unsupported Use attribute -- v3 addinfo '9999'" in output
    assert "[117] Unsupported Relation attribute -- v3 addinfo '6'" in output
    assert "[239]" in output
    assert "Target has closed" not in output


@needs_yaz
def test_sort_orders_a_result_set_by_year_newest_first(z3950_port: int, tmp_path: Path) -> None:
    output = yaz(
        z3950_port,
        ['find @attr 1=4 "giáo trình"', "sort 1=31 >", "format sutrs", "show 1+2"],
        tmp_path,
    )
    assert "Received SortResponse: status=success" in output
    years = re.findall(r"Year: (\d{4})", output)
    assert years == ["2019", "2018"]


@needs_yaz
def test_named_result_sets_are_limited_per_association(
    settings: Settings, app: Any, base_url: str, tmp_path: Path
) -> None:
    with running_z3950(settings, app, Z3950Limits(max_result_sets=2)) as port:
        output = yaz(
            port,
            ["find lịch", "find trình", "find kinh", "find việt"],
            tmp_path,
            before_open=("setnames",),
        )
    assert hit_counts(output) == [1, 28, 0, 0]
    assert "[112] Too many result sets created -- v3 addinfo '2'" in output


@needs_yaz
def test_a_library_logs_in_with_its_api_key_and_nobody_else_does(
    settings: Settings, app: Any, base_url: str, tmp_path: Path
) -> None:
    security = SqlSecurityStore(open_store(settings).engine)
    hcm_key = create_api_key(security, SYSTEM_ACTOR, "VN-HCM", scope="read")
    nlv_key = create_api_key(security, SYSTEM_ACTOR, "VN-NLV", scope="read").token
    with running_z3950(settings, app, check_login=partial(is_key_of_library, security)) as port:
        open_form = yaz(port, ["find lịch"], tmp_path, "-u", f"VN-HCM/{hcm_key.token}")
        id_pass_form = yaz(port, ["find lịch"], tmp_path, "-u", f"VN-HCM {hcm_key.token}")
        wrong_secret = yaz(port, ["find lịch"], tmp_path, "-u", f"VN-HCM/{hcm_key.token}x")
        another_library = yaz(port, ["find lịch"], tmp_path, "-u", f"VN-HCM/{nlv_key}")
        anonymous = yaz(port, ["find lịch"], tmp_path)
        revoke_api_key(security, SYSTEM_ACTOR, hcm_key.key.key_id)
        revoked = yaz(port, ["find lịch"], tmp_path, "-u", f"VN-HCM/{hcm_key.token}")
    assert "Connection accepted" in open_form
    assert hit_counts(open_form) == [1]
    assert "Connection accepted" in id_pass_form
    for refused in (wrong_secret, another_library, anonymous, revoked):
        assert "Connection rejected" in refused
        assert hit_counts(refused) == []


# Raw sockets: what a broken client sends.


def init_request() -> bytes:
    return encode_pdu(
        "initRequest",
        {
            "protocolVersion": (b"\xe0", 3),
            "options": (b"\xe0", 3),
            "preferredMessageSize": 1_048_576,
            "exceptionalRecordSize": 1_048_576,
        },
    )


def read_pdu(connection: socket.socket) -> tuple[str, dict[str, Any]] | None:
    """The next PDU from the server, or None when it closed the connection."""
    buffer = b""
    while (size := pdu_size(buffer, 1 << 24)) is None:
        chunk = connection.recv(65_536)
        if not chunk:
            return None
        buffer += chunk
    return decode_pdu(buffer[:size])


@contextmanager
def connected(port: int) -> Iterator[socket.socket]:
    with socket.create_connection(("127.0.0.1", port), timeout=SOCKET_SECONDS) as connection:
        yield connection


def expect_close(connection: socket.socket, reason: CloseReason) -> str:
    """Read a Close with this reason, then the end of the connection; its message."""
    answer = read_pdu(connection)
    assert answer is not None
    name, value = answer
    assert name == "close"
    assert value["closeReason"] == reason
    assert read_pdu(connection) is None
    return bytes(value["diagnosticInformation"]).decode()


@pytest.mark.parametrize(
    ("label", "data", "reason", "message"),
    [
        ("malformed BER", b"\xb4\x05\x83\x01\xff\x02\x00", CloseReason.PROTOCOL_ERROR, "decoded"),
        ("bad length", b"\xb4\x85\x01\x02\x03\x04\x05", CloseReason.PROTOCOL_ERROR, "length"),
        ("oversized", b"\xb6\x84\x7f\xff\xff\xff", CloseReason.RESOURCES, "limit"),
        ("not a request", b"\x02\x01\x05", CloseReason.PROTOCOL_ERROR, "not a Z39.50"),
        ("scan", b"\xbf\x23\x00", CloseReason.PROTOCOL_ERROR, "scanRequest"),
    ],
)
def test_bad_input_gets_a_close_and_other_clients_are_still_served(
    z3950_port: int, label: str, data: bytes, reason: CloseReason, message: str
) -> None:
    with connected(z3950_port) as good, connected(z3950_port) as bad:
        good.sendall(init_request())
        assert read_pdu(good) is not None
        bad.sendall(data)
        assert message in expect_close(bad, reason), label
        good.sendall(init_request())
        answer = read_pdu(good)
    assert answer is not None
    assert answer[0] == "initResponse"
    assert answer[1]["result"] is True


def test_a_pdu_cut_short_by_the_client_gets_a_protocol_error_close(z3950_port: int) -> None:
    with connected(z3950_port) as connection:
        connection.sendall(init_request()[:9])
        connection.shutdown(socket.SHUT_WR)
        assert "inside a PDU" in expect_close(connection, CloseReason.PROTOCOL_ERROR)


def search_request(title: str) -> bytes:
    use_title = {"attributeType": 1, "attributeValue": ("numeric", 4)}
    rpn = ("op", ("attrTerm", {"attributes": [use_title], "term": ("general", title.encode())}))
    return encode_pdu(
        "searchRequest",
        {
            "smallSetUpperBound": 0,
            "largeSetLowerBound": 1,
            "mediumSetPresentNumber": 0,
            "replaceIndicator": True,
            "resultSetName": b"default",
            "databaseNames": [b"mucluc"],
            "query": ("type-1", {"attributeSet": "1.2.840.10003.3.1", "rpn": rpn}),
        },
    )


def test_a_search_before_init_closes_with_a_protocol_error(z3950_port: int) -> None:
    with connected(z3950_port) as connection:
        connection.sendall(search_request("lịch sử"))
        assert "before a successful Init" in expect_close(connection, CloseReason.PROTOCOL_ERROR)


def test_a_search_after_init_counts_like_the_api(z3950_port: int, base_url: str) -> None:
    with connected(z3950_port) as connection:
        connection.sendall(init_request())
        assert read_pdu(connection) is not None
        connection.sendall(search_request("giáo trình"))
        answer = read_pdu(connection)
    assert answer is not None
    name, value = answer
    assert name == "searchResponse"
    assert value["searchStatus"] is True
    assert value["resultCount"] == api_total(base_url, "title:giáo trình") == 28


def test_an_idle_client_is_closed_for_lack_of_activity(
    settings: Settings, app: Any, base_url: str
) -> None:
    limits = Z3950Limits(idle_timeout_seconds=0.3)
    with running_z3950(settings, app, limits) as port, connected(port) as connection:
        connection.sendall(init_request())
        assert read_pdu(connection) is not None
        assert "no request" in expect_close(connection, CloseReason.LACK_OF_ACTIVITY)
