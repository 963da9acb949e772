"""Shared fixtures: a migrated store on SQLite and on PostgreSQL, an index, libraries.

PostgreSQL comes from MUCLUC_TEST_POSTGRES_URL. Without it the PostgreSQL
variants are skipped with a loud reason; with it, an unreachable server is
a failure. Each PostgreSQL test gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import text

from mucluc.core.model import LibraryInfo
from mucluc.search.index import TantivyIndex
from mucluc.services.catalogue import add_library
from mucluc.storage.database import make_engine, normalise_database_url, upgrade_database
from mucluc.storage.repository import SqlCatalogue

POSTGRES_URL_VARIABLE = "MUCLUC_TEST_POSTGRES_URL"

LIBRARIES = (
    LibraryInfo(
        "VN-NLV", "Thư viện Quốc gia Việt Nam", "National Library of Vietnam", "national", "Hà Nội"
    ),
    LibraryInfo(
        "VN-HCM",
        "Thư viện Khoa học Tổng hợp TP. Hồ Chí Minh",
        "HCMC General Sciences Library",
        "provincial",
        "TP. Hồ Chí Minh",
    ),
    LibraryInfo("VN-VNU", "Trung tâm Thư viện, ĐHQG Hà Nội", "VNU Library", "university", "Hà Nội"),
)


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """The PostgreSQL server for tests, or a skip that says how to enable it."""
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not url:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_URL_VARIABLE} (CI sets it)")
    return normalise_database_url(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each backend; PostgreSQL in a schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    server_url = request.getfixturevalue("postgres_server_url")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in server_url else "?"
    yield f"{server_url}{separator}options={quote(f'-csearch_path={schema}')}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def store(database_url: str) -> Iterator[SqlCatalogue]:
    """A migrated store with no libraries."""
    engine = make_engine(database_url)
    upgrade_database(engine)
    yield SqlCatalogue(engine)
    engine.dispose()


@pytest.fixture
def catalogue(store: SqlCatalogue) -> SqlCatalogue:
    """A migrated store with three member libraries of different types."""
    for library in LIBRARIES:
        add_library(store, library)
    return store


@pytest.fixture
def index(tmp_path: Path) -> TantivyIndex:
    """An empty search index in a temporary folder."""
    return TantivyIndex(tmp_path / "index")
