"""Translate the one query model (`mucluc.core.query`) into tantivy queries, and rank.

Matching and ranking follow shared/docs/vietnamese-text.md §3.2:

- A word matches on its fold key (no tones, đ→d), so "duong" finds "Đường"
  and "Dương", and "hoà"/"hòa"/"hoa" all find each other.
- A word typed with tones adds a bonus where the tone-keeping match key is
  equal too, so "đường" ranks "đường" above "dương" and "hoà bình" ranks
  "Hoà bình"/"Hòa bình" (one match key) above "Họa bình".
- Unfielded words may fall in different fields ("truyện kiều nguyễn du"),
  each scored in every field it is in, weighted: title above author above
  subject, and everything else (publisher, series, notes) last. A sum of
  term clauses, not the best field alone: tantivy runs a flat union of
  terms many times faster than a nested one. The phrase and tone bonuses
  of unfielded words look in the catch-all field alone.
- Several words also earn a bonus where they stand together as a phrase,
  so the exact phrase ranks above scattered words. Phrases are looked up
  as adjacent word pairs, each pair one indexed token (see
  `mucluc.search.document.word_pairs`): two words are one posting list,
  and longer phrases check word positions only in records holding every pair.
- A personal name matches in any order ("Nguyễn Du", "Nguyễn, Du", "Du
  Nguyễn"), and earns a bonus where one author has exactly those names.
- Filters narrow without scoring. A record held by 2, 4, 8, 16, 32 or more
  libraries gains HOLDINGS_STEP for each of those tiers it reaches, lifting
  widely held records slightly. The lift is added, not multiplied: a
  multiplied lift needs a per-record value read for every hit, which
  doubled the cost of ranking a common word at a million records. A
  separate lift clause costs as much again, so a query of one unfielded
  term carries the lift inside its first word's union of term clauses, as
  that word's holdings-lift value (`mucluc.search.document.holdings_lift_value`),
  each scaled to exactly the lift of its rank; other queries add the lift
  as clauses of its own.

Counting, facets and sorting by a field need only which records match, not
how well: an unscored translator (`scored=False`) builds the cheapest query
matching the same records, without the bonus clauses, and looks for a word
wanted in any field in the catch-all field alone, which holds the text of
every other field.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import tantivy

from mucluc.core.normalise.isbn import normalise_isbn
from mucluc.core.normalise.text import fold_key, has_vietnamese_marks, match_key
from mucluc.core.query import (
    And,
    FacetField,
    Filter,
    MatchAll,
    Not,
    QueryNode,
    SearchField,
    SearchRequest,
    Term,
    YearRange,
)
from mucluc.errors import QueryError
from mucluc.search.document import (
    HOLDINGS_LIFT_FIELD,
    HOLDINGS_TIERS,
    PAIR_JOINER,
    PAIRED_FIELDS,
    author_order_key,
    holdings_lift_value,
    issn_forms,
)

MATCH_ANALYSER = "vi_match"
FOLD_ANALYSER = "vi_fold"
PAIRS_ANALYSER = "vi_pairs"

# Unfielded words are looked for in these fields, with these weights; together
# they hold all of a record's text, as the catch-all field alone does. Titles
# weigh 1 because the commonest match then needs no boost, which costs time
# for every hit; the other weights are relative to it.
CATCH_ALL_FIELD = "all"
ANY_FIELD_BOOSTS = (
    ("title", 1.0),
    ("author", 0.75),
    ("subject", 0.5),
    ("other", 0.125),
)
# Each field looked at costs time for every hit: the bonuses of an unfielded
# term look in the catch-all field alone (the required words already weigh
# the fields).
ANYWHERE = ((CATCH_ALL_FIELD, 1.0),)
TONE_BOOST = 1.5  # per word whose tones match exactly
PHRASE_BOOST = 2.0  # the words together, in order
AUTHOR_ORDER_BOOST = 0.75  # one author has exactly these names, in any order
HOLDINGS_STEP = 0.125  # per holdings tier reached (2, 4, 8, 16, 32 libraries)

FILTER_FIELDS = {
    FacetField.LIBRARY: "library",
    FacetField.PROVINCE: "province",
    FacetField.LIBRARY_TYPE: "library_type",
    FacetField.DECADE: "decade",
    FacetField.LANGUAGE: "language",
    FacetField.MATERIAL_TYPE: "material_type",
    FacetField.SUBJECT: "subject_facet",
    FacetField.DDC_CLASS: "ddc_class",
}
_CLASSIFICATION_SEPARATORS = re.compile(r"[/\s]")


class QueryTranslator:
    """Builds tantivy queries for one schema, scored for ranking or only for matching.

    Every ranking clause costs time for each hit. Given the searcher the query
    will run on, a scored translator leaves out the clauses that would add
    the same to every record found: the lift of a holdings tier no record
    reaches, and the bonus for tones no record found lacks.
    """

    def __init__(
        self, schema: tantivy.Schema, *, scored: bool = True, searcher: Any = None
    ) -> None:
        self.schema = schema
        self.scored = scored
        self.searcher = searcher

    def request_query(self, request: SearchRequest) -> tantivy.Query:
        """The query of a request with its filters applied (filters score nothing).

        A scored query also adds the holdings lift.
        """
        root = request.query
        if isinstance(root, Term) and self._lift_fits_inside(root):
            query = self._words_query(root, ANY_FIELD_BOOSTS, with_bonuses=True, lifted=True)
            lift = []
        else:
            query = self.node_query(root)
            lift = self._holdings_lift() if self.scored else []
        filters = [
            (tantivy.Occur.Must, tantivy.Query.const_score_query(self.filter_query(item), 0.0))
            for item in request.filters
        ]
        if not filters and not lift:
            return query
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, query), *filters, *lift])

    def _holdings_lift(self) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        """HOLDINGS_STEP per holdings tier a record reaches (it is indexed under its highest)."""
        return [
            (
                tantivy.Occur.Should,
                tantivy.Query.const_score_query(
                    tantivy.Query.term_query(self.schema, "holdings_tier", str(tier)),
                    HOLDINGS_STEP * reached,
                ),
            )
            for reached, tier in enumerate(HOLDINGS_TIERS, start=1)
            if self._found_anywhere("holdings_tier", str(tier))
        ]

    def _lift_fits_inside(self, term: Term) -> bool:
        """Whether the holdings lift can ride in the first clause of a query of this term alone.

        Only for a scored, unfielded, untruncated term whose first clause is
        one word or one word pair (those have lift values), and with a
        searcher to scale the lift by.
        """
        if not self.scored or self.searcher is None:
            return False
        words = fold_key(term.text).split()
        return (
            term.field is SearchField.ANY
            and bool(words)
            and not term.truncated
            and (not term.phrase or len(words) <= 2)
            and _typed_isbn(term) is None
        )

    def _lift_clauses(self, token: str) -> list[tantivy.Query]:
        """The token's holdings-lift values, each scored exactly its rank's lift.

        Every record holding a value scores the same for it (see
        `holdings_lift_value`), so one hit tells the boost that scales it.
        A rank no record found has is left out.
        """
        clauses = []
        for rank, tier in enumerate(HOLDINGS_TIERS, start=1):
            if not self._found_anywhere("holdings_tier", str(tier)):
                continue  # no record reaches this tier: nothing to look up
            value = holdings_lift_value(token, rank)
            query = tantivy.Query.term_query(self.schema, HOLDINGS_LIFT_FIELD, value)
            found = self.searcher.search(query, limit=1, count=False).hits
            if found:
                raw_score = float(found[0][0])
                clauses.append(tantivy.Query.boost_query(query, HOLDINGS_STEP * rank / raw_score))
        return clauses

    def _found_anywhere(self, field_name: str, value: str) -> bool:
        """Whether some record has this value (deleted ones may count); True without a searcher."""
        return self.searcher is None or bool(self.searcher.doc_freq(field_name, value))

    def _tones_tell_apart(self, fields: Sequence[tuple[str, float]], toned: list[str]) -> bool:
        """Whether some record with these words folded lacks them with exactly these tones.

        Every record with the toned words has the folded ones too, so equal
        counts in every field mean the same records: a tone bonus would lift
        them all alike. True without a searcher.
        """
        paired = len(toned) > 1
        if self.searcher is None or len(toned) > 2:
            return True  # longer phrases are not one token to count
        if paired and any(name not in PAIRED_FIELDS for name, _ in fields):
            return True
        folded = [fold_key(word) for word in toned]
        kind = "_pairs" if paired else ""
        for name, _ in fields:
            toned_count = self.searcher.doc_freq(f"{name}{kind}_match", PAIR_JOINER.join(toned))
            folded_count = self.searcher.doc_freq(f"{name}{kind}_fold", PAIR_JOINER.join(folded))
            if toned_count != folded_count:
                return True
        return False

    def node_query(self, node: QueryNode) -> tantivy.Query:
        """The tantivy query of one node of the query model."""
        if isinstance(node, MatchAll):
            return tantivy.Query.all_query()
        if isinstance(node, Term):
            return self.term_query(node)
        if isinstance(node, YearRange):
            return self.year_query(node.first, node.last)
        if isinstance(node, Not):
            return tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Must, tantivy.Query.all_query()),
                    (tantivy.Occur.MustNot, self.node_query(node.part)),
                ]
            )
        if isinstance(node, And):
            clauses = []
            for part in node.parts:
                if isinstance(part, Not):
                    clauses.append((tantivy.Occur.MustNot, self.node_query(part.part)))
                else:
                    clauses.append((tantivy.Occur.Must, self.node_query(part)))
            if all(occur == tantivy.Occur.MustNot for occur, _ in clauses):
                clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
            return tantivy.Query.boolean_query(clauses)
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, self.node_query(part)) for part in node.parts]
        )

    def filter_query(self, item: Filter) -> tantivy.Query:
        """Records with any of the filter's values in its facet."""
        if item.facet is FacetField.YEAR:
            alternatives = []
            for value in item.values:
                if not value.strip().isdigit():
                    raise QueryError(
                        f"a year filter needs years, not {value!r}", problem="value", field="year"
                    )
                alternatives.append(self.year_query(int(value), int(value)))
            return _any_of(alternatives)
        field_name = FILTER_FIELDS[item.facet]
        return _any_of(
            [tantivy.Query.term_query(self.schema, field_name, value) for value in item.values]
        )

    def year_query(self, first: int | None, last: int | None) -> tantivy.Query:
        """Records published from `first` to `last`, both included."""
        return tantivy.Query.range_query(
            self.schema, "year", tantivy.FieldType.Integer, first, last
        )

    def term_query(self, term: Term) -> tantivy.Query:
        """The query of one Term, by the kind of field it names."""
        field = term.field
        text = term.text.strip()
        if field is SearchField.YEAR:
            return self.year_query(int(text), int(text))
        if field is SearchField.ISBN:
            isbn = normalise_isbn(text) or re.sub(r"[^0-9Xx]", "", text).upper()
            return tantivy.Query.term_query(self.schema, "isbn", isbn)
        if field is SearchField.ISSN:
            issn = issn_forms(text) or text.replace("-", "").upper()
            return tantivy.Query.term_query(self.schema, "issn", issn)
        if field is SearchField.CLASSIFICATION:
            value = _CLASSIFICATION_SEPARATORS.sub("", text).lower()
            if term.truncated:
                return tantivy.Query.regex_query(
                    self.schema, "classification", re.escape(value) + ".*"
                )
            return tantivy.Query.term_query(self.schema, "classification", value)
        if field is SearchField.LANGUAGE:
            return tantivy.Query.term_query(self.schema, "language", text.lower())
        if field is SearchField.MATERIAL_TYPE:
            return tantivy.Query.term_query(self.schema, "material_type", text.lower())
        if field is SearchField.LIBRARY_TYPE:
            return tantivy.Query.term_query(self.schema, "library_type", text.lower())
        if field is SearchField.LIBRARY:
            return tantivy.Query.term_query(self.schema, "library", text.upper())
        if field is SearchField.PROVINCE:
            return self._words_query(term, [("province", 1.0)], with_bonuses=False)
        if field is SearchField.ANY:
            return self._words_query(term, ANY_FIELD_BOOSTS, with_bonuses=True)
        return self._words_query(term, [(field.value, 1.0)], with_bonuses=True)

    def _words_query(
        self,
        term: Term,
        fields: Sequence[tuple[str, float]],
        *,
        with_bonuses: bool,
        lifted: bool = False,
    ) -> tantivy.Query:
        folded = fold_key(term.text).split()
        if not folded:
            return tantivy.Query.empty_query()
        isbn = _typed_isbn(term)
        if isbn:
            return tantivy.Query.term_query(self.schema, "isbn", isbn)
        if not self.scored:
            return self._words_match(term, fields, folded)
        required = [
            (tantivy.Occur.Must, query)
            for query in self._required_words(term, fields, folded, lifted=lifted)
        ]
        bonuses = self._bonuses(term, fields, folded) if with_bonuses else []
        if len(required) == 1 and not bonuses:
            return required[0][1]
        return tantivy.Query.boolean_query([*required, *bonuses])

    def _bonuses(
        self, term: Term, fields: Sequence[tuple[str, float]], folded: list[str]
    ) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        """The optional clauses that rank better matches of a term higher."""
        if term.field is SearchField.ANY:
            fields = ANYWHERE
        bonuses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        if len(folded) > 1 and not term.phrase:
            bonuses.append(
                (
                    tantivy.Occur.Should,
                    tantivy.Query.boost_query(
                        self._best_field(fields, "fold", folded, truncated=term.truncated),
                        PHRASE_BOOST,
                    ),
                )
            )
        if has_vietnamese_marks(term.text):
            toned = match_key(term.text).split()
            last = len(toned) - 1
            for number, word in enumerate(toned):
                truncated = term.truncated and number == last
                if not has_vietnamese_marks(word) or not (
                    truncated or self._tones_tell_apart(fields, [word])
                ):
                    continue
                bonuses.append(
                    (
                        tantivy.Occur.Should,
                        tantivy.Query.boost_query(
                            self._best_field(fields, "match", [word], truncated=truncated),
                            TONE_BOOST,
                        ),
                    )
                )
            if len(toned) > 1 and (term.truncated or self._tones_tell_apart(fields, toned)):
                bonuses.append(
                    (
                        tantivy.Occur.Should,
                        tantivy.Query.boost_query(
                            self._best_field(fields, "match", toned, truncated=term.truncated),
                            TONE_BOOST,
                        ),
                    )
                )
        if term.field in (SearchField.ANY, SearchField.AUTHOR) and len(folded) > 1:
            bonuses.append(
                (
                    tantivy.Occur.Should,
                    tantivy.Query.boost_query(
                        tantivy.Query.term_query(
                            self.schema, "author_order", author_order_key(term.text)
                        ),
                        AUTHOR_ORDER_BOOST,
                    ),
                )
            )
        return bonuses

    def _required_words(
        self,
        term: Term,
        fields: Sequence[tuple[str, float]],
        folded: list[str],
        *,
        lifted: bool = False,
    ) -> list[tantivy.Query]:
        """Each word of a term in some field, or for a phrase the words together.

        Lifted, the first word (or the two words of a phrase) also carries the
        holdings lift.
        """
        groups = [folded] if term.phrase else [[word] for word in folded]
        last = len(groups) - 1
        return [
            self._best_field(
                fields,
                "fold",
                words,
                truncated=term.truncated and number == last,
                lift_token=PAIR_JOINER.join(words) if lifted and number == 0 else None,
            )
            for number, words in enumerate(groups)
        ]

    def _words_match(
        self, term: Term, fields: Sequence[tuple[str, float]], folded: list[str]
    ) -> tantivy.Query:
        """The records a term finds, unscored: its required words, no bonuses.

        A truncated word is still looked for field by field: prefix expansion
        is bounded per field, so the catch-all field could expand differently.
        """
        if not term.truncated and len(fields) > 1:
            fields = [(CATCH_ALL_FIELD, 1.0)]
        required = self._required_words(term, fields, folded)
        if len(required) == 1:
            return required[0]
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, query) for query in required])

    def _best_field(
        self,
        fields: Sequence[tuple[str, float]],
        form: str,
        words: list[str],
        *,
        truncated: bool,
        lift_token: str | None = None,
    ) -> tantivy.Query:
        """The words in any of the fields, scored in each field they are in, weighted.

        With a lift token, its holdings-lift clauses join the same union: each
        matches only records holding the token, so the union finds the same
        records.
        """
        alternatives = []
        for name, boost in fields:
            query = self._words_in_field(name, form, words, truncated=truncated)
            alternatives.append(query if boost == 1.0 else tantivy.Query.boost_query(query, boost))
        if lift_token is not None:
            alternatives.extend(self._lift_clauses(lift_token))
        return _any_of(alternatives)

    def _words_in_field(
        self, name: str, form: str, words: list[str], *, truncated: bool
    ) -> tantivy.Query:
        """The words, in this order and side by side, in one form of one text field."""
        field_name = f"{name}_{form}"
        if truncated:
            return tantivy.Query.phrase_prefix_query(self.schema, field_name, list(words))
        if len(words) == 1:
            return tantivy.Query.term_query(self.schema, field_name, words[0])
        positioned: list[str | tuple[int, str]] = list(words)
        phrase = tantivy.Query.phrase_query(self.schema, field_name, positioned)
        if name not in PAIRED_FIELDS:
            return phrase
        pairs = [
            tantivy.Query.term_query(self.schema, f"{name}_pairs_{form}", PAIR_JOINER.join(pair))
            for pair in pairwise(words)
        ]
        if len(pairs) == 1:
            return pairs[0]
        # Every pair present does not prove the order ("a b" and "b c" apart):
        # positions decide, read only for the records holding every pair.
        return tantivy.Query.boolean_query(
            [
                *((tantivy.Occur.Must, pair) for pair in pairs),
                (tantivy.Occur.Must, tantivy.Query.const_score_query(phrase, 0.0)),
            ]
        )


ISBN_LIKE = re.compile(r"(?:ISBN[-: ]*)?[0-9][0-9\- ]{8,16}[0-9Xx]", re.IGNORECASE)


def _typed_isbn(term: Term) -> str | None:
    """The ISBN-13 an unfielded term reads as, if it is a valid ISBN: then it is looked up alone."""
    if term.field is not SearchField.ANY or not ISBN_LIKE.fullmatch(term.text.strip()):
        return None
    return normalise_isbn(term.text)


def _any_of(queries: list[tantivy.Query]) -> tantivy.Query:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, query) for query in queries])
