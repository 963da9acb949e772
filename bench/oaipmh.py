"""Benchmark the OAI-PMH provider: records per second served to a harvester; print the figures.

Loads the demo libraries (or `--corpus N` generated records from about fifty
libraries) into a fresh store (SQLite by default) and times complete
ListRecords harvests, following resumption tokens, in marc21 and oai_dc,
several rounds each, four ways:

- server only: `respond()` in-process, no HTTP;
- HTTP, fast reader: `mucluc serve` in a process of its own on loopback; the
  client reads each response and counts its records without parsing them;
- HTTP, lxml: the same, each response parsed with lxml as a harvester would;
- HTTP, Sickle: the Python OAI-PMH client the tests harvest with.

Each way prints wall-clock records/s, and records per CPU second of this
process (the client, or for `respond()` the provider itself) and of the
server process: on a shared machine the CPU figures say what one core would
do. The load average is printed with the figures.

Ingest does not render the published text (issue #3), so before those, one
`respond()` harvest per format times a store whose text is not rendered yet
(every record rendered fresh), then the publisher's catch-up is timed; the
four ways then harvest the kept text.
Target (issue #7): at least 5,000 records/s.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import httpx
from lxml import etree
from sickle import Sickle

from mucluc.config import Settings
from mucluc.demo.corpus import CORPUS_LIBRARIES, generate_corpus
from mucluc.demo.generate import write_demo_files
from mucluc.demo.libraries import DEMO_LIBRARIES
from mucluc.protocols.oaipmh.verbs import Repository, respond
from mucluc.services.catalogue import add_library
from mucluc.services.ingest import ingest_bytes, ingest_file
from mucluc.services.publishing import publish_stale_metadata
from mucluc.storage.harvesting import SqlPublicationSource
from mucluc.storage.publishing import SqlMetadataPublisher
from mucluc.storage.repository import SqlCatalogue
from mucluc.wiring import initialise_home, open_store, rebuild_live_index

sys.path.insert(0, str(Path(__file__).parents[1]))
from tests.servers import running_server_process

OAI = "{http://www.openarchives.org/OAI/2.0/}"
_TOKEN = re.compile(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>")
PREFIXES = ("marc21", "oai_dc")

Fetch = Callable[[dict[str, str]], bytes]


def load_demo(store: SqlCatalogue, folder: Path) -> int:
    """The demo libraries and their records; the number of records read."""
    files = write_demo_files(folder)
    read = 0
    for library in DEMO_LIBRARIES:
        add_library(store, library)
        read += ingest_file(store, library.code, files[library.code]).read
    return read


def load_corpus(store: SqlCatalogue, total: int) -> int:
    """`total` generated records, one ingest per library; the number of records read."""
    by_library: dict[str, list[bytes]] = defaultdict(list)
    for code, record in generate_corpus(total):
        by_library[code].append(record.as_marc())
    libraries = {library.code: library for library in CORPUS_LIBRARIES}
    read = 0
    for code, records in by_library.items():
        add_library(store, libraries[code])
        read += ingest_bytes(store, code, b"".join(records), source_name=f"{code}.mrc").read
    return read


def harvest_pages(fetch: Fetch, prefix: str) -> Iterator[bytes]:
    """Every response of one complete ListRecords harvest, following the tokens."""
    parameters = {"verb": "ListRecords", "metadataPrefix": prefix}
    while True:
        page = fetch(parameters)
        yield page
        token = _TOKEN.search(page)
        if token is None:
            return
        parameters = {"verb": "ListRecords", "resumptionToken": token[1].decode("ascii")}


def count_unparsed(pages: Iterator[bytes]) -> int:
    return sum(page.count(b"<record>") for page in pages)


def count_unparsed_harvest(fetch: Fetch, prefix: str) -> int:
    return count_unparsed(harvest_pages(fetch, prefix))


def count_parsed(pages: Iterator[bytes]) -> int:
    return sum(sum(1 for _ in etree.fromstring(page).iter(f"{OAI}record")) for page in pages)


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (Linux `/proc/PID/stat`)."""
    after_name = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(after_name[11]) + int(after_name[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Timing:
    """Records of one harvest, and records per second over several: wall clock and CPU."""

    records: int
    per_second: float
    per_client_cpu_second: float
    per_server_cpu_second: float


def timed(rounds: int, harvest: Callable[[], int], server_pid: int) -> Timing:
    """`rounds` harvests after one to warm up, timed by the clock and by CPU used.

    The CPU figures say what one core would do unshared, whatever else the
    machine is busy with.
    """
    records = harvest()
    started, client_cpu = time.perf_counter(), time.process_time()
    server_cpu = process_cpu_seconds(server_pid)
    for _ in range(rounds):
        harvest()
    served = records * rounds
    return Timing(
        records,
        served / (time.perf_counter() - started),
        served / (time.process_time() - client_cpu),
        served / max(process_cpu_seconds(server_pid) - server_cpu, 1e-9),
    )


def load_average() -> str:
    return ", ".join(f"{figure:.2f}" for figure in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None, help="store URL (default: SQLite)")
    parser.add_argument("--corpus", type=int, default=0, help="generated records (default: demo)")
    parser.add_argument("--rounds", type=int, default=3, help="complete harvests per way")
    parser.add_argument("--page-size", type=int, default=500, help="records per response")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mucluc-bench-oai-") as folder:
        home = Path(folder)
        settings = Settings(
            home=home / "home",
            database_url=arguments.database_url,
            oai_page_size=arguments.page_size,
            index_refresh_seconds=3600,
        )
        initialise_home(settings)
        store = open_store(settings)
        started = time.perf_counter()
        if arguments.corpus:
            read = load_corpus(store, arguments.corpus)
        else:
            read = load_demo(store, home / "files")
        print(f"loaded {read:,} records in {time.perf_counter() - started:.1f} s")
        rebuild_live_index(settings, store)  # so the server's index follower starts caught up
        source = SqlPublicationSource(store.engine)
        repository = Repository(
            name="bench",
            base_url="http://127.0.0.1/oai",
            admin_email="bench@mucluc.invalid",
            repository_identifier=settings.oai_repository_identifier,
            page_size=arguments.page_size,
        )

        def in_process(parameters: dict[str, str]) -> bytes:
            arguments = {name: [value] for name, value in parameters.items()}
            return respond(arguments, source, repository, datetime.now(UTC))

        for prefix in PREFIXES:
            timing = timed(1, partial(count_unparsed_harvest, in_process, prefix), os.getpid())
            print(
                f"ListRecords {prefix:6} respond(), nothing kept yet: {timing.records:,} records, "
                f"{timing.per_second:,.0f} records/s; per CPU second: "
                f"this process {timing.per_client_cpu_second:,.0f}"
            )
        started = time.perf_counter()
        published = publish_stale_metadata(SqlMetadataPublisher(store.engine)).records
        print(f"published {published:,} union records in {time.perf_counter() - started:.1f} s")
        environment = {
            "MUCLUC_HOME": str(settings.home),
            "MUCLUC_OAI_PAGE_SIZE": str(arguments.page_size),
            "MUCLUC_INDEX_REFRESH_SECONDS": "3600",
            "MUCLUC_RATE_LIMIT_PER_MINUTE": "0",  # one address sending many requests
        }
        if arguments.database_url:
            environment["MUCLUC_DATABASE_URL"] = arguments.database_url
        print(f"load average before: {load_average()}")
        with (
            running_server_process(environment) as (base_url, server_pid),
            httpx.Client(timeout=120) as client,
        ):
            url = f"{base_url}/oai"

            def over_http(parameters: dict[str, str]) -> bytes:
                answer = client.get(url, params=parameters)
                answer.raise_for_status()
                return answer.content

            sickle = Sickle(url, max_retries=0, timeout=120)
            ways: dict[str, Callable[[str], int]] = {
                "server only, respond()": lambda prefix: count_unparsed(
                    harvest_pages(in_process, prefix)
                ),
                "HTTP, fast reader": lambda prefix: count_unparsed(
                    harvest_pages(over_http, prefix)
                ),
                "HTTP, lxml parse": lambda prefix: count_parsed(harvest_pages(over_http, prefix)),
                "HTTP, Sickle": lambda prefix: sum(
                    1 for _ in sickle.ListRecords(metadataPrefix=prefix, ignore_deleted=False)
                ),
            }
            for prefix in PREFIXES:
                for way, harvest in ways.items():
                    timing = timed(arguments.rounds, partial(harvest, prefix), server_pid)
                    server = (
                        ""
                        if way.startswith("server only")
                        else f", server {timing.per_server_cpu_second:,.0f}"
                    )
                    print(
                        f"ListRecords {prefix:6} {way:22}: {timing.records:,} records, "
                        f"{timing.per_second:,.0f} records/s; per CPU second: "
                        f"this process {timing.per_client_cpu_second:,.0f}{server}"
                    )
        print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
