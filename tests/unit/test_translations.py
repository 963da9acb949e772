"""Every visible string of the web catalogue is translated into Vietnamese (the default)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from mucluc.web.i18n import LANGUAGES, LOCALES_FOLDER, load_language

WEB_FOLDER = Path(__file__).parents[2] / "src/mucluc/web"
METHODS = [("**/templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]


def extracted_messages() -> set[str]:
    return {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(WEB_FOLDER), method_map=METHODS, keywords={"_": None, "N_": None}
        )
        if isinstance(message, str)
    }


def catalogue(code: str) -> dict[str, str]:
    with (LOCALES_FOLDER / code / "LC_MESSAGES" / "messages.po").open("rb") as stream:
        return {str(message.id): str(message.string) for message in read_po(stream) if message.id}


def test_templates_use_translatable_strings() -> None:
    assert "Libraries holding this item" in extracted_messages()


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_message_is_in_each_catalogue(code: str) -> None:
    assert sorted(extracted_messages() - set(catalogue(code))) == [], "run `make messages`"


def test_every_message_has_a_vietnamese_translation() -> None:
    untranslated = [message for message, text in catalogue("vi").items() if not text.strip()]
    assert untranslated == []


def test_loaded_language_translates() -> None:
    assert load_language("vi").gettext("Libraries holding this item") == "Thư viện có tài liệu này"
    assert (
        load_language("en").gettext("Libraries holding this item") == "Libraries holding this item"
    )


def test_counted_words_agree_with_their_number() -> None:
    english, vietnamese = load_language("en"), load_language("vi")
    assert english.ngettext("library", "libraries", 1) == "library"
    assert english.ngettext("library", "libraries", 3) == "libraries"
    assert vietnamese.ngettext("library", "libraries", 1) == "thư viện"
    assert vietnamese.ngettext("library", "libraries", 3) == "thư viện"
