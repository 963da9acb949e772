"""Legacy Vietnamese encodings: decoders, batch detection and repairs (vietnamese-text.md §1).

Much Vietnamese catalogue data was typed in 8-bit font encodings (TCVN3/ABC,
VNI, VPS, VISCII, Windows-1258) or in VIQR, and arrives unlabelled. This
module decodes each of them to NFC, tells them apart by how many decoded
words are valid Vietnamese syllables (§1.2), and repairs the usual mojibake
(§1.4). There is no maintained PyPI codec for TCVN3, VNI, VPS or VIQR, so
their tables live here, taken from the published charts (§1.5). Pure: no I/O;
it answers "unknown" rather than guess (§0.3).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import ftfy
import viscii  # noqa: F401  (registers the "viscii" codec, RFC 1456)
from pymarc.marc8 import MARC8ToUnicode

from mucluc.core.normalise.text import split_syllable

UTF8 = "utf-8"
ASCII = "ascii"
MARC8 = "marc-8"
WINDOWS_1258 = "windows-1258"
VISCII = "viscii"
TCVN3 = "tcvn3"
VNI = "vni"
VPS = "vps"
VIQR = "viqr"
UNKNOWN = "unknown"

LEGACY_ENCODINGS = (WINDOWS_1258, VISCII, TCVN3, VNI, VPS)
"""The 8-bit encodings tried on bytes that are not UTF-8, in order of preference on a tie."""

ENCODING_NAMES = frozenset({UTF8, MARC8, VIQR, *LEGACY_ENCODINGS})
"""Encodings a source may name in its configuration (skipping detection)."""

_ALIASES = {
    "utf8": UTF8,
    "cp1258": WINDOWS_1258,
    "windows1258": WINDOWS_1258,
    "tcvn": TCVN3,
    "abc": TCVN3,
    "tcvn5712-1": TCVN3,
    "tcvn5712-1 (vn1)": TCVN3,
    "vni-windows": VNI,
    "marc8": MARC8,
}

MINIMUM_SCORE = 0.5
"""§1.2 step 5: the best decoding must reach this share of valid syllables…"""
MINIMUM_MARGIN = 0.05
"""…and beat the runner-up by this much, or the answer is `unknown`."""
MINIMUM_REPAIR_GAIN = 0.2
"""§1.4: a legacy-mojibake repair is kept only if the score rises by this much."""

# TCVN 5712:1993 VN1 (a superset of VN3/ABC), as glibc's TCVN5712-1 charmap.
_TCVN3_TABLE: dict[int, str] = {
    0x01: "Ú",
    0x02: "Ụ",
    0x04: "Ừ",
    0x05: "Ử",
    0x06: "Ữ",
    0x11: "Ứ",
    0x12: "Ự",
    0x13: "Ỳ",
    0x14: "Ỷ",
    0x15: "Ỹ",
    0x16: "Ý",
    0x17: "Ỵ",
    0x80: "À",
    0x81: "Ả",
    0x82: "Ã",
    0x83: "Á",
    0x84: "Ạ",
    0x85: "Ặ",
    0x86: "Ậ",
    0x87: "È",
    0x88: "Ẻ",
    0x89: "Ẽ",
    0x8A: "É",
    0x8B: "Ẹ",
    0x8C: "Ệ",
    0x8D: "Ì",
    0x8E: "Ỉ",
    0x8F: "Ĩ",
    0x90: "Í",
    0x91: "Ị",
    0x92: "Ò",
    0x93: "Ỏ",
    0x94: "Õ",
    0x95: "Ó",
    0x96: "Ọ",
    0x97: "Ộ",
    0x98: "Ờ",
    0x99: "Ở",
    0x9A: "Ỡ",
    0x9B: "Ớ",
    0x9C: "Ợ",
    0x9D: "Ù",
    0x9E: "Ủ",
    0x9F: "Ũ",
    0xA1: "Ă",
    0xA2: "Â",
    0xA3: "Ê",
    0xA4: "Ô",
    0xA5: "Ơ",
    0xA6: "Ư",
    0xA7: "Đ",
    0xA8: "ă",
    0xA9: "â",
    0xAA: "ê",
    0xAB: "ô",
    0xAC: "ơ",
    0xAD: "ư",
    0xAE: "đ",
    0xAF: "Ằ",
    0xB0: "\u0300",
    0xB1: "\u0309",
    0xB2: "\u0303",
    0xB3: "\u0301",
    0xB4: "\u0323",
    0xB5: "à",
    0xB6: "ả",
    0xB7: "ã",
    0xB8: "á",
    0xB9: "ạ",
    0xBA: "Ẳ",
    0xBB: "ằ",
    0xBC: "ẳ",
    0xBD: "ẵ",
    0xBE: "ắ",
    0xBF: "Ẵ",
    0xC0: "Ắ",
    0xC1: "Ầ",
    0xC2: "Ẩ",
    0xC3: "Ẫ",
    0xC4: "Ấ",
    0xC5: "Ề",
    0xC6: "ặ",
    0xC7: "ầ",
    0xC8: "ẩ",
    0xC9: "ẫ",
    0xCA: "ấ",
    0xCB: "ậ",
    0xCC: "è",
    0xCD: "Ể",
    0xCE: "ẻ",
    0xCF: "ẽ",
    0xD0: "é",
    0xD1: "ẹ",
    0xD2: "ề",
    0xD3: "ể",
    0xD4: "ễ",
    0xD5: "ế",
    0xD6: "ệ",
    0xD7: "ì",
    0xD8: "ỉ",
    0xD9: "Ễ",
    0xDA: "Ế",
    0xDB: "Ồ",
    0xDC: "ĩ",
    0xDD: "í",
    0xDE: "ị",
    0xDF: "ò",
    0xE0: "Ổ",
    0xE1: "ỏ",
    0xE2: "õ",
    0xE3: "ó",
    0xE4: "ọ",
    0xE5: "ồ",
    0xE6: "ổ",
    0xE7: "ỗ",
    0xE8: "ố",
    0xE9: "ộ",
    0xEA: "ờ",
    0xEB: "ở",
    0xEC: "ỡ",
    0xED: "ớ",
    0xEE: "ợ",
    0xEF: "ù",
    0xF0: "Ỗ",
    0xF1: "ủ",
    0xF2: "ũ",
    0xF3: "ú",
    0xF4: "ụ",
    0xF5: "ừ",
    0xF6: "ử",
    0xF7: "ữ",
    0xF8: "ứ",
    0xF9: "ự",
    0xFA: "ỳ",
    0xFB: "ỷ",
    0xFC: "ỹ",
    0xFE: "ỵ",
    0xFF: "Ố",
}
# VPS, Mozilla's vps.ut table (letters only).
_VPS_TABLE: dict[int, str] = {
    0x02: "Ạ",
    0x03: "Ậ",
    0x04: "Ặ",
    0x05: "Ẹ",
    0x06: "Ệ",
    0x10: "Ị",
    0x11: "Ọ",
    0x12: "Ộ",
    0x13: "Ợ",
    0x14: "Ụ",
    0x15: "Ự",
    0x19: "Ỵ",
    0x1C: "Ẫ",
    0x1D: "Ữ",
    0x80: "À",
    0x81: "Ả",
    0x82: "Ã",
    0x83: "Ấ",
    0x84: "Ầ",
    0x85: "Ẩ",
    0x86: "ọ",
    0x87: "ỗ",
    0x88: "Ă",
    0x89: "ế",
    0x8A: "ề",
    0x8B: "ể",
    0x8C: "ệ",
    0x8D: "Ắ",
    0x8E: "Ằ",
    0x8F: "Ẳ",
    0x90: "Ế",
    0x93: "Ề",
    0x94: "Ể",
    0x95: "Ễ",
    0x96: "Ố",
    0x97: "Ồ",
    0x98: "Ổ",
    0x99: "Ỗ",
    0x9A: "ý",
    0x9B: "ỷ",
    0x9C: "ỵ",
    0x9D: "Ớ",
    0x9E: "Ờ",
    0x9F: "Ở",
    0xA1: "ắ",
    0xA2: "ằ",
    0xA3: "ẳ",
    0xA4: "ẵ",
    0xA5: "ặ",
    0xA6: "Ỡ",
    0xA7: "ớ",
    0xA8: "Ù",
    0xA9: "ờ",
    0xAA: "ở",
    0xAB: "ỡ",
    0xAC: "Ũ",
    0xAD: "Ứ",
    0xAE: "ợ",
    0xAF: "Ừ",
    0xB0: "ổ",
    0xB1: "Ử",
    0xB2: "Ỳ",
    0xB3: "Ỹ",
    0xB4: "Í",
    0xB5: "Ì",
    0xB6: "ộ",
    0xB7: "Ỉ",
    0xB8: "Ĩ",
    0xB9: "Ó",
    0xBA: "ử",
    0xBB: "ữ",
    0xBC: "Ò",
    0xBD: "Ỏ",
    0xBE: "Õ",
    0xBF: "ự",
    0xC0: "ầ",
    0xC1: "Á",
    0xC2: "Â",
    0xC3: "ấ",
    0xC4: "ẩ",
    0xC5: "ẫ",
    0xC6: "ậ",
    0xC7: "đ",
    0xC8: "ẻ",
    0xC9: "É",
    0xCA: "Ê",
    0xCB: "ẹ",
    0xCC: "ỉ",
    0xCD: "ễ",
    0xCE: "ị",
    0xCF: "ỹ",
    0xD0: "Ư",
    0xD1: "Ủ",
    0xD2: "ồ",
    0xD3: "ố",
    0xD4: "Ô",
    0xD5: "ỏ",
    0xD6: "ơ",
    0xD7: "È",
    0xD8: "ừ",
    0xD9: "ứ",
    0xDA: "Ú",
    0xDB: "ũ",
    0xDC: "ư",
    0xDD: "Ý",
    0xDE: "Ẻ",
    0xE0: "à",
    0xE1: "á",
    0xE2: "â",
    0xE3: "ã",
    0xE4: "ả",
    0xE5: "ạ",
    0xE6: "ă",
    0xE8: "è",
    0xE9: "é",
    0xEA: "ê",
    0xEB: "ẽ",
    0xEC: "ì",
    0xED: "í",
    0xEF: "ĩ",
    0xF0: "Ẵ",
    0xF1: "Đ",
    0xF2: "ò",
    0xF3: "ó",
    0xF4: "ô",
    0xF5: "õ",
    0xF7: "Ơ",
    0xF8: "ụ",
    0xF9: "ù",
    0xFA: "ú",
    0xFB: "ủ",
    0xFD: "Ỷ",
    0xFE: "Ẽ",
    0xFF: "ỳ",
}
# VNI-Windows: single-byte letters and the mark bytes that follow a vowel.
_VNI_TABLE: dict[int, str] = {
    0xC0: "\u0302\u0300",
    0xC1: "\u0302\u0301",
    0xC2: "\u0302",
    0xC3: "\u0302\u0303",
    0xC4: "\u0323\u0302",
    0xC5: "\u0302\u0309",
    0xC6: "Ỉ",
    0xC8: "\u0306\u0300",
    0xC9: "\u0306\u0301",
    0xCA: "\u0306",
    0xCB: "\u0323\u0306",
    0xCC: "Ì",
    0xCD: "Í",
    0xCE: "Ỵ",
    0xCF: "\u0323",
    0xD1: "Đ",
    0xD2: "Ị",
    0xD3: "Ĩ",
    0xD4: "Ơ",
    0xD5: "\u0303",
    0xD6: "Ư",
    0xD8: "\u0300",
    0xD9: "\u0301",
    0xDA: "\u0306\u0309",
    0xDB: "\u0309",
    0xDC: "\u0306\u0303",
    0xE0: "\u0302\u0300",
    0xE1: "\u0302\u0301",
    0xE2: "\u0302",
    0xE3: "\u0302\u0303",
    0xE4: "\u0323\u0302",
    0xE5: "\u0302\u0309",
    0xE6: "ỉ",
    0xE8: "\u0306\u0300",
    0xE9: "\u0306\u0301",
    0xEA: "\u0306",
    0xEB: "\u0323\u0306",
    0xEC: "ì",
    0xED: "í",
    0xEE: "ỵ",
    0xEF: "\u0323",
    0xF1: "đ",
    0xF2: "ị",
    0xF3: "ĩ",
    0xF4: "ơ",
    0xF5: "\u0303",
    0xF6: "ư",
    0xF8: "\u0300",
    0xF9: "\u0301",
    0xFA: "\u0306\u0309",
    0xFB: "\u0309",
    0xFC: "\u0306\u0303",
}


_TONE_MARKS = {
    "\u0300": "grave",
    "\u0301": "acute",
    "\u0303": "tilde",
    "\u0309": "hook",
    "\u0323": "dot",
}
_HORN = "\u031b"
_VOWELS = frozenset("aăâeêioôơuưy")
_MODIFIED_VOWELS = frozenset("ăâêôơư")
_CONSONANTS = frozenset("bcdđghklmnpqrstvx")
_CODAS = frozenset({"", "c", "ch", "m", "n", "ng", "nh", "p", "t"})
_STOP_CODAS = frozenset({"c", "ch", "p", "t"})
# The closed inventory of Vietnamese vowel nuclei (after the onsets gi- and qu-).
_NUCLEI = frozenset(
    [
        "a",
        "ă",
        "â",
        "e",
        "ê",
        "i",
        "o",
        "ô",
        "ơ",
        "u",
        "ư",
        "y",
        "ai",
        "ao",
        "au",
        "ay",
        "âu",
        "ây",
        "eo",
        "êu",
        "ia",
        "iê",
        "iu",
        "oa",
        "oă",
        "oe",
        "oi",
        "ôi",
        "ơi",
        "oo",
        "ua",
        "uâ",
        "uê",
        "ui",
        "uô",
        "uơ",
        "uy",
        "ưa",
        "ưi",
        "ưu",
        "ươ",
        "ya",
        "yê",
        "iêu",
        "oai",
        "oay",
        "oao",
        "oeo",
        "uây",
        "uôi",
        "ươi",
        "ươu",
        "uya",
        "uyê",
        "uyu",
        "yêu",
    ]
)
_SECOND_VOWEL_NUCLEI = frozenset({"oa", "oe", "uy"})
# Characters that legacy bytes turn into when read in the wrong code page (§1.2 step 4).
_PENALISED = frozenset("¸µ¶·§©®«¬¹º»¼½¾¿±²³´°¯¦¥¤£¢¡×÷\ufffd")
_WORD_EDGES = "\"'()[]{}<>.,;:!?/\\-–—=+*&%$#@^_`|~0123456789"


def normalise_encoding_name(name: str) -> str:
    """Return the canonical label for an encoding name ("cp1258" → "windows-1258")."""
    lowered = name.strip().lower()
    return _ALIASES.get(lowered, lowered)


_TCVN3_MAP = str.maketrans(_TCVN3_TABLE)
_VNI_MAP = str.maketrans(_VNI_TABLE)
_VPS_MAP = str.maketrans(_VPS_TABLE)


def decode_bytes(data: bytes, encoding: str) -> str:
    """Decode bytes in a known encoding to NFC text.

    Bytes a legacy table does not list keep their Latin-1 meaning, so nothing
    is dropped. Raises UnicodeDecodeError (UTF-8) or ValueError (MARC-8)
    when the bytes are not text in that encoding.
    """
    encoding = normalise_encoding_name(encoding)
    if encoding in (UTF8, ASCII):
        text = data.decode(UTF8)
    elif encoding == WINDOWS_1258:
        text = data.decode("cp1258", errors="replace")
    elif encoding == VISCII:
        text = data.decode("viscii", errors="replace")
    elif encoding == TCVN3:
        text = data.decode("latin-1").translate(_TCVN3_MAP)
    elif encoding == VNI:
        text = data.decode("latin-1").translate(_VNI_MAP)
    elif encoding == VPS:
        text = data.decode("latin-1").translate(_VPS_MAP)
    elif encoding == VIQR:
        text = decode_viqr(data.decode("latin-1"))
    elif encoding == MARC8:
        text = decode_marc8(data)
    else:
        raise ValueError(f"unknown text encoding {encoding!r}")
    return unicodedata.normalize("NFC", text)


def decode_marc8(data: bytes) -> str:
    """Decode MARC-8 bytes with pymarc, subfield by subfield; ValueError if they are not MARC-8."""
    try:
        parts = [
            MARC8ToUnicode(quiet=True).translate(part)  # type: ignore[no-untyped-call]
            for part in data.split(b"\x1f")
        ]
    except (KeyError, IndexError, ValueError, UnicodeDecodeError) as error:
        raise ValueError(f"not valid MARC-8 ({error})") from None
    return unicodedata.normalize("NFC", "\x1f".join(parts))


_VIQR_BREVE = {"a": "ă", "A": "Ă"}
_VIQR_CIRCUMFLEX = {"a": "â", "A": "Â", "e": "ê", "E": "Ê", "o": "ô", "O": "Ô"}
_VIQR_HORN = {"o": "ơ", "O": "Ơ", "u": "ư", "U": "Ư"}
_VIQR_TONES = {"`": "\u0300", "'": "\u0301", "?": "\u0309", "~": "\u0303", ".": "\u0323"}
_VIQR_VOWELS = frozenset("aeiouyAEIOUYăâêôơưĂÂÊÔƠƯ")


def decode_viqr(text: str) -> str:
    """Decode VIQR (RFC 1456): "Vie^.t Nam" → "Việt Nam".

    A mark applies only where it combines legally with the letter before it:
    `(` breve after a, `^` circumflex after a e o, `+` (or `*`) horn after o u,
    then one tone `` ` ' ? ~ . `` after a vowel; `dd` is đ; a backslash makes
    the next character literal. A sentence-final `.`/`?` after a vowel is
    read as a tone, as RFC 1456 readers do; an escaped one stays punctuation.
    """
    output: list[str] = []
    index = 0
    length = len(text)
    while index < length:
        character = text[index]
        following = text[index + 1] if index + 1 < length else ""
        if character == "\\" and following:
            output.append(following)
            index += 2
            continue
        if character in "dD" and following in "dD":
            output.append("Đ" if character == "D" else "đ")
            index += 2
            continue
        if character in "aeiouyAEIOUY":
            letter = character
            index += 1
            modifier = text[index] if index < length else ""
            if modifier == "(" and letter in _VIQR_BREVE:
                letter = _VIQR_BREVE[letter]
                index += 1
            elif modifier == "^" and letter in _VIQR_CIRCUMFLEX:
                letter = _VIQR_CIRCUMFLEX[letter]
                index += 1
            elif modifier in "+*" and modifier and letter in _VIQR_HORN:
                letter = _VIQR_HORN[letter]
                index += 1
            tone = text[index] if index < length else ""
            if tone and tone in _VIQR_TONES:
                letter = unicodedata.normalize("NFC", letter + _VIQR_TONES[tone])
                index += 1
            output.append(letter)
            continue
        output.append(character)
        index += 1
    return unicodedata.normalize("NFC", "".join(output))


@lru_cache(maxsize=65_536)
def is_vietnamese_syllable(token: str) -> bool:
    """Whether a word parses as one Vietnamese syllable (§1.2 step 4).

    Onset + nucleus + coda from the closed inventories, at most one tone, on a
    vowel where either tone style (§2.2) puts it, and a stop coda (-c -ch -p
    -t) only with sắc or nặng. Case is ignored.
    """
    decomposed = unicodedata.normalize("NFD", token.lower())
    tones = [(index, mark) for index, mark in enumerate(decomposed) if mark in _TONE_MARKS]
    if len(tones) > 1:
        return False
    base = unicodedata.normalize(
        "NFC", "".join(mark for mark in decomposed if mark not in _TONE_MARKS)
    )
    # Stricter than the key functions: f, j, w and z never occur in Vietnamese words.
    parts = split_syllable(base) if set(base) <= _VOWELS | _CONSONANTS else None
    if parts is None:
        return False
    onset, nucleus, coda = parts
    if nucleus not in _NUCLEI or coda not in _CODAS:
        return False
    tone = _TONE_MARKS[tones[0][1]] if tones else ""
    if coda in _STOP_CODAS and tone not in ("acute", "dot") and not token.isascii():
        return False
    if not tones:
        return True
    # Which base letter carries the tone: count base letters before the mark.
    carrier = sum(1 for mark in decomposed[: tones[0][0]] if not unicodedata.combining(mark)) - 1
    return carrier - len(onset) in _tone_positions(nucleus, coda)


def _tone_positions(nucleus: str, coda: str) -> set[int]:
    modified = [index for index, vowel in enumerate(nucleus) if vowel in _MODIFIED_VOWELS]
    if modified:
        return {modified[-1]}
    if coda or len(nucleus) == 1:
        return {len(nucleus) - 1}
    if len(nucleus) == 2:
        return {0, 1} if nucleus in _SECOND_VOWEL_NUCLEI else {0}
    return {1}


# Spaces and the separators of lists and ISBD punctuation end a word; code-page
# symbols such as "¸" do not, so a garbled word stays one (penalised) word.
_WORD_BREAKS = re.compile(r"[\s;,|/:()\[\]\"=+]+")


def _words(text: str) -> list[str]:
    return [
        word for word in (token.strip(_WORD_EDGES) for token in _WORD_BREAKS.split(text)) if word
    ]


def score_vietnamese(text: str) -> float:
    """Score how much a decoded text reads as Vietnamese, about -1 to 1 (§1.2 step 4).

    The share of words that are valid syllables, words with non-ASCII letters
    counting double, minus the share of words carrying a control character,
    U+FFFD, a code-page symbol such as `¸µ¶` or an upper-case letter after a
    lower-case one ("ViÖt").
    """
    words = _words(text)
    if not words:
        return 0.0
    total = valid = penalty = 0
    for word in words:
        weight = 1 if word.isascii() else 2
        total += weight
        if _is_garbled(word):
            penalty += weight
        elif is_vietnamese_syllable(word):
            valid += weight
    controls = sum(
        1
        for character in text
        if unicodedata.category(character) == "Cc" and character not in "\t\n\r"
    )
    return (valid - penalty - controls) / total


def _is_garbled(word: str) -> bool:
    if any(
        character in _PENALISED or unicodedata.category(character) == "Cc" for character in word
    ):
        return True
    seen_lower = False
    for character in word:
        if character.islower():
            seen_lower = True
        elif character.isupper() and seen_lower:
            return True
    return False


@dataclass(frozen=True)
class Detection:
    """The answer of `detect_encoding`: a label, a confidence from 0 to 1, the runner-up."""

    encoding: str
    confidence: float
    runner_up: str = ""
    runner_up_score: float = 0.0

    @property
    def is_known(self) -> bool:
        """Whether the bytes can be decoded with this answer (not `unknown`)."""
        return self.encoding != UNKNOWN


_VIQR_PATTERN = re.compile(
    r"[aeiouyAEIOUY][(^+*]|[aeiouyAEIOUY][`'?~.](?=[A-Za-z ])|(?:dd|DD|Dd)[aeiouyAEIOUY]"
)


def detect_encoding(data: bytes, *, marc8: bool = False) -> Detection:
    """Tell which encoding unlabelled Vietnamese bytes are in (§1.2).

    ASCII bytes are `viqr` when VIQR patterns occur and their decoding reads
    clearly better, else `ascii`; bytes that are valid UTF-8 are `utf-8`;
    otherwise every 8-bit candidate (and MARC-8 with `marc8`, for records
    whose leader claims it) is decoded and scored, and the best is taken only
    with score ≥ `MINIMUM_SCORE` and a lead of `MINIMUM_MARGIN`. Feed it a
    whole batch's text for short fields: "Hà Nội" alone is ambiguous.
    """
    if data.isascii():
        text = data.decode("ascii")
        if len(_VIQR_PATTERN.findall(text)) >= 2:
            viqr_score = score_vietnamese(decode_viqr(text))
            plain_score = score_vietnamese(text)
            if viqr_score >= MINIMUM_SCORE and viqr_score >= plain_score + MINIMUM_MARGIN:
                return Detection(VIQR, min(1.0, viqr_score), ASCII, plain_score)
        return Detection(ASCII, 1.0)
    try:
        data.decode(UTF8)
    except UnicodeDecodeError:
        pass
    else:
        return Detection(UTF8, 1.0)
    return _best_candidate(data, (*LEGACY_ENCODINGS, MARC8) if marc8 else LEGACY_ENCODINGS)


def _best_candidate(data: bytes, candidates: tuple[str, ...]) -> Detection:
    scores: list[tuple[float, str]] = []
    for encoding in candidates:
        try:
            text = decode_bytes(data, encoding)
        except ValueError:
            continue
        scores.append((score_vietnamese(text), encoding))
    scores.sort(key=lambda entry: -entry[0])  # stable: ties keep the preference order
    if not scores:
        return Detection(UNKNOWN, 0.0)
    best_score, best = scores[0]
    runner_score, runner = scores[1] if len(scores) > 1 else (0.0, "")
    if best_score >= MINIMUM_SCORE and best_score - runner_score >= MINIMUM_MARGIN:
        return Detection(best, min(1.0, best_score), runner, runner_score)
    return Detection(UNKNOWN, max(0.0, best_score), best, best_score)


# --- Repairs (§1.4) ---------------------------------------------------------------

_DOUBLE_UTF8 = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030"
    "\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161"
    "\u203a\u0153\u017e\u0178]"
)
# Letters and signs that legacy Vietnamese bytes show as in cp1252, but Vietnamese never uses.
_LEGACY_SURFACE = re.compile(
    "[\u00ad\u2212\u00c4-\u00c7\u00cb\u00ce\u00cf\u00d1\u00d6\u00d8\u00db\u00dc\u00de\u00df\u00e4-\u00e7\u00eb\u00ee\u00ef\u00f1\u00f6\u00f8\u00fb\u00fc\u00fe\u00ff\u00a2-\u00bf]|[a-z\u00e0-\u00ff][\u00c0-\u00de]"
)


def repair_double_utf8(text: str) -> str:
    """Undo UTF-8 read as cp1252 and re-encoded ("Viá»‡t" → "Việt") with ftfy."""
    if not _DOUBLE_UTF8.search(text):
        return text
    return unicodedata.normalize("NFC", ftfy.fix_encoding(text))


def _legacy_surface_bytes(text: str) -> bytes | None:
    """The bytes a cp1252 (else Latin-1) display showed as `text`; None if it cannot be."""
    output = bytearray()
    previous = ""
    for character in text:
        if character in "\u00ad\u2212" and previous.isalpha():
            output.append(0xAD)  # TCVN3 ư shown as a soft hyphen, or a minus from PDF text
        else:
            try:
                output.extend(character.encode("cp1252"))
            except UnicodeEncodeError:
                if ord(character) > 0xFF:
                    return None
                output.append(ord(character))
        previous = character
    return bytes(output)


def repair_legacy_mojibake(text: str) -> tuple[str, str] | None:
    """Repair legacy bytes shown as cp1252 inside UTF-8 ("NguyÔn ViÕt" → "Nguyễn Viết").

    Returns the repaired text and what it was ("tcvn3-as-cp1252"), or None
    when the text does not look like that or the repair does not read
    clearly better (score rise below `MINIMUM_REPAIR_GAIN`). ftfy cannot do
    this: the bytes were never UTF-8.
    """
    if not _LEGACY_SURFACE.search(text):
        return None
    data = _legacy_surface_bytes(text)
    if data is None or data.isascii():
        return None
    detection = _best_candidate(data, (TCVN3, VNI, VISCII, VPS))
    if not detection.is_known:
        return None
    repaired = decode_bytes(data, detection.encoding)
    if detection.confidence < score_vietnamese(text) + MINIMUM_REPAIR_GAIN:
        return None
    return repaired, f"{detection.encoding}-as-cp1252"


def repair_vntimeh_case(text: str) -> str:
    """Upper-case words typed in an ABC "H" font (.VnTimeH): "VIệT NAM" → "VIỆT NAM".

    Those fonts draw lower-case codes as capitals, so a word whose ASCII
    letters are all capitals but which holds lower-case Vietnamese letters was
    meant in capitals. A single capital before lower case ("Mỹ") is left alone.
    """

    def fix(match: re.Match[str]) -> str:
        word = match.group()
        ascii_letters = [character for character in word if character.isascii()]
        if not ascii_letters or not all(character.isupper() for character in ascii_letters):
            return word
        if not any(character.islower() for character in word):
            return word
        lower_then_upper = any(
            first.islower() and second.isupper() for first, second in pairwise(word)
        )
        if len(ascii_letters) >= 2 or lower_then_upper:
            return word.upper()
        return word

    return re.sub(r"[^\W\d_]+", fix, text)


def repair_eth(text: str) -> str:
    """Write eth (Ð/ð) typed for Đ/đ as Đ/đ; call only on Vietnamese-language text."""
    return text.replace("\u00d0", "\u0110").replace("\u00f0", "\u0111")


def repair_marc8_mark_order(text: str) -> str:
    """Put back marks a naive MARC-8 converter misplaced ("Vị̂et", "Ché̂" → "Việt", "Chế").

    For each word that is not a valid syllable, the marks of each letter are
    first put in Vietnamese order, the vowel's shape (circumflex, breve,
    horn) before its tone: MARC-8 writes "ế" as its two marks before the
    "e", in either order, and NFC cannot compose "e" + acute + circumflex.
    Then each run of non-horn marks is tried on the next letter. A change is
    kept only if the word becomes a valid syllable.
    """

    def fix(match: re.Match[str]) -> str:
        word = match.group()
        letters: list[list[str]] = []
        for character in unicodedata.normalize("NFD", word):
            if unicodedata.combining(character) and letters:
                letters[-1].append(character)
            else:
                letters.append([character])
        # The syllable test ignores the order of marks: reorder before asking it.
        letters = [_shape_before_tone(letter) for letter in letters]
        reordered = unicodedata.normalize("NFC", "".join("".join(letter) for letter in letters))
        if is_vietnamese_syllable(reordered):
            return reordered
        for index in range(len(letters) - 1):
            movable = [mark for mark in letters[index][1:] if mark != _HORN]
            if not movable:
                continue
            candidate = [list(letter) for letter in letters]
            candidate[index] = [mark for mark in candidate[index] if mark not in movable]
            candidate[index + 1].extend(movable)
            repaired = unicodedata.normalize(
                "NFC", "".join("".join(letter) for letter in candidate)
            )
            if is_vietnamese_syllable(repaired):
                return repaired
        return word

    return unicodedata.normalize("NFC", re.sub(r"(?:[^\W\d_]|[\u0300-\u036f])+", fix, text))


_VOWEL_SHAPES = frozenset("\u0302\u0306\u031b")  # circumflex, breve, horn


def _shape_before_tone(letter: list[str]) -> list[str]:
    """A letter and its marks, the vowel-shape marks first (a stable reordering)."""
    base, marks = letter[0], letter[1:]
    shapes = [mark for mark in marks if mark in _VOWEL_SHAPES]
    return [base, *shapes, *(mark for mark in marks if mark not in _VOWEL_SHAPES)]


_NEEDS_REPAIR = re.compile(
    _DOUBLE_UTF8.pattern + "|" + _LEGACY_SURFACE.pattern + "|[\u0300-\u036f\u00d0\u00f0]"
)


def is_suspect(text: str) -> bool:
    """Cheap test: whether any §1.4 repair could apply to this text (most text: no)."""
    return _NEEDS_REPAIR.search(text) is not None


def repair_text(text: str, *, vietnamese: bool) -> tuple[str, list[str]]:
    """Apply the §1.4 repairs that fit a decoded UTF-8 text; return it and their names.

    Eth and legacy bytes shown as cp1252 are repaired only in
    Vietnamese-language text (`vietnamese`): elsewhere eth is a letter, and
    "Taï Forest" would otherwise read as VNI "Tạ Forest" (§1.3).
    """
    if not is_suspect(text):
        return text, []
    repairs: list[str] = []
    repaired = repair_double_utf8(text)
    if repaired != text:
        repairs.append("double-utf8")
    legacy = repair_legacy_mojibake(repaired) if vietnamese else None
    if legacy is not None:
        repaired = legacy[0]
        repairs.append(legacy[1])
    if vietnamese and ("\u00d0" in repaired or "\u00f0" in repaired):
        repaired = repair_eth(repaired)
        repairs.append("eth-as-d-bar")
    if any(unicodedata.combining(character) for character in repaired):
        fixed = repair_marc8_mark_order(repaired)
        if fixed != repaired:
            repaired = fixed
            repairs.append("marc8-mark-order")
    return repaired, repairs


def encode_legacy(text: str, encoding: str) -> bytes:
    """Encode NFC text in a legacy 8-bit encoding: the inverse of `decode_bytes`.

    Used to make test files and to write for systems that still need these
    encodings; raises ValueError for a character the encoding lacks.
    """
    encoding = normalise_encoding_name(encoding)
    if encoding == WINDOWS_1258:
        return _encode_by_table(text, _windows_1258_inverse())
    if encoding == VISCII:
        return unicodedata.normalize("NFC", text).encode("viscii")
    if encoding not in _LEGACY_TABLES:
        raise ValueError(f"cannot encode in {encoding!r}")
    return _encode_by_table(text, _inverse(encoding))


_LEGACY_TABLES = {TCVN3: _TCVN3_TABLE, VNI: _VNI_TABLE, VPS: _VPS_TABLE}


@lru_cache(maxsize=8)
def _inverse(encoding: str) -> dict[str, bytes]:
    """Map each letter (and letter + marks) to its shortest byte sequence."""
    table = _LEGACY_TABLES[encoding]
    inverse: dict[str, bytes] = {}
    singles = {text: byte for byte, text in table.items()}
    for text, byte in singles.items():
        if not unicodedata.combining(text[0]):
            inverse[unicodedata.normalize("NFC", text)] = bytes([byte])
    marks = {text: byte for text, byte in singles.items() if unicodedata.combining(text[0])}
    bases = [*(chr(code) for code in range(0x41, 0x7B) if chr(code).isalpha()), *inverse]
    for base in bases:
        base_bytes = inverse.get(base, base.encode("latin-1") if base.isascii() else b"")
        for mark, byte in marks.items():
            composed = unicodedata.normalize("NFC", base + mark)
            if len(composed) == 1 and composed not in inverse and base_bytes:
                inverse[composed] = base_bytes + bytes([byte])
    return inverse


@lru_cache(maxsize=1)
def _windows_1258_inverse() -> dict[str, bytes]:
    inverse: dict[str, bytes] = {}
    for byte in range(0x80, 0x100):
        text = bytes([byte]).decode("cp1258", errors="ignore")
        if text and not unicodedata.combining(text):
            inverse[text] = bytes([byte])
    tones = {"\u0300": 0xCC, "\u0301": 0xEC, "\u0303": 0xDE, "\u0309": 0xD2, "\u0323": 0xF2}
    for base in [*(chr(code) for code in range(0x41, 0x7B)), *inverse]:
        base_bytes = inverse.get(base, base.encode("ascii") if base.isascii() else b"")
        if not base.isalpha() or not base_bytes:
            continue
        for mark, byte in tones.items():
            composed = unicodedata.normalize("NFC", base + mark)
            if len(composed) == 1 and composed not in inverse:
                inverse[composed] = base_bytes + bytes([byte])
    return inverse


def _encode_by_table(text: str, inverse: dict[str, bytes]) -> bytes:
    output = bytearray()
    for character in unicodedata.normalize("NFC", text):
        if character.isascii():
            output.append(ord(character))
        elif character in inverse:
            output.extend(inverse[character])
        else:
            raise ValueError(f"{character!r} has no code in this encoding")
    return bytes(output)


def decode_text_file(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode a whole text file (a CSV book list, a .mrk file); return the text and its encoding.

    A byte-order mark decides (UTF-8, UTF-16); then a configured `encoding`;
    then strict UTF-8; then the Vietnamese detection of §1.2 over the whole
    file; text that is none of these is read as Latin-1, which every byte is.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return unicodedata.normalize("NFC", data[3:].decode(UTF8, errors="replace")), UTF8
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return unicodedata.normalize("NFC", data.decode("utf-16", errors="replace")), "utf-16"
    if encoding:
        name = normalise_encoding_name(encoding)
        if name in ENCODING_NAMES:
            return decode_bytes(data, name), name
        try:
            return unicodedata.normalize("NFC", data.decode(name)), name
        except (LookupError, UnicodeDecodeError):
            pass
    detection = detect_encoding(data)
    if detection.encoding in (UTF8, ASCII, VIQR) or detection.is_known:
        return decode_bytes(data, detection.encoding), detection.encoding
    return unicodedata.normalize("NFC", data.decode("latin-1")), "latin-1"
