"""Benchmark search at a million records: p50/p95/p99 and queries/s, in-process and over HTTP.

Not part of the test suite: run `python bench/search.py` (default 1,000,000
records; `--records N` for fewer). The corpus is `generate_corpus` (the
ingest benchmark's generated records). Ingest is still too slow to load a
million records for each run, so the index is built directly from the
generated records: they are grouped into union records in memory by
normalised ISBN, the first matcher's rule (a record joins the lowest union
record sharing an ISBN that has no member from its library, else starts a
new one; the present matcher also joins on titles and names), then indexed.
The index is kept in `--folder` and reused by later runs with the same
record count, seed and copies.

Generating a million records takes most of an hour on two cores, so
`--copies N` generates `records / N` and indexes each union record N times
under distinct ids: the index holds as many documents and as long posting
lists as the full corpus gives, built in minutes, though with fewer distinct
texts (bench/README.md says which corpus each figure was measured on).

Each query kind runs with 1 and 8 concurrent clients, in-process (the search
service on the index) and through the JSON API (`mucluc serve` on loopback,
`--workers N` worker processes).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from mucluc.config import Settings
from mucluc.core.marc.describe import describe_record
from mucluc.core.model import MemberView, UnionRecordView
from mucluc.core.normalise.isbn import isbn13_to_isbn10
from mucluc.core.normalise.text import fold_key, has_vietnamese_marks
from mucluc.core.preference import choose_preferred_member
from mucluc.demo.corpus import CORPUS_LIBRARIES, generate_corpus
from mucluc.gc_tuning import tune_garbage_collection
from mucluc.search.index import TantivyIndex
from mucluc.services.search import reader_search_request, search_catalogue
from mucluc.wiring import initialise_home

KEPT_TAGS = ("008", "022", "500", "504", "505", "520")
INDEX_BATCH = 20_000
ROUNDS_PER_KIND = 300
DEEP_PAGE = 500
PAGE_SIZE = 20
FACETS_FOUR = ("library", "province", "decade", "language")


def build_index(settings: Settings, total: int, seed: int, copies: int) -> dict[str, Any]:
    """Generate, group by ISBN, index; return what the queries are chosen from.

    With `copies` above 1, `total / copies` records are generated and each
    union record is indexed `copies` times under distinct ids: posting lists,
    hit counts and facet counts grow as with `total` records, for a fraction
    of the generating time (the copies of a record reuse its cached text keys).
    """
    generated_records = total // copies
    libraries = {library.code: library for library in CORPUS_LIBRARIES}
    unions: list[list[MemberView]] = []
    union_by_isbn: dict[str, list[int]] = {}
    union_libraries: list[set[str]] = []
    title_words: Counter[str] = Counter()
    authors: Counter[str] = Counter()
    sample_isbns: list[str] = []
    sample_titles: list[str] = []
    toned_openings: Counter[str] = Counter()
    started = time.perf_counter()
    for number, (code, record) in enumerate(generate_corpus(generated_records, seed)):
        description = describe_record(record)
        slim = {
            "leader": str(record.leader),
            "fields": [
                {field.tag: field.value() if field.is_control_field() else field_dict(field)}
                for field in record.get_fields(*KEPT_TAGS)
            ],
        }
        member = MemberView(
            library=libraries[code],
            local_id=str(number),
            description=description,
            record=slim,
        )
        keys = sorted(set(description.isbns))
        target = None
        for candidate in sorted({u for key in keys for u in union_by_isbn.get(key, [])}):
            if code not in union_libraries[candidate]:
                target = candidate
                break
        if target is None:
            target = len(unions)
            unions.append([])
            union_libraries.append(set())
        unions[target].append(member)
        union_libraries[target].add(code)
        for key in keys:
            holders = union_by_isbn.setdefault(key, [])
            if target not in holders:
                holders.append(target)
        title_words.update(set(fold_key(description.title).split()))
        opening = " ".join(description.title.lower().split()[:2])
        if len(opening.split()) == 2 and has_vietnamese_marks(opening):
            toned_openings[opening] += 1
        if description.authors:
            authors[description.authors[0]] += 1
        if number % 997 == 0 and description.isbns:
            sample_isbns.append(description.isbns[0])
        if number % 1009 == 0 and len(description.title.split()) >= 3:
            sample_titles.append(description.title)
    generated = time.perf_counter() - started
    print(
        f"generated and grouped    : {generated_records:,} records into {len(unions):,} "
        f"union records in {generated:.0f} s (in memory, matcher's ISBN rule; not through ingest)"
    )
    index = TantivyIndex(settings.index_path)
    started = time.perf_counter()
    batch: list[UnionRecordView] = []
    for union_number, members in enumerate(unions):
        ordered = choose_preferred_member(members)
        batch.extend(
            UnionRecordView(
                id=copy * len(unions) + union_number + 1,
                status="active",
                merged_into_id=None,
                description=ordered[0].description,
                members=tuple(ordered),
            )
            for copy in range(copies)
        )
        if len(batch) >= INDEX_BATCH:
            index.add_new(batch)
            batch = []
    index.add_new(batch)
    index.commit(0)
    indexed = time.perf_counter() - started
    documents = len(unions) * copies
    print(
        f"indexed                  : {documents:,} union records ({copies} copies) in "
        f"{indexed:.0f} s ({documents / indexed:,.0f}/s)"
    )
    words = [(word, count) for word, count in title_words.items() if len(word) > 2]
    common = max(words, key=lambda item: item[1])[0]
    rare = next(word for word, count in sorted(words, key=lambda item: item[1]) if count >= 3)
    author = authors.most_common(1)[0][0]
    isbn = sample_isbns[len(sample_isbns) // 2]
    isbn10 = isbn13_to_isbn10(isbn)
    title = sample_titles[len(sample_titles) // 2]
    return {
        "total": total,
        "seed": seed,
        "copies": copies,
        "union_records": len(unions) * copies,
        "common": common,
        "rare": rare,
        "author": author,
        "isbn": f"{isbn10[0]}-{isbn10[1:4]}-{isbn10[4:9]}-{isbn10[9]}" if isbn10 else isbn,
        "phrase": '"' + " ".join(title.split()[:2]) + '"',
        "toned": toned_openings.most_common(1)[0][0],
    }


def field_dict(field: Any) -> dict[str, Any]:
    return {
        "ind1": field.indicator1,
        "ind2": field.indicator2,
        "subfields": [{sub.code: sub.value} for sub in field.subfields],
    }


def query_kinds(chosen: dict[str, Any]) -> dict[str, dict[str, Any]]:
    common = chosen["common"]
    return {
        "rare word": {"q": chosen["rare"]},
        "common word": {"q": common},
        "author": {"q": f"author:{chosen['author']}"},
        "ISBN (ISBN-10, hyphens)": {"q": chosen["isbn"]},
        "2-word phrase": {"q": chosen["phrase"]},
        "common word + 4 facets": {"q": common, "facet": list(FACETS_FOUR)},
        f"deep page ({DEEP_PAGE})": {"q": common, "page": DEEP_PAGE},
        # Not in the list, but what readers type most: several words, often toned.
        "extra: 2 words, no quotes": {"q": chosen["phrase"].strip('"')},
        "extra: 2 toned words, no quotes": {"q": chosen["toned"]},
    }


def measure(run: Callable[[], int], clients: int, rounds: int) -> tuple[list[float], float, int]:
    """Latencies (ms) of `rounds` calls per client, the wall time, and the last total."""
    latencies: list[float] = []
    lock = threading.Lock()
    totals: list[int] = []

    def client() -> None:
        mine = []
        for _ in range(rounds):
            started = time.perf_counter()
            total = run()
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)
            totals.append(total)

    for _ in range(20):
        run()  # warm up
    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - started, totals[0]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(label: str, kind: str, clients: int, figures: tuple[list[float], float, int]) -> None:
    latencies, wall, total = figures
    print(
        f"| {label} | {kind} | {clients} | {total:,} | {statistics.median(latencies):.2f} | "
        f"{percentile(latencies, 0.95):.2f} | {percentile(latencies, 0.99):.2f} | "
        f"{len(latencies) / wall:,.0f} |"
    )


def in_process_runner(index: TantivyIndex, parameters: dict[str, Any]) -> Callable[[], int]:
    request = reader_search_request(
        parameters["q"],
        page=parameters.get("page", 1),
        page_size=PAGE_SIZE,
        facets=parameters.get("facet", ()),
    )
    return lambda: search_catalogue(index, request).total


def measure_http(
    port: int, parameters: dict[str, Any], clients: int, rounds: int
) -> tuple[list[float], float, int]:
    """Like `measure`, through the JSON API: `clients` keep-alive connections on one event loop.

    A plain asyncio HTTP/1.1 client costs far less CPU per request than
    httpx in threads, so on this 2-core machine the figures show the
    server, not the load generator.
    """
    target = "/api/v1/search?" + urlencode({"page_size": PAGE_SIZE, **parameters}, doseq=True)
    request = f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()

    async def fetch(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> int:
        writer.write(request)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        body = await reader.readexactly(length)
        if status != 200:
            raise SystemExit(f"HTTP {status}: {body[:300]!r}")
        return int(json.loads(body)["total"])

    async def client(latencies: list[float], totals: list[int]) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(5):
            await fetch(reader, writer)
        for _ in range(rounds):
            started = time.perf_counter()
            totals.append(await fetch(reader, writer))
            latencies.append((time.perf_counter() - started) * 1000)
        writer.close()

    async def everything() -> tuple[list[float], float, int]:
        latencies: list[float] = []
        totals: list[int] = []
        started = time.perf_counter()
        await asyncio.gather(*(client(latencies, totals) for _ in range(clients)))
        return latencies, time.perf_counter() - started, totals[0]

    return asyncio.run(everything())


def start_server(home: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "MUCLUC_HOME": str(home),
        "MUCLUC_INDEX_REFRESH_SECONDS": "60",
        "MUCLUC_RATE_LIMIT_PER_MINUTE": "0",  # the benchmark is one address sending many
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "mucluc", "serve", "--port", str(port), "--workers", str(workers)],
        env=environment,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/search", params={"q": "a"}, timeout=2)
            return server
        except httpx.TransportError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("the server did not start")


def main() -> None:
    tune_garbage_collection()  # as `mucluc serve` does
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--copies",
        type=int,
        default=1,
        help="generate records/copies records and index each union record this many times",
    )
    parser.add_argument("--folder", type=Path, default=Path("/tmp/mucluc-search-bench"))
    parser.add_argument("--rounds", type=int, default=ROUNDS_PER_KIND)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--workers", type=int, default=1, help="worker processes of the measured HTTP server"
    )
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-in-process", action="store_true")
    arguments = parser.parse_args()
    settings = Settings(home=arguments.folder)
    chosen_path = arguments.folder / "chosen-queries.json"
    chosen = json.loads(chosen_path.read_text()) if chosen_path.exists() else {}
    wanted = (arguments.records, arguments.seed, arguments.copies)
    built = (chosen.get("total"), chosen.get("seed"), chosen.get("copies", 1))
    # An index of an older schema is emptied when opened, and older runs chose fewer queries.
    if (
        built != wanted
        or "toned" not in chosen
        or TantivyIndex(settings.index_path).document_count() == 0
    ):
        shutil.rmtree(arguments.folder, ignore_errors=True)
        initialise_home(settings)
        chosen = build_index(settings, arguments.records, arguments.seed, arguments.copies)
        chosen_path.write_text(json.dumps(chosen, ensure_ascii=False))
    else:
        print(
            f"reusing the index in {arguments.folder} ({chosen['union_records']:,} union records)"
        )
    index = TantivyIndex(settings.index_path)
    kinds = query_kinds(chosen)
    print("\n| path | query | clients | hits | p50 ms | p95 ms | p99 ms | queries/s |")
    print("|---|---|---|---|---|---|---|---|")
    for kind, parameters in {} if arguments.skip_in_process else kinds.items():
        for clients in (1, 8):
            rounds = arguments.rounds if clients == 1 else max(1, arguments.rounds // 4)
            figures = measure(in_process_runner(index, parameters), clients, rounds)
            report("in-process", f"{kind}: `{parameters['q']}`", clients, figures)
    if arguments.skip_http:
        return
    server = start_server(arguments.folder, arguments.port, arguments.workers)
    try:
        for kind, parameters in kinds.items():
            for clients in (1, 8):
                rounds = arguments.rounds if clients == 1 else max(1, arguments.rounds // 4)
                figures = measure_http(arguments.port, parameters, clients, rounds)
                label = f"HTTP JSON API, {arguments.workers} worker(s)"
                report(label, f"{kind}: `{parameters['q']}`", clients, figures)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
