"""Evaluate the matcher (core/dedup) on labelled pairs; print pairwise precision, recall and F1.

Three sets, none copied into the repository:

- DBLP-ACM: the Leipzig tables (../shared/data/leipzig-dblp-acm-tables) read
  as two libraries through ingest's CSV path (role mapping id, title,
  authors, host = venue, year; CSV row → MARC record → match profile), and
  the labelled pairs of the DeepMatcher train and valid splits
  (../shared/data/ditto-er-magellan-dblp). The test split is not in the
  shared data; it would only ever be reported, never tuned on.
- Princeton: the human-labelled Alma/SCSB pairs
  (../shared/data/princeton-marc-dedup-pairs/labelled_pairs_train.json).
- Vietnamese: records the demo generator (mucluc.demo.generate) writes for
  its libraries, with the edition each came from as the truth, plus variants
  that must merge (NFD, Windows-1258 round trip, ISBN forms, inverted names,
  tone placement) and look-alikes that must not (other volume, other
  edition, Đoàn vs Doãn, same title by another author).

A pair is predicted a match when the records share a blocking key that is
not crowded in its set (each set is one catalogue: the DBLP-ACM tables
whole, the Princeton records, the Vietnamese records) and `decide_pair`
says match, so blocking losses count against recall.
Run: `.venv/bin/python bench/dedup_eval.py`.
"""

from __future__ import annotations

import argparse
import dataclasses
import html
import itertools
import json
import random
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mucluc.core.dedup.decide import DedupPolicy, MatchDecision, decide_pair
from mucluc.core.dedup.keys import blocking_keys, candidate_pairs, is_crowded
from mucluc.core.dedup.profile import (
    MatchProfile,
    parse_pages,
    profile_marc_record,
)
from mucluc.core.marc.tabular import read_table
from mucluc.core.model import LibraryInfo
from mucluc.demo import generate
from mucluc.demo.libraries import DEMO_LIBRARIES

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DBLP_ACM_TABLES = SHARED_DATA / "leipzig-dblp-acm-tables"
DBLP_ACM_PAIRS = SHARED_DATA / "ditto-er-magellan-dblp"
PRINCETON_PAIRS = SHARED_DATA / "princeton-marc-dedup-pairs" / "labelled_pairs_train.json"
TARGET_PRECISION = 0.995
TARGET_F1 = 0.98


@dataclass(frozen=True)
class LabelledPair:
    """Two profiles and whether they are one edition (or one paper)."""

    left: MatchProfile
    right: MatchProfile
    is_match: bool


@dataclass
class Scores:
    """Pairwise confusion counts and the figures derived from them."""

    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    true_negatives: int = 0

    @property
    def precision(self) -> float:
        """Share of predicted matches that are matches."""
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        """Share of matches that were predicted."""
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def block_sizes(catalogue: Iterable[MatchProfile], policy: DedupPolicy) -> Counter[tuple[str, str]]:
    """How many records of a catalogue hold each blocking key."""
    return Counter(
        key for profile in catalogue for key in blocking_keys(profile, policy.isbn_blocklist)
    )


def evaluate(
    pairs: Sequence[LabelledPair],
    policy: DedupPolicy,
    sizes: Counter[tuple[str, str]],
    show_errors: int = 0,
) -> tuple[Scores, list[tuple[LabelledPair, MatchDecision | None]]]:
    """Score the matcher on labelled pairs; return the counts and the misjudged pairs.

    `sizes` are the catalogue's block sizes, which say whether a shared key is crowded.
    """
    scores = Scores()
    errors: list[tuple[LabelledPair, MatchDecision | None]] = []
    for pair in sorted(pairs, key=lambda pair: pair.is_match):
        shared = blocking_keys(pair.left, policy.isbn_blocklist) & blocking_keys(
            pair.right, policy.isbn_blocklist
        )
        blocked = any(
            not is_crowded(kind, sizes[kind, value], policy.block_limit) for kind, value in shared
        )
        decision = decide_pair(pair.left, pair.right, policy) if blocked else None
        predicted = decision is not None and decision.is_match
        if predicted and pair.is_match:
            scores.true_positives += 1
        elif predicted:
            scores.false_positives += 1
            errors.append((pair, decision))
        elif pair.is_match:
            scores.false_negatives += 1
            errors.append((pair, decision))
        else:
            scores.true_negatives += 1
    return scores, errors[:show_errors] if show_errors else []


# --- DBLP-ACM -------------------------------------------------------------------------------


def _fingerprint(title: str, year: str) -> str:
    """Title and year with everything but letters and digits dropped, lower case."""
    return re.sub(r"[^0-9a-z]", "", html.unescape(title).lower()) + "|" + year.strip()


# The Leipzig headers as ingest's CSV reader takes them (`mucluc ingest --columns ...`).
LEIPZIG_COLUMNS = {
    "id": "id",
    "title": "title",
    "authors": "authors",
    "host": "venue",
    "year": "year",
}


def read_bibliographic_table(
    path: Path, library: str, encoding: str
) -> list[tuple[dict[str, str], MatchProfile]]:
    """Read a Leipzig CSV table through ingest's CSV path: each row and its record's profile.

    The rows become MARC records as `mucluc ingest` makes them from a CSV
    book list (core/marc/tabular.py), and the profiles are made from those
    records, so the matcher sees what it sees in production.
    """
    found = []
    for parsed in read_table(
        path.read_bytes(), path.name, encoding=encoding, columns=LEIPZIG_COLUMNS
    ):
        if parsed.record is None:
            continue
        row = json.loads(parsed.raw)
        profile = profile_marc_record(parsed.record, f"{library}:{row['id']}", library)
        found.append((row, profile))
    return found


def _ditto_record(serialised: str) -> dict[str, str]:
    values = dict(re.findall(r"COL (\w+) VAL (.*?)\s*(?=COL \w+ VAL|$)", serialised.strip()))
    return {key: value.strip() for key, value in values.items()}


Table = list[tuple[dict[str, str], MatchProfile]]


def read_dblp_acm_tables() -> tuple[Table, Table]:
    """The DBLP and ACM tables: each row with its record's profile."""
    return (
        read_bibliographic_table(DBLP_ACM_TABLES / "DBLP2.csv", "DBLP", "latin-1"),
        read_bibliographic_table(DBLP_ACM_TABLES / "ACM.csv", "ACM", "utf-8"),
    )


def load_dblp_acm(split: str, dblp: Table, acm: Table) -> tuple[list[LabelledPair], int, int]:
    """Labelled DBLP-ACM pairs of one split, as profiles of the Leipzig records.

    Returns the pairs, how many labelled lines could not be tied to a table
    row, and how many were left out because the very same pair of texts is
    labelled both match and non-match (recurring columns such as "Book review
    column", where only the issue, which the data lacks, tells them apart).
    """

    def index(
        table: Iterable[tuple[dict[str, str], MatchProfile]],
    ) -> dict[str, list[tuple[str, MatchProfile]]]:
        found: dict[str, list[tuple[str, MatchProfile]]] = {}
        for row, profile in table:
            authors = re.sub(r"[^a-z]", "", html.unescape(row["authors"]).lower())
            key = _fingerprint(row["title"], row["year"])
            found.setdefault(key, []).append((authors, profile))
        return found

    def ditto_key(record: dict[str, str]) -> tuple[str, str]:
        title = re.sub(r"[^0-9a-z]", "", record.get("title", "").lower())
        authors = re.sub(r"[^a-z]", "", record.get("authors", "").lower())
        return title + "|" + record.get("year", "").strip(), authors

    def resolve(
        record: dict[str, str], table: dict[str, list[tuple[str, MatchProfile]]]
    ) -> MatchProfile | None:
        key, authors = ditto_key(record)
        found = table.get(key, [])
        if len(found) > 1:
            found = [entry for entry in found if entry[0] == authors] or found[:1]
        return found[0][1] if found else None

    dblp_index, acm_index = index(dblp), index(acm)
    pairs, unresolved = [], 0
    path = DBLP_ACM_PAIRS / f"Structured__DBLP-ACM__{split}.txt"
    lines = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
    labels: dict[tuple[str, str], set[str]] = {}
    for left_text, right_text, label in lines:
        labels.setdefault((left_text.strip(), right_text.strip()), set()).add(label.strip())
    contradictory = {texts for texts, found in labels.items() if len(found) > 1}
    left_out = 0
    for left_text, right_text, label in lines:
        if (left_text.strip(), right_text.strip()) in contradictory:
            left_out += 1
            continue
        left = resolve(_ditto_record(left_text), dblp_index)
        right = resolve(_ditto_record(right_text), acm_index)
        if left is None or right is None:
            unresolved += 1
            continue
        pairs.append(LabelledPair(left, right, label.strip() == "1"))
    return pairs, unresolved, left_out


# --- Princeton -------------------------------------------------------------------------------


def _princeton_profile(record: dict[str, object]) -> MatchProfile:
    record_id = str(record["id"])
    title = str(record.get("title") or "")
    proper, _, subtitle = title.partition(" : ")
    year = str(record.get("publication_year") or "")
    electronic = bool(record.get("is_electronic_resource"))
    type_of = str(record.get("type_of") or "")
    record_format = (
        "" if not type_of else "ebook" if electronic else "print" if type_of in "at" else type_of
    )
    # SCSB records come from several partner libraries the file does not name: each is its own.
    library = record_id if record_id.startswith("SCSB-") else "PUL"
    return MatchProfile(
        record_id=record_id,
        library=library,
        title=proper,
        subtitle=subtitle,
        authors=(str(record["author"]),) if record.get("author") else (),
        edition=str(record.get("edition") or ""),
        publisher=str(record.get("publisher_name") or ""),
        year=int(year) if year.isdigit() else None,
        pages=parse_pages(str(record.get("pagination") or "")),
        format=record_format,
    )


def load_princeton() -> tuple[list[LabelledPair], int]:
    """The labelled pairs; a pair listed both as match and as distinct is left out and counted."""
    data = json.loads(PRINCETON_PAIRS.read_text(encoding="utf-8"))

    def identity(pair: dict[str, list[dict[str, object]]]) -> tuple[str, ...]:
        return tuple(sorted(str(record["id"]) for record in pair["__value__"]))

    matches = {identity(pair): pair for pair in data["match"]}
    distinct = {identity(pair): pair for pair in data["distinct"]}
    contradictory = set(matches) & set(distinct)
    pairs = []
    for label, group in ((True, matches), (False, distinct)):
        for key, pair in group.items():
            if key in contradictory:
                continue
            left, right = (_princeton_profile(record) for record in pair["__value__"])
            pairs.append(LabelledPair(left, right, label))
    return pairs, len(contradictory)


# --- Vietnamese ------------------------------------------------------------------------------

TONE_TWINS = (("Đoàn", "Doãn"), ("Đặng", "Dặng"), ("Lê", "Lễ"), ("Hồ", "Hổ"))


def _rewrite_text(record: object, transform: object) -> None:
    for field in record.fields:  # type: ignore[attr-defined]
        if field.is_control_field():
            continue
        field.subfields = [
            generate.Subfield(subfield.code, transform(subfield.value))  # type: ignore[operator]
            for subfield in field.subfields
        ]


def _windows_1258_round_trip(text: str) -> str:
    """Text as a Windows-1258 system stores it and gives it back: decomposed tone marks."""
    decomposed = []
    for character in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", character)
        tones = "".join(mark for mark in parts if mark in generate.TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(m for m in parts if m not in tones))
        decomposed.append(base + tones)
    return "".join(decomposed).encode("cp1258").decode("cp1258")


def build_vietnamese_set(seed: int) -> tuple[list[MatchProfile], dict[str, int]]:
    """Profiles of generated records and the edition each came from.

    The demo libraries catalogue the generated editions in their own ways; an
    extra library adds variants of a sample of editions (NFD, Windows-1258,
    ISBN-10 and qualifiers, inverted names, tone placement), and look-alikes
    are added as editions of their own: a tone-twin author (Đoàn/Doãn) with
    the same title, the next edition of a book, the same title by another author.
    """
    rng = random.Random(seed)
    groups = generate.make_editions(rng)
    editions = [edition for group in groups for edition in group]
    libraries = {library.code: library for library in DEMO_LIBRARIES}
    look_alikes = []
    vietnamese = [edition for edition in editions if edition.language == "vie"]
    for edition in rng.sample(vietnamese, 60):
        family, twin = rng.choice(TONE_TWINS)
        person = generate.Person(family, "Văn An")
        # A different book with the same title: its own author and page count.
        original = dataclasses.replace(
            edition,
            authors=(person,),
            isbn=None,
            editor_led=False,
            pages=edition.pages + rng.choice((-1, 1)) * rng.randint(20, 80),
        )
        twin_edition = dataclasses.replace(
            original,
            authors=(generate.Person(twin, "Văn An"),),
            pages=original.pages + rng.choice((-1, 1)) * rng.randint(20, 80),
        )
        look_alikes.append((original, twin_edition))
    for edition in rng.sample(vietnamese, 60):
        reprint = (edition.reprint or 0) + 1
        look_alikes.append(
            (
                edition,
                dataclasses.replace(
                    edition,
                    reprint=reprint,
                    year=min(edition.year + rng.randint(0, 1), generate.LAST_YEAR),
                    isbn=None,
                ),
            )
        )
    for edition in rng.sample(vietnamese, 60):
        other = generate.make_vietnamese_person(rng)
        pages = edition.pages + rng.choice((-1, 1)) * rng.randint(20, 80)
        look_alikes.append(
            (edition, dataclasses.replace(edition, authors=(other,), isbn=None, pages=pages))
        )
    edition_ids: dict[int, int] = {}
    profiles: list[MatchProfile] = []
    truth: dict[str, int] = {}
    counters = {
        code: generate.LibraryCounters(generate.PRACTICES[code].first_local_id, 1000)
        for code in libraries
    }

    def add(edition: generate.Edition, code: str, practice_code: str, variant: str = "") -> None:
        library = libraries.get(code) or LibraryInfo(code, code, code, "provincial")
        counter = counters.setdefault(code, generate.LibraryCounters(1, 1000))
        record = generate.make_record(
            edition, library, generate.PRACTICES[practice_code], counter, rng
        )
        if variant == "nfd":
            _rewrite_text(record, lambda text: unicodedata.normalize("NFD", text))
        elif variant == "cp1258":
            _rewrite_text(record, _windows_1258_round_trip)
        elif variant == "tones":
            _rewrite_text(record, generate.move_tone_marks)
        record_id = f"{code}:{record['001'].data}"
        profiles.append(profile_marc_record(record, record_id, code))
        truth[record_id] = edition_ids.setdefault(id(edition), len(edition_ids))

    for group in groups:
        holders = generate.choose_holders(group[0], rng)
        for edition in group:
            for code in holders:
                add(edition, code, code)
    variants = ("nfd", "cp1258", "tones", "")
    for position, edition in enumerate(rng.sample(vietnamese, 200)):
        practice = rng.choice(list(generate.PRACTICES))
        add(edition, "VN-VARIANT", practice, variants[position % len(variants)])
    for position, (left, right) in enumerate(look_alikes):
        add(left, f"VN-LOOK{position}-A", "VN-NLV")
        add(right, f"VN-LOOK{position}-B", rng.choice(list(generate.PRACTICES)))
    return profiles, truth


def vietnamese_pairs(
    profiles: list[MatchProfile], truth: dict[str, int], policy: DedupPolicy
) -> list[LabelledPair]:
    """All true pairs, plus every blocked pair (which holds every hard negative)."""
    by_edition: dict[int, list[MatchProfile]] = {}
    for profile in profiles:
        by_edition.setdefault(truth[profile.record_id], []).append(profile)
    pairs = {}
    for members in by_edition.values():
        for left, right in itertools.combinations(members, 2):
            pairs[(left.record_id, right.record_id)] = LabelledPair(left, right, True)
    for left, right in candidate_pairs(profiles, policy.isbn_blocklist, policy.block_limit):
        identity = (left.record_id, right.record_id)
        if identity not in pairs and identity[::-1] not in pairs:
            is_match = truth[left.record_id] == truth[right.record_id]
            pairs[identity] = LabelledPair(left, right, is_match)
    return list(pairs.values())


# --- Report ----------------------------------------------------------------------------------


def report(
    name: str,
    pairs: Sequence[LabelledPair],
    catalogue: Iterable[MatchProfile],
    policy: DedupPolicy,
    errors: int,
) -> bool:
    started = time.perf_counter()
    scores, wrong = evaluate(pairs, policy, block_sizes(catalogue, policy), errors)
    seconds = time.perf_counter() - started
    positives = sum(pair.is_match for pair in pairs)
    met = scores.precision >= TARGET_PRECISION and scores.f1 >= TARGET_F1
    print(
        f"{name:<28} pairs {len(pairs):>6} (matches {positives:>5})  "
        f"P {scores.precision:.4f}  R {scores.recall:.4f}  F1 {scores.f1:.4f}  "
        f"TP {scores.true_positives} FP {scores.false_positives} FN {scores.false_negatives}  "
        f"{len(pairs) / seconds:,.0f} pairs/s  {'ok' if met else 'BELOW TARGET'}"
    )
    for pair, decision in wrong:
        kind = "FP" if not pair.is_match else "FN"
        print(f"  {kind} {pair.left.record_id} | {pair.right.record_id}")
        for profile in (pair.left, pair.right):
            print(
                f"     {profile.title!r} : {profile.subtitle!r} / {profile.authors}"
                f" / {profile.year} / {profile.part_number} / {profile.edition}"
            )
        if decision is None:
            print("     not blocked together")
            continue
        print(
            f"     {decision.outcome} score {decision.score}: "
            + ", ".join(f"{item.rule}({item.weight:+})" for item in decision.evidence)
            + "".join(f" veto {veto.rule}" for veto in decision.vetoes)
        )
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--errors", type=int, default=0, help="print this many misjudged pairs per set"
    )
    parser.add_argument("--seed", type=int, default=2026, help="seed of the Vietnamese set")
    parser.add_argument(
        "--block-limit", type=int, help="most records a title or name block may hold (policy's)"
    )
    arguments = parser.parse_args()
    policy = DedupPolicy()
    if arguments.block_limit is not None:
        policy = dataclasses.replace(policy, block_limit=arguments.block_limit)
    all_met = True
    dblp, acm = read_dblp_acm_tables()
    for split in ("train", "valid"):
        pairs, unresolved, contradictory = load_dblp_acm(split, dblp, acm)
        print(
            f"DBLP-ACM {split}: {unresolved} labelled lines not found in the Leipzig tables, "
            f"{contradictory} lines left out (same texts labelled both ways)"
        )
        tables = [profile for _, profile in dblp + acm]
        all_met &= report(f"DBLP-ACM {split}", pairs, tables, policy, arguments.errors)
    princeton, contradictory = load_princeton()
    print(f"Princeton: {contradictory} pairs are labelled both match and distinct; left out")
    records = {
        profile.record_id: profile for pair in princeton for profile in (pair.left, pair.right)
    }
    all_met &= report(
        "Princeton labelled pairs", princeton, records.values(), policy, arguments.errors
    )
    profiles, truth = build_vietnamese_set(arguments.seed)
    all_met &= report(
        f"Vietnamese ({len(profiles)} records)",
        vietnamese_pairs(profiles, truth, policy),
        profiles,
        policy,
        arguments.errors,
    )
    print("all targets met" if all_met else "some targets not met")


if __name__ == "__main__":
    main()
