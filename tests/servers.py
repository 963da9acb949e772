"""Run the real application on a free loopback port for protocol and browser tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import httpx
import uvicorn
from starlette.types import ASGIApp as ASGIApplication

SERVER_START_SECONDS = 20
SERVER_PROCESS_START_SECONDS = 60  # a new interpreter imports the whole app first


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_server(app: ASGIApplication) -> Iterator[str]:
    """Serve `app` with uvicorn in a thread; yield its base URL; stop it afterwards."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_SECONDS
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()


@contextmanager
def running_server_process(
    environment: Mapping[str, str], arguments: Sequence[str] = ()
) -> Iterator[tuple[str, int]]:
    """Run `mucluc serve` in a process of its own, settings from `environment`.

    `arguments` go after `serve` (e.g. `--workers 2`).

    Yields the base URL and the process id.

    For benchmarks: a server in another process does not share the measuring
    client's interpreter lock, so the figures are the server's, not the sum.
    """
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "mucluc", "serve", "--port", str(port), *arguments],
        env={**os.environ, **environment},
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_PROCESS_START_SECONDS
        while True:
            try:
                httpx.get(f"{base_url}/healthz", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the web server did not start") from None
                time.sleep(0.1)
        yield base_url, server.pid
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=SERVER_PROCESS_START_SECONDS)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
