"""Benchmark end-to-end ingest (read → decode → validate → store → match → index); print figures.

Then, timed apart, the rendering of the union records' OAI-PMH text that
the server's publishing follower (or `mucluc publish`) does after ingest.

Two inputs: the Library of Congress file `BooksAll.2016.part01.utf8` (250,000
records, shipped inside the pymarc 5.4.0 sdist, which this script downloads
once with `pip download` into `--cache`), or `--file` for any ISO 2709 file;
and `--corpus N` records from the project's generator (`mucluc.demo.corpus`),
written once per library into the cache. Prints records/s, peak RSS, and
pymarc's bare parse rate on the same file as a ratio, and the CPU time the
process used (all its threads), which a busy machine disturbs less than the
wall clock.

    .venv/bin/python bench/ingest.py --loc
    .venv/bin/python bench/ingest.py --corpus 1000000
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import pymarc

from mucluc.config import Settings
from mucluc.core.model import LibraryInfo
from mucluc.demo.corpus import CORPUS_LIBRARIES, generate_corpus
from mucluc.gc_tuning import tune_garbage_collection
from mucluc.indexing_alongside import IndexingAlongside
from mucluc.services.catalogue import add_library
from mucluc.services.ingest import ingest_files
from mucluc.services.publishing import publish_stale_metadata
from mucluc.storage.publishing import SqlMetadataPublisher
from mucluc.wiring import initialise_home, open_store

LOC_MEMBER = "BooksAll.2016.part01.utf8"
DEFAULT_CACHE = Path.home() / ".cache" / "mucluc-bench"


def peak_rss_megabytes(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def children_cpu_seconds() -> float:
    """CPU time of the finished child processes (the indexing process), all threads."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def loc_file(cache: Path) -> Path:
    """Extract the LoC file from the pymarc 5.4.0 sdist, downloading it once."""
    target = cache / LOC_MEMBER
    if target.exists():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--no-binary",
            ":all:",
            "pymarc==5.4.0",
            "-d",
            str(cache),
        ],
        check=True,
    )
    (sdist,) = cache.glob("pymarc-5.4.0.tar.gz")
    with tarfile.open(sdist) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith(LOC_MEMBER))
        source = archive.extractfile(member)
        assert source is not None
        target.write_bytes(source.read())
    return target


def corpus_files(cache: Path, total: int) -> dict[str, Path]:
    """Write the generated corpus once, one ISO 2709 file per library."""
    folder = cache / f"corpus-{total}"
    done = folder / "complete"
    paths = {library.code: folder / f"{library.code}.mrc" for library in CORPUS_LIBRARIES}
    if done.exists():
        return paths
    folder.mkdir(parents=True, exist_ok=True)
    streams = {code: path.open("wb") for code, path in paths.items()}
    for code, record in generate_corpus(total):
        streams[code].write(record.as_marc())
    for stream in streams.values():
        stream.close()
    done.touch()
    return paths


def pymarc_rate(paths: list[Path]) -> float:
    started = time.perf_counter()
    count = 0
    for path in paths:
        with path.open("rb") as stream:
            for _ in pymarc.MARCReader(stream, to_unicode=True, force_utf8=True, permissive=True):
                count += 1
    return count / (time.perf_counter() - started)


def run(files: dict[str, list[Path]], database_url: str | None) -> None:
    with tempfile.TemporaryDirectory(prefix="mucluc-bench-") as folder:
        settings = Settings(home=Path(folder) / "home", database_url=database_url)
        initialise_home(settings)
        store = open_store(settings)
        by_code = {library.code: library for library in CORPUS_LIBRARIES}
        for code in files:
            library = by_code.get(code) or LibraryInfo(code, code, code, "national", "Hà Nội")
            add_library(store, library)
        started = time.perf_counter()
        cpu_started = time.process_time()
        totals: dict[str, int] = {}
        # As `mucluc ingest` does with a large load: a second process indexes meanwhile.
        with IndexingAlongside(settings) as indexing:
            for code, paths in files.items():
                for summary in ingest_files(store, code, paths):
                    for name, value in summary.counts().items():
                        totals[name] = totals.get(name, 0) + value
            stored = time.perf_counter()
            applied = indexing.finish().applied
        finished = time.perf_counter()
        cpu = time.process_time() - cpu_started
        indexing_cpu = children_cpu_seconds()
        published = publish_stale_metadata(SqlMetadataPublisher(store.engine)).records
        publish_seconds = time.perf_counter() - finished
        publish_cpu = time.process_time() - cpu_started - cpu
    read = totals.get("read", 0)
    print(f"records read: {read:,}  " + ", ".join(f"{k} {v:,}" for k, v in totals.items()))
    print(f"store + match: {stored - started:.1f} s, {read / (stored - started):,.0f} records/s")
    print(
        f"index ({applied:,} changes, in a second process alongside): "
        f"{finished - stored:.1f} s more after the last record was stored"
    )
    rate = read / (finished - started)
    print(f"end to end: {finished - started:.1f} s, {rate:,.0f} records/s")
    # On a shared machine wall time follows the load average; CPU time much less so.
    print(
        f"CPU time: ingest {cpu:.1f} s + indexing {indexing_cpu:.1f} s, "
        f"{read / (cpu + indexing_cpu):,.0f} records per CPU second"
    )
    print(
        f"after ingest, publish ({published:,} union records' OAI-PMH text): "
        f"{publish_seconds:.1f} s, {published / publish_seconds:,.0f} records/s, "
        f"{published / publish_cpu:,.0f} per CPU second"
    )
    print(
        f"peak RSS: ingest {peak_rss_megabytes():,.0f} MB, "
        f"indexing {peak_rss_megabytes(resource.RUSAGE_CHILDREN):,.0f} MB"
    )
    bare = pymarc_rate([path for paths in files.values() for path in paths])
    print(f"pymarc bare parse: {bare:,.0f} records/s; end-to-end / pymarc = {rate / bare:.2f}")


def main() -> None:
    tune_garbage_collection()  # as `mucluc ingest` does
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--loc", action="store_true", help="the LoC BooksAll part 1 file")
    parser.add_argument("--file", type=Path, help="any ISO 2709 file, ingested as one library")
    parser.add_argument("--corpus", type=int, default=0, help="generated records, ~50 libraries")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--database-url", default=None, help="store URL (default: SQLite)")
    arguments = parser.parse_args()
    if arguments.loc or arguments.file:
        path = arguments.file or loc_file(arguments.cache)
        print(f"== {path.name}")
        run({"US-DLC": [path]}, arguments.database_url)
    if arguments.corpus:
        print(f"== generated corpus of {arguments.corpus:,} records")
        paths = corpus_files(arguments.cache, arguments.corpus)
        run({code: [path] for code, path in paths.items()}, arguments.database_url)


if __name__ == "__main__":
    main()
