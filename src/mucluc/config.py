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
    keep_alive_seconds: int = Field(
        default=75,
        ge=1,
        description=(
            "Seconds `mucluc serve` keeps an idle HTTP connection open for the client's next "
            "request; longer than the idle timeout of the clients and proxies in front."
        ),
    )
    web_workers: int = Field(
        default=1,
        ge=1,
        description=(
            "Worker processes `mucluc serve` answers HTTP with, on one port; one of them "
            "writes the search index, the others follow it."
        ),
    )
    index_refresh_seconds: float = Field(
        default=1.0,
        description="Seconds between the web server's checks of the change log for the index.",
    )
    index_commit_changes: int = Field(
        default=10_000,
        ge=1,
        description=(
            "Change-log entries the index follower applies between commits while catching up: "
            "fewer make a long catch-up visible sooner, more make it faster."
        ),
    )
    index_alongside_bytes: int = Field(
        default=4_000_000,
        ge=0,
        description=(
            "`mucluc ingest` of files at least this large in all (bytes) indexes them in a "
            "second process while they load, about halving a large load on two cores; "
            "smaller loads are indexed after (0: always alongside)."
        ),
    )
    page_size: int = Field(default=20, description="Search results per page, web and API.")
    max_page_size: int = Field(default=100, description="Largest page a client may ask for.")
    oai_repository_identifier: str = Field(
        default="mucluc.vn",
        description="Repository identifier in OAI identifiers (oai:mucluc.vn:123).",
    )
    oai_admin_email: str = Field(
        default="catalogue@mucluc.invalid",
        description="Address OAI-PMH Identify gives for the repository's administrator.",
    )
    oai_page_size: int = Field(
        default=500, ge=1, description="Records per OAI-PMH list response (then a token)."
    )
    z3950_port: int | None = Field(
        default=None,
        description="Port of the Z39.50 server `mucluc serve` also starts (2100 is usual); "
        "unset: no Z39.50 unless `--z3950 PORT` is given.",
    )
    z3950_require_login: bool = Field(
        default=False,
        description="When true, Z39.50 clients must log in: the user id is a member "
        "library's code, the password one of that library's API keys (`mucluc key create`).",
    )

    # Security (issue #9): sessions, limits, rate limits.
    session_lifetime_minutes: int = Field(
        default=480, ge=1, description="How long a web admin sign-in lasts, in minutes."
    )
    session_cookie_secure: bool = Field(
        default=True,
        description=(
            "Mark the admin session cookie Secure (sent over HTTPS only). "
            "Turn off only for a plain-HTTP test server."
        ),
    )
    sign_in_attempts: int = Field(
        default=5,
        ge=1,
        description="Failed sign-ins allowed per username and per client within the window.",
    )
    sign_in_window_seconds: int = Field(
        default=900, ge=1, description="The window over which failed sign-ins are counted."
    )
    max_request_bytes: int = Field(
        default=50_000_000,
        ge=1,
        description="Largest request body accepted (contribution uploads included); more is 413.",
    )
    contribution_synchronous_bytes: int = Field(
        default=1_000_000,
        ge=0,
        description=(
            "Contribution bodies up to this size are ingested before the answer; larger ones "
            "answer 202 with a job id to poll at /api/v1/jobs/{id}."
        ),
    )
    max_query_string_bytes: int = Field(
        default=4096, ge=64, description="Longest URL query string accepted; more is 414."
    )
    max_search_query_characters: int = Field(
        default=500,
        ge=1,
        description="Longest search query (`q`, `query`) accepted, in characters; more is 400.",
    )
    max_result_window: int = Field(
        default=10_000,
        ge=1,
        description="Deepest result a client may page to (page x page size); deeper is 400.",
    )
    rate_limit_per_minute: int = Field(
        default=1200,
        ge=0,
        description=(
            "Requests per minute each client address may make to the catalogue, API and "
            "protocols (0: no limit); over it, 429 with Retry-After."
        ),
    )
    rate_limit_burst: int = Field(
        default=300,
        ge=1,
        description="Requests a client may make at once before the per-minute rate applies.",
    )

    # Matching (issue #4): the `DedupPolicy` every ingest, rebuild and staff change uses.
    # Unset values keep the matcher's own defaults (docs/configuration.md).
    dedup_threshold: float | None = Field(
        default=None, description="Score a pair of records must reach to be one edition."
    )
    dedup_year_tolerance: int | None = Field(
        default=None,
        ge=0,
        description="Largest gap between publication years that does not forbid a match.",
    )
    dedup_block_limit: int | None = Field(
        default=None,
        ge=2,
        description="Most records a title or name blocking key may hold and still pair them.",
    )
    dedup_weights: dict[str, float] = Field(
        default_factory=dict,
        description="Evidence weights to change, by name (`title_same = 3.0`); others keep theirs.",
    )
    dedup_preferred_libraries: list[str] | None = Field(
        default=None,
        description="Library codes whose record speaks for a union record, in order, before "
        "library types.",
    )

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
