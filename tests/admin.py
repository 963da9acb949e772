"""What tests of the admin pages share: a catalogue home with staff, and the forms' tokens."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mucluc.accounts.roles import Role
from mucluc.accounts.service import SYSTEM_ACTOR, create_account
from mucluc.config import Settings
from mucluc.core.model import LibraryInfo
from mucluc.services.catalogue import add_library
from mucluc.storage.accounts import SqlSecurityStore
from mucluc.storage.repository import SqlCatalogue
from mucluc.wiring import initialise_home, open_store

StaffAccounts = Mapping[str, tuple[Role, str | None]]  # username: (role, library code)


def staffed_home(
    home: Path,
    libraries: Iterable[LibraryInfo],
    accounts: StaffAccounts,
    password: str,
    **settings: Any,
) -> tuple[Settings, SqlCatalogue]:
    """A new catalogue home (plain-HTTP session cookies) with these libraries and staff."""
    configured = Settings(home=home, session_cookie_secure=False, **settings)
    initialise_home(configured)
    store = open_store(configured)
    for library in libraries:
        add_library(store, library)
    security = SqlSecurityStore(store.engine)
    for username, (role, library_code) in accounts.items():
        create_account(
            security,
            SYSTEM_ACTOR,
            username=username,
            password=password,
            role=role,
            library_code=library_code,
        )
    return configured, store


def form_token(page: str, name: str) -> str:
    """The value of the hidden form field `name` (a CSRF or sign-in token) in an HTML page."""
    match = re.search(rf'name="{name}" value="([^"]+)"', page)
    assert match, f"no {name} in the page"
    return match.group(1)
