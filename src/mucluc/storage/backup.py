"""Consistent online backups of the store, with a manifest, and restores that are checked.

SQLite: the online backup API copies the live database page by page into
`mucluc.db`. PostgreSQL: `pg_dump -Fc` runs on a snapshot exported from a
REPEATABLE READ transaction in which the manifest's counts are taken, so the
counts describe exactly the dump. The manifest lists each table's row count
and a SHA-256 over its rows in key order, and each file's SHA-256; a restore
(or `verify_backup`, which restores into a scratch database) recomputes them
and refuses a difference. The search index is not backed up: it is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, inspect, select, text
from sqlalchemy.engine import make_url

from mucluc import __version__
from mucluc.errors import BackupError
from mucluc.storage.database import make_engine
from mucluc.storage.tables import Base

MANIFEST_NAME = "manifest.json"
SQLITE_FILE = "mucluc.db"
POSTGRES_FILE = "mucluc.dump"
MANIFEST_FORMAT = 1
SQLITE_PAGES_PER_STEP = 1024
PG_TOOL_TIMEOUT_SECONDS = 3600


def _canonical(value: Any) -> Any:
    """A value in a form that is the same whichever way the row was read back."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


def table_digests(connection: Connection) -> dict[str, dict[str, Any]]:
    """Row count and SHA-256 of every table of the schema, rows in primary-key order."""
    digests: dict[str, dict[str, Any]] = {}
    present = set(inspect(connection).get_table_names())
    for table in Base.metadata.sorted_tables:
        if table.name not in present:
            continue
        digest = hashlib.sha256()
        rows = 0
        ordering = list(table.primary_key.columns) or list(table.columns)
        for row in connection.execute(select(table).order_by(*ordering)):
            line = json.dumps(
                [_canonical(value) for value in row],
                sort_keys=True,
                default=str,
                ensure_ascii=False,
            )
            digest.update(line.encode("utf-8") + b"\n")
            rows += 1
        digests[table.name] = {"rows": rows, "sha256": digest.hexdigest()}
    revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    digests["alembic_version"] = {"rows": 1, "revision": revision}
    return digests


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _libpq_url(engine: Engine) -> str:
    """The engine's URL as pg_dump and pg_restore understand it (no SQLAlchemy driver)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run_tool(arguments: list[str]) -> None:
    try:
        completed = subprocess.run(
            arguments,
            capture_output=True,
            text=True,
            timeout=PG_TOOL_TIMEOUT_SECONDS,
            check=False,
        )
    except FileNotFoundError as error:
        raise BackupError(f"{arguments[0]} is not installed (PostgreSQL client tools)") from error
    if completed.returncode != 0:
        raise BackupError(f"{arguments[0]} failed: {completed.stderr.strip()[:2000]}")


def take_backup(engine: Engine, destination: Path) -> dict[str, Any]:
    """Write a backup of the store into the empty (or new) folder `destination`."""
    if destination.exists() and any(destination.iterdir()):
        raise BackupError(f"{destination}: the backup folder must be empty or new")
    destination.mkdir(parents=True, exist_ok=True)
    dialect = engine.dialect.name
    if dialect == "sqlite":
        file_name = SQLITE_FILE
        source_path = engine.url.database
        if not source_path:
            raise BackupError("an in-memory SQLite store cannot be backed up")
        target = destination / file_name
        with sqlite3.connect(source_path) as source, sqlite3.connect(target) as copy:
            source.backup(copy, pages=SQLITE_PAGES_PER_STEP)
        with make_engine(f"sqlite:///{target}").connect() as connection:
            tables = table_digests(connection)
        schema = None
    elif dialect == "postgresql":
        file_name = POSTGRES_FILE
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                schema = connection.execute(text("SELECT current_schema()")).scalar_one()
                tables = table_digests(connection)
                arguments = ["pg_dump", "-Fc", "--no-owner", f"--snapshot={snapshot}"]
                if schema != "public":
                    arguments.append(f"--schema={schema}")
                _run_tool([*arguments, "-f", str(destination / file_name), _libpq_url(engine)])
    else:
        raise BackupError(f"backups of {dialect} stores are not supported")
    manifest = {
        "format": MANIFEST_FORMAT,
        "mucluc_version": __version__,
        "created_at": datetime.now(UTC).isoformat(),
        "database": dialect,
        "schema": schema,
        "files": {file_name: _file_sha256(destination / file_name)},
        "tables": tables,
    }
    (destination / MANIFEST_NAME).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return manifest


def read_manifest(source: Path) -> dict[str, Any]:
    """The manifest of a backup folder, with every file's checksum checked."""
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST_NAME).read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(
            f"{source / MANIFEST_NAME}: cannot read the manifest ({error})"
        ) from error
    for name, expected in manifest["files"].items():
        path = source / name
        if not path.is_file():
            raise BackupError(f"{path}: the backup file is missing")
        if _file_sha256(path) != expected:
            raise BackupError(
                f"{path}: the checksum differs from the manifest; the file is damaged"
            )
    return manifest


def restore_backup(source: Path, engine: Engine) -> dict[str, Any]:
    """Restore a backup into an empty store, then prove it equals the manifest."""
    manifest = read_manifest(source)
    if manifest["database"] != engine.dialect.name:
        raise BackupError(
            f"{source}: a {manifest['database']} backup cannot be restored into "
            f"{engine.dialect.name}"
        )
    if inspect(engine).get_table_names():
        raise BackupError(
            f"{engine.url.render_as_string()}: the store is not empty; restore needs an empty one"
        )
    if engine.dialect.name == "sqlite":
        target = engine.url.database
        if not target:
            raise BackupError("cannot restore into an in-memory SQLite store")
        engine.dispose()
        with sqlite3.connect(source / SQLITE_FILE) as backup, sqlite3.connect(target) as restored:
            backup.backup(restored, pages=SQLITE_PAGES_PER_STEP)
    else:
        _run_tool(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                "-d",
                _libpq_url(engine),
                str(source / POSTGRES_FILE),
            ]
        )
    with engine.connect() as connection:
        restored_tables = table_digests(connection)
    if restored_tables != manifest["tables"]:
        differing = sorted(
            name
            for name in set(restored_tables) | set(manifest["tables"])
            if restored_tables.get(name) != manifest["tables"].get(name)
        )
        raise BackupError(f"{source}: the restored tables differ from the manifest: {differing}")
    return manifest


@contextmanager
def scratch_engine(engine: Engine) -> Iterator[Engine]:
    """An empty store of the same kind for `verify_backup`, removed afterwards."""
    if engine.dialect.name == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="mucluc-verify-"))
        scratch = make_engine(f"sqlite:///{folder / SQLITE_FILE}")
        try:
            yield scratch
        finally:
            scratch.dispose()
            shutil.rmtree(folder, ignore_errors=True)
        return
    name = f"mucluc_verify_{uuid.uuid4().hex[:12]}"
    admin = make_engine(
        engine.url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(engine.url.render_as_string(hide_password=False)).set(database=name)
    scratch = make_engine(url.render_as_string(hide_password=False))
    try:
        yield scratch
    finally:
        scratch.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def verify_backup(source: Path, engine: Engine) -> dict[str, Any]:
    """Prove a backup restores: restore it into a scratch store like `engine`'s and compare."""
    with scratch_engine(engine) as scratch:
        return restore_backup(source, scratch)
