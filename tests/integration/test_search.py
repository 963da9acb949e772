"""Search as readers and librarians use it: tone-aware ranking, fields, facets, sorting, paging.

The index is built from project-made records (grouped into union records as
the matcher would) and, separately, from the Vietnamese LoC sample read from
../shared/data. The store side (updater, gaps, bulk views) is tested in
test_search_updates.py.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from pymarc import Field, Indicators, MARCReader, Record, Subfield

from mucluc.core.marc.describe import describe_record
from mucluc.core.marc.marc_json import record_to_dict
from mucluc.core.model import LibraryInfo, MemberView, UnionRecordView
from mucluc.core.normalise.text import match_key
from mucluc.core.ports import SearchResults
from mucluc.search.index import TantivyIndex
from mucluc.search.query import HOLDINGS_STEP
from mucluc.services.search import reader_search_request, search_catalogue
from tests.builders import make_marc_record
from tests.conftest import LIBRARIES

LOC_SAMPLE = (
    Path(__file__).parents[3]
    / "shared/data/vietnamese-loc-sample/loc_booksall_2016_p01_vie_even.mrc"
)
NATIONAL, PROVINCIAL, UNIVERSITY = LIBRARIES


def add_fields(record: Record, *fields: tuple[str, list[tuple[str, str]]]) -> Record:
    for tag, subfields in fields:
        record.add_field(
            Field(
                tag=tag,
                indicators=Indicators(" ", "0"),
                subfields=[Subfield(code, value) for code, value in subfields],
            )
        )
    return record


def make_view(
    union_id: int, record: Record, *libraries: LibraryInfo, leader: str | None = None
) -> UnionRecordView:
    if leader is not None:
        record.leader = leader
    description = describe_record(record)
    members = tuple(
        MemberView(
            library=library,
            local_id=f"{union_id}-{library.code}",
            description=description,
            record=record_to_dict(record),
        )
        for library in libraries or (NATIONAL,)
    )
    return UnionRecordView(union_id, "active", None, description, members)


def made_records() -> list[UnionRecordView]:
    def record(number: int, title: str, **options: object) -> Record:
        return make_marc_record(f"r{number}", title, **options)  # type: ignore[arg-type]

    english_serial = add_fields(
        make_marc_record("r20", "Journal of Vietnamese studies", year=2012),
        ("022", [("a", "1559-372X")]),
    )
    english_serial["008"].data = english_serial["008"].data[:35] + "eng d"
    return [
        make_view(1, record(1, "Hoà bình và phát triển", year=1995)),
        make_view(2, record(2, "Hòa bình cho thế hệ trẻ", year=2005)),
        make_view(3, record(3, "Họa bình thư pháp", year=2015)),
        make_view(4, record(4, "Con đường tơ lụa", year=2001)),
        make_view(5, record(5, "Dương cầm cho người mới học", year=2001)),
        make_view(
            6,
            add_fields(
                record(6, "Truyện Kiều", author="Nguyễn, Du, 1765-1820", year=1999),
                ("082", [("a", "895.9221")]),
                ("650", [("a", "Thơ Việt Nam")]),
            ),
            NATIONAL,
            PROVINCIAL,
            UNIVERSITY,
        ),
        make_view(7, record(7, "Bình Ngô đại cáo", author="Nguyễn Trãi", year=1999)),
        make_view(8, record(8, "Du ký Lê Du", author="Lê Du", year=1980)),
        make_view(
            9,
            add_fields(
                record(9, "Lịch sử Việt Nam", isbn="978-604-0-00001-9", year=2010),
                ("082", [("a", "959.7")]),
                ("650", [("a", "Lịch sử -- Việt Nam")]),
                ("490", [("a", "Tủ sách lịch sử")]),
            ),
            NATIONAL,
            PROVINCIAL,
        ),
        make_view(10, record(10, "Việt Nam: lịch sử và văn hóa", year=2011)),
        make_view(11, record(11, "Kinh tế học vĩ mô", year=2008, publisher="Nxb. Thống kê")),
        make_view(12, record(12, "Kinh tế Việt Nam", year=1998)),
        make_view(
            13,
            add_fields(record(13, "Địa lý tự nhiên", year=1975), ("500", [("a", "hoà bình")])),
        ),
        make_view(14, record(14, "Giáo trình tin học", year=2020), UNIVERSITY),
        make_view(15, record(15, "Giáo trình tin học", year=2020), NATIONAL, PROVINCIAL),
        make_view(
            16,
            record(16, "Bản đồ hành chính Việt Nam", year=2003),
            leader="00000nem a2200000 a 4500",
        ),
        make_view(17, english_serial, leader="00000nas a2200000 a 4500"),
        make_view(18, record(18, "Đà Lạt xưa", year=1965), PROVINCIAL),
        make_view(19, record(19, "abc sách học chữ", year=2000)),
        make_view(21, record(21, "A bàng", year=2000)),
        make_view(22, record(22, "Chà là", year=2000)),
    ]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> TantivyIndex:
    built = TantivyIndex(tmp_path_factory.mktemp("search") / "index")
    built.upsert(made_records())
    built.commit(0)
    return built


def search(index: TantivyIndex, text: str, **options: object) -> SearchResults:
    return search_catalogue(index, reader_search_request(text, **options))  # type: ignore[arg-type]


def ids(index: TantivyIndex, text: str, **options: object) -> list[int]:
    return [hit.id for hit in search(index, text, page_size=50, **options).hits]


def test_query_without_tones_finds_every_tone_variant(index: TantivyIndex) -> None:
    assert set(ids(index, "hoa binh")) >= {1, 2, 3}


def test_hoa_binh_with_tones_ranks_exact_tones_above_another_tone(index: TantivyIndex) -> None:
    found = ids(index, "hoà bình")
    assert set(found[:2]) == {1, 2}
    assert found.index(3) > 1


def test_tone_placement_variants_are_the_same_word(index: TantivyIndex) -> None:
    assert set(ids(index, "hòa bình")[:2]) == set(ids(index, "hoà bình")[:2]) == {1, 2}


def test_duong_with_tones_ranks_duong_above_duong_without_bar(index: TantivyIndex) -> None:
    assert ids(index, "đường")[0] == 4
    assert ids(index, "dương")[0] == 5
    assert set(ids(index, "duong")) == {4, 5}


@pytest.mark.parametrize("name", ["Nguyễn Du", "Nguyễn, Du", "Du Nguyễn", "nguyen du"])
def test_authors_are_found_in_direct_or_inverted_order(index: TantivyIndex, name: str) -> None:
    assert ids(index, name)[0] == 6
    assert ids(index, f"author:{name}")[0] == 6


@pytest.mark.parametrize(
    "isbn", ["978-604-0-00001-9", "9786040000019", "604-0-00001-9"[0:0] + "9786040000019"]
)
def test_isbn_is_found_with_or_without_hyphens(index: TantivyIndex, isbn: str) -> None:
    assert ids(index, isbn) == [9]
    assert ids(index, f"isbn:{isbn}") == [9]


def test_issn_is_found_with_or_without_hyphen(index: TantivyIndex) -> None:
    assert ids(index, "issn:1559-372X") == [17]
    assert ids(index, "issn:1559372x") == [17]


def test_phrase_requires_the_words_together(index: TantivyIndex) -> None:
    assert ids(index, '"lịch sử Việt Nam"') == [9]
    assert set(ids(index, "lịch sử việt nam")) == {9, 10}


def test_exact_phrase_ranks_above_scattered_words(index: TantivyIndex) -> None:
    assert ids(index, "lich su viet nam")[0] == 9


def test_truncation_finds_words_that_start_so(index: TantivyIndex) -> None:
    assert set(ids(index, "kinh tế*")) == {11, 12}
    assert set(ids(index, "title:giáo trì*")) == {14, 15}


def test_boolean_operators_combine_terms(index: TantivyIndex) -> None:
    assert set(ids(index, 'kinh tế NOT "vĩ mô"')) == {12}
    assert set(ids(index, "đường OR dương")) == {4, 5}
    assert set(ids(index, "(tơ lụa OR dương cầm) AND year:2001")) == {4, 5}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('title:"truyện kiều"', {6}),
        ("subject:thơ", {6}),
        ("publisher:thống kê", {11}),
        ('series:"tủ sách"', {9}),
        ("classification:959.7*", {9}),
        ("classification:895.9221", {6}),
        ("year:1999", {6, 7}),
        ("year:1960-1976", {13, 18}),
        ("language:eng", {17}),
        ("material_type:serial", {17}),
        ("material_type:map", {16}),
        ("library:VN-HCM", {6, 9, 15, 18}),
        ('province:"ho chi minh"', {6, 9, 15, 18}),
        ("library_type:university", {6, 14}),
    ],
)
def test_fielded_search_looks_only_in_that_field(
    index: TantivyIndex, query: str, expected: set[int]
) -> None:
    assert set(ids(index, query)) == expected


def test_title_matches_rank_above_notes(index: TantivyIndex) -> None:
    found = ids(index, "hoà bình")
    assert found.index(13) > found.index(1)
    assert found.index(13) > found.index(2)


def test_records_held_by_more_libraries_rank_slightly_higher(index: TantivyIndex) -> None:
    assert ids(index, "giáo trình tin học")[:2] == [15, 14]


def test_facets_count_every_kind(index: TantivyIndex) -> None:
    facets = search(
        index,
        "",
        facets=[
            "library",
            "province",
            "library_type",
            "year",
            "decade",
            "language",
            "material_type",
            "subject",
            "ddc_class",
        ],
        facet_size=50,
    ).facets
    counts = {name: {item.value: item.count for item in values} for name, values in facets.items()}
    assert counts["library"]["VN-HCM"] == 4
    assert counts["province"]["TP. Hồ Chí Minh"] == 4
    assert counts["library_type"]["university"] == 2
    assert counts["year"]["1999"] == 2
    assert counts["decade"]["1990"] == 4
    assert counts["language"] == {"vie": 20, "eng": 1}
    assert counts["material_type"]["serial"] == 1
    assert counts["material_type"]["map"] == 1
    assert counts["subject"]["Thơ Việt Nam"] == 1
    assert counts["ddc_class"] == {"800": 1, "900": 1}


def test_facets_count_the_same_when_holder_sets_overflow_to_the_fields(
    index: TantivyIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    holder_facets = ["library", "province", "library_type"]
    from_holder_sets = search(index, "", facets=holder_facets, facet_size=50).facets
    # With room for one set of holders only, the counts come from the multi-valued fields.
    monkeypatch.setattr("mucluc.search.index.HOLDER_SETS_COUNTED", 1)
    from_fields = search(index, "", facets=holder_facets, facet_size=50).facets
    assert from_holder_sets == from_fields
    assert {item.value: item.count for item in from_fields["library"]} == {
        "VN-NLV": 19,
        "VN-HCM": 4,
        "VN-VNU": 2,
    }


@pytest.mark.parametrize(
    "query",
    [
        "hoa binh",
        "hoà bình",
        "lịch sử việt nam",
        '"lịch sử Việt Nam"',
        "kinh tế*",
        "title:giáo trì*",
        'kinh tế NOT "vĩ mô"',
        "đường OR dương",
        "(tơ lụa OR dương cầm) AND year:2001",
        "Nguyễn Du",
        "author:Du Nguyễn",
        "thống kê",
        'province:"ho chi minh"',
    ],
)
def test_counts_sorts_and_facets_match_the_same_records_as_the_ranked_page(
    index: TantivyIndex, query: str
) -> None:
    ranked = search(index, query, page_size=50, facets=["decade"])
    by_title = search(index, query, page_size=50, sort="title")
    found = {hit.id for hit in ranked.hits}
    assert found
    assert ranked.total == by_title.total == len(found)
    assert {hit.id for hit in by_title.hits} == found
    assert sum(item.count for item in ranked.facets["decade"]) == len(found)


def test_filters_narrow_without_reordering(index: TantivyIndex) -> None:
    everything = ids(index, "giáo trình")
    narrowed = ids(index, "giáo trình", filters={"library": ["VN-VNU"]})
    assert narrowed == [hit for hit in everything if hit in {14}]
    assert set(ids(index, "", filters={"decade": ["1990"], "library": ["VN-HCM"]})) == {6}


def test_title_sort_follows_vietnamese_collation(index: TantivyIndex) -> None:
    titles = [hit.title for hit in search(index, "", sort="title", page_size=50).hits]
    assert titles.index("A bàng") < titles.index("abc sách học chữ") < titles.index("Chà là")
    assert titles.index("Dương cầm cho người mới học") < titles.index("Đà Lạt xưa")
    assert titles.index("Đà Lạt xưa") < titles.index("Địa lý tự nhiên")


def test_year_sort_both_ways_with_ties_by_id(index: TantivyIndex) -> None:
    newest = search(index, "", sort="year_desc", page_size=50).hits
    years = [hit.year or 0 for hit in newest]
    assert years == sorted(years, reverse=True)
    assert [hit.id for hit in newest[:2]] == [14, 15]
    oldest = [hit.year for hit in search(index, "", sort="year_asc", page_size=50).hits]
    assert oldest[:2] == [1965, 1975]


def test_author_sort_puts_records_without_author_last(index: TantivyIndex) -> None:
    hits = search(index, "", sort="author", page_size=50).hits
    assert [hit.authors[0] for hit in hits[:3]] == ["Lê Du", "Nguyễn, Du, 1765-1820", "Nguyễn Trãi"]
    assert not hits[-1].authors


@pytest.mark.parametrize("sort", ["relevance", "title", "year_desc", "author"])
def test_paging_one_by_one_equals_one_big_page(index: TantivyIndex, sort: str) -> None:
    whole = [hit.id for hit in search(index, "", sort=sort, page_size=50).hits]
    paged = [
        hit.id
        for page in range(1, len(whole) + 1)
        for hit in search(index, "", sort=sort, page=page, page_size=1).hits
    ]
    # Relevance orders equal scores by id within a page, so only the set is comparable.
    assert paged == whole if sort != "relevance" else sorted(paged) == sorted(whole)
    assert len(set(paged)) == len(whole) == 21


def test_unknown_field_or_facet_is_a_query_error(index: TantivyIndex) -> None:
    from mucluc.errors import QueryError

    with pytest.raises(QueryError, match="unknown field 'colour'"):
        search(index, "colour:red")
    with pytest.raises(QueryError, match="unknown facet 'colour'"):
        search(index, "", facets=["colour"])


# The Vietnamese records of the Library of Congress, read from ../shared/data.


@pytest.fixture(scope="module")
def loc_index(tmp_path_factory: pytest.TempPathFactory) -> TantivyIndex:
    with LOC_SAMPLE.open("rb") as stream:
        records = [record for record in MARCReader(stream, to_unicode=True) if record]
    built = TantivyIndex(tmp_path_factory.mktemp("loc") / "index")
    built.upsert(make_view(number, record) for number, record in enumerate(records, start=1))
    built.commit(0)
    return built


def loc_titles(index: TantivyIndex, text: str) -> list[str]:
    return [hit.title for hit in search(index, text, page_size=50).hits]


def test_loc_sample_finds_toned_titles_from_a_query_without_tones(loc_index: TantivyIndex) -> None:
    assert loc_titles(loc_index, "doi thoai su hoc") == ["Đối thoại sử học"]


@pytest.mark.parametrize("name", ["Nguyễn Khắc Mai", "Nguyễn, Khắc Mai", "Khắc Mai Nguyễn"])
def test_loc_sample_finds_inverted_lc_headings_in_any_order(
    loc_index: TantivyIndex, name: str
) -> None:
    assert loc_titles(loc_index, f"author:{name}")[0].startswith("Ngôi chùa, một vùng tâm thức")


def test_loc_sample_ranks_duong_in_titles_above_the_name_duong(loc_index: TantivyIndex) -> None:
    hits = search(loc_index, "đường", page_size=50).hits
    with_duong = ["đường" in match_key(hit.title).split() for hit in hits]
    assert with_duong == sorted(with_duong, reverse=True)
    assert with_duong.count(True) >= 3
    assert any(author.startswith("Dương") for hit in hits for author in hit.authors)


def test_loc_sample_year_facet_and_range(loc_index: TantivyIndex) -> None:
    results = search(loc_index, "year:2000-2001", facets=["year"])
    assert {item.value for item in results.facets["year"]} == {"2000", "2001"}
    assert results.total == sum(item.count for item in results.facets["year"])


def test_a_request_for_no_hits_still_counts(index: TantivyIndex) -> None:
    page = search(index, "hoa binh")
    counted = index.search(replace(reader_search_request("hoa binh"), limit=0))
    assert counted.total == page.total > 0
    assert counted.hits == ()


def provinces_libraries(count: int) -> tuple[LibraryInfo, ...]:
    return tuple(
        LibraryInfo(f"VN-P{number:02d}", f"Thư viện {number}", f"Library {number}", "provincial")
        for number in range(count)
    )


@pytest.fixture(scope="module")
def phrase_index(tmp_path_factory: pytest.TempPathFactory) -> TantivyIndex:
    """Records whose words stand in every order, and one title held by 1, 2, 4 and 8 libraries."""
    scattered = make_view(
        2, make_marc_record("p2", "Lịch sử văn hoá, sử Việt, Việt Nam hôm nay", year=2001)
    )
    two_authors = add_fields(
        make_marc_record("p3", "Tuyển tập", author="Trần, Văn An", year=2002),
        ("700", [("a", "Hải, Bình")]),
    )
    built = TantivyIndex(tmp_path_factory.mktemp("phrases") / "index")
    built.upsert(
        [
            make_view(1, make_marc_record("p1", "Lịch sử Việt Nam hôm nay", year=2000)),
            scattered,
            make_view(3, two_authors),
            *(
                make_view(
                    10 + held,
                    make_marc_record(f"t{held}", "Toán cao cấp", year=2010),
                    *provinces_libraries(held),
                )
                for held in (1, 2, 4, 8)
            ),
        ]
    )
    built.commit(0)
    return built


def test_a_longer_phrase_needs_its_words_in_order_not_only_its_pairs(
    phrase_index: TantivyIndex,
) -> None:
    # Record 2 holds "lịch sử", "sử Việt" and "Việt Nam", but not the phrase.
    assert ids(phrase_index, '"lịch sử Việt Nam"') == [1]
    assert set(ids(phrase_index, "lịch sử việt nam")) == {1, 2}
    assert ids(phrase_index, "lịch sử việt nam")[0] == 1


def test_a_two_word_phrase_does_not_run_from_one_value_into_the_next(
    phrase_index: TantivyIndex,
) -> None:
    assert ids(phrase_index, 'author:"văn an"') == [3]
    assert ids(phrase_index, 'author:"an hải"') == []


def test_each_holdings_tier_lifts_a_record_a_little_more(phrase_index: TantivyIndex) -> None:
    assert ids(phrase_index, "toán cao cấp") == [18, 14, 12, 11]
    scores = [hit.score for hit in search(phrase_index, "toán cao cấp").hits]
    assert scores[0] - scores[-1] < 0.1 * scores[-1]  # slightly: a better match still wins


@pytest.mark.parametrize(
    "query",
    [
        # The lift rides inside the first word's clause ...
        "toán",
        "toán cao cấp",
        '"toán cao"',
        # ... or, where it cannot, comes as clauses of its own: the same lift.
        '"toán cao cấp"',
        "title:toán",
        "toán AND cấp",
        "toán*",
    ],
)
def test_the_holdings_lift_is_one_step_per_tier_however_the_query_is_written(
    phrase_index: TantivyIndex, query: str
) -> None:
    scores = {hit.id: hit.score for hit in search(phrase_index, query).hits}
    tiers_reached = {11: 0, 12: 1, 14: 2, 18: 3}  # held by 1, 2, 4 and 8 libraries
    lifts = {record: scores[record] - scores[11] for record in tiers_reached}
    assert lifts == pytest.approx(
        {record: HOLDINGS_STEP * reached for record, reached in tiers_reached.items()}, abs=1e-5
    )
