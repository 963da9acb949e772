"""Benchmark ingest, index rebuild and search on the generated demo data; print the figures.

Not part of the test suite (timed assertions have no place there): run with
`make bench`. `--copies N` ingests the demo data N times under distinct
library codes to measure a larger catalogue.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from mucluc.config import Settings
from mucluc.core.model import LibraryInfo
from mucluc.demo.generate import write_demo_files
from mucluc.demo.libraries import DEMO_LIBRARIES
from mucluc.services.catalogue import add_library, catalogue_counts
from mucluc.services.ingest import ingest_file
from mucluc.services.search import reader_search_request, search_catalogue
from mucluc.wiring import initialise_home, open_index, open_store, rebuild_live_index

QUERIES = (
    "lich su",
    "lịch sử việt nam",
    "giao trinh kinh te",
    "truyện kiều",
    "nguyen du",
    "van hoc",
    "hoa hoc",
    "tin hoc",
    "y hoc co truyen",
    "english",
)
SEARCH_ROUNDS = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=1, help="how many times to load the demo set")
    parser.add_argument("--database-url", default=None, help="store URL (default: SQLite)")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mucluc-bench-") as folder:
        home = Path(folder)
        settings = Settings(home=home / "home", database_url=arguments.database_url)
        initialise_home(settings)
        store = open_store(settings)
        files = write_demo_files(home / "files")
        started = time.perf_counter()
        records = 0
        for copy in range(arguments.copies):
            for library in DEMO_LIBRARIES:
                code = library.code if copy == 0 else f"{library.code}-{copy}"
                add_library(
                    store,
                    LibraryInfo(
                        code, library.name_vi, library.name_en, library.type, library.province
                    ),
                )
                records += ingest_file(store, code, files[library.code]).read
        ingest_seconds = time.perf_counter() - started
        counts = catalogue_counts(store)
        started = time.perf_counter()
        indexed = rebuild_live_index(settings, store)
        index_seconds = time.perf_counter() - started
        index = open_index(settings)
        latencies = []
        for _ in range(SEARCH_ROUNDS):
            for query in QUERIES:
                started = time.perf_counter()
                search_catalogue(index, reader_search_request(query, page_size=20))
                latencies.append((time.perf_counter() - started) * 1000)
        latencies.sort()
        print(
            f"source records ingested : {records} in {ingest_seconds:.1f} s "
            f"({records / ingest_seconds:,.0f} records/s)"
        )
        print(
            f"union records           : {counts.union_records} from {counts.source_records} "
            f"active source records ({counts.rejected_records} rejected)"
        )
        print(
            f"index rebuild           : {indexed} union records in {index_seconds:.1f} s "
            f"({indexed / index_seconds:,.0f} records/s)"
        )
        print(
            f"search latency          : p50 {statistics.median(latencies):.2f} ms, "
            f"p95 {latencies[int(len(latencies) * 0.95)]:.2f} ms "
            f"over {len(latencies)} queries"
        )


if __name__ == "__main__":
    main()
