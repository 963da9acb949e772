"""The web admin: sign-in with CSRF and throttling, keys shown once, the audit page; 429s."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from mucluc.accounts.roles import Role
from mucluc.core.model import LibraryInfo
from mucluc.web.app import create_app
from tests.admin import form_token, staffed_home
from tests.servers import running_server

PASSWORD = "quản trị viên thư viện"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings, _ = staffed_home(
        tmp_path_factory.mktemp("admin-home"),
        [LibraryInfo("VN-HCM", "Thư viện TP.HCM", "HCMC", "provincial", "HCM")],
        {"hoa": (Role.LIBRARY_ADMINISTRATOR, "VN-HCM")},
        PASSWORD,
        sign_in_attempts=2,
        rate_limit_per_minute=60,
        rate_limit_burst=40,
    )
    with running_server(create_app(settings)) as url:
        yield url


def _sign_in(client: httpx.Client, username: str, password: str) -> httpx.Response:
    form = client.get("/admin/sign-in")
    return client.post(
        "/admin/sign-in",
        data={
            "username": username,
            "password": password,
            "sign_in_token": form_token(form.text, "sign_in_token"),
        },
    )


def test_a_library_administrator_creates_a_key_shown_once_and_sees_the_audit(
    base_url: str,
) -> None:
    with httpx.Client(base_url=base_url, follow_redirects=True) as client:
        home = _sign_in(client, "hoa", PASSWORD)
        assert home.status_code == 200
        assert "VN-HCM" in home.text
        csrf = form_token(home.text, "csrf_token")
        refused = client.post("/admin/keys", data={"library": "VN-HCM", "csrf_token": "forged"})
        assert refused.status_code == 403
        created = client.post(
            "/admin/keys", data={"library": "VN-HCM", "scope": "write", "csrf_token": csrf}
        )
        token = re.search(r"<code>(mlc_[^<]+)</code>", created.text)
        assert token is not None
        assert token.group(1) not in client.get("/admin/keys").text
        other = client.post("/admin/keys", data={"library": "VN-NLV", "csrf_token": csrf})
        assert other.status_code == 403
        audit = client.get("/admin/audit", params={"lang": "en"})
        assert "key.create" in audit.text
        assert "session.start" in audit.text


def test_sign_in_without_the_form_token_is_refused(base_url: str) -> None:
    response = httpx.post(
        f"{base_url}/admin/sign-in", data={"username": "hoa", "password": PASSWORD}
    )
    assert response.status_code == 403


def test_repeated_wrong_passwords_are_throttled_with_retry_after(base_url: str) -> None:
    with httpx.Client(base_url=base_url) as client:
        statuses = [_sign_in(client, "nobody", "wrong password").status_code for _ in range(3)]
        assert statuses == [401, 401, 429]
        blocked = _sign_in(client, "nobody", "wrong password")
    assert int(blocked.headers["Retry-After"]) > 0


def test_a_client_over_its_rate_gets_429_with_retry_after(base_url: str) -> None:
    with httpx.Client(base_url=base_url) as client:
        statuses = [client.get("/api/v1/libraries").status_code for _ in range(45)]
        limited = client.get("/api/v1/libraries")
    assert 429 in statuses
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.json()["title"] == "Too many requests"
