import pytest

from mucluc.core.normalise.isbn import (
    is_valid_isbn10,
    is_valid_isbn13,
    isbn13_to_isbn10,
    normalise_isbn,
)

# Check digits below were computed by hand from ISO 2108's weights.
VIETNAMESE_ISBN13 = "978-604-1-23456-7"


def test_normalise_isbn_removes_hyphens_from_isbn13():
    assert normalise_isbn(VIETNAMESE_ISBN13) == "9786041234567"


def test_normalise_isbn_removes_spaces_from_isbn13():
    assert normalise_isbn("978 604 59 0001 7") == "9786045900017"


def test_normalise_isbn_converts_isbn10_to_isbn13():
    assert normalise_isbn("0-19-852663-6") == "9780198526636"


def test_normalise_isbn_accepts_x_check_digit():
    assert normalise_isbn("0-8044-2957-X") == "9780804429573"


def test_normalise_isbn_accepts_lower_case_x_check_digit():
    assert normalise_isbn("080442957x") == "9780804429573"


def test_normalise_isbn_ignores_price_qualifier():
    assert normalise_isbn("978-604-59-0001-7 (pbk.) : 45000đ") == "9786045900017"


def test_normalise_isbn_ignores_price_after_space():
    assert normalise_isbn("0-19-852663-6 45000") == "9780198526636"


def test_normalise_isbn_ignores_isbn_label():
    assert normalise_isbn("ISBN-13: 978-604-1-23456-7") == "9786041234567"


def test_normalise_isbn_keeps_979_isbn13():
    assert normalise_isbn("979-12-345-6789-6") == "9791234567896"


@pytest.mark.parametrize(
    "value",
    ["978-604-1-23456-8", "0-19-852663-5", "0-8044-2957-9", "9786041234567X", "", "(bìa mềm)"],
)
def test_normalise_isbn_rejects_invalid_numbers(value):
    assert normalise_isbn(value) is None


def test_normalise_isbn_rejects_ean13_that_is_not_an_isbn():
    assert normalise_isbn("4006381333931") is None


def test_is_valid_isbn10_accepts_x_check_digit():
    assert is_valid_isbn10("0-8044-2957-X")


def test_is_valid_isbn10_rejects_bad_check_digit():
    assert not is_valid_isbn10("0-19-852663-7")


def test_is_valid_isbn10_rejects_x_before_last_place():
    assert not is_valid_isbn10("X198526636")


def test_is_valid_isbn13_accepts_vietnamese_isbn():
    assert is_valid_isbn13(VIETNAMESE_ISBN13)


def test_is_valid_isbn13_rejects_bad_check_digit():
    assert not is_valid_isbn13("9786041234568")


def test_isbn13_to_isbn10_converts_978_prefix():
    assert isbn13_to_isbn10("978-0-19-852663-6") == "0198526636"


def test_isbn13_to_isbn10_gives_x_check_digit():
    assert isbn13_to_isbn10("9780804429573") == "080442957X"


def test_isbn13_to_isbn10_refuses_979_prefix():
    assert isbn13_to_isbn10("9791234567896") is None


def test_isbn13_to_isbn10_refuses_bad_check_digit():
    assert isbn13_to_isbn10("9780198526637") is None
