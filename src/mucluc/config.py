"""Settings for every mucluc entry point, read from `MUCLUC_` environment variables.

Settings are built once, in `cli/main.py` or by whoever calls
`web.app.create_app(settings)`, and passed down; nothing else reads the
environment. An optional TOML settings file (`MUCLUC_SETTINGS_FILE`) supplies
defaults that environment variables override.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

SETTINGS_FILE_VARIABLE = "MUCLUC_SETTINGS_FILE"


class Settings(BaseSettings):
    """Where mucluc keeps its data and how it serves it."""

    model_config = SettingsConfigDict(env_prefix="MUCLUC_", extra="forbid")

    home: Path = Field(
        default=Path("mucluc-data"),
        description="Data folder: the SQLite store (by default) and the search index.",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the store. Default: an SQLite file inside `home`. "
            "Production: postgresql+psycopg://user@host/dbname."
        ),
    )
    host: str = Field(default="127.0.0.1", description="Address `mucluc serve` listens on.")
    port: int = Field(default=8000, description="Port `mucluc serve` listens on.")
    index_refresh_seconds: float = Field(
        default=1.0,
        description="Seconds between the web server's checks of the change log for the index.",
    )
    page_size: int = Field(default=20, description="Search results per page, web and API.")
    max_page_size: int = Field(default=100, description="Largest page a client may ask for.")

    @property
    def index_path(self) -> Path:
        """The folder holding the live tantivy index."""
        return self.home / "index"

    @property
    def resolved_database_url(self) -> str:
        """The store URL, defaulting to `mucluc.db` inside the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'mucluc.db').resolve()}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Read, in order of precedence: arguments, environment, the TOML settings file."""
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        settings_file = os.environ.get(SETTINGS_FILE_VARIABLE)
        if settings_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(settings_file)))
        return tuple(sources)


def load_settings(**overrides: Any) -> Settings:
    """Build the settings from the environment, the optional file and explicit overrides."""
    return Settings(**{key: value for key, value in overrides.items() if value is not None})
