"""Crash-safety helpers: run `mucluc` as a real process, SIGKILL it mid-work, compare catalogues.

A kill test waits for proof that the process is in the middle of its work
(rows in the store, a progress line, a folder on disk), kills it, asserts
the kill landed before the process finished, runs it again and compares
the end state with an uninterrupted run's.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from sqlalchemy import func, select

from mucluc.services.catalogue import add_library
from mucluc.storage.database import make_engine, upgrade_database
from mucluc.storage.repository import SqlCatalogue
from mucluc.storage.tables import Holding, Library, MatchKey, SourceRecord
from tests.builders import make_marc_file, make_marc_record
from tests.conftest import LIBRARIES

KILL_POINT_TIMEOUT_SECONDS = 60
RUN_TIMEOUT_SECONDS = 120


def library_file(prefix: str, offset: int, count: int) -> bytes:
    """`count` records of which most are also in another library's file (same book, other ids).

    Record `number` describes book `(number + offset) % (count + offset)`, so two
    files with different offsets share most books and matching has work to do.
    """
    records = []
    for number in range(count):
        book = (number + offset) % (count + offset)
        body = f"978604{book:06d}"
        check = (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body)) % 10) % 10
        records.append(
            make_marc_record(f"{prefix}{number}", f"Sách {book}", isbn=body + str(check))
        )
    return make_marc_file(*records)


def reference_catalogue(path: Path) -> SqlCatalogue:
    """A fresh SQLite store with the test libraries, for the uninterrupted run."""
    reference = SqlCatalogue(make_engine(f"sqlite:///{path}"))
    upgrade_database(reference.engine)
    for library in LIBRARIES:
        add_library(reference, library)
    return reference


def catalogue_state(store: SqlCatalogue) -> tuple[object, ...]:
    """Statuses, union groupings (ids aside) and row counts, by (library, local id)."""
    with store.transaction() as transaction:
        session = transaction.session
        rows = session.execute(
            select(
                Library.code,
                SourceRecord.local_id,
                SourceRecord.status,
                SourceRecord.union_record_id,
            ).join(Library, Library.id == SourceRecord.library_id)
        ).all()
        groups: dict[int, set[tuple[str, str]]] = {}
        for code, local_id, _, union_id in rows:
            if union_id is not None:
                groups.setdefault(union_id, set()).add((code, local_id))
        return (
            sorted((code, local_id, status) for code, local_id, status, _ in rows),
            sorted(sorted(group) for group in groups.values()),
            session.scalar(select(func.count()).select_from(MatchKey)),
            session.scalar(select(func.count()).select_from(Holding)),
        )


def committed(store: SqlCatalogue, code: str) -> int:
    """How many source records of the library the store holds (what other runs can see)."""
    with store.transaction() as transaction:
        return (
            transaction.session.scalar(
                select(func.count())
                .select_from(SourceRecord)
                .join(Library, Library.id == SourceRecord.library_id)
                .where(Library.code == code)
            )
            or 0
        )


def kill_points(seed: int, count: int, low: int, high: int) -> list[int]:
    """`count` different points in [low, high], in order, the same for the same seed."""
    return sorted(random.Random(seed).sample(range(low, high + 1), count))


def mucluc_environment(home: Path, database_url: str | None = None) -> dict[str, str]:
    """The environment of a `mucluc` process on this home (and store), free of ours."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("MUCLUC_")}
    environment["MUCLUC_HOME"] = str(home)
    if database_url:
        environment["MUCLUC_DATABASE_URL"] = database_url
    return environment


def mucluc_command(*arguments: str) -> list[str]:
    """The command line running `mucluc` with this interpreter."""
    return [sys.executable, "-m", "mucluc", *arguments]


def run_mucluc(environment: dict[str, str], *arguments: str) -> str:
    """Run `mucluc` to the end and return its output; a failure fails the test."""
    finished = subprocess.run(
        mucluc_command(*arguments),
        env=environment,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    return finished.stdout


class RunningMucluc:
    """A `mucluc` process whose stderr lines are collected as they come (for progress lines)."""

    def __init__(self, environment: dict[str, str], *arguments: str) -> None:
        self.process = subprocess.Popen(
            mucluc_command(*arguments),
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        assert self.process.stderr is not None
        self._reader = threading.Thread(target=self._collect, args=(self.process.stderr,))
        self._reader.start()

    def _collect(self, stream: IO[str]) -> None:
        with stream:
            for line in stream:
                self.lines.append(line)

    def said(self, text: str) -> int:
        """How many lines of stderr so far contain `text`."""
        return sum(text in line for line in list(self.lines))

    def kill_when(self, ready: Callable[[], bool], *, then_wait: float = 0.0) -> None:
        """SIGKILL the process once `ready()` holds (and `then_wait` seconds more).

        Fails the test if the process ends before: a kill point must land mid-work.
        """
        deadline = time.monotonic() + KILL_POINT_TIMEOUT_SECONDS
        try:
            while not ready():
                assert self.process.poll() is None, (
                    "the process ended before its kill point:\n" + "".join(self.lines[-20:])
                )
                assert time.monotonic() < deadline, "the kill point never came"
                time.sleep(0.01)
            time.sleep(then_wait)
        finally:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
            self._reader.join()
        assert self.process.returncode == -signal.SIGKILL, "the process finished before the kill"
