"""`mucluc serve --workers N`: several processes on one port, one of them writing the index."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import uvicorn

from mucluc.cli.serve import as_tcp_listener
from mucluc.config import Settings
from mucluc.process_identity import process_identity
from mucluc.storage.accounts import SqlSecurityStore
from mucluc.web.app import create_app
from mucluc.wiring import INDEX_WRITER_LOCK_FILE, open_store
from tests.builders import add_contribution_job, home_with_national_library, ingest_title
from tests.servers import free_port, running_server_process

WAIT_SECONDS = 20  # far above the 2 s freshness promise: a loaded machine must not fail it


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return home_with_national_library(tmp_path)


@pytest.fixture
def server(settings: Settings) -> Iterator[str]:
    environment = {"MUCLUC_HOME": str(settings.home), "MUCLUC_RATE_LIMIT_PER_MINUTE": "0"}
    with running_server_process(environment, ["--workers", "2"]) as (base_url, _pid):
        yield base_url


def search_total(base_url: str, query: str) -> int:
    """One search on a new connection, so that any worker may answer it."""
    answer = httpx.get(f"{base_url}/api/v1/search", params={"q": query}, timeout=10)
    answer.raise_for_status()
    return int(answer.json()["total"])


def wait_until_searchable(base_url: str, query: str, answers_in_a_row: int = 1) -> None:
    """Poll until that many searches in a row find the record, whichever workers answer."""
    deadline = time.monotonic() + WAIT_SECONDS
    in_a_row = 0
    while in_a_row < answers_in_a_row:
        assert time.monotonic() < deadline, f"`{query}` was not searchable in {WAIT_SECONDS} s"
        in_a_row = in_a_row + 1 if search_total(base_url, query) == 1 else 0
        if not in_a_row:
            time.sleep(0.1)


def writer_lock_holders(settings: Settings) -> list[int]:
    """The processes holding the index writer lock, from the kernel's list of file locks."""
    inode = (settings.home / INDEX_WRITER_LOCK_FILE).stat().st_ino
    holders = []
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if fields[1] == "FLOCK" and fields[5].rsplit(":", 1)[-1] == str(inode):
            holders.append(int(fields[4]))
    return holders


def wait_for_one_holder(settings: Settings, other_than: int = 0) -> int:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        holders = writer_lock_holders(settings)
        if holders and holders != [other_than]:
            assert len(holders) == 1
            return holders[0]
        assert time.monotonic() < deadline, "no worker took the index writer lock"
        time.sleep(0.1)


def test_workers_answer_searches_for_a_record_ingested_while_they_run(
    settings: Settings, server: str
) -> None:
    assert search_total(server, "song da") == 0
    ingest_title(open_store(settings), "w1", "Sông Đà")
    wait_until_searchable(server, "song da", answers_in_a_row=20)


def test_one_worker_writes_and_another_takes_over_when_it_dies(
    settings: Settings, server: str
) -> None:
    holder = wait_for_one_holder(settings)
    os.kill(holder, signal.SIGKILL)
    successor = wait_for_one_holder(settings, other_than=holder)
    assert successor != holder
    ingest_title(open_store(settings), "w2", "Sông Hồng")
    wait_until_searchable(server, "song hong")


def add_running_job(settings: Settings, owner: str) -> int:
    return add_contribution_job(SqlSecurityStore(open_store(settings).engine), owner, "running")


def job_status(settings: Settings, job_id: int) -> str:
    job = SqlSecurityStore(open_store(settings).engine).find_contribution_job(job_id)
    assert job is not None
    return job.status


def ended_process_identity() -> str:
    """The identity of a process that ran and has ended."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    identity = process_identity(process.pid)
    process.kill()
    process.wait()
    return identity


def test_a_starting_server_ends_only_the_jobs_whose_process_has_ended(
    settings: Settings,
) -> None:
    of_a_running_worker = add_running_job(settings, process_identity())
    of_an_ended_server = add_running_job(settings, ended_process_identity())
    create_app(settings)
    assert job_status(settings, of_a_running_worker) == "running"
    assert job_status(settings, of_an_ended_server) == "interrupted"


def test_serving_with_workers_interrupts_the_jobs_a_stopped_server_left(
    settings: Settings,
) -> None:
    left_behind = add_running_job(settings, ended_process_identity())
    environment = {"MUCLUC_HOME": str(settings.home)}
    with running_server_process(environment, ["--workers", "2"]):
        assert job_status(settings, left_behind) == "interrupted"


def test_z3950_with_several_workers_is_refused_with_a_reason(settings: Settings) -> None:
    command = [sys.executable, "-m", "mucluc", "serve", "--workers", "2", "--z3950", "2100"]
    finished = subprocess.run(
        command,
        env={**os.environ, "MUCLUC_HOME": str(settings.home)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 1
    assert "Z39.50" in finished.stderr


async def accepted_connection_has_nodelay(listener: socket.socket) -> bool:
    """Accept one connection through asyncio, as a worker does; is Nagle off on it?"""
    loop = asyncio.get_running_loop()
    nodelay: asyncio.Future[int] = loop.create_future()

    class NoteNodelay(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            accepted = transport.get_extra_info("socket")
            nodelay.set_result(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    server = await loop.create_server(NoteNodelay, sock=listener)
    _reader, writer = await asyncio.open_connection(*listener.getsockname())
    try:
        return bool(await nodelay)
    finally:
        writer.close()
        server.close()


def test_the_workers_socket_gives_connections_without_nagles_delay() -> None:
    """Else every keep-alive answer waited ~40 ms for the client's delayed ACK."""
    config = uvicorn.Config("mucluc.web.workers:create_worker_app", port=free_port(), workers=2)
    listener = as_tcp_listener(config.bind_socket())
    # On a thread of its own: the browser tests' session may hold this thread's event loop.
    with ThreadPoolExecutor(max_workers=1) as thread:
        assert thread.submit(asyncio.run, accepted_connection_has_nodelay(listener)).result()
