"""Load test on loopback: many concurrent readers for a minute while an ingest runs (issue #9).

Not part of the test suite: run `python bench/load.py`. It builds a
catalogue home (SQLite by default, `--database-url` for PostgreSQL) from the
demo data plus `--corpus` records of the generated corpus, rebuilds the
index, starts the real server (`mucluc serve` as a subprocess, rate limit
off: every client shares one address), then for `--seconds` drives
`--clients` concurrent readers while a `mucluc ingest` subprocess loads
`--ingest` further records for a library of its own.

Each client is a closed loop (the next request leaves when the answer to
the last one is in, no think time), so the figures show the server under
the heaviest load those clients can make. The mix: search pages (HTML) and
API searches (Vietnamese with and without tones, English, fielded terms,
facets, filters, pages 1-5, sorts), record pages (HTML), record JSON,
holdings, one-record exports and result-list exports.

The clients are coroutines on one asyncio loop in this process with one
httpx AsyncClient (a keep-alive connection each). The machine has two cores
shared by the server, the ingest and the clients: threads or a pool of
processes would only take CPU from the server for work that is mostly
waiting, and one loop keeps the client's share small and steady.

Printed: requests, requests/s, errors by kind (HTTP status or exception),
p50/p95/p99 latency per request kind and overall, the ingest's counts
(checked against what was sent and what the store holds) and its records/s.
The exit status is 1 when any request failed or the ingest's counts are wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from pymarc import Field
from sqlalchemy import func, select

from mucluc.config import Settings
from mucluc.core.model import LibraryInfo
from mucluc.demo.corpus import CORPUS_LIBRARIES, generate_corpus
from mucluc.demo.generate import write_demo_files
from mucluc.demo.libraries import DEMO_LIBRARIES
from mucluc.services.catalogue import add_library
from mucluc.services.ingest import ingest_file
from mucluc.storage.tables import Library, SourceRecord
from mucluc.wiring import initialise_home, open_store, rebuild_live_index

sys.path.insert(0, str(Path(__file__).parents[1]))
from tests.servers import running_server_process

LOAD_LIBRARY = LibraryInfo(
    "VN-LOAD", "Thư viện thử tải", "Load test library", "university", "Hà Nội"
)
SEARCHES = (
    "lịch sử việt nam",
    "lich su viet nam",
    "truyện kiều",
    "truyen kieu",
    "nguyễn du",
    "kinh tế",
    "kinh te",
    "văn học",
    "van hoc dan gian",
    "giáo trình",
    "hoà bình",
    "hoa binh",
    "y học cổ truyền",
    "tin hoc",
    "history",
    "introduction to economics",
    "author:nguyen",
    "subject:lịch sử",
    "year:1990-2010",
    "kinh tế*",
)
FACETS = ("library", "province", "decade", "language", "material_type")
FILTERS = ("language:vie", "language:eng", "library:VN-NLV", "library:VN-HCM", "decade:2000")
SORTS = ("relevance", "relevance", "year_desc", "title")
ONE_RECORD_FORMATS = ("marcxml", "marc21", "ris", "bibtex", "csljson")
LIST_FORMATS = ("ris", "marcxml", "bibtex")
# How often each kind of request is sent, out of 100.
MIX = {
    "search page (HTML)": 20,
    "search (API)": 20,
    "record page (HTML)": 20,
    "record (JSON)": 15,
    "holdings (JSON)": 10,
    "record export": 10,
    "results export": 5,
}
REQUEST_TIMEOUT_SECONDS = 30.0


@dataclass
class Tally:
    """Latencies of the answered requests and failures by kind, per request kind."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[tuple[str, str]] = field(default_factory=Counter)
    redirects: int = 0

    def requests(self) -> int:
        """Every request sent, answered or failed."""
        return sum(len(values) for values in self.latencies.values()) + sum(self.errors.values())


def build_home(settings: Settings, corpus: int, seed: int, folder: Path) -> None:
    """The demo libraries and records, plus `corpus` generated records, ingested and indexed."""
    initialise_home(settings)
    store = open_store(settings)
    started = time.perf_counter()
    loaded = 0
    for library in DEMO_LIBRARIES:
        add_library(store, library)
    for code, path in write_demo_files(folder / "demo", seed).items():
        loaded += ingest_file(store, code, path).read
    if corpus:
        files: dict[str, Any] = {}
        for code, record in generate_corpus(corpus, seed):
            if code not in files:
                files[code] = (folder / f"corpus-{code}.mrc").open("wb")
            files[code].write(record.as_marc())
        for stream in files.values():
            stream.close()
        known = {library.code for library in DEMO_LIBRARIES}
        for library in CORPUS_LIBRARIES:
            if library.code in files and library.code not in known:
                add_library(store, library)
        for code in files:
            loaded += ingest_file(store, code, folder / f"corpus-{code}.mrc").read
    add_library(store, LOAD_LIBRARY)
    ingested = time.perf_counter() - started
    started = time.perf_counter()
    indexed = rebuild_live_index(settings, store)
    print(
        f"catalogue built          : {loaded:,} source records ingested in {ingested:.0f} s, "
        f"{indexed:,} union records indexed in {time.perf_counter() - started:.0f} s"
    )


def write_ingest_file(path: Path, records: int, seed: int) -> None:
    """`records` generated records with local ids of their own (load-0000001 …) in one file."""
    with path.open("wb") as stream:
        for number, (_code, record) in enumerate(generate_corpus(records, seed), start=1):
            record.remove_fields("001")
            record.add_ordered_field(Field(tag="001", data=f"load-{number:07d}"))
            stream.write(record.as_marc())


def active_union_record_ids(settings: Settings) -> list[int]:
    with open_store(settings).transaction() as transaction:
        return list(transaction.active_union_record_ids())


def stored_records(settings: Settings, library_code: str) -> int:
    """How many source records a library has in the store now."""
    engine = open_store(settings).engine
    with engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count())
                .select_from(SourceRecord)
                .join(Library, Library.id == SourceRecord.library_id)
                .where(Library.code == library_code)
            ).scalar_one()
        )


def environment_for(settings: Settings) -> dict[str, str]:
    """The settings of the server and the ingest, as MUCLUC_ variables."""
    environment = {
        "MUCLUC_HOME": str(settings.home),
        "MUCLUC_RATE_LIMIT_PER_MINUTE": "0",  # every client shares one address
    }
    if settings.database_url:
        environment["MUCLUC_DATABASE_URL"] = settings.database_url
    return environment


def next_request(rng: random.Random, ids: list[int]) -> tuple[str, str, dict[str, Any]]:
    """One request of the mix: its kind, path and query parameters."""
    kind = rng.choices(list(MIX), weights=list(MIX.values()))[0]
    record_id = rng.choice(ids)
    query = rng.choice(SEARCHES)
    if kind == "search page (HTML)":
        parameters: dict[str, Any] = {"q": query, "page": rng.choice((1, 1, 1, 2, 3))}
        if rng.random() < 0.3:
            parameters["filter"] = rng.choice(FILTERS)
        return kind, "/search", parameters
    if kind == "search (API)":
        parameters = {
            "q": query,
            "page": rng.choice((1, 1, 2, 3, 5)),
            "sort": rng.choice(SORTS),
            "facet": rng.sample(FACETS, rng.randint(0, 3)),
        }
        if rng.random() < 0.3:
            parameters["filter"] = rng.choice(FILTERS)
        return kind, "/api/v1/search", parameters
    if kind == "record page (HTML)":
        return kind, f"/records/{record_id}", {}
    if kind == "record (JSON)":
        return kind, f"/api/v1/records/{record_id}", {}
    if kind == "holdings (JSON)":
        return kind, f"/api/v1/records/{record_id}/holdings", {}
    if kind == "record export":
        return (
            kind,
            f"/api/v1/records/{record_id}/export",
            {"format": rng.choice(ONE_RECORD_FORMATS)},
        )
    return kind, "/api/v1/export", {"q": query, "format": rng.choice(LIST_FORMATS), "limit": 50}


def error_name(error: BaseException) -> str:
    """The exception's class, with the low-level one that caused it (e.g. a reset connection)."""
    causes = [type(error).__name__]
    while (error := error.__cause__ or error.__context__) is not None:  # type: ignore[assignment]
        causes.append(type(error).__name__)
    return " ← ".join(dict.fromkeys(causes))


async def reader(
    client: httpx.AsyncClient, rng: random.Random, ids: list[int], until: float, tally: Tally
) -> None:
    """One closed-loop client: send, wait for the whole answer, send the next."""
    while time.monotonic() < until:
        kind, path, parameters = next_request(rng, ids)
        started = time.perf_counter()
        try:
            response = await client.get(path, params=parameters)
        except httpx.HTTPError as error:
            tally.errors[(kind, error_name(error))] += 1
            continue
        elapsed = (time.perf_counter() - started) * 1000
        if response.history:
            tally.redirects += 1
        if response.status_code == 200:
            tally.latencies[kind].append(elapsed)
        else:
            tally.errors[(kind, f"HTTP {response.status_code}")] += 1


@dataclass
class Run:
    """What one measurement gave: the readers' tally and the ingest's outcome and timing."""

    tally: Tally
    seconds: float
    load_average: float
    ingest_output: bytes
    ingest_exit: int | None
    ingest_seconds: float


async def ingest_during(
    command: list[str], environment: dict[str, str]
) -> tuple[bytes, int | None]:
    process = await asyncio.create_subprocess_exec(
        *command, env={**os.environ, **environment}, stdout=asyncio.subprocess.PIPE
    )
    output, _ = await process.communicate()
    return output, process.returncode


async def measure(
    base_url: str,
    arguments: argparse.Namespace,
    ids: list[int],
    ingest_command: list[str],
    environment: dict[str, str],
) -> Run:
    """Start the ingest and the readers together; the ingest may outlast the readers."""
    tally = Tally()
    limits = httpx.Limits(
        max_connections=arguments.clients, max_keepalive_connections=arguments.clients
    )
    started = time.perf_counter()
    finished: list[float] = []
    ingest = asyncio.create_task(ingest_during(ingest_command, environment))
    ingest.add_done_callback(lambda _: finished.append(time.perf_counter() - started))
    async with httpx.AsyncClient(
        base_url=base_url,
        limits=limits,
        timeout=REQUEST_TIMEOUT_SECONDS,
        follow_redirects=True,  # an id absorbed by a merge during the ingest answers 301
    ) as client:
        until = time.monotonic() + arguments.seconds
        await asyncio.gather(
            *(
                reader(client, random.Random(arguments.seed * 1000 + number), ids, until, tally)
                for number in range(arguments.clients)
            )
        )
    seconds = time.perf_counter() - started
    load_average = os.getloadavg()[0]
    output, exit_code = await ingest
    return Run(tally, seconds, load_average, output, exit_code, finished[0])


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(tally: Tally, seconds: float) -> None:
    print("\n| request kind | answered | failed | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|---|---|")
    failed_by_kind: Counter[str] = Counter()
    for (kind, _), count in tally.errors.items():
        failed_by_kind[kind] += count
    everything: list[float] = []
    for kind in MIX:
        values = tally.latencies.get(kind, [])
        everything.extend(values)
        if values:
            print(
                f"| {kind} | {len(values):,} | {failed_by_kind[kind]:,} | "
                f"{percentile(values, 0.50):.0f} | {percentile(values, 0.95):.0f} | "
                f"{percentile(values, 0.99):.0f} |"
            )
    print(
        f"| **all** | {len(everything):,} | {sum(tally.errors.values()):,} | "
        f"{percentile(everything, 0.50):.0f} | {percentile(everything, 0.95):.0f} | "
        f"{percentile(everything, 0.99):.0f} |"
    )
    print(
        f"\nrequests                 : {tally.requests():,} in {seconds:.0f} s "
        f"({tally.requests() / seconds:,.1f}/s), {tally.redirects:,} followed a merge redirect"
    )
    if tally.errors:
        print("errors                   :")
        for (kind, error), count in tally.errors.most_common():
            print(f"  {count:>6,}  {kind}: {error}")
    else:
        print("errors                   : none")


def check_ingest(
    settings: Settings, completed: dict[str, Any], records: int, stored_before: int
) -> list[str]:
    """What is wrong with the ingest's outcome: counts against what was sent and stored."""
    problems = []
    if completed["read"] != records:
        problems.append(f"read {completed['read']} of {records} records sent")
    if completed["added"] + completed["quarantined"] != records:
        problems.append(
            f"added {completed['added']} + quarantined {completed['quarantined']} != {records}"
        )
    stored = stored_records(settings, LOAD_LIBRARY.code) - stored_before
    if stored != records:
        problems.append(
            f"the store holds {stored} new records of {LOAD_LIBRARY.code}, not {records}"
        )
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--corpus", type=int, default=10_000, help="generated records to add")
    parser.add_argument("--ingest", type=int, default=2_000, help="records ingested during load")
    parser.add_argument("--database-url", default=None, help="store URL (default: SQLite)")
    parser.add_argument("--seed", type=int, default=2026)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mucluc-load-") as scratch:
        folder = Path(scratch)
        settings = Settings(home=folder / "home", database_url=arguments.database_url)
        build_home(settings, arguments.corpus, arguments.seed, folder)
        ingest_path = folder / "ingest-during-load.mrc"
        write_ingest_file(ingest_path, arguments.ingest, arguments.seed + 1)
        ids = active_union_record_ids(settings)
        stored_before = stored_records(settings, LOAD_LIBRARY.code)
        environment = environment_for(settings)
        ingest_command = [
            sys.executable,
            "-m",
            "mucluc",
            "ingest",
            str(ingest_path),
            "--library",
            LOAD_LIBRARY.code,
            "--json",
        ]
        with running_server_process(environment) as (base_url, _server_pid):
            print(
                f"load                     : {arguments.clients} clients for "
                f"{arguments.seconds:.0f} s over {len(ids):,} union records, while "
                f"{arguments.ingest:,} records are ingested; load average before "
                f"{os.getloadavg()[0]:.2f}"
            )
            run = asyncio.run(measure(base_url, arguments, ids, ingest_command, environment))
        report(run.tally, run.seconds)
        print(f"load average at the end  : {run.load_average:.2f} (1 min)")
        problems = []
        if run.ingest_exit != 0:
            problems.append(f"mucluc ingest exited with {run.ingest_exit}")
        else:
            completed = json.loads(run.ingest_output)
            where = (
                "during the load"
                if run.ingest_seconds <= run.seconds
                else f"{run.ingest_seconds - run.seconds:.0f} s after the load ended"
            )
            print(
                f"ingest                   : read {completed['read']:,}, added "
                f"{completed['added']:,}, quarantined {completed['quarantined']:,}, joined an "
                f"existing union record {completed['merged']:,}; finished {where}, "
                f"{run.ingest_seconds:.0f} s in all ({arguments.ingest / run.ingest_seconds:,.0f} "
                f"records/s)"
            )
            problems.extend(check_ingest(settings, completed, arguments.ingest, stored_before))
        for problem in problems:
            print(f"ingest problem           : {problem}")
        if run.tally.errors or problems:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
