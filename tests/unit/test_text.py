import json
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mucluc.core.normalise.text import (
    _strip_marks,
    fold_key,
    has_vietnamese_marks,
    match_key,
    name_key,
    place_tone_first_vowel,
    place_tone_second_vowel,
    syllables,
    to_nfc,
)

VECTORS_PATH = Path(__file__).parents[3] / "shared/docs/vietnamese-text-vectors.json"


def strip_marks_only(text: str) -> str:
    """NFD and drop marks, without mapping đ: the trap fold_key must avoid (§2.4)."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC",
        "".join(character for character in decomposed if not unicodedata.combining(character)),
    )


OPERATIONS: dict[str, Callable[[str], Any]] = {
    "nfc": to_nfc,
    "tone_first_vowel": place_tone_first_vowel,
    "tone_second_vowel": place_tone_second_vowel,
    "match_key": match_key,
    "fold_key": fold_key,
    "strip_marks_only": strip_marks_only,
    "syllables": syllables,
    "name_key": name_key,
}

VECTORS = [
    vector
    for vector in json.loads(VECTORS_PATH.read_text(encoding="utf-8"))
    if vector["op"] in OPERATIONS
]

VIETNAMESE_LETTERS = sorted(
    {
        unicodedata.normalize("NFC", letter + tone)
        for base in "aăâeêioôơuưy"
        for tone in ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
        for letter in (base, base.upper())
    }
    | set("bcdđghklmnpqrstvxBCDĐGHKLMNPQRSTVX")
)
vietnamese_text = st.text(alphabet=[*VIETNAMESE_LETTERS, " ", ",", "-", "/", ":"])


@pytest.mark.parametrize("vector", VECTORS, ids=[vector["case"] for vector in VECTORS])
def test_text_vector_passes(vector):
    assert OPERATIONS[vector["op"]](vector["input"]) == vector["expected"]


def test_fold_key_folds_title_to_ascii():
    assert fold_key("Lịch sử Việt Nam") == "lich su viet nam"


def test_fold_key_maps_capital_d_bar_to_d():
    assert fold_key("ĐẶNG") == "dang"


def test_fold_key_maps_eth_only_in_vietnamese_fields():
    assert fold_key("Ðà Nẵng", vietnamese=False) == "ða nang"


def test_match_key_gives_same_key_for_nfd_and_nfc_input():
    title = "Truyện Kiều / Nguyễn Du"
    assert match_key(unicodedata.normalize("NFD", title)) == match_key(title)


def test_match_key_unifies_tone_styles():
    assert match_key("Hoà bình") == match_key("Hòa bình")


def test_match_key_keeps_y_after_u():
    assert match_key("Tuỳ bút") == "tùy bút"


def test_match_key_splits_hyphens():
    assert match_key("Mác-Lênin") == "mác lênin"


def test_place_tone_first_vowel_leaves_unparseable_token_unchanged():
    assert place_tone_first_vowel("Strùng") == "Strùng"


def test_place_tone_second_vowel_keeps_case_of_mixed_case_syllable():
    assert place_tone_second_vowel("KhỎe") == "KhOẻ"


def test_name_key_drops_relator_term():
    assert name_key("Nguyễn, Du, 1765-1820, tác giả.") == "nguyễn du"


def test_name_key_drops_dates_in_parentheses():
    assert name_key("Nguyễn Minh Châu (1930-1988)") == "nguyễn minh châu"


def test_name_key_keeps_title_of_nobility():
    assert name_key("Lê, Lợi, King of Vietnam, 1385-1433") == "lê lợi king of vietnam"


def test_has_vietnamese_marks_detects_tone():
    assert has_vietnamese_marks("lịch su")


def test_has_vietnamese_marks_detects_d_bar():
    assert has_vietnamese_marks("Da Nang Đ")


def test_has_vietnamese_marks_rejects_plain_ascii():
    assert not has_vietnamese_marks("lich su viet nam")


@given(st.text())
def test_match_key_is_idempotent(text):
    assert match_key(match_key(text)) == match_key(text)


@given(st.text())
def test_fold_key_is_idempotent(text):
    assert fold_key(fold_key(text)) == fold_key(text)


@given(st.text())
def test_fold_key_is_match_key_of_the_match_key_without_marks(text):
    # The definition, which fold_key shortens for keys already ASCII.
    assert fold_key(text) == match_key(_strip_marks(match_key(text)))


@given(st.text())
def test_fold_key_ignores_prior_match_key(text):
    assert fold_key(match_key(text)) == fold_key(text)


@given(vietnamese_text)
def test_fold_key_of_vietnamese_letters_is_ascii(text):
    assert fold_key(text).isascii()


@given(vietnamese_text)
def test_match_key_of_vietnamese_text_is_idempotent(text):
    assert match_key(match_key(text)) == match_key(text)
