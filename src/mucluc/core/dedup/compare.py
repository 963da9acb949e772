"""Pair comparison: per-field evidence (values, similarity, weight, rule) for two profiles.

Each `compare_*` function looks at one field of two `MatchProfile`s and says
what it found, with the weight that finding adds to (or takes from) the case
for one edition. Vietnamese-aware (docs/vietnamese-text.md §2 and §5): tone
placement, NFC/NFD, i/y and case are equal; titles or names that differ only
in their tones or in đ/d (Đoàn, Doãn) are not equal; "Nguyễn, Du" is
"Nguyễn Du". Pure: nothing here decides a match or touches storage.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from rapidfuzz import fuzz

from mucluc.core.dedup.profile import MatchProfile, parse_edition_number
from mucluc.core.normalise import text

KEY_CACHE_SIZE = 1 << 16

# A record is compared with many candidates, so the same titles and names are keyed
# again and again; the keys are pure functions of the text, so each is made once.
fold_key = lru_cache(maxsize=KEY_CACHE_SIZE)(text.fold_key)
name_key = lru_cache(maxsize=KEY_CACHE_SIZE)(text.name_key)


@dataclass(frozen=True)
class Evidence:
    """What one field of a pair says: the values seen, how alike, its weight and the rule."""

    field: str
    left: str
    right: str
    similarity: float
    weight: float
    rule: str


@dataclass(frozen=True)
class ComparisonWeights:
    """The weight each finding adds to a pair's score; a `DedupPolicy` carries one.

    Positive weights argue for one edition, negative ones against. Tuned on
    the DBLP-ACM train and valid splits and the project's Vietnamese set
    (bench/dedup_eval.py), never on a test split.
    """

    isbn_shared: float = 6.0
    isbn_conflict: float = -4.0
    invalid_isbn_shared: float = 2.0
    control_number_shared: float = 6.0
    lccn_conflict: float = -3.0
    issn_shared: float = 2.0
    title_same: float = 3.0
    title_unaccented: float = 2.0
    title_subtitle_missing: float = 2.0
    title_tones_differ: float = -3.0
    title_close: float = 2.5
    title_cut_short: float = 2.5
    title_words_added: float = 2.5
    title_near: float = 1.0
    title_different: float = -5.0
    title_close_similarity: float = 0.95
    title_near_similarity: float = 0.9
    authors_same: float = 2.0
    authors_partly: float = 1.5
    authors_subset: float = 0.0
    authors_most: float = 1.5
    authors_most_share: float = 0.75
    authors_some: float = 0.5
    authors_different: float = -3.0
    year_same: float = 1.0
    year_near: float = -1.0
    publisher_same: float = 1.0
    publisher_different: float = -1.0
    host_same: float = 0.5
    pages_same: float = 1.0
    pages_near: float = 0.5
    pages_different: float = -2.0
    edition_same: float = 0.5
    edition_one_side: float = -4.0
    volume_same: float = 0.5
    volume_one_side: float = -3.0

    @cached_property
    def most_remaining(self) -> float:
        """`most_remaining_weight` of these weights, worked out once: it is read for every pair."""
        return most_remaining_weight(self)


@dataclass(frozen=True)
class IsbnBlocklist:
    """ISBNs known to be printed in many different books; staff edit the list."""

    isbns: frozenset[str] = field(default_factory=frozenset)

    def __contains__(self, isbn: object) -> bool:
        return isbn in self.isbns


def _joined(values: Collection[str]) -> str:
    return "; ".join(values)


def compare_identifiers(
    left: MatchProfile,
    right: MatchProfile,
    weights: ComparisonWeights,
    blocklist: IsbnBlocklist | None = None,
) -> list[Evidence]:
    """Compare ISBNs (020$a, then 020$z and invalid ones), LCCN, 035 numbers and ISSN.

    A blocklisted ISBN is no evidence either way. Two records that both carry
    valid ISBNs and share none are told apart.
    """
    blocked = blocklist.isbns if blocklist else frozenset()
    evidence = []
    left_isbns = [isbn for isbn in left.isbns if isbn not in blocked]
    right_isbns = [isbn for isbn in right.isbns if isbn not in blocked]
    shared = sorted(set(left_isbns).intersection(right_isbns))
    if shared:
        evidence.append(
            Evidence(
                "isbn", _joined(shared), _joined(shared), 1.0, weights.isbn_shared, "isbn-shared"
            )
        )
    elif left_isbns and right_isbns:
        evidence.append(
            Evidence(
                "isbn",
                _joined(left_isbns),
                _joined(right_isbns),
                0.0,
                weights.isbn_conflict,
                "isbn-conflict",
            )
        )
    if left.invalid_isbns or right.invalid_isbns:  # else the valid ones said it all
        left_any = set(left.invalid_isbns).union(left_isbns)
        right_any = set(right.invalid_isbns).union(right_isbns)
        invalid_shared = sorted((left_any & right_any).difference(shared))
        if invalid_shared:
            evidence.append(
                Evidence(
                    "isbn",
                    _joined(invalid_shared),
                    _joined(invalid_shared),
                    1.0,
                    weights.invalid_isbn_shared,
                    "invalid-isbn-shared",
                )
            )
    control_shared = sorted(
        set(left.control_numbers).intersection(right.control_numbers)
        | set(left.lccns).intersection(right.lccns)
    )
    if control_shared:
        evidence.append(
            Evidence(
                "control-number",
                _joined(control_shared),
                _joined(control_shared),
                1.0,
                weights.control_number_shared,
                "control-number-shared",
            )
        )
    elif left.lccns and right.lccns:
        evidence.append(
            Evidence(
                "lccn",
                _joined(left.lccns),
                _joined(right.lccns),
                0.0,
                weights.lccn_conflict,
                "lccn-conflict",
            )
        )
    issn_shared = sorted(set(left.issns) & set(right.issns))
    if issn_shared:
        evidence.append(
            Evidence(
                "issn",
                _joined(issn_shared),
                _joined(issn_shared),
                1.0,
                weights.issn_shared,
                "issn-shared",
            )
        )
    return evidence


def string_similarity(left: str, right: str) -> float:
    """Similarity of two keys from 0 to 1: the better of the edit and word-order-free ratios."""
    if not left or not right:
        return 0.0
    return max(fuzz.ratio(left, right), fuzz.token_sort_ratio(left, right)) / 100.0


# A remark in brackets after a title: "(Experience Paper)", "(panel session)", "[microform]".
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def without_remarks(title: str) -> str:
    """A title without its remarks in brackets ("Index research (panel session)")."""
    return _PARENTHESES.sub(" ", title)


def _full_title(profile: MatchProfile) -> str:
    return f"{profile.title} {profile.subtitle}".strip()


# In NFD, what only Vietnamese writes among the languages catalogued here: đ, the
# breve (ă), the horn (ơ, ư), the hook above, the dot below, a circumflex with a tone.
_VIETNAMESE_SIGNS = re.compile("[đĐ\u0306\u031b\u0309\u0323]|\u0302[\u0300\u0301\u0303]")


def looks_vietnamese(text: str) -> bool:
    """Tell whether a text carries a letter or mark only Vietnamese writes ("Đoàn", "Lễ").

    French "Siméon" and Czech "Jiří" do not: their marks are not Vietnamese tones.
    """
    return _VIETNAMESE_SIGNS.search(unicodedata.normalize("NFD", text)) is not None


# ISBD punctuation between a title proper and other title information or a remark:
# "Foundations of X - Book review", "Tutorial: X", "X / by Y", "X. Part one".
_TITLE_SEPARATORS = re.compile(r"\s*(?:[:;/=]|\s[-\u2013\u2014]+\s|\.\s)\s*")
TITLE_PART_MIN_WORDS = 3
TRUNCATED_TITLE_MIN_WORDS = 4
TRUNCATED_TITLE_MIN_CHARACTERS = 25
ADDED_TITLE_WORDS = 2


@dataclass(frozen=True, slots=True)
class TitleKeys:
    """One key form of a title (tones kept, or folded) as the title comparisons read it.

    `whole` keys the title as written; `plain` keys it without its remarks in
    brackets; `first_part` keys the plain title's part before its first ISBD
    separator, when it has more than one part ("" otherwise).
    """

    whole: str
    plain: str
    first_part: str


@dataclass(frozen=True, slots=True)
class TitleForms:
    """Everything the title comparisons read from one title, worked out once per text.

    A record is compared with many candidates, and a candidate with many
    records: keying, splitting and looking for Vietnamese marks per pair
    took most of a pair's time.
    """

    toned: TitleKeys
    folded: TitleKeys
    vietnamese: bool

    def keys(self, marked: bool) -> TitleKeys:
        """The tone-keeping keys when both sides write tones (`marked`), else the folded ones."""
        return self.toned if marked else self.folded


def _both_keys(title: str) -> tuple[str, str]:
    """The match key and the fold key of a text, keyed once."""
    toned = text.match_key(title)
    return toned, text.fold_of_match_key(toned)


@lru_cache(maxsize=KEY_CACHE_SIZE)
def title_forms(title: str) -> TitleForms:
    """The keys and the Vietnamese sign of a title (`TitleForms`)."""
    whole = _both_keys(title)
    plain_text = without_remarks(title)
    plain = whole if plain_text == title else _both_keys(plain_text)
    first_parts = ("", "")
    parts = _TITLE_SEPARATORS.split(plain_text)
    if len(parts) > 1:
        keyed = [_both_keys(part) for part in parts]
        toned_parts = [toned for toned, _ in keyed if toned]
        folded_parts = [folded for _, folded in keyed if folded]
        first_parts = (
            toned_parts[0] if len(toned_parts) > 1 else "",
            folded_parts[0] if len(folded_parts) > 1 else "",
        )
    return TitleForms(
        TitleKeys(whole[0], plain[0], first_parts[0]),
        TitleKeys(whole[1], plain[1], first_parts[1]),
        looks_vietnamese(title),
    )


def _tones_only_differ(left: TitleForms, right: TitleForms) -> bool:
    """Both texts are Vietnamese with marks, so equal fold keys but other tones are other words."""
    return left.vietnamese and right.vietnamese


def title_is_part_of(shorter: TitleKeys, longer: TitleKeys) -> bool:
    """Tell whether one title is the other cut short: its title proper, or a long prefix.

    "Introduction to constraint databases" is the part before the first
    separator of "Introduction to Constraint Databases - Book Review". Only
    the first part counts: what follows is other title information or a
    remark, and "Erratum: A database model" is not "A database model". A
    title of fewer than three words proves nothing this way ("Guest
    editorial"). A prefix without punctuation counts only for a long title
    (four words, 25 letters), as a system that cuts titles at a field length
    leaves them, so "Lịch sử Việt Nam" is not taken for "Lịch sử Việt Nam
    hiện đại". Compared in one key form (`TitleForms.keys`): with tones kept,
    tones must agree too.
    """
    short_key = shorter.plain
    words = len(short_key.split())
    if words < TITLE_PART_MIN_WORDS:
        return False
    if short_key == longer.first_part:
        return True
    return (
        words >= TRUNCATED_TITLE_MIN_WORDS
        and len(short_key) >= TRUNCATED_TITLE_MIN_CHARACTERS
        and longer.plain.startswith(short_key + " ")
    )


def title_has_words_added(shorter: TitleForms, longer: TitleForms) -> bool:
    """Tell whether the longer title is the shorter with a word or two put in after its start.

    "FlowBack: providing backward recovery for workflow management systems"
    adds "management". The shorter title needs four words and the same first
    word. Not for Vietnamese, whose words are syllables: "Lịch sử văn học
    Việt Nam" adds two to "Lịch sử Việt Nam" and is another subject.
    """
    if shorter.vietnamese or longer.vietnamese:
        return False
    short_words = shorter.folded.plain.split()
    long_words = longer.folded.plain.split()
    if (
        len(short_words) < TRUNCATED_TITLE_MIN_WORDS
        or not 0 < len(long_words) - len(short_words) <= ADDED_TITLE_WORDS
        or short_words[0] != long_words[0]
    ):
        return False
    remaining = iter(long_words)
    return all(word in remaining for word in short_words)


def compare_titles(left: MatchProfile, right: MatchProfile, weights: ComparisonWeights) -> Evidence:
    """Compare titles: equal match keys, then equal fold keys, then the title proper, then fuzzy.

    "Văn hoá" = "Văn hóa" (tone placement) = "VĂN HOÁ"; "Lịch sử" ≠ "Lịch sự"
    (tones differ, both marked); "Lich su" = "Lịch sử" only weakly (one side
    has no marks at all), while "Themis" = "Thémis" fully. A subtitle present
    on one side only is tolerated, and so is a title cut short
    (`title_is_part_of`) or with a word or two added (`title_has_words_added`).
    """
    left_full, right_full = _full_title(left), _full_title(right)
    values = (left_full, right_full)
    left_forms, right_forms = title_forms(left_full), title_forms(right_full)
    if left_forms.toned.whole == right_forms.toned.whole:
        return Evidence("title", *values, 1.0, weights.title_same, "same-title")
    left_fold, right_fold = left_forms.folded.whole, right_forms.folded.whole
    both_vietnamese = _tones_only_differ(left_forms, right_forms)
    if left_fold == right_fold:
        if both_vietnamese:
            return Evidence("title", *values, 0.5, weights.title_tones_differ, "title-tones-differ")
        if not (left_forms.vietnamese or right_forms.vietnamese):
            # "Thémis" and "Themis": outside Vietnamese a lost accent rarely makes another word.
            return Evidence("title", *values, 1.0, weights.title_same, "same-title-accents-lost")
        return Evidence("title", *values, 0.9, weights.title_unaccented, "same-title-unaccented")
    if (not left.subtitle or not right.subtitle) and _same_title_proper(left, right):
        return Evidence(
            "title", *values, 0.9, weights.title_subtitle_missing, "same-title-subtitle-one-side"
        )
    similarity = string_similarity(left_fold, right_fold)
    plain = (left_forms.folded.plain, right_forms.folded.plain)
    if plain != (left_fold, right_fold):  # most titles have no remarks in brackets
        similarity = max(similarity, string_similarity(*plain))
    if similarity >= weights.title_close_similarity:
        return Evidence("title", *values, similarity, weights.title_close, "close-title")
    shorter, longer = (
        (left_forms, right_forms)
        if len(left_full) <= len(right_full)
        else (right_forms, left_forms)
    )
    if title_is_part_of(shorter.keys(both_vietnamese), longer.keys(both_vietnamese)):
        return Evidence("title", *values, similarity, weights.title_cut_short, "title-cut-short")
    if title_has_words_added(shorter, longer):
        return Evidence(
            "title", *values, similarity, weights.title_words_added, "title-words-added"
        )
    if similarity >= weights.title_near_similarity:
        return Evidence("title", *values, similarity, weights.title_near, "near-title")
    return Evidence("title", *values, similarity, weights.title_different, "different-title")


def _same_title_proper(left: MatchProfile, right: MatchProfile) -> bool:
    """Equal titles proper (245$a) folded, unless both write tones and the tones differ."""
    left_forms, right_forms = title_forms(left.title), title_forms(right.title)
    if left_forms.folded.whole != right_forms.folded.whole:
        return False
    return not (
        left_forms.toned.whole != right_forms.toned.whole
        and _tones_only_differ(left_forms, right_forms)
    )


def _is_initial(token: str) -> bool:
    return len(token) == 1


def _is_short_form(token: str, other: str) -> bool:
    """Tell whether one given name is a short form of the other ("jeff", "jeffrey")."""
    short, long = sorted((token, other), key=len)
    return len(short) >= 3 and long.startswith(short)


def classify_names(left: str, right: str) -> tuple[str, float]:
    """Class and similarity of two personal or corporate name headings (§5).

    "same" (name keys equal: "Nguyễn, Du" = "Nguyễn Du"), "same-unaccented"
    (one side has no marks), "tones-differ" (Đoàn vs Doãn: not the same on
    that alone), "reordered" ("Du, Nguyễn"; "Naughton, Jeffrey"), "initials"
    ("J. F. Naughton" for "Jeffrey F. Naughton"), or "different".
    """
    left_key, right_key = name_key(left), name_key(right)
    if left_key == right_key:
        return "same", 1.0
    left_fold, right_fold = fold_key(left_key), fold_key(right_key)
    if left_fold == right_fold:
        if looks_vietnamese(left) and looks_vietnamese(right):
            return "tones-differ", 0.0
        return "same-unaccented", 0.8
    left_tokens, right_tokens = left_fold.split(), right_fold.split()
    if sorted(left_tokens) == sorted(right_tokens):
        return "reordered", 0.8
    shorter, longer = sorted((left_tokens, right_tokens), key=len)
    remaining = list(longer)
    full_matches = 0
    # "Jeff" for "Jeffrey" is a Western habit; Vietnamese "An" and "Anh" are two names.
    shortened = not (looks_vietnamese(left) or looks_vietnamese(right))
    for token in shorter:
        if token in remaining:
            remaining.remove(token)
            full_matches += not _is_initial(token)
            continue
        initial = next(
            (
                other
                for other in remaining
                if (_is_initial(token) and other.startswith(token))
                or (_is_initial(other) and token.startswith(other))
                or (shortened and _is_short_form(token, other))
            ),
            None,
        )
        if initial is None:
            full_matches = 0
            break
        remaining.remove(initial)
    if full_matches:
        return "initials", 0.8
    if (
        shortened
        and len(left_tokens) > 1
        and len(right_tokens) > 1
        and left_tokens[-1] == right_tokens[-1]
        and len(left_tokens[-1]) > 2
        and left_tokens[0][0] == right_tokens[0][0]
    ):
        # "Avi Silberschatz" for "Abraham Silberschatz": family name and first initial agree.
        return "family-name-and-initial", 0.6
    return "different", 0.0


NEAR_NAME_SIMILARITY = 0.8
MOST_AUTHORS_MIN_NAMES = 3  # "most of the names" means little in a list of two


def names_nearly_alike(left: str, right: str) -> bool:
    """Tell whether two non-Vietnamese names differ by a slip of the pen or a familiar form.

    "Ashok Josji" for "Ashok Joshi", "Peter Mcllroy" for "Peter McIlroy",
    "Dick Tsur" for "Shalom Tsur" (one family name). Vietnamese names never:
    "Nguyễn Văn An" and "Nguyễn Văn Anh" are two people.
    """
    if looks_vietnamese(left) or looks_vietnamese(right):
        return False
    left_words, right_words = fold_key(name_key(left)).split(), fold_key(name_key(right)).split()
    if not left_words or not right_words:
        return False
    same_family = left_words[-1] == right_words[-1] and len(left_words[-1]) > 2
    return same_family or (
        fuzz.ratio(" ".join(left_words), " ".join(right_words)) / 100.0 >= NEAR_NAME_SIMILARITY
    )


def compare_authors(
    left: MatchProfile, right: MatchProfile, weights: ComparisonWeights
) -> Evidence | None:
    """Compare the name lists: the share of the shorter list found in the longer one.

    None when neither record names anyone; a record naming no one beside one
    that does is no evidence (cataloguers leave names out). In a list of
    several names of which one at least agrees, a name nearly alike
    (`names_nearly_alike`) is taken for a slip rather than another person.
    """
    if not left.authors and not right.authors:
        return None
    values = (_joined(left.authors), _joined(right.authors))
    if not left.authors or not right.authors:
        return Evidence("authors", *values, 0.0, 0.0, "authors-one-side")
    shorter, longer = sorted((left.authors, right.authors), key=len)
    remaining = list(longer)
    unmatched = []
    classes = []
    for name in shorter:
        (name_class, similarity), other = max(
            ((classify_names(name, other), other) for other in remaining),
            key=lambda candidate: candidate[0][1],
        )
        classes.append(name_class)
        if similarity > 0:
            remaining.remove(other)
        else:
            unmatched.append(name)
    if len(shorter) > 1 and len(unmatched) < len(shorter):
        for name in list(unmatched):
            alike = next((other for other in remaining if names_nearly_alike(name, other)), None)
            if alike is not None:
                remaining.remove(alike)
                unmatched.remove(name)
                classes.append("nearly-alike")
    found = len(shorter) - len(unmatched)
    share = found / len(shorter)
    if found == len(shorter) and len(shorter) == len(longer):
        rule = "same-authors" if set(classes) == {"same"} else "similar-authors"
        return Evidence("authors", *values, share, weights.authors_same, rule)
    if found == len(shorter) and len(longer) - len(shorter) == 1:
        return Evidence("authors", *values, share, weights.authors_partly, "authors-one-more")
    if found == len(shorter):
        return Evidence("authors", *values, share, weights.authors_subset, "authors-subset")
    if share >= weights.authors_most_share and found >= MOST_AUTHORS_MIN_NAMES:
        return Evidence("authors", *values, share, weights.authors_most, "most-authors")
    if share >= 0.5:
        return Evidence("authors", *values, share, weights.authors_some, "some-authors")
    rule = "authors-tones-differ" if "tones-differ" in classes else "different-authors"
    return Evidence("authors", *values, share, weights.authors_different, rule)


def compare_years(
    left: MatchProfile, right: MatchProfile, weights: ComparisonWeights
) -> Evidence | None:
    """Compare years of publication; a gap beyond the tolerance is a veto, not evidence."""
    if left.year is None or right.year is None:
        return None
    values = (str(left.year), str(right.year))
    if left.year == right.year:
        return Evidence("year", *values, 1.0, weights.year_same, "same-year")
    return Evidence("year", *values, 0.5, weights.year_near, "near-year")


_PUBLISHER_NOISE = re.compile(
    r"\b(?:nxb|nha xuat ban|xuat ban|publishers?|publishing|press|verlag|editions?|editore|"
    r"editoriale|editrice|edizioni|inc|ltd|co|company|gmbh|s a|s p a|the)\b"
)


def publisher_key(publisher: str) -> str:
    """Fold a publisher name and drop words that only say it is a publisher ("Nxb.", "Press")."""
    return " ".join(_PUBLISHER_NOISE.sub(" ", fold_key(publisher)).split())


def compare_publishers(
    left: MatchProfile, right: MatchProfile, weights: ComparisonWeights
) -> Evidence | None:
    """Compare publishers (260/264$b): "Nxb. Trẻ" = "Nhà xuất bản Trẻ" = "Trẻ"."""
    left_key, right_key = publisher_key(left.publisher), publisher_key(right.publisher)
    if not left_key or not right_key:
        return None
    values = (left.publisher, right.publisher)
    similarity = fuzz.token_set_ratio(left_key, right_key) / 100.0
    if similarity >= 0.9:
        return Evidence("publisher", *values, similarity, weights.publisher_same, "same-publisher")
    if similarity >= 0.6:
        return Evidence("publisher", *values, similarity, 0.0, "similar-publisher")
    return Evidence(
        "publisher", *values, similarity, weights.publisher_different, "different-publisher"
    )


def _acronym(words: list[str]) -> str:
    return "".join(word[0] for word in words if word not in ("of", "on", "and", "the", "for"))


def compare_hosts(
    left: MatchProfile, right: MatchProfile, weights: ComparisonWeights
) -> Evidence | None:
    """Compare host items (773$t, a paper's venue): agreement helps, disagreement is no evidence.

    Sources name one venue many ways ("VLDB", "Very Large Data Bases"), so a
    difference says little; an acronym that spells the other name counts as agreement.
    """
    left_key, right_key = fold_key(left.host), fold_key(right.host)
    if not left_key or not right_key:
        return None
    values = (left.host, right.host)
    similarity = fuzz.token_set_ratio(left_key, right_key) / 100.0
    acronyms = {_acronym(left_key.split()), _acronym(right_key.split())}
    if similarity >= 0.9 or left_key in acronyms or right_key in acronyms:
        return Evidence("host", *values, max(similarity, 0.9), weights.host_same, "same-host")
    return Evidence("host", *values, similarity, 0.0, "different-host")


def compare_pages(
    left: MatchProfile, right: MatchProfile, weights: ComparisonWeights
) -> Evidence | None:
    """Compare page counts (300$a): equal, near (unnumbered pages counted or not), or not."""
    if left.pages is None or right.pages is None:
        return None
    values = (str(left.pages), str(right.pages))
    gap = abs(left.pages - right.pages)
    if gap == 0:
        return Evidence("pages", *values, 1.0, weights.pages_same, "same-pages")
    if gap <= max(4, 0.03 * max(left.pages, right.pages)):
        return Evidence("pages", *values, 0.8, weights.pages_near, "near-pages")
    return Evidence("pages", *values, 0.0, weights.pages_different, "different-pages")


def compare_editions(
    left: MatchProfile, right: MatchProfile, weights: ComparisonWeights
) -> Evidence | None:
    """Compare edition statements (250$a); two different edition numbers are a veto instead."""
    if not left.edition and not right.edition:
        return None
    values = (left.edition, right.edition)
    left_number = parse_edition_number(left.edition) if left.edition else None
    right_number = parse_edition_number(right.edition) if right.edition else None
    if left_number is not None and left_number == right_number:
        return Evidence("edition", *values, 1.0, weights.edition_same, "same-edition")
    if left.edition and right.edition and fold_key(left.edition) == fold_key(right.edition):
        return Evidence("edition", *values, 1.0, weights.edition_same, "same-edition")
    stated = left_number if not right.edition else right_number if not left.edition else None
    if stated is not None and stated >= 2:
        return Evidence("edition", *values, 0.0, weights.edition_one_side, "edition-one-side")
    return Evidence("edition", *values, 0.5, 0.0, "edition-unclear")


def compare_volumes(
    left: MatchProfile, right: MatchProfile, weights: ComparisonWeights
) -> Evidence | None:
    """Compare volume numbers; two different numbers are a veto instead."""
    if not left.part_number and not right.part_number:
        return None
    values = (left.part_number, right.part_number)
    if left.part_number == right.part_number:
        return Evidence("volume", *values, 1.0, weights.volume_same, "same-volume")
    if left.part_number and right.part_number:
        return Evidence("volume", *values, 0.0, 0.0, "volume-differs")
    return Evidence("volume", *values, 0.0, weights.volume_one_side, "volume-one-side")


FieldComparison = Callable[[MatchProfile, MatchProfile, ComparisonWeights], Evidence | None]

# The comparisons after the identifiers and the title, each with the weights
# it can give (besides 0.0 and no evidence at all), for `most_remaining_weight`.
REMAINING_COMPARISONS: tuple[tuple[FieldComparison, tuple[str, ...]], ...] = (
    (
        compare_authors,
        (
            "authors_same",
            "authors_partly",
            "authors_subset",
            "authors_most",
            "authors_some",
            "authors_different",
        ),
    ),
    (compare_years, ("year_same", "year_near")),
    (compare_publishers, ("publisher_same", "publisher_different")),
    (compare_hosts, ("host_same",)),
    (compare_pages, ("pages_same", "pages_near", "pages_different")),
    (compare_editions, ("edition_same", "edition_one_side")),
    (compare_volumes, ("volume_same", "volume_one_side")),
)


def leading_evidence(
    left: MatchProfile,
    right: MatchProfile,
    weights: ComparisonWeights,
    blocklist: IsbnBlocklist | None = None,
) -> list[Evidence]:
    """The identifier and title evidence: what settles most pairs."""
    evidence = compare_identifiers(left, right, weights, blocklist)
    evidence.append(compare_titles(left, right, weights))
    return evidence


def remaining_evidence(
    left: MatchProfile, right: MatchProfile, weights: ComparisonWeights
) -> list[Evidence]:
    """The evidence of every field after the title."""
    found = (comparison(left, right, weights) for comparison, _ in REMAINING_COMPARISONS)
    return [evidence for evidence in found if evidence is not None]


def most_remaining_weight(weights: ComparisonWeights) -> float:
    """The most the remaining comparisons can add to a score together, each its largest weight."""
    return sum(
        max(0.0, *(float(getattr(weights, name)) for name in names))
        for _, names in REMAINING_COMPARISONS
    )


def compare_profiles(
    left: MatchProfile,
    right: MatchProfile,
    weights: ComparisonWeights,
    blocklist: IsbnBlocklist | None = None,
) -> tuple[Evidence, ...]:
    """All the evidence two profiles give, identifiers first, then each descriptive field."""
    return (
        *leading_evidence(left, right, weights, blocklist),
        *remaining_evidence(left, right, weights),
    )
