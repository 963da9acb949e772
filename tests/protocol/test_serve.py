"""`mucluc serve` as a process: how it treats the HTTP connections clients keep open."""

from __future__ import annotations

import http.client
import time
from pathlib import Path
from urllib.parse import urlsplit

from mucluc.config import Settings
from mucluc.wiring import initialise_home
from tests.servers import running_server_process

UVICORN_DEFAULT_KEEP_ALIVE_SECONDS = 5


def _status(connection: http.client.HTTPConnection) -> int:
    connection.request("GET", "/healthz")
    response = connection.getresponse()
    response.read()
    return response.status


def test_an_idle_keep_alive_connection_outlives_uvicorns_five_seconds(tmp_path: Path) -> None:
    """A loaded client reads its answer late: the server must keep the connection meanwhile.

    Closed after uvicorn's default 5 s, the client's next request met a reset
    (the ReadErrors of bench/load.py).
    """
    initialise_home(Settings(home=tmp_path))
    with running_server_process({"MUCLUC_HOME": str(tmp_path)}) as (base_url, _pid):
        address = urlsplit(base_url)
        connection = http.client.HTTPConnection(address.netloc, timeout=30)
        try:
            assert _status(connection) == 200
            first_socket = connection.sock
            time.sleep(UVICORN_DEFAULT_KEEP_ALIVE_SECONDS + 1.5)
            assert _status(connection) == 200  # RemoteDisconnected if the server had closed it
            assert connection.sock is first_socket
        finally:
            connection.close()
