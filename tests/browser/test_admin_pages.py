"""The staff admin pages in a real browser: signed in, accessible, and fitting a phone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from mucluc.accounts.roles import Role
from mucluc.core.model import LibraryInfo
from mucluc.services.ingest import ingest_bytes
from mucluc.web.app import create_app
from tests.admin import staffed_home
from tests.builders import make_marc_file, make_marc_record
from tests.servers import running_server

AXE_SCRIPT = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "mật khẩu quản trị quốc gia"
PAGES = [
    "/admin",
    "/admin/libraries",
    "/admin/libraries/VN-HCM",
    "/admin/jobs",
    "/admin/quarantine",
    "/admin/quarantine/2",
    "/admin/union-records?record=1",
    "/admin/isbn-blocklist",
]


@pytest.fixture(scope="module")
def admin_url(catalogue_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A small catalogue with a quarantined record and a national administrator."""
    settings, store = staffed_home(
        tmp_path_factory.mktemp("admin-browser"),
        [LibraryInfo("VN-HCM", "Thư viện TP.HCM", "HCMC Library", "provincial")],
        {"quoc": (Role.NATIONAL_ADMINISTRATOR, None)},
        PASSWORD,
    )
    ingest_bytes(
        store,
        "VN-HCM",
        make_marc_file(make_marc_record("h1", "Dế Mèn phiêu lưu ký"), make_marc_record("h2", None)),
        source_name="hcm.mrc",
    )
    with running_server(create_app(settings)) as url:
        yield url


def _sign_in(page: Page, admin_url: str) -> None:
    page.goto(admin_url + "/admin/sign-in")
    page.get_by_label("Tên đăng nhập").fill("quoc")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("form.admin-form button").click()
    page.wait_for_url("**/admin")


@pytest.mark.parametrize("path", PAGES)
def test_admin_pages_fit_the_viewport_and_have_no_serious_accessibility_violations(
    page: Page, admin_url: str, path: str
) -> None:
    _sign_in(page, admin_url)
    response = page.goto(admin_url + path)
    assert response is not None
    assert response.ok, f"{path}: {response.status}"
    expect(page.locator("h1")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
    page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    audit = page.evaluate(
        "async () => { const result = await axe.run(document); return {"
        " passes: result.passes.length,"
        " serious: result.violations.filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')) }; }"
    )
    assert audit["passes"] > 10, "axe-core did not audit the page"
    assert audit["serious"] == []
