"""The benchmark corpus generator: libraries, counts, Vietnamese and near-duplicate shares."""

import itertools
import re
from collections import Counter

import pymarc
import pytest

from mucluc.core.model import LIBRARY_TYPES
from mucluc.core.normalise.isbn import normalise_isbn
from mucluc.demo import DEMO_LIBRARIES
from mucluc.demo.corpus import CORPUS_LIBRARIES, PROVINCES, generate_corpus

SAMPLE_SIZE = 5_000


@pytest.fixture(scope="module")
def corpus() -> list[tuple[str, pymarc.Record]]:
    return list(generate_corpus(SAMPLE_SIZE))


def isbn13_of(record: pymarc.Record) -> str | None:
    for field in record.get_fields("020"):
        match = re.match(r"[0-9Xx-]+", field.get("a", ""))
        if match:
            return normalise_isbn(match.group())
    return None


def test_corpus_libraries_are_about_fifty_distinct_members_including_the_demo() -> None:
    codes = [library.code for library in CORPUS_LIBRARIES]
    assert 45 <= len(codes) <= 55
    assert len(set(codes)) == len(codes)
    assert CORPUS_LIBRARIES[: len(DEMO_LIBRARIES)] == DEMO_LIBRARIES
    assert {library.type for library in CORPUS_LIBRARIES} <= set(LIBRARY_TYPES)
    provinces = {name for name, _ in PROVINCES}
    assert len(provinces) == 63
    assert {library.province for library in CORPUS_LIBRARIES} <= provinces


def test_generate_corpus_yields_exactly_the_records_asked_for(
    corpus: list[tuple[str, pymarc.Record]],
) -> None:
    assert len(corpus) == SAMPLE_SIZE
    codes = {library.code for library in CORPUS_LIBRARIES}
    assert {code for code, _ in corpus} <= codes
    assert len({code for code, _ in corpus}) >= 40


def test_generate_corpus_is_thirty_percent_vietnamese(
    corpus: list[tuple[str, pymarc.Record]],
) -> None:
    vietnamese = sum(record["008"].data[35:38] == "vie" for _, record in corpus)
    assert 0.26 <= vietnamese / SAMPLE_SIZE <= 0.34


def test_generate_corpus_repeats_editions_across_libraries_never_within_one(
    corpus: list[tuple[str, pymarc.Record]],
) -> None:
    holders: dict[str, list[str]] = {}
    for code, record in corpus:
        isbn = isbn13_of(record)
        if isbn:
            holders.setdefault(isbn, []).append(code)
    repeated = sum(len(codes) - 1 for codes in holders.values())
    # 15% of records are near-duplicates; some of those left the ISBN out.
    assert 0.09 <= repeated / SAMPLE_SIZE <= 0.16
    assert all(len(set(codes)) == len(codes) for codes in holders.values())


def test_generate_corpus_local_ids_are_unique_per_library(
    corpus: list[tuple[str, pymarc.Record]],
) -> None:
    identifiers = Counter((code, record["001"].data) for code, record in corpus)
    assert max(identifiers.values()) == 1


def test_generate_corpus_is_lazy_and_depends_only_on_the_seed() -> None:
    first = [record.as_marc() for _, record in itertools.islice(generate_corpus(10**9), 50)]
    again = [record.as_marc() for _, record in itertools.islice(generate_corpus(10**9), 50)]
    other = [record.as_marc() for _, record in itertools.islice(generate_corpus(50, seed=1), 50)]
    assert first == again
    assert first != other
