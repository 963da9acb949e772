"""How results are shown: matched words highlighted, and what to try when nothing is found."""

from __future__ import annotations

import re

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
