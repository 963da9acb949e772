"""What a reader does in the catalogue, in a real browser, on a desktop and on a phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

AXE_SCRIPT = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
PAGE_WEIGHT_LIMIT_BYTES = 200_000
ACTIVE_ELEMENT_NAME = "document.activeElement.id || document.activeElement.className"


def search_from_home(page: Page, base_url: str, query: str) -> None:
    page.goto(base_url + "/")
    page.get_by_role("searchbox").fill(query)
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")


def test_search_without_tones_finds_toned_titles(page: Page, catalogue_url: str) -> None:
    search_from_home(page, catalogue_url, "lich su viet nam")
    expect(page.locator("ol.results a.title").first).to_contain_text("lịch sử", ignore_case=True)
    expect(page.locator("html")).to_have_attribute("lang", "vi")


def test_record_page_shows_holding_libraries(page: Page, catalogue_url: str) -> None:
    search_from_home(page, catalogue_url, "lich su viet nam")
    page.locator("ol.results a.title").first.click()
    expect(page.locator("h1")).to_contain_text("lịch sử", ignore_case=True)
    rows = page.locator("table.holdings tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 1
    expect(page.get_by_role("heading", name="Thư viện có tài liệu này")).to_be_visible()


def test_switch_to_english_and_back(page: Page, catalogue_url: str) -> None:
    page.goto(catalogue_url + "/")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find books in Vietnam's libraries")
    page.get_by_role("link", name="Tiếng Việt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Tìm tài liệu trong các thư viện Việt Nam"
    )


def test_pages_fit_the_viewport(page: Page, catalogue_url: str) -> None:
    for path in ("/", "/search?q=lich+su", "/libraries"):
        page.goto(catalogue_url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"


def test_keyboard_reaches_the_search_box_first(page: Page, catalogue_url: str) -> None:
    page.goto(catalogue_url + "/")
    focused = []
    for _ in range(3):  # the skip link, the catalogue's name, then the search box
        page.keyboard.press("Tab")
        focused.append(page.evaluate(ACTIVE_ELEMENT_NAME))
    assert focused == ["skip", "brand", "q"]


@pytest.mark.parametrize("path", ["/", "/search?q=lich+su+viet+nam", "/libraries"])
def test_pages_stay_light_and_serve_their_own_assets(
    page: Page, catalogue_url: str, path: str
) -> None:
    sizes: dict[str, int] = {}

    def record(response: Any) -> None:
        sizes[response.url] = len(response.body())

    page.on("response", record)
    page.goto(catalogue_url + path)
    page.wait_for_load_state("networkidle")
    assert all(url.startswith(catalogue_url) for url in sizes), sorted(sizes)
    assert sum(sizes.values()) < PAGE_WEIGHT_LIMIT_BYTES


@pytest.mark.parametrize(
    "path", ["/", "/search?q=lich+su+viet+nam", "/libraries", "/libraries/VN-NLV"]
)
def test_pages_have_no_serious_accessibility_violations(
    page: Page, catalogue_url: str, path: str
) -> None:
    page.goto(catalogue_url + path)
    # Evaluated through the DevTools protocol, so the site's CSP (no inline scripts) stays on.
    page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    audit = page.evaluate(
        "async () => { const result = await axe.run(document); return {"
        " passes: result.passes.length,"
        " serious: result.violations.filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')) }; }"
    )
    assert audit["passes"] > 10, "axe-core did not audit the page"
    assert audit["serious"] == []


def test_a_facet_narrows_the_results(page: Page, catalogue_url: str) -> None:
    search_from_home(page, catalogue_url, "lich su")
    total_before = int(page.locator("p.summary").inner_text().split()[0].replace(".", ""))
    page.locator("aside.facets section.facet").first.locator("a").first.click()
    expect(page.locator("ul.chosen-filters li")).to_have_count(1)
    total_after = int(page.locator("p.summary").inner_text().split()[0].replace(".", ""))
    assert 0 < total_after < total_before
    page.locator("ul.chosen-filters a").first.click()
    expect(page.locator("ul.chosen-filters")).to_have_count(0)


def test_export_links_download_files(page: Page, catalogue_url: str) -> None:
    search_from_home(page, catalogue_url, "lich su viet nam")
    page.locator("ol.results a.title").first.click()
    with page.expect_download() as download:
        page.get_by_role("link", name="MARCXML").click()
    assert download.value.suggested_filename.endswith(".xml")
