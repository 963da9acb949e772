"""Every record format member libraries send, auto-detected, read into `ParsedRecord`s.

ISO 2709 (iso2709.py), MARCXML (a collection, a single record, or records
inside an OAI-PMH response), MARC-in-JSON (one record, a list, or one per
line), MarcEdit mnemonic .mrk, and CSV/XLSX book lists (tabular.py). Every
reader yields one outcome per record with its file, record number and byte
offset or line, and one bad record never stops the others. Pure: the caller
opens the file.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from itertools import chain
from typing import Any, BinaryIO

from lxml import etree
from pymarc import Record

from mucluc.core.crosswalk.marcxml import MarcXmlError, read_marcxml
from mucluc.core.crosswalk.xml_input import XmlInputError, iterate_xml
from mucluc.core.marc.iso2709 import ParsedRecord, read_iso2709_stream
from mucluc.core.marc.lean import LeanField, LeanRecord
from mucluc.core.marc.tabular import ColumnMapping, read_table
from mucluc.core.normalise.encoding import decode_text_file

ISO2709 = "marc21"
MARCXML = "marcxml"
MARC_JSON = "marc-json"
MRK = "mrk"
CSV = "csv"
XLSX = "xlsx"
FORMATS = (ISO2709, MARCXML, MARC_JSON, MRK, CSV, XLSX)
"""The values `--format` accepts."""

_EXTENSIONS = {
    ".xml": MARCXML,
    ".marcxml": MARCXML,
    ".json": MARC_JSON,
    ".jsonl": MARC_JSON,
    ".mrk": MRK,
    ".csv": CSV,
    ".tsv": CSV,
    ".txt": CSV,
    ".xlsx": XLSX,
}
SNIFF_BYTES = 4096
UNREAD_KEPT_BYTES = 1 << 20
"""How much of a document that breaks off is kept with its quarantined remainder."""


def detect_format(head: bytes, name: str = "") -> str:
    """Tell a file's format from its first bytes, the extension breaking ties.

    ZIP bytes are XLSX; `<` XML; `{`/`[` JSON; `=LDR` mnemonic; five digits
    then a leader-like header ISO 2709; anything else a CSV book list.
    """
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"PK\x03\x04"):
        return XLSX
    if stripped.startswith(b"<"):
        return MARCXML
    if stripped[:1] in (b"{", b"["):
        return MARC_JSON
    if stripped.startswith(b"=LDR") or stripped.startswith(b"=000"):
        return MRK
    if head[:5].isdigit() and len(head) >= 24:
        return ISO2709
    extension = name[name.rfind(".") :].lower() if "." in name else ""
    if extension in (".mrc", ".marc", ".iso", ".dat", ".utf8", ".mrc8"):
        return ISO2709
    return _EXTENSIONS.get(extension, CSV)


def read_records(
    stream: BinaryIO,
    source_name: str,
    *,
    record_format: str | None = None,
    encoding: str | None = None,
    columns: ColumnMapping | None = None,
) -> Iterator[ParsedRecord]:
    """Yield one outcome per record of a file in `record_format` (detected when None).

    `encoding` is a source's configured text encoding (legacy 8-bit MARC, or
    a CSV file's code page); `columns` maps CSV/XLSX columns to roles.
    """
    if record_format is None:
        head = stream.read(SNIFF_BYTES)
        stream.seek(0)
        record_format = detect_format(head, source_name)
    if record_format == ISO2709:
        yield from read_iso2709_stream(stream, source_name, encoding=encoding)
    elif record_format == MARCXML:
        yield from read_marcxml_stream(stream, source_name)
    elif record_format == MARC_JSON:
        yield from read_marc_json_stream(stream, source_name)
    elif record_format == MRK:
        yield from read_mrk(stream.read(), source_name, encoding=encoding)
    elif record_format in (CSV, XLSX):
        yield from read_table(
            stream.read(),
            source_name,
            xlsx=record_format == XLSX,
            encoding=encoding,
            columns=columns,
        )
    else:
        raise ValueError(f"unknown format {record_format!r}; use one of {', '.join(FORMATS)}")


def _problem(
    source_name: str, position: int, offset: int, tag: str, message: str, *, line: int = 0
) -> dict[str, Any]:
    problem: dict[str, Any] = {
        "severity": "error",
        "file": source_name,
        "record": position,
        "offset": offset,
        "tag": tag,
        "message": message,
    }
    if line:
        problem["line"] = line
    return problem


def _local_name(element: etree._Element) -> str:
    return str(element.tag).rsplit("}", 1)[-1]


def read_marcxml_stream(stream: BinaryIO, source_name: str) -> Iterator[ParsedRecord]:
    """Yield the MARCXML records of a document: a collection, a record, or an OAI-PMH response.

    Records are the `record` elements holding a leader or fields, in any
    namespace but OAI-PMH's own; the hardened parser refuses DTDs and entities.
    The document is read as it streams and each record is dropped once read,
    so a national library's multi-gigabyte export needs no more memory than
    one record. A document that breaks off keeps the records read before the
    break; the rest is one outcome that says at which line reading stopped.
    """
    position = 0
    try:
        for element in iterate_xml(stream, source_name=source_name):
            if not isinstance(element.tag, str) or _local_name(element) != "record":
                continue
            if _holds_marc_fields(element):
                position += 1
                yield _marcxml_outcome(element, position, source_name)
            _forget(element)
    except XmlInputError as error:
        line = error.line
        message = f"{error}; reading stopped here"
        problem = _problem(source_name, position + 1, 0, "", message, line=line)
        raw = _unread_text(stream, line)
        yield ParsedRecord(raw, position + 1, 0, None, [problem], line=line, ends_reading=True)


def _holds_marc_fields(element: etree._Element) -> bool:
    return any(
        isinstance(child.tag, str) and _local_name(child) in ("leader", "controlfield", "datafield")
        for child in element
    )


def _marcxml_outcome(element: etree._Element, position: int, source_name: str) -> ParsedRecord:
    line = element.sourceline if isinstance(element.sourceline, int) else 0
    raw = etree.tostring(element, encoding="utf-8")
    try:
        record = read_marcxml(element, source_name=source_name)
    except MarcXmlError as error:
        problem = _problem(source_name, position, 0, "", str(error), line=line)
        return ParsedRecord(raw, position, 0, None, [problem], line=line)
    return ParsedRecord(raw, position, 0, _lean_record(record), [], line=line)


def _forget(element: etree._Element) -> None:
    """Free a record that has been read, and the records before it."""
    element.clear()
    parent = element.getparent()
    while parent is not None and element.getprevious() is not None:
        del parent[0]


def _unread_text(stream: BinaryIO, line: int) -> bytes:
    """The document from `line` on, at most UNREAD_KEPT_BYTES: what a cataloguer sees of the break.

    Empty when the stream cannot be read again (the records before it are kept either way).
    """
    try:
        stream.seek(0)
    except (OSError, ValueError):
        return b""
    for _ in range(max(line - 1, 0)):
        if not stream.readline():
            break
    return stream.read(UNREAD_KEPT_BYTES)


def _lean_record(record: Record) -> LeanRecord:
    """The lean form of a pymarc record, NFC (MARCXML may carry decomposed text)."""
    fields = [
        LeanField(item.tag, data=_nfc(item.data or ""))
        if item.is_control_field()
        else LeanField(
            item.tag,
            indicator1=(item.indicator1 or " ")[:1],
            indicator2=(item.indicator2 or " ")[:1],
            subfields=[(subfield.code, _nfc(subfield.value)) for subfield in item.subfields],
        )
        for item in record.fields
    ]
    return LeanRecord(str(record.leader), fields)


def _nfc(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def read_marc_json_stream(stream: BinaryIO, source_name: str) -> Iterator[ParsedRecord]:
    """Yield MARC-in-JSON records: one object, a list of them, or one object per line.

    One object per line (JSON lines, as large dumps are written) is read a
    line at a time; a list or a pretty-printed object is read whole.
    """
    first_line = stream.readline()
    while first_line and not first_line.strip():
        first_line = stream.readline()
    if first_line and _is_json_object(first_line):
        yield from _read_marc_json_lines(first_line, stream, source_name)
    else:
        yield from read_marc_json(first_line + stream.read(), source_name)


def _is_json_object(line: bytes) -> bool:
    try:
        return isinstance(json.loads(line.decode("utf-8-sig")), dict)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False


def _read_marc_json_lines(
    first_line: bytes, stream: BinaryIO, source_name: str
) -> Iterator[ParsedRecord]:
    position = 0
    number = 0
    for raw_line in chain([first_line], stream):
        number += 1
        if number == 1 and raw_line.startswith(b"\xef\xbb\xbf"):
            raw_line = raw_line[3:]
        raw = raw_line.rstrip(b"\r\n")
        if not raw.strip():
            continue
        position += 1
        try:
            entry: Any = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as error:
            entry = ValueError(f"not UTF-8 at byte {error.start}: MARC-in-JSON must be UTF-8")
        except json.JSONDecodeError as error:
            entry = error
        yield _marc_json_outcome(entry, raw, position, number, source_name)


def read_marc_json(data: bytes, source_name: str) -> Iterator[ParsedRecord]:
    """Yield MARC-in-JSON records: one object, a list of them, or one object per line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        message = f"not UTF-8 at byte {error.start}: MARC-in-JSON must be UTF-8; reading stopped"
        problem = _problem(source_name, 1, 0, "", message)
        yield ParsedRecord(data, 1, 0, None, [problem], ends_reading=True)
        return
    entries: list[tuple[int, Any, bytes]] = []
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        for number, text_line in enumerate(text.splitlines(), start=1):
            if not text_line.strip():
                continue
            try:
                entries.append((number, json.loads(text_line), text_line.encode()))
            except json.JSONDecodeError as error:
                entries.append((number, error, text_line.encode()))
    else:
        for entry in document if isinstance(document, list) else [document]:
            # "\ud800" in the JSON is a lone surrogate, which UTF-8 cannot encode: kept escaped.
            text_of_entry = json.dumps(entry, ensure_ascii=False)
            entries.append((0, entry, text_of_entry.encode("utf-8", "backslashreplace")))
    for position, (line, entry, raw) in enumerate(entries, start=1):
        yield _marc_json_outcome(entry, raw, position, line, source_name)


def _marc_json_outcome(
    entry: Any, raw: bytes, position: int, line: int, source_name: str
) -> ParsedRecord:
    """The outcome of one decoded entry, or of the error that stopped it being decoded."""
    if isinstance(entry, json.JSONDecodeError):
        fault = f"line {line}: not JSON ({entry})"
    elif isinstance(entry, ValueError):
        fault = f"line {line}: {entry}"
    else:
        fault = _marc_json_fault(entry)
    if fault:
        problem = _problem(source_name, position, 0, "", fault, line=line)
        return ParsedRecord(raw, position, 0, None, [problem], line=line)
    return ParsedRecord(raw, position, 0, LeanRecord.from_dict(entry), [], line=line)


def _marc_json_fault(entry: Any) -> str:
    """What makes an entry not a MARC-in-JSON record ("" when it is one)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("fields"), list):
        return "not a MARC-in-JSON record: expected an object with a 'fields' list"
    for number, field in enumerate(entry["fields"], start=1):
        if not isinstance(field, dict) or len(field) != 1:
            return f"field {number}: each field must be {{tag: value}}"
        ((tag, value),) = field.items()
        if isinstance(value, str):
            continue
        if not isinstance(value, dict) or not isinstance(value.get("subfields"), list):
            return f"field {number} ({tag}): expected a string or an object with 'subfields'"
        for subfield in value["subfields"]:
            if not isinstance(subfield, dict) or len(subfield) != 1:
                return f"field {number} ({tag}): each subfield must be {{code: text}}"
            if not all(isinstance(text, str) for text in subfield.values()):
                return f"field {number} ({tag}): subfield text must be a string"
    return ""


_MRK_ESCAPES = {"{dollar}": "$", "{bsol}": "\\", "{lcub}": "{", "{rcub}": "}"}


def read_mrk(
    data: bytes, source_name: str, *, encoding: str | None = None
) -> Iterator[ParsedRecord]:
    """Yield records of a MarcEdit mnemonic file: "=LDR  …", "=245  10$aTitle", blank lines between.

    A backslash stands for a blank in the leader, control fields and
    indicators; `{dollar}` is a literal "$".
    """
    text, _ = decode_text_file(data, encoding)
    lines: list[tuple[int, str]] = []
    position = 0
    for number, line in enumerate([*text.splitlines(), ""], start=1):
        if line.strip():
            lines.append((number, line.rstrip("\r\n")))
            continue
        if lines:
            position += 1
            yield _mrk_record(lines, source_name, position)
            lines = []


_MRK_ESCAPING = str.maketrans({character: escape for escape, character in _MRK_ESCAPES.items()})
_MRK_BLANK = "\\"


def write_mrk(record: LeanRecord) -> str:
    """A record as MarcEdit mnemonic text that `read_mrk` reads back to the same record.

    Blanks in the leader, control fields and indicators are written as a
    backslash; a dollar sign, backslash or brace in a value as `{dollar}`,
    `{bsol}`, `{lcub}` or `{rcub}`.
    """
    lines = ["=LDR  " + record.leader.replace(" ", _MRK_BLANK)]
    for field in record.fields:
        if field.data is not None:
            data = field.data.translate(_MRK_ESCAPING).replace(" ", _MRK_BLANK)
            lines.append(f"={field.tag}  {data}")
            continue
        indicators = (field.indicator1 + field.indicator2).replace(" ", _MRK_BLANK)
        subfields = "".join(
            f"${code}{value.translate(_MRK_ESCAPING)}" for code, value in field.subfields
        )
        lines.append(f"={field.tag}  {indicators}{subfields}")
    return "\n".join(lines) + "\n"


def _mrk_unescape(value: str) -> str:
    for escape, character in _MRK_ESCAPES.items():
        value = value.replace(escape, character)
    return value


def _mrk_record(lines: list[tuple[int, str]], source_name: str, position: int) -> ParsedRecord:
    first_line = lines[0][0]
    raw = "\n".join(line for _, line in lines).encode("utf-8")
    leader = ""
    fields: list[LeanField] = []
    problems: list[dict[str, Any]] = []
    for number, line in lines:
        if not line.startswith("=") or len(line) < 4:
            problems.append(
                _problem(
                    source_name, position, 0, "", f"line {number}: not '=TAG  data'", line=number
                )
            )
            continue
        tag, value = line[1:4], line[4:].removeprefix("  ")
        if tag in ("LDR", "000"):
            leader = value.replace("\\", " ").ljust(24)[:24]
        elif tag < "010" and tag.isdigit():
            fields.append(LeanField(tag, data=_mrk_unescape(value.replace("\\", " "))))
        else:
            indicators = value[:2].replace("\\", " ").ljust(2)
            subfields = [
                (part[0], _mrk_unescape(part[1:])) for part in value[2:].split("$") if part
            ]
            fields.append(
                LeanField(
                    tag, indicator1=indicators[0], indicator2=indicators[1], subfields=subfields
                )
            )
    if not leader:
        problems.append(
            _problem(source_name, position, 0, "leader", "no =LDR line", line=first_line)
        )
    record = LeanRecord(leader, fields) if leader else None
    return ParsedRecord(raw, position, 0, record, problems, line=first_line)
