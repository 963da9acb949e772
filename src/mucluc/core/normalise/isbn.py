"""ISBN checking and normalisation for 020$a, so editions compare as one ISBN-13.

Pure functions on strings (ISO 2108 check digits); this module does not look
ISBNs up anywhere and does not repair invalid ones.
"""

import re
from functools import lru_cache

# A cataloguer may write "ISBN", "ISBN-13:" and the like before the number.
_LEADING_LABEL = re.compile(r"^\s*ISBN(?:-1[03])?\s*:?\s*", re.IGNORECASE)
# The number: digits (X last for an ISBN-10) with hyphens or spaces between.
_NUMBER_RUN = re.compile(r"[0-9][0-9Xx \-]*")
_SEPARATORS = re.compile(r"[ \-]")
_ISBN10 = re.compile(r"[0-9]{9}[0-9X]")
_ISBN13 = re.compile(r"97[89][0-9]{10}")


def _compact(value: str) -> str:
    """Remove hyphens and spaces and upper-case a check digit x."""
    return _SEPARATORS.sub("", value.strip()).upper()


def _isbn10_check_digit(first_nine: str) -> str:
    """Return the ISBN-10 check digit (0-9 or X) for nine digits."""
    total = sum((10 - position) * int(digit) for position, digit in enumerate(first_nine))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def _isbn13_check_digit(first_twelve: str) -> str:
    """Return the ISBN-13 (EAN-13) check digit for twelve digits."""
    total = sum(
        (3 if position % 2 else 1) * int(digit) for position, digit in enumerate(first_twelve)
    )
    return str((10 - total % 10) % 10)


def is_valid_isbn10(value: str) -> bool:
    """Tell whether the value is an ISBN-10 with a correct check digit.

    Hyphens and spaces are ignored: "0-19-852663-6" is valid.
    """
    compact = _compact(value)
    return _ISBN10.fullmatch(compact) is not None and _isbn10_check_digit(compact[:9]) == compact[9]


def is_valid_isbn13(value: str) -> bool:
    """Tell whether the value is a 978/979 ISBN-13 with a correct check digit.

    Hyphens and spaces are ignored. Other EAN-13 prefixes are not ISBNs.
    """
    compact = _compact(value)
    return (
        _ISBN13.fullmatch(compact) is not None and _isbn13_check_digit(compact[:12]) == compact[12]
    )


def isbn13_to_isbn10(isbn13: str) -> str | None:
    """Return the ISBN-10 of a valid 978-prefixed ISBN-13, or None.

    979 ISBNs have no ISBN-10 form. "978-0-19-852663-6" → "0198526636".
    """
    compact = _compact(isbn13)
    if not is_valid_isbn13(compact) or not compact.startswith("978"):
        return None
    return compact[3:12] + _isbn10_check_digit(compact[3:12])


@lru_cache(maxsize=4_096)  # describing, profiling and indexing each read a record's 020s
def normalise_isbn(value: str) -> str | None:
    """Return the ISBN-13 for an ISBN as catalogued in 020$a, or None.

    Libraries often follow the number with a qualifier or price
    ("978-604-... (pbk.) : 45000đ"); that tail is ignored. ISBN-10s are
    converted to 978 ISBN-13s so editions compare equal whichever form was
    recorded. A bad check digit gives None: invalid ISBNs belong in 020$z and
    we do not repair them.
    """
    number = _NUMBER_RUN.search(_LEADING_LABEL.sub("", value))
    if number is None:
        return None
    # "0-19-852663-6 45000" runs on into the price; then only the first word counts.
    for candidate in (_compact(number.group()), _compact(number.group().split()[0])):
        if is_valid_isbn13(candidate):
            return candidate
        if is_valid_isbn10(candidate):
            body = "978" + candidate[:9]
            return body + _isbn13_check_digit(body)
    return None
