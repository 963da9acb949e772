"""What every command receives: the settings, and the adapters built from them on demand."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import typer

from mucluc.config import Settings
from mucluc.search.index import TantivyIndex
from mucluc.storage.accounts import SqlSecurityStore
from mucluc.storage.publishing import SqlMetadataPublisher
from mucluc.storage.repository import SqlCatalogue
from mucluc.wiring import open_index, open_store


@dataclass
class CommandContext:
    """Settings built once by the entry point, plus lazily opened store and index."""

    settings: Settings
    debug: bool = False
    _store: SqlCatalogue | None = field(default=None, repr=False)

    def store(self) -> SqlCatalogue:
        """The store; it must have been initialised."""
        if self._store is None:
            self._store = open_store(self.settings)
        return self._store

    def audit_log(self) -> SqlSecurityStore:
        """The store's accounts, keys and audit log."""
        return SqlSecurityStore(self.store().engine)

    def publisher(self) -> SqlMetadataPublisher:
        """Where the store's published OAI-PMH metadata is rendered."""
        return SqlMetadataPublisher(self.store().engine)

    def index(self) -> TantivyIndex:
        """The live search index."""
        return open_index(self.settings)


def command_context(context: typer.Context) -> CommandContext:
    """The CommandContext the main callback stored."""
    found: CommandContext = context.find_root().obj
    return found


def print_json(value: Any) -> None:
    """Print a value as JSON for scripts, keeping Vietnamese letters readable."""
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2))
