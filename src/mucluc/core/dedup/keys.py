"""Blocking keys: the values two records must share before they are compared at all.

Identifiers first (ISBN-13 from 020$a; invalid or cancelled ISBNs from 020$z
and bad check digits; ISSN; LCCN; 035 control numbers with their source),
then the folded title proper with the year and with the first author, the
first three and the last four title words with the year (so a title cut
short, reworded or misspelt at either end still meets its twin), and the
authors' family names with the year. Records are compared only within a
block, so the cost grows with the number of candidates, not with n².

The title and name keys grow with the catalogue: "an introduction to|2022"
or a common given name with a year is shared by hundreds of different
books. A block holding more records than the policy's `block_limit` is
crowded and pairs no one (`is_crowded`): the cost per record stays bounded
whatever the catalogue's size, and only the size of the block decides, so
a rebuild finds the same pairs as incremental matching. Identifier blocks
are never crowded: an ISBN shared by many different books is for the
staff blocklist. Pure: keys are computed from a profile alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TypeVar

from mucluc.core.dedup.compare import IsbnBlocklist, fold_key, name_key, without_remarks
from mucluc.core.dedup.profile import MatchProfile

ISBN_KEY = "isbn"
INVALID_ISBN_KEY = "isbn-invalid"
ISSN_KEY = "issn"
LCCN_KEY = "lccn"
CONTROL_NUMBER_KEY = "control-number"
TITLE_YEAR_KEY = "title-year"
TITLE_AUTHOR_KEY = "title-author"
TITLE_START_KEY = "title-start-year"
TITLE_START_WORDS = 3
TITLE_END_KEY = "title-end-year"
TITLE_END_WORDS = 4
AUTHORS_YEAR_KEY = "authors-year"
IDENTIFIER_KINDS = frozenset({ISBN_KEY, INVALID_ISBN_KEY, ISSN_KEY, LCCN_KEY, CONTROL_NUMBER_KEY})

Member = TypeVar("Member")


def title_key(title: str) -> str:
    """The folded title proper, as blocking compares it: "Văn hoá Việt Nam" → "van hoa viet nam".

    A remark in brackets is left out, as comparison leaves it out: "Index
    research (panel session)" meets "Index research"; a title supplied wholly
    in brackets ("[Bản đồ Hà Nội]") is kept.
    """
    return fold_key(without_remarks(title)) or fold_key(title)


def author_key(heading: str) -> str:
    """The folded name with its words sorted, so "Nguyễn, Du", "Du, Nguyễn" and "NGUYEN DU" meet."""
    return " ".join(sorted(fold_key(name_key(heading)).split()))


def family_name_key(heading: str) -> str:
    """The folded word a heading files under: before a comma, else the last word.

    "Naughton, Jeffrey F." and "Jeffrey F. Naughton" give "naughton". For a
    Vietnamese name in direct order this is the given name, which is as good
    a blocking word as any, as long as both records write the name one way.
    """
    family, comma, given = heading.partition(",")
    words = fold_key(name_key(family if comma and given.strip() else heading)).split()
    if not words:
        return ""
    return words[0] if comma and given.strip() else words[-1]


def blocking_keys(
    profile: MatchProfile, blocklist: IsbnBlocklist | None = None
) -> set[tuple[str, str]]:
    """Every `(kind, value)` key of a profile; records sharing any key become candidates.

    A blocklisted ISBN gives no key: it is printed in many different books.
    A record without a title proper gives no title keys.
    """
    blocked = blocklist or IsbnBlocklist()
    keys = {(ISBN_KEY, isbn) for isbn in profile.isbns if isbn not in blocked}
    keys |= {(INVALID_ISBN_KEY, isbn) for isbn in profile.invalid_isbns if isbn not in blocked}
    # An invalid number in one record may be the other's only number: both meet here.
    keys |= {(INVALID_ISBN_KEY, isbn) for isbn in profile.isbns if isbn not in blocked}
    keys |= {(ISSN_KEY, issn) for issn in profile.issns}
    keys |= {(LCCN_KEY, lccn) for lccn in profile.lccns}
    keys |= {(CONTROL_NUMBER_KEY, number) for number in profile.control_numbers}
    if profile.authors and profile.year is not None:
        # Every name's family name with the year catches titles with typos ("Turst").
        family_names = sorted({family_name_key(name) for name in profile.authors} - {""})
        keys.add((AUTHORS_YEAR_KEY, f"{' '.join(family_names)}|{profile.year}"))
    title = title_key(profile.title)
    if title:
        if profile.year is not None:
            keys.add((TITLE_YEAR_KEY, f"{title}|{profile.year}"))
            # The first words catch titles that differ further on ("SQL 3" / "SQL3").
            words = title.split()
            keys.add((TITLE_START_KEY, f"{' '.join(words[:TITLE_START_WORDS])}|{profile.year}"))
            if len(words) > TITLE_END_WORDS:
                # The last words catch titles that differ at the start ("Gangam" / "Sangam").
                end = " ".join(words[-TITLE_END_WORDS:])
                keys.add((TITLE_END_KEY, f"{end}|{profile.year}"))
        if profile.authors:
            keys.add((TITLE_AUTHOR_KEY, f"{title}|{author_key(profile.authors[0])}"))
    return keys


def is_crowded(kind: str, holders: int, block_limit: int) -> bool:
    """Whether a block of this kind and size is too common to pair its records.

    `holders` counts every active record with the key, of every library.
    """
    return holders > block_limit and kind not in IDENTIFIER_KINDS


def uncrowded_blocks(
    keyed: Iterable[tuple[Member, Iterable[tuple[str, str]]]], block_limit: int
) -> dict[tuple[str, str], list[Member]]:
    """The members of each block, in the order given, leaving crowded blocks out."""
    blocks: dict[tuple[str, str], list[Member]] = defaultdict(list)
    for member, keys in keyed:
        for key in keys:
            blocks[key].append(member)
    return {
        key: members
        for key, members in blocks.items()
        if not is_crowded(key[0], len(members), block_limit)
    }


def candidate_pairs(
    profiles: Iterable[MatchProfile], blocklist: IsbnBlocklist | None, block_limit: int
) -> Iterator[tuple[MatchProfile, MatchProfile]]:
    """Each pair of profiles that share an uncrowded blocking key, once, ordered by record id.

    Records of one library are still paired (the decision vetoes them with a
    reason). The pairs come out sorted, so runs are repeatable.
    """
    blocks = uncrowded_blocks(
        ((profile, blocking_keys(profile, blocklist)) for profile in profiles), block_limit
    )
    seen: set[tuple[str, str]] = set()
    pairs = []
    for members in blocks.values():
        for position, left in enumerate(members):
            for right in members[position + 1 :]:
                first, second = sorted((left, right), key=lambda profile: profile.record_id)
                identity = (first.record_id, second.record_id)
                if identity[0] != identity[1] and identity not in seen:
                    seen.add(identity)
                    pairs.append((first, second))
    pairs.sort(key=lambda pair: (pair[0].record_id, pair[1].record_id))
    yield from pairs
