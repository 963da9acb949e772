"""The catalogue's languages: Vietnamese first, English on request.

Message catalogues are the `.po` files under `web/locales/` (English msgids,
a Vietnamese translation for every one, checked by a test). They are read
with Babel when the application starts, so no compile step is needed. A
reader chooses a language with `?lang=en` (remembered in a cookie); the
default is Vietnamese whatever the browser asks for, as the programme wants.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from fastapi import Request

LOCALES_FOLDER = Path(__file__).parent / "locales"
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
LANGUAGE_COOKIE = "lang"
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


def N_(message: str) -> str:  # noqa: N802 - the conventional name message extractors look for
    """Mark a message for translation where it is defined; it is translated when shown."""
    return message


@dataclass(frozen=True)
class Language:
    """A reader's language: its code and its message translations."""

    code: str
    translations: Translations

    def gettext(self, message: str) -> str:
        """The message in this language."""
        return str(self.translations.gettext(message))

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """The message for this many in this language ("1 library", "2 libraries", "2 thư viện")."""
        return str(self.translations.ngettext(singular, plural, count))


@cache
def load_language(code: str) -> Language:
    """Read the `.po` catalogue of a language (once per process)."""
    po_path = LOCALES_FOLDER / code / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as stream:
        catalog = read_po(stream, locale=code)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Language(code=code, translations=Translations(fp=compiled))


def requested_language(request: Request) -> str:
    """`?lang=` if valid, else the cookie, else Vietnamese."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT_LANGUAGE
