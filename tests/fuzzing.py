"""Strategies for fuzzing: good files of every format and damage to them; query text."""

from __future__ import annotations

import csv
import io

from hypothesis import strategies as st
from openpyxl import Workbook
from pymarc import Record

from mucluc.core.crosswalk.marcxml import marcxml_bytes
from mucluc.core.marc.formats import CSV, ISO2709, MARC_JSON, MARCXML, MRK, XLSX
from tests.builders import make_marc_file, make_marc_record

titles = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40
)
local_ids = st.text("abcxyz0123456789-", min_size=1, max_size=12)
marc_records = st.builds(
    lambda local_id, title, year: make_marc_record(local_id, title, year=year),
    local_ids,
    titles,
    st.one_of(st.none(), st.integers(1000, 2999)),
)


@st.composite
def mutated(draw: st.DrawFn, good: bytes) -> bytes:
    """The bytes with a few flips, cuts, insertions or a truncation.

    Places are drawn independently of the length (XLSX bytes carry a time).
    """
    data = bytearray(good)
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, 1 << 20)) % max(len(data), 1)
        action = draw(st.sampled_from(("flip", "cut", "insert", "truncate")))
        if action == "flip" and data:
            data[where] = draw(st.integers(0, 255))
        elif action == "cut":
            del data[where : where + draw(st.integers(1, 30))]
        elif action == "insert":
            data[where:where] = draw(st.binary(min_size=1, max_size=8))
        else:
            del data[where:]
    return bytes(data)


def as_mrk(records: list[Record]) -> bytes:
    return "\n\n".join(str(record) for record in records).encode("utf-8")


def as_marc_json(records: list[Record]) -> bytes:
    return "\n".join(record.as_json() for record in records).encode("utf-8")


def as_csv(records: list[Record]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["Mã", "Nhan đề", "Năm xuất bản"])
    for record in records:
        writer.writerow([record["001"].data, record.title or "", "2020"])
    return text.getvalue().encode("utf-8")


def as_xlsx(records: list[Record]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Mã", "Nhan đề", "Năm xuất bản"])
    for record in records:
        sheet.append([record["001"].data, record.title or "", 2020])
    saved = io.BytesIO()
    workbook.save(saved)
    return saved.getvalue()


WRITERS = {
    ISO2709: lambda records: make_marc_file(*records),
    MARCXML: marcxml_bytes,
    MARC_JSON: as_marc_json,
    MRK: as_mrk,
    CSV: as_csv,
    XLSX: as_xlsx,
}
record_lists = st.lists(marc_records, min_size=1, max_size=4)


READER_TOKENS = (
    "author:", "title:", "subject:", "year:", "isbn:", "issn:", "classification:", "colour:",
    '"', "(", ")", "AND", "OR", "NOT", "-", "*", ":", " ", "  ", "nguyễn du", "lịch sử",
    "Đà Nẵng", "hoà", "1990-2000", "1990-", "-1975", "2001", "99999", "978-604-0-00001-9",
    "959.7*", "\\", "\t", "\x00", "🙂",
)  # fmt: skip
CQL_TOKENS = (
    "dc.title", "cql.anywhere", "bath.isbn", "rec.id", "dc.date", "cql.serverChoice",
    "=", "==", "<>", "<", ">=", "all", "any", "adj", "within", "exact", "/", "/relevant",
    "/ignoreCase", "and", "or", "not", "prox", "(", ")", '"', " ", "*", "?", "^", "\\",
    "sortBy", "/sort.ascending", ">", "dc=http://purl.org/dc/elements/1.1/", "nguyễn",
    "lịch sử", "1990", "1990 2000", "99999999999999999999", "🙂",
)  # fmt: skip


def stitched(tokens: tuple[str, ...]) -> st.SearchStrategy[str]:
    """Text made of a language's own tokens, in any order: nearly right, often wrong."""
    return st.lists(st.sampled_from(tokens), max_size=16).map("".join)
