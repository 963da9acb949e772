"""Behind a reverse proxy on the same host, each reader is limited by their own address.

uvicorn trusts X-Forwarded-For from the addresses in FORWARDED_ALLOW_IPS
(loopback by default), so nginx in front of mucluc does not make every
reader share one rate limit; other senders' headers are ignored.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mucluc.config import Settings
from mucluc.web.app import create_app
from mucluc.wiring import initialise_home
from tests.servers import running_server


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = Settings(
        home=tmp_path_factory.mktemp("proxy-home"), rate_limit_per_minute=60, rate_limit_burst=5
    )
    initialise_home(settings)
    with running_server(create_app(settings)) as url:
        yield url


def _statuses(base_url: str, forwarded_for: str, requests: int) -> list[int]:
    headers = {"X-Forwarded-For": forwarded_for}
    with httpx.Client(base_url=base_url, headers=headers) as client:
        return [client.get("/api/v1/libraries").status_code for _ in range(requests)]


def test_one_reader_over_the_limit_does_not_throttle_another_behind_the_same_proxy(
    base_url: str,
) -> None:
    busy_reader = _statuses(base_url, "203.0.113.7", 10)
    other_reader = _statuses(base_url, "198.51.100.9", 3)
    assert 429 in busy_reader
    assert other_reader == [200, 200, 200]
