"""Generate a large synthetic union catalogue corpus for benchmarks: up to millions of records.

The demo generator (`generate.py`) builds about 2,500 records held in memory;
this module reuses its building blocks (editions, cataloguing practices,
`make_record`) to stream any number of records from about fifty libraries,
lazily and in bounded memory. About 30% of the records are Vietnamese and
about 15% are near-duplicates: an edition already catalogued by one library,
catalogued again by another in that library's own way (ISBN-10 or ISBN-13,
hyphens or none, tone placement, NFD, a subtitle left out …). The output
depends only on the seed.

The demo's titles (a topic in one of a few dozen title forms) would repeat
every few dozen records here, so most new editions get a place and a period
in the title proper ("Lịch sử văn học Việt Nam ở Nghệ An giai đoạn
1930-1945"), as a real catalogue's titles are nearly all different: in the
250,000 Library of Congress records of the ingest benchmark, 244,666 titles
with their year are distinct.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator
from dataclasses import dataclass

import pymarc

from mucluc.core.model import LibraryInfo
from mucluc.demo.generate import (
    PRACTICES,
    TOPICS,
    AuthorPools,
    CataloguingPractice,
    Edition,
    LibraryCounters,
    fold_to_ascii,
    holding_weight,
    isbn13_check_digit,
    make_dictionary,
    make_edition,
    make_french_edition,
    make_record,
    make_vietnamese_person,
    make_western_person,
)
from mucluc.demo.libraries import DEMO_LIBRARIES

VIETNAMESE_SHARE = 0.30  # of new editions, and so of records
FRENCH_SHARE = 0.04
NEAR_DUPLICATE_SHARE = 0.15  # of records: another library's record for a recent edition
RECENT_EDITIONS = 20_000  # editions kept to draw near-duplicates from (bounds memory)
SCOPED_TITLE_SHARE = 0.95  # of new editions: a place and a period in the title proper
DICTIONARY_SHARE = 0.03  # of Vietnamese editions

# The 63 provinces and centrally governed cities (before the 2025 mergers), with the
# letters our invented library codes use for them.
# fmt: off
PROVINCES: tuple[tuple[str, str], ...] = (
    ("An Giang", "AG"), ("Bà Rịa - Vũng Tàu", "BRVT"), ("Bắc Giang", "BG"), ("Bắc Kạn", "BK"),
    ("Bạc Liêu", "BL"), ("Bắc Ninh", "BN"), ("Bến Tre", "BTR"), ("Bình Định", "BDI"),
    ("Bình Dương", "BDU"), ("Bình Phước", "BPH"), ("Bình Thuận", "BTH"), ("Cà Mau", "CM"),
    ("Cao Bằng", "CB"), ("Cần Thơ", "CT"), ("Đà Nẵng", "DNG"), ("Đắk Lắk", "DLK"),
    ("Đắk Nông", "DNO"), ("Điện Biên", "DB"), ("Đồng Nai", "DNA"), ("Đồng Tháp", "DTH"),
    ("Gia Lai", "GL"), ("Hà Giang", "HG"), ("Hà Nam", "HNA"), ("Hà Nội", "HN"),
    ("Hà Tĩnh", "HT"), ("Hải Dương", "HD"), ("Hải Phòng", "HP"), ("Hậu Giang", "HGI"),
    ("Hòa Bình", "HB"), ("Hưng Yên", "HY"), ("Khánh Hòa", "KH"), ("Kiên Giang", "KG"),
    ("Kon Tum", "KT"), ("Lai Châu", "LCH"), ("Lâm Đồng", "LD"), ("Lạng Sơn", "LS"),
    ("Lào Cai", "LCA"), ("Long An", "LA"), ("Nam Định", "ND"), ("Nghệ An", "NA"),
    ("Ninh Bình", "NB"), ("Ninh Thuận", "NT"), ("Phú Thọ", "PT"), ("Phú Yên", "PY"),
    ("Quảng Bình", "QB"), ("Quảng Nam", "QNA"), ("Quảng Ngãi", "QNG"), ("Quảng Ninh", "QN"),
    ("Quảng Trị", "QT"), ("Sóc Trăng", "ST"), ("Sơn La", "SL"), ("Tây Ninh", "TN"),
    ("Thái Bình", "TB"), ("Thái Nguyên", "TNG"), ("Thanh Hóa", "TH"),
    ("Thành phố Hồ Chí Minh", "HCM"), ("Thừa Thiên Huế", "TTH"), ("Tiền Giang", "TG"),
    ("Trà Vinh", "TV"), ("Tuyên Quang", "TQ"), ("Vĩnh Long", "VL"), ("Vĩnh Phúc", "VP"),
    ("Yên Bái", "YB"),
)
CITIES = ("Cần Thơ", "Đà Nẵng", "Hà Nội", "Hải Phòng", "Thành phố Hồ Chí Minh")

# Provinces given a provincial library in the corpus (the demo already has
# Hà Nội's national library, Ho Chi Minh City's and Da Nang's).
PROVINCIAL_LIBRARY_PROVINCES = (
    "Hải Phòng", "Cần Thơ", "Nghệ An", "Thanh Hóa", "Thừa Thiên Huế", "Quảng Ninh",
    "Khánh Hòa", "Lâm Đồng", "Đắk Lắk", "An Giang", "Bình Định", "Thái Nguyên", "Nam Định",
    "Lào Cai", "Điện Biên", "Cà Mau", "Đồng Nai", "Bắc Ninh", "Quảng Nam", "Kiên Giang",
    "Hà Giang", "Sơn La", "Bến Tre", "Quảng Bình", "Gia Lai",
)

# District (or town) libraries: name, kind of district, province, letters for the code.
DISTRICT_LIBRARIES = (
    ("Đông Anh", "huyện", "Hà Nội", "DA"), ("Củ Chi", "huyện", "Thành phố Hồ Chí Minh", "CC"),
    ("Thủy Nguyên", "huyện", "Hải Phòng", "TN"), ("Hòa Vang", "huyện", "Đà Nẵng", "HV"),
    ("Phong Điền", "huyện", "Cần Thơ", "PD"), ("Quỳnh Lưu", "huyện", "Nghệ An", "QL"),
    ("Hoằng Hóa", "huyện", "Thanh Hóa", "HH"), ("Kim Sơn", "huyện", "Ninh Bình", "KS"),
    ("Cai Lậy", "thị xã", "Tiền Giang", "CL"), ("Đức Trọng", "huyện", "Lâm Đồng", "DT"),
)

# Upper-secondary school libraries: school name, province, letters for the code.
SCHOOL_LIBRARIES = (
    ("Trung học phổ thông chuyên Lê Quý Đôn", "Đà Nẵng", "LQD"),
    ("Trung học phổ thông chuyên Phan Bội Châu", "Nghệ An", "PBC"),
    ("Trung học phổ thông chuyên Lam Sơn", "Thanh Hóa", "LS"),
    ("Trung học phổ thông chuyên Lê Hồng Phong", "Thành phố Hồ Chí Minh", "LHP"),
    ("Trung học phổ thông chuyên Trần Phú", "Hải Phòng", "TP"),
    ("Quốc Học Huế", "Thừa Thiên Huế", "QH"),
    ("Trung học phổ thông chuyên Lý Tự Trọng", "Cần Thơ", "LTT"),
    ("Trung học phổ thông chuyên Hùng Vương", "Phú Thọ", "HV"),
)
# fmt: on

_PROVINCE_LETTERS = dict(PROVINCES)

# Which demo library's cataloguing habits a generated library of each kind follows.
_PRACTICE_TEMPLATES = {
    "provincial": ("VN-HCMGSL", "VN-DNGSL"),
    "district": ("VN-HNGL",),
    "school": ("VN-HNCVA",),
}


def _english_place_name(province: str) -> str:
    """Fold a province's name for an English library name: "Thừa Thiên Huế" → "Thua Thien Hue"."""
    return fold_to_ascii(province.removeprefix("Thành phố ")).replace(" - ", "-")


def _make_generated_libraries() -> tuple[LibraryInfo, ...]:
    libraries = []
    for province in PROVINCIAL_LIBRARY_PROVINCES:
        letters = _PROVINCE_LETTERS[province]
        city = province in CITIES
        english = _english_place_name(province)
        libraries.append(
            LibraryInfo(
                code=f"VN-{letters}PL",
                name_vi=f"Thư viện {'thành phố' if city else 'tỉnh'} {province}",
                name_en=f"{english} {'City' if city else 'Provincial'} Library",
                type="provincial",
                province=province,
                contact=f"thuvien.{letters.lower()}@example.vn",
            )
        )
    for district, kind, province, letters in DISTRICT_LIBRARIES:
        code_letters = f"{_PROVINCE_LETTERS[province]}{letters}"
        libraries.append(
            LibraryInfo(
                code=f"VN-{code_letters}L",
                name_vi=f"Thư viện {kind} {district}",
                name_en=f"{_english_place_name(district)} "
                f"{'District' if kind == 'huyện' else 'Town'} Library",
                type="district",
                province=province,
                contact=f"thuvien.{code_letters.lower()}@example.vn",
            )
        )
    for school, province, letters in SCHOOL_LIBRARIES:
        code_letters = f"{_PROVINCE_LETTERS[province]}{letters}"
        libraries.append(
            LibraryInfo(
                code=f"VN-{code_letters}S",
                name_vi=f"Thư viện Trường {school}",
                name_en=f"{_english_place_name(school.split('chuyên ')[-1])} School Library",
                type="school",
                province=province,
                contact=f"thuvien.{code_letters.lower()}@example.vn",
            )
        )
    return tuple(libraries)


CORPUS_LIBRARIES: tuple[LibraryInfo, ...] = DEMO_LIBRARIES + _make_generated_libraries()


def _make_practices() -> dict[str, CataloguingPractice]:
    """Give each generated library the habits of a demo library of its kind, with its own ids."""
    practices = dict(PRACTICES)
    generated = CORPUS_LIBRARIES[len(DEMO_LIBRARIES) :]
    for position, library in enumerate(generated):
        templates = _PRACTICE_TEMPLATES[library.type]
        template = PRACTICES[templates[position % len(templates)]]
        prefix = library.code.removeprefix("VN-")
        practices[library.code] = dataclasses.replace(
            template,
            local_id_format=f"{prefix}{{number:07d}}",
            first_local_id=1_000 + 37 * position,
            barcode_format=f"{prefix[:3]}{{number:07d}}",
        )
    return practices


CORPUS_PRACTICES: dict[str, CataloguingPractice] = _make_practices()
_LIBRARIES_BY_CODE = {library.code: library for library in CORPUS_LIBRARIES}

# ISBN groups for the corpus's invented numbers: 978-604 Vietnam, 978-1 English, 978-2 French.
_ISBN_GROUPS = {"vie": "604", "eng": "1", "fre": "2"}
_ISBN_MULTIPLIER = 7_919_731  # odd and not a multiple of 5: a bijection modulo 10**k


class IsbnAllocator:
    """Hand out distinct ISBN-13s without remembering them, so memory stays flat.

    The demo draws ISBNs under each publisher's prefix and keeps a set of those
    used; a million editions would exhaust the small publishers' number ranges.
    Here the n-th ISBN of a language is n scrambled by a bijection on the
    digits left after the group, so numbers look random and never repeat (up
    to 10**6 Vietnamese and 10**8 English or French editions).
    """

    def __init__(self) -> None:
        self._issued = dict.fromkeys(_ISBN_GROUPS, 0)

    def allocate(self, language: str) -> str:
        """Return the next hyphenated ISBN-13 for an edition in `language`."""
        group = _ISBN_GROUPS[language]
        width = 9 - len(group)
        number = self._issued[language]
        self._issued[language] = number + 1
        scrambled = f"{(number * _ISBN_MULTIPLIER + 104_729) % 10**width:0{width}d}"
        digits = f"978{group}{scrambled}"
        registrant, publication = scrambled[:3], scrambled[3:]
        return f"978-{group}-{registrant}-{publication}-{isbn13_check_digit(digits)}"


@dataclass
class _HeldEdition:
    edition: Edition
    holders: set[str]


class _HolderChooser:
    """Draw the library cataloguing an edition, weighted by what each library collects."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._weights: dict[tuple[str, str], list[tuple[str, float]]] = {}

    def choose(self, edition: Edition, excluded: set[str]) -> str | None:
        key = (edition.language, edition.category)
        candidates = self._weights.get(key)
        if candidates is None:
            candidates = [
                (library.code, holding_weight(CORPUS_PRACTICES[library.code], edition))
                for library in CORPUS_LIBRARIES
            ]
            candidates = [(code, weight) for code, weight in candidates if weight > 0]
            self._weights[key] = candidates
        if excluded:
            candidates = [(code, weight) for code, weight in candidates if code not in excluded]
        if not candidates:
            return None
        codes = [code for code, _ in candidates]
        return self._rng.choices(codes, weights=[weight for _, weight in candidates])[0]


def _make_author_pools(rng: random.Random) -> AuthorPools:
    """A larger pool than the demo's, so a million records do not share a few hundred authors."""
    return AuthorPools(
        vietnamese=[make_vietnamese_person(rng) for _ in range(6_000)],
        english=[make_western_person("eng", rng) for _ in range(3_000)],
        french=[make_western_person("fre", rng) for _ in range(200)],
    )


def _period(rng: random.Random) -> tuple[int, int]:
    start = rng.randint(1858, 2010)
    return start, min(start + rng.choice((5, 10, 15, 20, 25, 30)), 2025)


def _scoped_title(title: str, language: str, rng: random.Random) -> str:
    """The title narrowed to a province and a period, in the edition's language."""
    province = rng.choice(PROVINCES)[0]
    start, end = _period(rng)
    if language == "vie":
        return f"{title} ở {province} giai đoạn {start}-{end}"
    place = _english_place_name(province)
    if language == "fre":
        return f"{title} : la province de {place}, {start}-{end}"
    return f"{title} in {place} Province, {start}-{end}"


def _make_new_edition(authors: AuthorPools, isbns: IsbnAllocator, rng: random.Random) -> Edition:
    draw = rng.random()
    unused: set[str] = set()  # the demo's collision set; the allocator replaces its ISBNs
    if draw < VIETNAMESE_SHARE:
        if rng.random() < DICTIONARY_SHARE:
            edition = make_dictionary(authors, unused, rng)
        else:
            edition = make_edition("vie", rng.choice(TOPICS), authors, unused, rng)
    elif draw < VIETNAMESE_SHARE + FRENCH_SHARE:
        edition = make_french_edition(authors, unused, rng)
    else:
        topic = rng.choice(TOPICS)
        while topic.kind == "children":
            topic = rng.choice(TOPICS)
        edition = make_edition("eng", topic, authors, unused, rng)
    if rng.random() < SCOPED_TITLE_SHARE:
        title = _scoped_title(edition.title, edition.language, rng)
        edition = dataclasses.replace(edition, title=title)
    if edition.isbn is None:
        return edition
    return dataclasses.replace(edition, isbn=isbns.allocate(edition.language))


def generate_corpus(total_records: int, seed: int = 2026) -> Iterator[tuple[str, pymarc.Record]]:
    """Yield `total_records` (library code, UTF-8 MARC 21 record) pairs, lazily.

    Libraries are those of `CORPUS_LIBRARIES`, interleaved; each library's
    local ids (001) rise through the stream. A near-duplicate is another
    library's record of an edition among the last `RECENT_EDITIONS`, and
    never a second record of one edition from the same library, so memory
    is bounded whatever `total_records` is. The same seed always gives the
    same stream; no global random state is touched.

    Raises:
        ValueError: `total_records` is negative.
    """
    if total_records < 0:
        raise ValueError(f"total_records must be zero or more, not {total_records}")
    return _stream_corpus(total_records, seed)


def _stream_corpus(total_records: int, seed: int) -> Iterator[tuple[str, pymarc.Record]]:
    rng = random.Random(seed)
    authors = _make_author_pools(rng)
    isbns = IsbnAllocator()
    holders = _HolderChooser(rng)
    counters = {
        code: LibraryCounters(local_id=practice.first_local_id, barcode=rng.randint(1000, 9000))
        for code, practice in CORPUS_PRACTICES.items()
    }
    recent: list[_HeldEdition] = []
    next_slot = 0  # ring buffer position once `recent` is full
    produced = 0
    while produced < total_records:
        if recent and rng.random() < NEAR_DUPLICATE_SHARE:
            held = recent[rng.randrange(len(recent))]
            code = holders.choose(held.edition, held.holders)
            if code is not None:
                held.holders.add(code)
                yield code, _describe(held.edition, code, counters, rng)
                produced += 1
                continue
        edition = _make_new_edition(authors, isbns, rng)
        code = holders.choose(edition, set())
        if code is None:  # no library collects it: not possible with the national library
            continue
        held = _HeldEdition(edition, {code})
        if len(recent) < RECENT_EDITIONS:
            recent.append(held)
        else:
            recent[next_slot] = held
            next_slot = (next_slot + 1) % RECENT_EDITIONS
        yield code, _describe(edition, code, counters, rng)
        produced += 1


def _describe(
    edition: Edition, code: str, counters: dict[str, LibraryCounters], rng: random.Random
) -> pymarc.Record:
    return make_record(
        edition, _LIBRARIES_BY_CODE[code], CORPUS_PRACTICES[code], counters[code], rng
    )
