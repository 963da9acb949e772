"""CSV and XLSX book lists, as small libraries keep them, turned into MARC 21 records.

Headers are recognised in Vietnamese or English ("Nhan đề"/"Title", "Tác
giả"/"Author", "Số ĐKCB" …), with or without diacritics; an explicit
mapping (`--columns title=Tên sách,year=3`) overrides them. Each row becomes
one record: 001 id, 008, 020, 022, 082, 100/700, 245, 250, 264, 300, 650,
773 and one 852 per copy, its register number (Số ĐKCB) in $p; consecutive
rows that differ only in register number, copies, location or call number
are copies of one edition, as a register (sổ đăng ký cá biệt) lists them,
and make one record under the first row's id. Any file encoding is read
(BOM, UTF-16, cp1258, Latin-1; see `decode_text_file`). Pure apart from
parsing the bytes given.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from mucluc.core.marc.iso2709 import ParsedRecord
from mucluc.core.marc.lean import LeanField, LeanRecord
from mucluc.core.normalise.encoding import decode_text_file, repair_text
from mucluc.core.normalise.text import fold_key, has_vietnamese_marks

ColumnMapping = dict[str, str]
"""Role → column: a header as written, or a column number counted from 1."""

ROLES = (
    "id",
    "title",
    "subtitle",
    "author",
    "authors",
    "publisher",
    "place",
    "year",
    "isbn",
    "issn",
    "edition",
    "pages",
    "language",
    "subject",
    "classification",
    "call_number",
    "copies",
    "location",
    "host",
)

# Folded header (fold_key: no marks, đ → d, lower case) → role.
_HEADERS = {
    "id": "id",
    "ma": "id",
    "ma sach": "id",
    "local id": "id",
    "so dkcb": "id",
    "so dang ky ca biet": "id",
    "dkcb": "id",
    "nhan de": "title",
    "nhan de chinh": "title",
    "ten sach": "title",
    "ten tai lieu": "title",
    "title": "title",
    "phu de": "subtitle",
    "subtitle": "subtitle",
    "tac gia": "author",
    "author": "author",
    "cac tac gia": "authors",
    "authors": "authors",
    "nha xuat ban": "publisher",
    "nxb": "publisher",
    "publisher": "publisher",
    "noi xuat ban": "place",
    "place": "place",
    "place of publication": "place",
    "nam xuat ban": "year",
    "nam xb": "year",
    "nam": "year",
    "year": "year",
    "isbn": "isbn",
    "issn": "issn",
    "lan xuat ban": "edition",
    "edition": "edition",
    "so trang": "pages",
    "pages": "pages",
    "ngon ngu": "language",
    "language": "language",
    "chu de": "subject",
    "tu khoa": "subject",
    "subject": "subject",
    "subjects": "subject",
    "phan loai": "classification",
    "classification": "classification",
    "ddc": "classification",
    "ky hieu phan loai": "call_number",
    "ky hieu xep gia": "call_number",
    "call number": "call_number",
    "so ban": "copies",
    "so luong": "copies",
    "copies": "copies",
    "kho": "location",
    "vi tri": "location",
    "location": "location",
    "tap chi": "host",
    "nguon": "host",
    "host": "host",
    "journal": "host",
}


def _header_key(header: str) -> str:
    return fold_key(header.replace("_", " "))


_HEADER_ROLES = {_header_key(header): role for header, role in _HEADERS.items()}
_LANGUAGES = {
    _header_key(name): code
    for name, code in (
        ("tieng viet", "vie"),
        ("vietnamese", "vie"),
        ("tieng anh", "eng"),
        ("english", "eng"),
    )
}
_NAME_SEPARATORS = re.compile(r"\s*[;,]\s*")
_SUBJECT_SEPARATORS = re.compile(r"\s*;\s*")
MAXIMUM_COPIES = 1_000


def parse_columns(text: str) -> ColumnMapping:
    """Parse `--columns ROLE=COLUMN,...`; ValueError names an unknown role or a bad pair."""
    mapping: ColumnMapping = {}
    for pair in filter(None, (part.strip() for part in text.split(","))):
        role, separator, column = pair.partition("=")
        role = role.strip().lower()
        if not separator or not column.strip():
            raise ValueError(f"--columns: {pair!r} is not ROLE=COLUMN")
        if role not in ROLES:
            raise ValueError(f"--columns: unknown role {role!r}; roles are {', '.join(ROLES)}")
        mapping[role] = column.strip()
    return mapping


def assign_columns(headers: list[str], columns: ColumnMapping | None) -> dict[str, int]:
    """Role → column index, from the recognised headers then the explicit mapping.

    Raises ValueError when an explicit column names no header and no number in range.
    """
    assigned: dict[str, int] = {}
    for index, header in enumerate(headers):
        role = _HEADER_ROLES.get(_header_key(header))
        if role and role not in assigned:
            assigned[role] = index
    folded = [_header_key(header) for header in headers]
    for role, column in (columns or {}).items():
        if column.isdigit() and 1 <= int(column) <= len(headers):
            assigned[role] = int(column) - 1
        elif _header_key(column) in folded:
            assigned[role] = folded.index(_header_key(column))
        else:
            raise ValueError(
                f"--columns: {role}={column!r} names no column; the headers are "
                + ", ".join(repr(header) for header in headers)
            )
    return assigned


def _rows_from_csv(data: bytes, encoding: str | None) -> Iterator[tuple[int, list[str]]]:
    text, _ = decode_text_file(data, encoding)
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    for row in reader:
        yield reader.line_num, [cell.strip() for cell in row]


def _rows_from_xlsx(data: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook  # imported here: only XLSX lists need it

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, [_cell_text(value) for value in values]
        finally:
            workbook.close()
    except Exception as error:
        # A damaged workbook makes openpyxl, zipfile, zlib or the XML parser raise almost
        # any exception (EOFError, zlib.error, TypeError …): all mean "not readable".
        raise ValueError(str(error) or type(error).__name__) from error


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(
    data: bytes,
    source_name: str,
    *,
    xlsx: bool = False,
    encoding: str | None = None,
    columns: ColumnMapping | None = None,
) -> Iterator[ParsedRecord]:
    """Yield one record per data row of a CSV or XLSX book list, with its line number.

    A list whose headers name no title column (and no `--columns title=`)
    yields a single error saying which headers were found.
    """
    rows = _rows_from_xlsx(data) if xlsx else _rows_from_csv(data, encoding)
    read = 0
    try:
        for outcome in _read_rows(rows, source_name, columns):
            read += 1
            yield outcome
    except (csv.Error, zipfile.BadZipFile, OSError, KeyError, ValueError) as error:
        # openpyxl raises these for a damaged workbook; csv for a broken quote.
        kind = "XLSX workbook" if xlsx else "CSV text"
        message = f"not a readable {kind} ({error}); reading stopped here"
        yield _failure(source_name, read + 1, 0, message, [])


# "&#233;", "&#xE9;", "&eacute;", "&amp;": what a web system's export leaves in a cell.
_CHARACTER_REFERENCE = re.compile(
    r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
)


def decode_character_references(values: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """Decode HTML character references in cells ("H&#233;ctor" → "Héctor"); name the repairs.

    Only complete references with their semicolon are touched ("AT&T" stays),
    and before names are split at semicolons, which would cut "H&#233;ctor"
    in two.
    """
    decoded = {}
    repairs = []
    for role, value in values.items():
        text = _CHARACTER_REFERENCE.sub(lambda found: html.unescape(found.group()), value)
        if text != value:
            repairs.append(f"{role}: HTML character references decoded")
        decoded[role] = text
    return decoded, repairs


def repair_cells(values: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """Apply the §1.4 text repairs to cells, as MARC subfields get them; name the repairs.

    Double-encoded UTF-8 ("LÃ£o Háº¡c") is repaired in any row; eth and
    legacy bytes shown as cp1252 only in a row whose language cell says
    Vietnamese, as in MARC records (§1.3).
    """
    vietnamese = values.get("language", "").strip().lower().startswith("vi")
    repaired = {}
    repairs: list[str] = []
    for role, value in values.items():
        text, names = repair_text(value, vietnamese=vietnamese)
        repairs.extend(f"{role}: {name}" for name in names)
        repaired[role] = text
    return repaired, repairs


def _read_rows(
    rows: Iterator[tuple[int, list[str]]], source_name: str, columns: ColumnMapping | None
) -> Iterator[ParsedRecord]:
    headers: list[str] | None = None
    assigned: dict[str, int] = {}
    position = 0
    pending: _Edition | None = None
    for line, row in rows:
        if not any(row):
            continue
        if headers is None:
            headers = row
            try:
                assigned = assign_columns(headers, columns)
            except ValueError as error:
                yield _failure(source_name, 1, line, str(error), row)
                return
            if "title" not in assigned:
                message = (
                    "no title column: found "
                    + ", ".join(repr(header) for header in headers)
                    + "; name it with --columns title=COLUMN; reading stopped here"
                )
                yield _failure(source_name, 1, line, message, row)
                return
            continue
        values, references = decode_character_references(
            {role: row[index].strip() for role, index in assigned.items() if index < len(row)}
        )
        values, repairs = repair_cells(values)
        described = dict(zip(headers, row, strict=False))
        if pending is not None and pending.takes(values):
            pending.add(line, values, described, references + repairs)
            continue
        if pending is not None:
            yield pending.outcome(source_name)
        position += 1
        pending = _Edition(position, line, values, [described], references + repairs)
    if pending is not None:
        yield pending.outcome(source_name)


# Roles that describe one copy, not the edition: rows differing only in these are copies.
COPY_ROLES = frozenset({"id", "copies", "location", "call_number"})


@dataclass
class _Edition:
    """Consecutive rows describing one edition, as a register lists its copies one per row.

    The record takes the first row's values and id (its register number);
    every row adds its copies, each with the row's register number.
    """

    position: int
    line: int
    values: dict[str, str]
    rows: list[dict[str, str]]
    repairs: list[str]
    copies: list[tuple[int, dict[str, str]]] = field(default_factory=list)

    def takes(self, values: dict[str, str]) -> bool:
        """Whether a row is another copy of this edition: the same but for its copy roles.

        Both rows need a register number, and a new one: a row listed twice
        is the same copy, which ingest takes as an update.
        """
        numbers = {self.values.get("id")} | {copy.get("id") for _, copy in self.copies}
        return (
            bool(self.values.get("id"))
            and values.get("id") not in numbers | {"", None}
            and _edition_of(values) == _edition_of(self.values)
        )

    def add(
        self, line: int, values: dict[str, str], row: dict[str, str], repairs: list[str]
    ) -> None:
        self.copies.append((line, values))
        self.rows.append(row)
        self.repairs.extend(repair for repair in repairs if repair not in self.repairs)

    def outcome(self, source_name: str) -> ParsedRecord:
        record, problems = row_to_record(self.values, source_name, self.position, self.line)
        fields = list(record.fields)
        for line, copy in self.copies:
            copies, more = _copy_fields(copy, source_name, self.position, line)
            fields.extend(copies)
            problems.extend(more)
        record = LeanRecord(record.leader, fields)
        rows: Any = self.rows[0] if len(self.rows) == 1 else self.rows
        raw = json.dumps(rows, ensure_ascii=False).encode()
        return ParsedRecord(
            raw, self.position, 0, record, problems, repairs=self.repairs, line=self.line
        )


def _edition_of(values: dict[str, str]) -> dict[str, str]:
    return {role: value for role, value in values.items() if role not in COPY_ROLES}


def _failure(
    source_name: str, position: int, line: int, message: str, row: list[str]
) -> ParsedRecord:
    """The outcome of an error after which the rest of the file is not read."""
    problem = {
        "severity": "error",
        "file": source_name,
        "record": position,
        "offset": 0,
        "line": line,
        "tag": "",
        "message": message,
    }
    raw = json.dumps(row, ensure_ascii=False).encode()
    return ParsedRecord(raw, position, 0, None, [problem], line=line, ends_reading=True)


def _data_field(tag: str, indicators: str, *subfields: tuple[str, str]) -> LeanField:
    return LeanField(
        tag,
        indicator1=indicators[0],
        indicator2=indicators[1],
        subfields=[(code, value) for code, value in subfields if value],
    )


def row_to_record(
    values: dict[str, str], source_name: str, position: int, line: int
) -> tuple[LeanRecord, list[dict[str, Any]]]:
    """Build a MARC 21 record from one row's values by role; problems name the line."""
    problems: list[dict[str, Any]] = []

    def warn(tag: str, message: str) -> None:
        problems.append(_warning(source_name, position, line, tag, message))

    title = values.get("title", "")
    authors = [values["author"]] if values.get("author") else []
    authors += [name for name in _NAME_SEPARATORS.split(values.get("authors", "")) if name]
    year = values.get("year", "")
    year_digits = re.search(r"\d{4}", year)
    if year and not year_digits:
        warn("008", f"year {year!r} has no four-digit year")
    date = year_digits.group() if year_digits else "    "
    language = values.get("language", "")
    language_code = _LANGUAGES.get(_header_key(language), language.lower()[:3]) if language else ""
    if not language_code:
        language_code = "vie" if has_vietnamese_marks(" ".join(values.values())) else "und"
    local_id = (
        values.get("id")
        or "row-"
        + hashlib.sha256(
            "\x1f".join([title, *authors, year, values.get("isbn", "")]).encode()
        ).hexdigest()[:16]
    )
    fields = [
        LeanField("001", data=local_id),
        LeanField("008", data=f"000000s{date}    vm            000 0 {language_code:3.3} d"),
    ]
    if values.get("isbn"):
        fields.append(_data_field("020", "  ", ("a", values["isbn"])))
    if values.get("issn"):
        fields.append(_data_field("022", "  ", ("a", values["issn"])))
    if values.get("classification"):
        fields.append(_data_field("082", "04", ("a", values["classification"])))
    if authors:
        fields.append(_data_field("100", "0 ", ("a", authors[0])))
    subtitle = values.get("subtitle", "")
    if title:
        fields.append(
            _data_field(
                "245",
                ("1" if authors else "0") + "0",
                ("a", title + (" :" if subtitle else "")),
                ("b", subtitle),
            )
        )
    if values.get("edition"):
        fields.append(_data_field("250", "  ", ("a", values["edition"])))
    if values.get("place") or values.get("publisher") or year:
        fields.append(
            _data_field(
                "264",
                " 1",
                ("a", values.get("place", "")),
                ("b", values.get("publisher", "")),
                ("c", year),
            )
        )
    if values.get("pages"):
        fields.append(_data_field("300", "  ", ("a", values["pages"])))
    for subject in _SUBJECT_SEPARATORS.split(values.get("subject", "")):
        if subject:
            fields.append(_data_field("650", " 4", ("a", subject)))
    fields.extend(_data_field("700", "0 ", ("a", name)) for name in authors[1:])
    if values.get("host"):
        fields.append(_data_field("773", "0 ", ("t", values["host"])))
    copies, copy_problems = _copy_fields(values, source_name, position, line)
    return LeanRecord("00000nam a2200000 i 4500", fields + copies), problems + copy_problems


def _copy_fields(
    values: dict[str, str], source_name: str, position: int, line: int
) -> tuple[list[LeanField], list[dict[str, Any]]]:
    """One 852 per copy a row counts: location, call number, and its register number in $p.

    MARC 21 counts copies by 852 $p barcodes; a list gives one register
    number (Số ĐKCB) per row, so a row of several copies names it once.
    """
    problems = []
    copies_text = values.get("copies", "")
    copies = int(copies_text) if copies_text.isdigit() else 1
    if copies_text and not copies_text.isdigit():
        message = f"copies {copies_text!r} is not a number; counted as 1"
        problems.append(_warning(source_name, position, line, "852", message))
    if copies > MAXIMUM_COPIES:
        message = f"copies {copies} is more than {MAXIMUM_COPIES}; counted as 1"
        problems.append(_warning(source_name, position, line, "852", message))
        copies = 1
    location, call_number = values.get("location", ""), values.get("call_number", "")
    register_numbers = [values.get("id", "")] + [""] * (max(1, copies) - 1)
    fields = [
        _data_field("852", "  ", ("b", location), ("h", call_number), ("p", number))
        for number in register_numbers
    ]
    return fields, problems


def _warning(source_name: str, position: int, line: int, tag: str, message: str) -> dict[str, Any]:
    return {
        "severity": "warning",
        "file": source_name,
        "record": position,
        "offset": 0,
        "line": line,
        "tag": tag,
        "message": f"line {line}: {message}",
    }
