"""What the index knows of a union record: folded and tone-keeping text, ids, display data.

Every text field exists twice (see shared/docs/vietnamese-text.md §3.2):
`*_match` holds the match key (tones kept, tone placement unified) and
`*_fold` the ASCII fold key, so a query typed without tones finds toned
records and a query with tones can rank exact-tone matches first.
"""

from __future__ import annotations

import json
from typing import Any

from mucluc.core.model import UnionRecordView
from mucluc.core.normalise.isbn import isbn13_to_isbn10
from mucluc.core.normalise.text import fold_key, match_key

TEXT_FIELDS = ("title", "author", "subject", "all")


def display_data(view: UnionRecordView) -> dict[str, Any]:
    """The few values a result list shows, stored in the index to spare the database."""
    description = view.description
    return {
        "title": description.full_title,
        "authors": list(description.authors),
        "publisher": description.publisher,
        "year": description.year,
        "libraries": list(view.library_codes),
    }


def index_document(view: UnionRecordView) -> dict[str, Any]:
    """The field values of one union record, ready for `tantivy.Document.from_dict`."""
    description = view.description
    texts = {
        "title": [description.full_title, *(m.description.full_title for m in view.members)],
        "author": [*description.authors, description.responsibility],
        "subject": [*description.subjects, *description.series],
    }
    texts["all"] = [
        *texts["title"],
        *texts["author"],
        *texts["subject"],
        description.publisher,
        description.place,
        description.edition,
    ]
    document: dict[str, Any] = {
        "id": view.id,
        "display": json.dumps(display_data(view), ensure_ascii=False).encode(),
        "library": list(view.library_codes),
        "isbn": [
            form for isbn in description.isbns for form in (isbn, isbn13_to_isbn10(isbn)) if form
        ],
        "holding_libraries": len(view.library_codes),
    }
    if description.year is not None:
        document["year"] = description.year
    for name in TEXT_FIELDS:
        unique = list(dict.fromkeys(text for text in texts[name] if text))
        document[f"{name}_match"] = [match_key(text) for text in unique]
        document[f"{name}_fold"] = [fold_key(text) for text in unique]
    return document
