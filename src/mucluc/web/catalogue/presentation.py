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
# Why two records are one: each piece of evidence's rule and field, as a reader reads them.
EVIDENCE_RULES = {
    "isbn-shared": N_("same ISBN"),
    "isbn-conflict": N_("different ISBNs"),
    "invalid-isbn-shared": N_("same invalid ISBN"),
    "control-number-shared": N_("same control number"),
    "lccn-conflict": N_("different LC control numbers"),
    "issn-shared": N_("same ISSN"),
    "same-title": N_("same title"),
    "same-title-accents-lost": N_("same title, accents lost"),
    "same-title-unaccented": N_("same title written without tones"),
    "title-tones-differ": N_("titles differ in their tones"),
    "same-title-subtitle-one-side": N_("same title, subtitle on one side"),
    "close-title": N_("nearly the same title"),
    "title-cut-short": N_("one title cut short"),
    "title-words-added": N_("a word or two added to the title"),
    "near-title": N_("similar titles"),
    "different-title": N_("different titles"),
    "same-authors": N_("same authors"),
    "similar-authors": N_("similar authors"),
    "authors-subset": N_("the authors of one among the other's"),
    "authors-one-more": N_("one author more"),
    "authors-one-side": N_("authors on one side only"),
    "authors-tones-differ": N_("authors differ in their tones"),
    "most-authors": N_("most authors shared"),
    "some-authors": N_("some authors shared"),
    "different-authors": N_("different authors"),
    "same-year": N_("same year"),
    "near-year": N_("years one apart"),
    "same-publisher": N_("same publisher"),
    "similar-publisher": N_("similar publishers"),
    "different-publisher": N_("different publishers"),
    "same-host": N_("same journal or proceedings"),
    "different-host": N_("different journals or proceedings"),
    "same-pages": N_("same number of pages"),
    "near-pages": N_("nearly the same number of pages"),
    "different-pages": N_("different numbers of pages"),
    "same-edition": N_("same edition"),
    "edition-one-side": N_("edition statement on one side only"),
    "edition-unclear": N_("edition statements not comparable"),
    "same-volume": N_("same volume"),
    "volume-one-side": N_("volume on one side only"),
    "volume-differs": N_("different volumes"),
}
EVIDENCE_FIELDS = {
    "isbn": N_("ISBN"),
    "control-number": N_("Control number"),
    "lccn": N_("LC control number"),
    "issn": N_("ISSN"),
    "title": N_("Title"),
    "authors": N_("Authors"),
    "year": N_("Year"),
    "publisher": N_("Publisher"),
    "host": N_("Journal or proceedings"),
    "pages": N_("Pages"),
    "edition": N_("Edition"),
    "volume": N_("Volume"),
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
