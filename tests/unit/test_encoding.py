"""The legacy-encoding vectors of vietnamese-text-vectors.json, and the decoders' edge cases."""

import json
import subprocess
import unicodedata
from pathlib import Path

import pytest

from mucluc.core.normalise.encoding import (
    TCVN3,
    UNKNOWN,
    VNI,
    decode_bytes,
    detect_encoding,
    encode_legacy,
    is_vietnamese_syllable,
    repair_double_utf8,
    repair_eth,
    repair_legacy_mojibake,
    repair_marc8_mark_order,
    repair_text,
    repair_vntimeh_case,
)

VECTORS_PATH = Path(__file__).parents[3] / "shared/docs/vietnamese-text-vectors.json"
ENCODING_OPS = ("decode", "detect")
VECTORS = [
    vector
    for vector in json.loads(VECTORS_PATH.read_text(encoding="utf-8"))
    if vector["op"] in ENCODING_OPS or vector["op"].startswith("repair_")
]


def vector_bytes(vector):
    if "input_hex" in vector:
        return bytes.fromhex(vector["input_hex"])
    return vector["input"].encode("ascii")


def run_vector(vector):
    operation = vector["op"]
    if operation == "decode":
        return decode_bytes(vector_bytes(vector), vector["input_encoding"])
    if operation == "detect":
        claims_marc8 = vector["input_encoding"].startswith("marc leader/09=' '")
        return detect_encoding(vector_bytes(vector), marc8=claims_marc8).encoding
    if operation == "repair_double_utf8":
        return repair_double_utf8(vector["input"])
    if operation == "repair_legacy_mojibake":
        repaired = repair_legacy_mojibake(vector["input"])
        assert repaired is not None
        assert repaired[1] == vector["detected"]
        return repaired[0]
    if operation == "repair_eth":
        return repair_eth(vector["input"])
    if operation == "repair_marc8_mark_order":
        return repair_marc8_mark_order(vector["input"])
    if operation == "repair_vntimeh_case":
        return repair_vntimeh_case(vector["input"])
    raise AssertionError(f"no implementation for op {operation}")


def test_vector_file_has_every_encoding_op():
    assert len(VECTORS) == 25 + 11 + 9


@pytest.mark.parametrize("vector", VECTORS, ids=[vector["case"] for vector in VECTORS])
def test_encoding_vector_passes(vector):
    assert run_vector(vector) == vector["expected"]


def test_tcvn3_decoder_agrees_with_glibc_iconv_on_every_byte():
    # One byte per word: glibc composes a letter with a following tone byte (0xB0-0xB4).
    data = b" ".join(bytes([byte]) for byte in range(0x21, 0x100))
    oracle = subprocess.run(
        ["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=data, capture_output=True, check=True
    )
    assert decode_bytes(data, TCVN3) == unicodedata.normalize("NFC", oracle.stdout.decode("utf-8"))


@pytest.mark.parametrize("encoding", [TCVN3, VNI, "vps", "viscii", "windows-1258"])
def test_encode_legacy_round_trips_every_vietnamese_letter(encoding):
    letters = "Thư viện Quốc gia Việt Nam: Nguyễn Du, Truyện Kiều, ĐẠI HỌC Ỵ Ữ ỵ ẳ Ẳ"
    assert decode_bytes(encode_legacy(letters, encoding), encoding) == letters


def test_detect_encoding_answers_unknown_for_short_ambiguous_bytes():
    assert detect_encoding(b"\xe9").encoding == UNKNOWN


def test_is_vietnamese_syllable_rejects_tone_on_wrong_vowel():
    assert is_vietnamese_syllable("trường")
    assert not is_vietnamese_syllable("trừơng")


def test_repair_text_leaves_eth_alone_outside_vietnamese_fields():
    assert repair_text("Ðórr", vietnamese=False) == ("Ðórr", [])


def test_repair_text_names_double_utf8_repair():
    assert repair_text("Viá»‡t Nam", vietnamese=True) == ("Việt Nam", ["double-utf8"])


def test_repair_text_keeps_correct_vietnamese_unchanged():
    assert repair_text("Truyện Kiều / Nguyễn Du", vietnamese=True) == (
        "Truyện Kiều / Nguyễn Du",
        [],
    )


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("Thơ Che\u0301\u0302 Lan Viên", "Thơ Chế Lan Viên"),  # as in LoC records of 2016
        ("Các vua cuo\u0301\u0302i Nhà Nguye\u0303\u0302n", "Các vua cuối Nhà Nguyễn"),
        ("Nhà xua\u0301\u0302t bản", "Nhà xuất bản"),
        ("tuye\u0309\u0302n chọn", "tuyển chọn"),
        ("a\u0300\u0306n", "ằn"),  # breve after the tone
    ],
)
def test_repair_text_puts_a_vowels_shape_before_its_tone(written, meant):
    """NFC cannot compose "e" + acute + circumflex: the marks need Vietnamese order first."""
    assert repair_text(written, vietnamese=True) == (meant, ["marc8-mark-order"])


def test_repair_text_leaves_marks_in_their_order_where_no_syllable_comes_of_it():
    mathematics = "Jérôme q\u0301\u0302"  # no precomposed letter: NFC keeps the marks apart
    assert repair_text(mathematics, vietnamese=True) == (mathematics, [])
