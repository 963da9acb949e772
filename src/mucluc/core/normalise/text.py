"""Vietnamese text keys: NFC, tone-mark placement, match, fold and name keys.

Implements docs/vietnamese-text.md §2 (normalisation), §3.1 (tokens) and §5
(name_key). Every function is pure and derives a new string; none decodes bytes,
repairs legacy encodings or touches the original field, and nothing here does I/O.
"""

import re
import unicodedata
from functools import lru_cache

# Vietnamese has under 10,000 syllables; the per-token rules are cached, since
# catalogue text repeats the same syllables millions of times.
SYLLABLE_CACHE_SIZE = 65_536
# Whole keys are cached too: one record's title and names are keyed again by the
# profile, the blocking keys, the comparison and the index, and headings recur.
KEY_CACHE_SIZE = 65_536

# Combining tone marks: grave, acute, tilde, hook above, dot below (§2.2).
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
# Combining modifiers: circumflex, breve, horn.
_MODIFIER_MARKS = frozenset("\u0302\u0306\u031b")

_VOWELS = frozenset("aăâeêioôơuưy")
_MODIFIED_VOWELS = frozenset("ăâêôơư")
_CONSONANTS = frozenset("bcdđfghjklmnpqrstvwxz")
_CLUSTER_ONSETS = ("ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr")
_CODAS = frozenset({"", "c", "ch", "m", "n", "ng", "nh", "p", "t"})
_SECOND_VOWEL_NUCLEI = frozenset({"oa", "oe", "uy"})

_LETTER_RUN = re.compile(r"[^\W\d_]+")
# A whole run of letters holding a y (any tone, lower case): only such a word
# can have its "y" nucleus rewritten (`_unify_i_and_y`), so the others are not
# handed to Python. The look-behind keeps a match from starting mid-run.
_LETTER_RUN_WITH_Y = re.compile(r"(?<![^\W\d_])[^\W\d_]*[yýỳỷỹỵ][^\W\d_]*")

_RELATOR_TERMS = (
    "tác giả",
    "đồng tác giả",
    "chủ biên",
    "biên soạn",
    "biên dịch",
    "dịch",
    "người dịch",
    "dịch giả",
    "hiệu đính",
    "minh họa",
    "minh hoạ",
    "sưu tầm",
    "tuyển chọn",
    "author",
    "joint author",
    "editor",
    "ed",
    "translator",
    "tr",
    "compiler",
    "comp",
    "illustrator",
    "illus",
)
# MARC 21 100$e: a relator term follows the name after a comma.
_TRAILING_RELATOR = re.compile(
    r",\s*(?:" + "|".join(re.escape(term) for term in _RELATOR_TERMS) + r")\.?$",
    re.IGNORECASE,
)
# MARC 21 100$d: "1765-1820", "1920-", "-1442", "b. 1920", "(1930-1988)".
_TRAILING_DATES = re.compile(
    r"(?:^|[\s,]+)\(?(?:(?:b|d|fl|ca)\.\s*|(?:sinh|mất)\s+)?-?[0-9]{3,4}\??"
    r"(?:\s*-\s*(?:[0-9]{3,4}\??)?)?\)?$",
    re.IGNORECASE,
)


def to_nfc(text: str) -> str:
    """Return the text in Unicode NFC.

    NFC also puts stacked marks in canonical order ("Vie\u0323\u0302t" and
    "Vie\u0302\u0323t" both become "Việt") and replaces the deprecated tone marks
    U+0340/U+0341 (§2.1).
    """
    return unicodedata.normalize("NFC", text)


def split_syllable(letters: str) -> tuple[str, str, str] | None:
    """Split a lower-case, toneless syllable into onset, nucleus and coda.

    Returns None when the letters are not a Vietnamese syllable.
    """
    if not letters or not set(letters) <= _VOWELS | _CONSONANTS:
        return None
    onset = ""
    for cluster in _CLUSTER_ONSETS:
        # "gi" and "qu" are onsets only when a vowel follows (gìn is g + in).
        needs_vowel = cluster in ("gi", "qu")
        if letters.startswith(cluster) and (
            not needs_vowel or letters[len(cluster) : len(cluster) + 1] in _VOWELS
        ):
            onset = cluster
            break
    else:
        if letters[0] in _CONSONANTS:
            onset = letters[0]
    rest = letters[len(onset) :]
    nucleus_length = 0
    while nucleus_length < len(rest) and rest[nucleus_length] in _VOWELS:
        nucleus_length += 1
    nucleus, coda = rest[:nucleus_length], rest[nucleus_length:]
    if not 1 <= len(nucleus) <= 3 or coda not in _CODAS:
        return None
    return onset, nucleus, coda


def _split_tone(token: str) -> tuple[str, str] | None:
    """Return the token without its tone mark, and the mark ("" for none).

    Returns None when the token carries more than one tone mark.
    """
    decomposed = unicodedata.normalize("NFD", token)
    tones = [character for character in decomposed if character in _TONE_MARKS]
    if len(tones) > 1:
        return None
    base = "".join(character for character in decomposed if character not in _TONE_MARKS)
    return to_nfc(base), "".join(tones)


def _tone_position(nucleus: str, coda: str, *, second_vowel: bool) -> int:
    """Return the index within the nucleus of the vowel that carries the tone (§2.2)."""
    modified = [index for index, vowel in enumerate(nucleus) if vowel in _MODIFIED_VOWELS]
    if modified:
        return modified[-1]
    if coda:
        return len(nucleus) - 1
    if len(nucleus) == 1:
        return 0
    if len(nucleus) == 2:
        return 1 if second_vowel and nucleus in _SECOND_VOWEL_NUCLEI else 0
    return 1


@lru_cache(maxsize=SYLLABLE_CACHE_SIZE)
def _place_tone(token: str, *, second_vowel: bool) -> str:
    """Move the tone mark of one NFC syllable to its position, keeping case."""
    split = _split_tone(token)
    if split is None or not split[1]:
        return token
    base, tone = split
    parts = split_syllable(base.lower())
    if parts is None or len(base.lower()) != len(base):
        return token
    onset, nucleus, coda = parts
    index = len(onset) + _tone_position(nucleus, coda, second_vowel=second_vowel)
    return to_nfc(base[: index + 1] + tone + base[index + 1 :])


def place_tone_first_vowel(text: str) -> str:
    """Put each syllable's tone mark where the first-vowel style puts it.

    Open syllables with nucleus oa, oe or uy carry the mark on the first vowel
    ("hoà" → "hòa", "Uỷ ban" → "Ủy ban"); every other syllable already has one
    fixed position and is rewritten to it. Case is kept, tokens that do not
    parse as Vietnamese syllables are left unchanged, and the result is NFC.
    ASCII text carries no tone mark, so it comes back as it is, at once.
    """
    if text.isascii():
        return text
    return _LETTER_RUN.sub(
        lambda match: _place_tone(match.group(), second_vowel=False), to_nfc(text)
    )


def place_tone_second_vowel(text: str) -> str:
    """Put each syllable's tone mark where the second-vowel style puts it.

    The mirror of `place_tone_first_vowel`: "hòa" → "hoà", "Ủy ban" → "Uỷ ban".
    """
    return _LETTER_RUN.sub(
        lambda match: _place_tone(match.group(), second_vowel=True), to_nfc(text)
    )


@lru_cache(maxsize=SYLLABLE_CACHE_SIZE)
def _unify_i_and_y(token: str) -> str:
    """Write a lone "y" nucleus after a consonant onset as "i" (kỹ → kĩ, §2.3).

    The token must already be lower case and NFC; "y tế" and "tuy" are kept.
    """
    split = _split_tone(token)
    if split is None:
        return token
    base, tone = split
    parts = split_syllable(base)
    if parts is None:
        return token
    onset, nucleus, coda = parts
    if not onset or nucleus != "y" or coda:
        return token
    return to_nfc(base[:-1] + "i" + tone)


class _KeyCharacters(dict[int, int]):
    """A `str.translate` table: letters, digits and marks keep their place, the rest become spaces.

    Filled as characters are met, so each distinct character is classified once
    instead of once per occurrence.
    """

    def __missing__(self, code: int) -> int:
        kept = code if unicodedata.category(chr(code))[0] in "LNM" else ord(" ")
        self[code] = kept
        return kept


_KEY_CHARACTERS = _KeyCharacters()


@lru_cache(maxsize=KEY_CACHE_SIZE)
def match_key(text: str, *, vietnamese: bool = True) -> str:
    """Return the diacritic-keeping search and comparison key of a text (§2).

    NFC, first-vowel tone style, casefold, "y" → "i" where both spellings
    coexist, punctuation and ISBD marks (and hyphens) as spaces, single spaces.
    "Truyện Kiều / Nguyễn Du" → "truyện kiều nguyễn du".

    Args:
        text: Any field text, possibly NFD.
        vietnamese: The field is in Vietnamese, so eth (Ð/ð) typed for Đ/đ is
            repaired; leave False for other languages, where eth is a letter.
    """
    key = to_nfc(text)
    if vietnamese:
        key = key.replace("Ð", "Đ").replace("ð", "đ")
    key = to_nfc(place_tone_first_vowel(key).casefold())
    key = _LETTER_RUN_WITH_Y.sub(lambda match: _unify_i_and_y(match.group()), key)
    return " ".join(key.translate(_KEY_CHARACTERS).split())


class _MarksDropped(dict[int, int | None]):
    """A `str.translate` table dropping combining marks (category M), filled as met."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.category(chr(code))[0] == "M" else code
        self[code] = kept
        return kept


_MARKS_DROPPED = _MarksDropped()


def _strip_marks(text: str) -> str:
    """Drop every combining mark and write đ as d (ASCII text has neither)."""
    if text.isascii():
        return text
    stripped = unicodedata.normalize("NFD", text).translate(_MARKS_DROPPED)
    return to_nfc(stripped.replace("đ", "d"))


@lru_cache(maxsize=KEY_CACHE_SIZE)
def fold_key(text: str, *, vietnamese: bool = True) -> str:
    """Return the ASCII-folded key of a text, for queries typed without marks (§2.4).

    match_key, then every combining mark dropped and đ written as d:
    "Đặng Thùy Trâm" → "dang thuy tram". NFD alone is not enough because Đ has
    no decomposition. The folded text goes through match_key once more, so a
    token that only parses once its marks are gone ("bÿ" → "by" → "bi") still
    gives a stable key.
    """
    return fold_of_match_key(match_key(text, vietnamese=vietnamese), vietnamese=vietnamese)


def fold_of_match_key(key: str, *, vietnamese: bool = True) -> str:
    """Return the fold key of a text whose match key is `key`: `fold_key` without keying twice."""
    if key.isascii():
        # Nothing to strip, and match_key of a key is the key: skip the second pass.
        return key
    return match_key(_strip_marks(key), vietnamese=vietnamese)


def syllables(text: str) -> list[str]:
    """Return the index tokens of a text: the words of its match_key (§3.1).

    "Giáo trình Mác-Lênin" → ["giáo", "trình", "mác", "lênin"].
    """
    return match_key(text).split()


def has_vietnamese_marks(text: str) -> bool:
    """Tell whether the text carries any tone or modifier mark, or đ.

    A query with marks is ranked tone-aware (match_key before fold_key, §3.2);
    one without is matched on fold_key alone.
    """
    decomposed = unicodedata.normalize("NFD", text)
    return any(
        character in _TONE_MARKS or character in _MODIFIER_MARKS or character in "đĐ"
        for character in decomposed
    )


def name_key(heading: str) -> str:
    """Return the comparison key of a personal name heading (§5).

    Trailing dates (100$d) and relator terms (100$e) are dropped, commas become
    spaces, and the rest goes through match_key: "Nguyễn, Du, 1765-1820." and
    "NGUYỄN DU" both give "nguyễn du". Name parts are never reordered.
    """
    name = to_nfc(heading)
    previous = None
    while name != previous:
        previous = name
        name = name.rstrip(" .,;:")
        name = _TRAILING_RELATOR.sub("", name)
        name = _TRAILING_DATES.sub("", name)
    return match_key(name.replace(",", " "))
