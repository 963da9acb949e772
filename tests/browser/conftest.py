"""Headless Chromium (Debian's) driven by Playwright against the served catalogue.

Browser tests run when MUCLUC_TEST_BROWSER=1 (CI sets it; `.ci/run` installs
Debian's chromium and axe-core) and are skipped loudly otherwise. Playwright
never downloads a browser: it launches /usr/bin/chromium. Screenshots go to
test-artefacts/ in the repository.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from mucluc.config import Settings
from mucluc.demo.generate import generate_demo_records
from mucluc.demo.libraries import DEMO_LIBRARIES
from mucluc.services.catalogue import add_library
from mucluc.services.ingest import ingest_bytes
from mucluc.web.app import create_app
from mucluc.wiring import initialise_home, open_store
from tests.servers import running_server

BROWSER_VARIABLE = "MUCLUC_TEST_BROWSER"
CHROMIUM = os.environ.get("MUCLUC_CHROMIUM", "/usr/bin/chromium")
RECORDS_PER_LIBRARY = 120
ARTEFACTS = Path(__file__).parents[2] / "test-artefacts"
CHROMIUM_ARGUMENTS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def catalogue_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The catalogue with a slice of the demo data, served on loopback."""
    if os.environ.get(BROWSER_VARIABLE) != "1":
        pytest.skip(f"browser tests need {BROWSER_VARIABLE}=1 and Debian chromium (CI sets both)")
    settings = Settings(home=tmp_path_factory.mktemp("browser-home"), index_refresh_seconds=0.2)
    initialise_home(settings)
    store = open_store(settings)
    demo = generate_demo_records()
    for library in DEMO_LIBRARIES:
        add_library(store, library)
        records = demo[library.code][:RECORDS_PER_LIBRARY]
        data = b"".join(record.as_marc() for record in records)
        ingest_bytes(store, library.code, data, source_name=f"{library.code}.mrc")
    with running_server(create_app(settings)) as url:
        yield url


@pytest.fixture(scope="session")
def browser(catalogue_url: str) -> Iterator[Browser]:
    """Debian's Chromium, headless."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGUMENTS
        )
        yield chromium
        chromium.close()


@pytest.fixture(params=["desktop", "phone"])
def page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    """A fresh page on a desktop-sized or a phone-sized viewport."""
    viewport = {"desktop": (1280, 900), "phone": (390, 844)}[request.param]
    context = browser.new_context(
        viewport={"width": viewport[0], "height": viewport[1]},
        is_mobile=request.param == "phone",
        has_touch=request.param == "phone",
    )
    page = context.new_page()
    yield page
    ARTEFACTS.mkdir(exist_ok=True)
    file_name = re.sub(r"[^\w\[\]-]+", "_", request.node.name)
    page.screenshot(path=str(ARTEFACTS / f"{file_name}.png"), full_page=True)
    context.close()
