"""A lean, forgiving ISO 2709 reader: one outcome per record, straight into `LeanRecord`s.

It reads the leader and directory itself (ISO 2709; MARC 21 "Record
Structure"), decodes each field once, and never builds pymarc objects, which
makes it several times faster than `pymarc.MARCReader`. Nothing is dropped:
a record that cannot be read comes out with its raw bytes, byte offset and
problems (severity "error"), and the reader resynchronises on the next record
terminator. Text is decoded as UTF-8 or MARC-8 (leader/09), with a check for
leaders that lie, and normalised to NFC. Records in neither are legacy
Vietnamese 8-bit text (TCVN3, VNI, VPS, VISCII, Windows-1258): their
encoding is decided once per batch over a look-ahead sample of the file
(vietnamese-text.md §1.2, §1.3), and a record whose encoding cannot be told
is an error, never mojibake. UTF-8 text gets the §1.4 repairs. Pure: the
caller opens the file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from pymarc.marc8 import MARC8ToUnicode

from mucluc.core.marc.lean import LeanField, LeanRecord
from mucluc.core.normalise.encoding import (
    TCVN3,
    Detection,
    decode_bytes,
    detect_encoding,
    is_suspect,
    normalise_encoding_name,
    repair_text,
    repair_vntimeh_case,
)

RECORD_TERMINATOR = 0x1D
FIELD_TERMINATOR = 0x1E
SUBFIELD_DELIMITER = "\x1f"
LEADER_LENGTH = 24
DIRECTORY_ENTRY_LENGTH = 12
READ_CHUNK_BYTES = 1 << 20
UTF8 = "utf-8"
MARC8 = "marc-8"
DETECTION_SAMPLE_BYTES = 65_536
"""How much text of a batch's non-UTF-8 records decides its legacy encoding."""

Problem = dict[str, Any]


@dataclass
class ParsedRecord:
    """One record as read: its bytes and place, the record (None if unreadable), its problems.

    `encoding` is what the text was decoded from and `confidence` how sure
    detection was (1.0 for UTF-8, MARC-8 and configured encodings); `repairs`
    lists what was done to make it readable (e.g. a leader/09 that said
    MARC-8 over UTF-8, a double-encoded UTF-8 field). Text formats give
    the record's first `line` (from 1) and leave `offset` 0. `ends_reading`
    marks the outcome after which the reader gave up on the rest of the file.
    """

    raw: bytes
    position: int
    offset: int
    record: LeanRecord | None
    problems: list[Problem] = field(default_factory=list)
    encoding: str = UTF8
    repairs: list[str] = field(default_factory=list)
    confidence: float = 1.0
    line: int = 0
    ends_reading: bool = False

    @property
    def has_errors(self) -> bool:
        """Whether a problem stops the record from being loaded (it goes to quarantine)."""
        return self.record is None or any(p["severity"] == "error" for p in self.problems)


class RecordDecodeError(ValueError):
    """A field's bytes are not text in the record's encoding."""

    def __init__(self, tag: str, message: str) -> None:
        super().__init__(message)
        self.tag = tag


def read_iso2709_stream(
    stream: BinaryIO, source_name: str, *, encoding: str | None = None
) -> Iterator[ParsedRecord]:
    """Yield one `ParsedRecord` per record in `stream`, numbered from 1, with byte offsets.

    Memory stays bounded: the stream is read in chunks of `READ_CHUNK_BYTES`.
    A record whose leader length is wrong is cut at its record terminator; a
    file that ends inside a record yields that fragment with an error saying
    where reading stopped. `encoding` (a source's configured legacy encoding)
    decodes every record that is not UTF-8 and skips detection.
    """
    buffer = bytearray()
    offset = 0
    position = 0
    exhausted = False
    batch: Detection | None = None
    if encoding is not None and normalise_encoding_name(encoding) != UTF8:
        batch = Detection(normalise_encoding_name(encoding), 1.0, "configured")

    def fill(wanted: int) -> bool:
        nonlocal exhausted
        while len(buffer) < wanted and not exhausted:
            chunk = stream.read(max(READ_CHUNK_BYTES, wanted - len(buffer)))
            if not chunk:
                exhausted = True
            buffer.extend(chunk)
        return len(buffer) >= wanted

    def find_terminator() -> int:
        start = 0
        while True:
            found = buffer.find(RECORD_TERMINATOR, start)
            if found >= 0 or exhausted:
                return found
            start = len(buffer)
            fill(len(buffer) + READ_CHUNK_BYTES)

    while True:
        fill(LEADER_LENGTH)
        skipped = _leading_whitespace(buffer)
        if skipped:
            del buffer[:skipped]
            offset += skipped
            continue
        if not buffer:
            return
        position += 1
        length_text = bytes(buffer[:5])
        problems: list[Problem] = []
        length = int(length_text) if length_text.isdigit() else 0
        if length >= LEADER_LENGTH and fill(length) and buffer[length - 1] == RECORD_TERMINATOR:
            end = length
        else:
            terminator = find_terminator()
            if terminator < 0:
                raw = bytes(buffer)
                message = (
                    f"file ends inside record {position} at byte {offset + len(raw)}: "
                    + (
                        f"leader says {length} bytes, {len(raw)} read"
                        if length
                        else f"{len(raw)} bytes without a record terminator"
                    )
                    + "; reading stopped here"
                )
                problems.append(_problem("error", source_name, position, offset, "", message))
                yield ParsedRecord(raw, position, offset, None, problems, ends_reading=True)
                return
            end = terminator + 1
            problems.append(
                _problem(
                    "warning",
                    source_name,
                    position,
                    offset,
                    "leader",
                    f"leader says the record is {length_text.decode('latin-1')!r} bytes; "
                    f"its record terminator comes after {end}",
                )
            )
        raw = bytes(buffer[:end])
        if batch is None and _needs_detection(raw):
            fill(len(buffer) + DETECTION_SAMPLE_BYTES)
            batch = detect_batch_encoding(bytes(buffer[: end + 4 * DETECTION_SAMPLE_BYTES]))
        del buffer[:end]
        yield parse_iso2709_record(raw, source_name, position, offset, problems, legacy=batch)
        offset += end


def _needs_detection(raw: bytes) -> bool:
    if raw.isascii():
        return False
    try:
        raw.decode(UTF8)
    except UnicodeDecodeError:
        return True
    return False


def detect_batch_encoding(data: bytes) -> Detection:
    """Decide the text encoding of a batch from the records in `data` (§1.2, §1.4 principle 4).

    The text of the records that are not valid UTF-8 (subfield codes and
    terminators taken out) is scored together, so short fields are decided
    by the whole batch's evidence. MARC-8 is a candidate.
    """
    sample = bytearray()
    for chunk in data.split(bytes([RECORD_TERMINATOR])):
        if not _needs_detection(chunk) or len(chunk) < LEADER_LENGTH:
            continue
        base_text = chunk[12:17]
        base = int(base_text) if base_text.isdigit() else LEADER_LENGTH
        body = chunk[base:] if base < len(chunk) else chunk[LEADER_LENGTH:]
        for part in body.split(bytes([FIELD_TERMINATOR])):
            for index, subfield in enumerate(part.split(b"\x1f")):
                sample.extend(subfield[1:] if index else subfield[2:])
                sample.extend(b" ")
        if len(sample) >= DETECTION_SAMPLE_BYTES:
            break
    return detect_encoding(bytes(sample), marc8=True)


def _leading_whitespace(buffer: bytearray) -> int:
    count = 0
    for byte in buffer[:64]:
        if byte in b"\r\n \t\x00\x1a":  # line breaks, padding, DOS end of file between records
            count += 1
        else:
            break
    return count


def _problem(
    severity: str, source_name: str, position: int, offset: int, tag: str, message: str
) -> Problem:
    return {
        "severity": severity,
        "file": source_name,
        "record": position,
        "offset": offset,
        "tag": tag,
        "message": message,
    }


def parse_iso2709_record(
    raw: bytes,
    source_name: str,
    position: int = 1,
    offset: int = 0,
    problems: list[Problem] | None = None,
    *,
    legacy: Detection | None = None,
) -> ParsedRecord:
    """Parse one record's bytes; structural faults become problems, never exceptions.

    `legacy` is the batch's detected (or configured) encoding: a record that
    is not valid UTF-8 is decoded with it when it names a legacy 8-bit
    encoding; otherwise such a record is detected on its own, and below the
    confidence threshold it gets an error (it goes to quarantine).
    """
    problems = problems if problems is not None else []
    outcome = ParsedRecord(raw, position, offset, None, problems)

    def fail(tag: str, message: str) -> ParsedRecord:
        problems.append(_problem("error", source_name, position, offset, tag, message))
        return outcome

    if len(raw) < LEADER_LENGTH + 2:
        return fail("leader", f"record is only {len(raw)} bytes, shorter than a leader")
    leader = raw[:LEADER_LENGTH].decode("latin-1")
    base_text = leader[12:17]
    if not (base_text.isascii() and base_text.isdigit()):  # "¹" (0xB9) is a digit to isdigit
        return fail("leader", f"leader/12-16 (base address) is {base_text!r}, not a number")
    base = int(base_text)
    directory_end = raw.find(FIELD_TERMINATOR, LEADER_LENGTH)
    if directory_end < 0 or directory_end > base:
        directory_end = base - 1
    if base > len(raw) or base <= LEADER_LENGTH:
        return fail("leader", f"base address {base} lies outside the record of {len(raw)} bytes")
    directory = raw[LEADER_LENGTH:directory_end]
    if len(directory) % DIRECTORY_ENTRY_LENGTH:
        problems.append(
            _problem(
                "warning",
                source_name,
                position,
                offset,
                "directory",
                f"directory is {len(directory)} bytes, not a multiple of 12; "
                "trailing bytes ignored",
            )
        )
    declared = leader[9]
    encoding = MARC8 if declared == " " else UTF8
    body = raw[base:]
    if (
        legacy is not None
        and legacy.encoding not in (UTF8, MARC8, "ascii")
        and legacy.is_known
        and _needs_detection(body)
    ):
        return _read_legacy(outcome, directory, base, legacy, fail)
    try:
        fields = _read_fields(raw, directory, base, encoding)
    except RecordDecodeError as error:
        alternative = UTF8 if encoding == MARC8 else MARC8
        if alternative == MARC8 and not _is_plausible_marc8(body):
            return _read_detected(outcome, directory, base, error, fail)
        try:
            fields = _read_fields(raw, directory, base, alternative)
        except RecordDecodeError:
            return _read_detected(outcome, directory, base, error, fail)
        outcome.repairs.append(
            f"leader/09 is {declared!r} but the text is {alternative}; read as {alternative}"
        )
        encoding = alternative
    except ValueError as error:
        return fail("directory", str(error))
    if encoding == MARC8 and _looks_like_utf8(raw, base):
        try:
            fields = _read_fields(raw, directory, base, UTF8)
            outcome.repairs.append("leader/09 says MARC-8 but the text is UTF-8; read as UTF-8")
            encoding = UTF8
        except RecordDecodeError:
            pass
    if (
        encoding == MARC8
        and not body.isascii()
        and b"\x1b" not in body
        and _MARK_BEFORE_NON_LETTER.search(body) is not None
    ):
        # Decodable as MARC-8, but marks stand before spaces or digits: another code page.
        detection = detect_batch_encoding(raw)
        if detection.encoding != MARC8:
            implausible = RecordDecodeError("245", "the bytes do not read as MARC-8")
            return _read_detected(outcome, directory, base, implausible, fail, detection)
    outcome.encoding = encoding
    if encoding == UTF8 and not body.isascii():
        _repair_fields(fields, outcome.repairs)
    if encoding == MARC8 or outcome.repairs:
        leader = leader[:9] + "a" + leader[10:]  # the stored JSON is Unicode whatever came in
    outcome.record = LeanRecord(leader, fields)
    return outcome


def _read_detected(
    outcome: ParsedRecord,
    directory: bytes,
    base: int,
    error: RecordDecodeError,
    fail: Callable[[str, str], ParsedRecord],
    detection: Detection | None = None,
) -> ParsedRecord:
    """Read a record that is neither UTF-8 nor MARC-8 in the encoding its own text shows."""
    if detection is None:
        detection = detect_batch_encoding(outcome.raw)
    if detection.encoding in (UTF8, MARC8, "ascii") or not detection.is_known:
        guess = (
            f"; best guess {detection.runner_up} scores {detection.runner_up_score:.2f}, "
            "below the confidence threshold"
            if detection.runner_up
            else ""
        )
        return fail(
            error.tag,
            f"{error}; the text is not UTF-8, MARC-8 or a recognised Vietnamese "
            f"encoding{guess}: fix the encoding, or name it in the source's configuration",
        )
    return _read_legacy(outcome, directory, base, detection, fail)


def _read_legacy(
    outcome: ParsedRecord,
    directory: bytes,
    base: int,
    detection: Detection,
    fail: Callable[[str, str], ParsedRecord],
) -> ParsedRecord:
    """Decode a record's fields in a legacy 8-bit encoding and note it as provenance."""
    legacy = detection.encoding
    try:
        fields = _read_fields_by_directory(
            outcome.raw, directory, base, legacy, decode=_legacy_decoder(legacy)
        )
    except ValueError as error:
        return fail("directory", str(error))
    source = "configured" if detection.runner_up == "configured" else "detected"
    outcome.repairs.append(
        f"text decoded as {legacy} ({source}, confidence {detection.confidence:.2f})"
    )
    outcome.encoding = legacy
    outcome.confidence = detection.confidence
    leader = outcome.raw[:LEADER_LENGTH].decode("latin-1")
    outcome.record = LeanRecord(leader[:9] + "a" + leader[10:], fields)
    return outcome


def _legacy_decoder(encoding: str) -> Callable[[str, bytes], str]:
    def decode(tag: str, data: bytes) -> str:
        try:
            text = decode_bytes(data, encoding)
        except ValueError as error:
            raise RecordDecodeError(tag, f"field {tag}: not {encoding} ({error})") from None
        return repair_vntimeh_case(text) if encoding == TCVN3 else text

    return decode


def _is_vietnamese_record(fields: list[LeanField]) -> bool:
    """Whether 008/35-37 or 041 says Vietnamese (MARC 21; TCVN 7539:2005)."""
    for item in fields:
        if item.tag == "008" and item.data is not None and item.data[35:38] == "vie":
            return True
        if item.tag == "041" and "vie" in item.get_subfields("a"):
            return True
    return False


def _repair_fields(fields: list[LeanField], repairs: list[str]) -> None:
    """Apply the §1.4 repairs to UTF-8 subfields that could need one, noting what was done."""
    vietnamese: bool | None = None
    for item in fields:
        for index, (code, value) in enumerate(item.subfields):
            if not is_suspect(value):
                continue
            if vietnamese is None:
                vietnamese = _is_vietnamese_record(fields)
            repaired, names = repair_text(value, vietnamese=vietnamese)
            if names:
                item.subfields[index] = (code, repaired)
                repairs.extend(f"{item.tag}${code}: {name}" for name in names)


# A MARC-8 combining mark (0xE0-0xFE) must precede the letter it marks; before a
# space, digit or punctuation it is a letter of some other 8-bit code page.
_MARK_BEFORE_NON_LETTER = re.compile(rb"[\xe0-\xfe](?:[\x00-\x40\x5b-\x60\x7b-\x7f]|$)")


def _is_plausible_marc8(body: bytes) -> bool:
    """Whether non-UTF-8 bytes look like MARC-8 rather than another 8-bit code page.

    MARC-8 puts a combining diacritic (0xE0-0xFE) before the letter it marks,
    and otherwise uses 0xA1-0xC8 for special letters and escape sequences for
    other scripts; Latin-1 or Windows-1258 text (byte 0xE9 before a space) does not fit.
    """
    for index, byte in enumerate(body):
        if byte < 0x80 or byte == 0x1B:
            continue
        if 0xE0 <= byte <= 0xFE:
            following = body[index + 1 : index + 2]
            if not (following.isalpha() or (following and following[0] >= 0xE0)):
                return False
        elif not 0xA1 <= byte <= 0xC8:
            return False
    return True


def _looks_like_utf8(raw: bytes, base: int) -> bool:
    """Whether non-ASCII text after `base` decodes as UTF-8 (MARC-8 almost never does)."""
    body = raw[base:]
    if body.isascii():
        return False
    try:
        body.decode(UTF8)
    except UnicodeDecodeError:
        return False
    return True


def _read_fields(raw: bytes, directory: bytes, base: int, encoding: str) -> list[LeanField]:
    """Read the fields named by the directory; the usual layout takes a fast path.

    Usually the fields follow each other in directory order, each ended by a
    field terminator: then one decode and one split per record suffice. Any
    other layout is read entry by entry, by each entry's length and offset.
    """
    entry_count = len(directory) // DIRECTORY_ENTRY_LENGTH
    body = raw[base:]
    if body.endswith(b"\x1e\x1d"):
        chunks = body[:-2].split(b"\x1e")
        if len(chunks) == entry_count and directory[7:12] == b"00000":
            tags = directory.decode("latin-1")
            if encoding == UTF8:
                try:
                    texts = body[:-2].decode(UTF8).split("\x1e")
                except UnicodeDecodeError:
                    texts = []  # the slow path names the field at fault
                if len(texts) == entry_count:
                    return [
                        _make_field(tags[index * 12 : index * 12 + 3], _nfc(text))
                        for index, text in enumerate(texts)
                    ]
            else:
                return [
                    _make_field(tags[index * 12 : index * 12 + 3], _decode_marc8(tag, chunk))
                    for index, chunk in enumerate(chunks)
                    for tag in (tags[index * 12 : index * 12 + 3],)
                ]
    return _read_fields_by_directory(raw, directory, base, encoding)


def _make_field(tag: str, text: str) -> LeanField:
    if tag < "010" and tag.isdigit():
        return LeanField(tag, data=text)
    indicators = text[:2].ljust(2)
    subfields = [(part[0], part[1:]) for part in text[2:].split(SUBFIELD_DELIMITER) if part]
    return LeanField(tag, indicator1=indicators[0], indicator2=indicators[1], subfields=subfields)


def _read_fields_by_directory(
    raw: bytes,
    directory: bytes,
    base: int,
    encoding: str,
    decode: Callable[[str, bytes], str] | None = None,
) -> list[LeanField]:
    fields: list[LeanField] = []
    if decode is None:
        decode = _decode_utf8 if encoding == UTF8 else _decode_marc8
    for start in range(0, len(directory) - DIRECTORY_ENTRY_LENGTH + 1, DIRECTORY_ENTRY_LENGTH):
        entry = directory[start : start + DIRECTORY_ENTRY_LENGTH]
        tag = entry[:3].decode("latin-1")
        length_bytes, offset_bytes = entry[3:7], entry[7:12]
        if not (length_bytes.isdigit() and offset_bytes.isdigit()):
            raise ValueError(
                f"directory entry {entry.decode('latin-1')!r} for {tag} is not numeric"
            )
        field_start = base + int(offset_bytes)
        data = raw[field_start : field_start + int(length_bytes)]
        if data.endswith(b"\x1e"):
            data = data[:-1]
        elif data.endswith(b"\x1e\x1d"):
            data = data[:-2]
        fields.append(_make_field(tag, decode(tag, data)))
    return fields


def _nfc(text: str) -> str:
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", text)


def _decode_utf8(tag: str, data: bytes) -> str:
    try:
        return _nfc(data.decode(UTF8))
    except UnicodeDecodeError as error:
        raise RecordDecodeError(
            tag, f"field {tag}: not valid UTF-8 at byte {error.start} of the field"
        ) from None


def _decode_marc8(tag: str, data: bytes) -> str:
    if data.isascii():
        return data.decode("ascii")
    try:
        # Decode subfield by subfield: MARC-8 escapes do not run across delimiters.
        parts = data.split(b"\x1f")
        translated = [
            MARC8ToUnicode(quiet=True).translate(part)  # type: ignore[no-untyped-call]
            for part in parts
        ]
    except (KeyError, IndexError, ValueError, UnicodeDecodeError) as error:
        raise RecordDecodeError(tag, f"field {tag}: not valid MARC-8 ({error})") from None
    text = SUBFIELD_DELIMITER.join(translated)
    if "\ufffd" in text:
        raise RecordDecodeError(tag, f"field {tag}: bytes that are not MARC-8 characters")
    return _nfc(text)
