"""How results are shown: matched words highlighted, and what to try when nothing is found."""

from __future__ import annotations

import re

from babel import Locale
from markupsafe import Markup, escape

from mucluc.core.normalise.text import fold_key, has_vietnamese_marks
from mucluc.web.i18n import N_

WORD = re.compile(r"(\w+)")

SORT_LABELS = {
    "relevance": N_("Best match"),
    "year_desc": N_("Year, newest first"),
    "year_asc": N_("Year, oldest first"),
    "title": N_("Title A–Z"),
    "author": N_("Author A–Z"),
}
MATERIAL_TYPE_NAMES = {
    "book": N_("Book"),
    "ebook": N_("E-book"),
    "serial": N_("Serial"),
    "map": N_("Map"),
    "music": N_("Printed music"),
    "music_recording": N_("Music recording"),
    "sound_recording": N_("Sound recording"),
    "video": N_("Video"),
    "image": N_("Image"),
    "computer_file": N_("Computer file"),
    "kit": N_("Kit"),
    "mixed": N_("Mixed materials"),
    "object": N_("Object"),
    "manuscript": N_("Manuscript"),
}
# MARC language codes (ISO 639-2/B) of the languages most held, to Babel's two-letter codes.
MARC_TO_BABEL_LANGUAGE = {
    "vie": "vi",
    "eng": "en",
    "fre": "fr",
    "chi": "zh",
    "rus": "ru",
    "ger": "de",
    "jpn": "ja",
    "kor": "ko",
    "spa": "es",
    "lao": "lo",
    "khm": "km",
    "tha": "th",
}
FACET_LABELS = {
    "library": N_("Library"),
    "province": N_("Province"),
    "library_type": N_("Library type"),
    "decade": N_("Decade"),
    "year": N_("Year"),
    "language": N_("Language"),
    "material_type": N_("Material type"),
    "subject": N_("Subject"),
    "ddc_class": N_("DDC class"),
}


def highlight(text: str, query: str) -> Markup:
    """The text, escaped, with every word that matches a query word (tones ignored) in <mark>."""
    wanted = set(fold_key(query).split())
    if not wanted:
        return escape(text)
    parts = []
    for piece in WORD.split(text):
        matched = piece and WORD.fullmatch(piece) and fold_key(piece) in wanted
        parts.append(Markup("<mark>{}</mark>").format(piece) if matched else escape(piece))
    return Markup("").join(parts)


def query_suggestions(query: str) -> list[str]:
    """Easier queries to try after none was found: without tones, then with fewer words."""
    words = query.split()
    suggestions = []
    if has_vietnamese_marks(query):
        suggestions.append(fold_key(query))
    if len(words) > 1:
        suggestions.append(" ".join(words[:-1]))
    return [suggestion for suggestion in dict.fromkeys(suggestions) if suggestion != query]


def language_name(marc_code: str, reader_language: str) -> str:
    """A MARC language code as the reader's language names it ("vie" → "tiếng Việt")."""
    babel_code = MARC_TO_BABEL_LANGUAGE.get(marc_code)
    if babel_code is None:
        return marc_code
    return str(Locale.parse(reader_language).languages.get(babel_code, marc_code))
