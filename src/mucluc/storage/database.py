"""Engines for the store, and Alembic migrations run from inside the package.

SQLite (WAL, foreign keys on) is the embedded default; PostgreSQL is the
production store. Both are migrated by the same Alembic scripts.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

MIGRATIONS = Path(__file__).parent / "alembic"
SQLITE_BUSY_TIMEOUT_MILLISECONDS = 30_000
PARAMETERS_PER_STATEMENT = 900  # well under SQLite's and PostgreSQL's bound-parameter limits

Item = TypeVar("Item")


def in_chunks(
    values: Sequence[Item], size: int = PARAMETERS_PER_STATEMENT
) -> Iterator[Sequence[Item]]:
    """`values` in consecutive pieces of at most `size`: one IN (...) list per statement."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain `postgresql://` URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def json_text(value: Any) -> str:
    """A JSON column's value as text: orjson, several times faster than json on MARC records.

    Keys that are not text are written as text, as json does.
    """
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def make_engine(url: str, **engine_options: Any) -> Engine:
    """Create an engine; on SQLite, turn on WAL, foreign keys and a busy timeout.

    JSON columns (every source record's MARC-in-JSON, read back for each
    union record the index renders) go through orjson.
    """
    url = normalise_database_url(url)
    engine_options = {
        "json_serializer": json_text,
        "json_deserializer": orjson.loads,
    } | engine_options
    if url.startswith("sqlite"):
        engine = create_engine(url, **engine_options)

        @event.listens_for(engine, "connect")
        def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MILLISECONDS}")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, **engine_options)


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration that migrates through the given engine."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Migrate the store to `revision` (the newest by default)."""
    command.upgrade(alembic_config(engine), revision)


def is_initialised(engine: Engine) -> bool:
    """Whether migrations have ever run against this store."""
    return inspect(engine).has_table("alembic_version")


# autovacuum's default rule for analysing a table: 50 rows plus a tenth of it changed.
_STALE_TABLES = text(
    """
    SELECT relname FROM pg_stat_user_tables
    WHERE schemaname = current_schema()
      AND n_mod_since_analyze > 50 + 0.1 * n_live_tup
    ORDER BY relname
    """
)


def analyse_stale_tables(session: Session) -> list[str]:
    """ANALYZE the tables much changed since they were last analysed; return their names.

    PostgreSQL plans from statistics that autovacuum keeps fresh, when it runs
    and keeps up. During a long load into a new catalogue, with autovacuum off
    or behind, the planner went on estimating `match_keys` as the empty table
    it once was and chose slower plans for every key look-up (see "PostgreSQL
    in production" in docs/configuration.md). Nothing to do on SQLite, whose
    planner needs no statistics to use the indexes these look-ups rely on.
    """
    if session.get_bind().dialect.name != "postgresql":
        return []
    stale = list(session.execute(_STALE_TABLES).scalars())
    quote = session.get_bind().dialect.identifier_preparer.quote
    for name in stale:
        session.execute(text(f"ANALYZE {quote(name)}"))
    return stale
