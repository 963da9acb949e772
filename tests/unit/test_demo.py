"""The demo data generator: size, languages, ISBNs, overlap between libraries, ISO 2709 output."""

import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import pymarc
import pytest

from mucluc.demo import DEMO_LIBRARIES, generate_demo_records, write_demo_files

Records = dict[str, list[pymarc.Record]]

ISBN_TOKEN = re.compile(r"[0-9][0-9Xx-]*")


@pytest.fixture(scope="module")
def demo_records() -> Records:
    return generate_demo_records()


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_demo_files(tmp_path_factory.mktemp("demo"))


def all_records(records: Records) -> list[pymarc.Record]:
    return [record for library_records in records.values() for record in library_records]


def isbns_in(record: pymarc.Record) -> list[str]:
    """Return each 020$a ISBN with qualifiers and hyphens stripped ("9786040123456")."""
    isbns = []
    for field in record.get_fields("020"):
        match = ISBN_TOKEN.match(field.get("a", ""))
        if match:
            isbns.append(match.group().replace("-", "").upper())
    return isbns


def is_valid_isbn(isbn: str) -> bool:
    if len(isbn) == 13 and isbn.isdigit():
        total = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(isbn))
        return total % 10 == 0
    if len(isbn) == 10 and isbn[:9].isdigit() and (isbn[9].isdigit() or isbn[9] == "X"):
        values = [int(digit) for digit in isbn[:9]] + [10 if isbn[9] == "X" else int(isbn[9])]
        return sum(value * (10 - index) for index, value in enumerate(values)) % 11 == 0
    return False


def to_isbn13_stem(isbn: str) -> str:
    """Twelve digits without the check digit, the same for an ISBN-10 and its ISBN-13."""
    return "978" + isbn[:9] if len(isbn) == 10 else isbn[:12]


def is_vietnamese_title(record: pymarc.Record) -> bool:
    title = unicodedata.normalize("NFC", record["245"].get("a", ""))
    return record["008"].data[35:38] == "vie" and any(ord(char) > 127 for char in title)


def test_generate_demo_records_gives_at_least_2000_records(demo_records: Records) -> None:
    assert len(all_records(demo_records)) >= 2000


def test_generate_demo_records_has_records_for_every_library(demo_records: Records) -> None:
    assert list(demo_records) == [library.code for library in DEMO_LIBRARIES]
    assert all(demo_records[library.code] for library in DEMO_LIBRARIES)


def test_demo_national_library_holds_most_and_school_and_district_least(
    demo_records: Records,
) -> None:
    sizes = {library.type: len(demo_records[library.code]) for library in DEMO_LIBRARIES}
    assert sizes["national"] == max(sizes.values())
    assert max(sizes["school"], sizes["district"]) < min(
        size for library_type, size in sizes.items() if library_type not in ("school", "district")
    )


def test_demo_libraries_cover_six_types_including_national() -> None:
    types = {library.type for library in DEMO_LIBRARIES}
    assert len(DEMO_LIBRARIES) >= 6
    assert len(types) >= 6
    assert "national" in types
    assert all(library.code.startswith("VN-") for library in DEMO_LIBRARIES)
    assert len({library.code for library in DEMO_LIBRARIES}) == len(DEMO_LIBRARIES)


def test_demo_records_are_at_least_40_percent_vietnamese(demo_records: Records) -> None:
    records = all_records(demo_records)
    vietnamese = [record for record in records if is_vietnamese_title(record)]
    assert len(vietnamese) / len(records) >= 0.4


def test_demo_records_are_utf8_books(demo_records: Records) -> None:
    for record in all_records(demo_records):
        assert str(record.leader)[6:10] == "am a"
        assert len(record["008"].data) == 40


def test_demo_isbns_have_valid_check_digits(demo_records: Records) -> None:
    isbns = [isbn for record in all_records(demo_records) for isbn in isbns_in(record)]
    assert isbns
    invalid = [isbn for isbn in isbns if not is_valid_isbn(isbn)]
    assert invalid == []


def test_demo_records_sometimes_lack_an_isbn(demo_records: Records) -> None:
    records = all_records(demo_records)
    without = [record for record in records if not isbns_in(record)]
    assert 0.08 <= len(without) / len(records) <= 0.25


def test_demo_isbns_are_shared_between_libraries(demo_records: Records) -> None:
    holders: dict[str, set[str]] = defaultdict(set)
    for code, records in demo_records.items():
        for record in records:
            for isbn in isbns_in(record):
                holders[to_isbn13_stem(isbn)].add(code)
    shared = [stem for stem, codes in holders.items() if len(codes) >= 2]
    assert len(shared) / len(holders) >= 0.2


def test_demo_library_has_no_two_records_with_one_isbn(demo_records: Records) -> None:
    for code, records in demo_records.items():
        stems = [to_isbn13_stem(isbn) for record in records for isbn in isbns_in(record)]
        assert len(stems) == len(set(stems)), code


def test_demo_record_ids_are_distinct_within_each_library(demo_records: Records) -> None:
    for code, records in demo_records.items():
        ids = [record["001"].data for record in records]
        assert len(ids) == len(set(ids)), code
        assert {record["003"].data for record in records} == {code}


def test_demo_titles_include_lich_su(demo_records: Records) -> None:
    titles = [
        unicodedata.normalize("NFC", record["245"].get("a", ""))
        for record in all_records(demo_records)
    ]
    assert sum("Lịch sử" in title for title in titles) >= 50


def test_demo_classics_come_in_several_editions(demo_records: Records) -> None:
    editions: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for record in all_records(demo_records):
        title = unicodedata.normalize("NFC", record["245"].get("a", "")).rstrip(" /:.")
        publication = (record.get_fields("264") or record.get_fields("260"))[0]
        editions[title].add((publication.get("b", ""), publication.get("c", "")))
    for classic in ("Truyện Kiều", "Dế Mèn phiêu lưu ký", "Số đỏ"):
        assert len(editions[classic]) >= 2, classic


def test_demo_records_include_decomposed_text(demo_records: Records) -> None:
    titles = [record["245"].get("a", "") for record in all_records(demo_records)]
    assert any(title != unicodedata.normalize("NFC", title) for title in titles)


def test_write_demo_files_is_byte_identical_for_one_seed(
    tmp_path: Path, demo_files: dict[str, Path]
) -> None:
    again = write_demo_files(tmp_path)
    assert list(again) == list(demo_files) == [library.code for library in DEMO_LIBRARIES]
    for code, path in demo_files.items():
        assert path.name == f"{code}.mrc"
        assert path.read_bytes() == again[code].read_bytes(), code


def test_write_demo_files_reads_back_with_marcreader(
    demo_files: dict[str, Path], demo_records: Records
) -> None:
    for code, path in demo_files.items():
        with path.open("rb") as handle:
            reader = pymarc.MARCReader(handle, to_unicode=True, utf8_handling="strict")
            records = list(reader)
            assert reader.current_exception is None, code
        assert all(record is not None for record in records), code
        assert len(records) == len(demo_records[code]), code
        assert records[0]["003"].data == code
