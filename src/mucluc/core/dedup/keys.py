"""Blocking keys: the values two records must share before they are compared at all.

The first matcher uses one kind of key, the normalised ISBN-13: records with
a common valid ISBN are the same edition. Fuller keys (ISSN, LCCN, 035,
title + year + author) arrive with the union-records work.
"""

from __future__ import annotations

from mucluc.core.model import BibDescription

ISBN_KEY = "isbn"


def candidate_keys(description: BibDescription) -> set[tuple[str, str]]:
    """The `(kind, value)` keys under which a record looks for its union record."""
    return {(ISBN_KEY, isbn) for isbn in description.isbns}
