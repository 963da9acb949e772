"""Place source records in union records with the full matcher, incrementally, and explain it.

A new, changed or deleted source record is profiled (`core/dedup/profile.py`),
its blocking keys are looked up in one query per batch (crowded title and
name keys pair no one: `keys.is_crowded`), each candidate pair is judged by
`matching_decision` (`decide_pair`, sparing pairs that cannot match) and the
matches are stored with their evidence. When a batch makes a key crowded,
or uncrowded again, the other holders of that key are decided again too, so
the pairs are always those a rebuild would find. Then only the
affected part of the catalogue is clustered again: the records joined to
the batch through stored matches, staff merges or a shared union record
(`_component`). `cluster_records` gives the same clusters for one part as
for the whole catalogue, so this equals `rebuild_union_records`, which does
everything from scratch. Union-record ids are kept stable by
`assign_union_ids`: an absorbed id redirects to its survivor (status
"merged"), and on a split the old id stays with the larger part.

Record ids inside decisions and overrides are source record ids as decimal strings.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

from mucluc.core.audit import AuditEvent
from mucluc.core.dedup.cluster import (
    MERGE,
    Override,
    assign_union_ids,
    cluster_records,
    split_overrides,
)
from mucluc.core.dedup.compare import Evidence, IsbnBlocklist
from mucluc.core.dedup.decide import DedupPolicy, MatchDecision, matching_decision
from mucluc.core.dedup.keys import (
    IDENTIFIER_KINDS,
    INVALID_ISBN_KEY,
    ISBN_KEY,
    blocking_keys,
    is_crowded,
    uncrowded_blocks,
)
from mucluc.core.dedup.profile import MatchProfile, profile_marc_record
from mucluc.core.marc.marc_json import record_from_dict
from mucluc.core.normalise.isbn import normalise_isbn
from mucluc.core.ports import (
    BlockedIsbnEntry,
    IngestStore,
    MatchingStore,
    MatchingTransaction,
    RecordPlacement,
    UnionMember,
)
from mucluc.core.preference import SourcePriority, source_rank
from mucluc.errors import DedupError, RecordNotFoundError

logger = logging.getLogger(__name__)

KEY_VALUE_LENGTH = 200  # match_keys.value is a String(200); longer title keys are cut
FRESH_ID_BASE = 1 << 60  # stands for "a new union record" until the store gives real ids
STAFF_ACTOR = "cli"


@dataclass(frozen=True)
class Placement:
    """A written source record to place: its keys, where it was, whether it is active.

    `profile` is what the matcher compares; when missing it is made from the
    stored record. `previous_keys` are the keys it held before this write.
    """

    source_record_id: int
    keys: frozenset[tuple[str, str]]
    previous_union_record_id: int | None
    active: bool
    profile: MatchProfile | None = None
    previous_keys: frozenset[tuple[str, str]] = frozenset()


def stored_keys(profile: MatchProfile) -> frozenset[tuple[str, str]]:
    """The blocking keys kept for a record: every key, whatever the blocklist says, cut to fit."""
    return frozenset((kind, value[:KEY_VALUE_LENGTH]) for kind, value in blocking_keys(profile))


def _lookup_keys(keys: frozenset[tuple[str, str]], blocked: frozenset[str]) -> set[tuple[str, str]]:
    """The stored keys a record looks candidates up by: blocklisted ISBNs find nothing."""
    return {
        (kind, value)
        for kind, value in keys
        if not (kind in (ISBN_KEY, INVALID_ISBN_KEY) and value in blocked)
    }


def _policy(transaction: MatchingTransaction) -> DedupPolicy:
    """The configured policy with the blocklist staff keep in the store."""
    blocked = frozenset(entry.isbn for entry in transaction.isbn_blocklist())
    return replace(transaction.dedup_policy(), isbn_blocklist=IsbnBlocklist(blocked))


@contextmanager
def changing_catalogue(store: MatchingStore | IngestStore) -> Iterator[MatchingTransaction]:
    """A unit of work changing records or union records, one at a time (`hold_catalogue_lock`)."""
    with store.transaction() as transaction:
        transaction.hold_catalogue_lock()
        yield transaction


def _profiles_from_store(
    transaction: MatchingTransaction, source_record_ids: Iterable[int]
) -> dict[int, MatchProfile]:
    """Profiles made from the stored MARC-in-JSON (for records kept before matching was)."""
    profiles = {}
    for document in transaction.source_record_documents(source_record_ids):
        if document.record is None:
            continue
        profiles[document.source_record_id] = profile_marc_record(
            record_from_dict(document.record),
            str(document.source_record_id),
            str(document.library_id),
        )
    return profiles


def _load_profiles(
    transaction: MatchingTransaction, source_record_ids: set[int]
) -> dict[int, MatchProfile]:
    profiles = transaction.match_profiles(source_record_ids)
    missing = source_record_ids - profiles.keys()
    if missing:
        made = _profiles_from_store(transaction, missing)
        transaction.save_match_profiles(made)
        profiles.update(made)
    return profiles


def _uncrowded_holders(
    transaction: MatchingTransaction,
    keys: set[tuple[str, str]],
    block_limit: int,
    counts: Mapping[tuple[str, str], int],
) -> dict[tuple[str, str], set[int]]:
    """The records holding each key, leaving out the crowded title and name keys.

    `counts` are the holder counts this batch has read already; the rest are read here.
    """
    titles = {key for key in keys if key[0] not in IDENTIFIER_KINDS}
    counts = {**counts, **transaction.key_holder_counts(titles - counts.keys())}
    uncrowded = {key for key in titles if not is_crowded(key[0], counts[key], block_limit)}
    return transaction.records_sharing_keys((keys - titles) | uncrowded)


def _decide(
    transaction: MatchingTransaction,
    subjects: Mapping[int, MatchProfile],
    policy: DedupPolicy,
    counts: Mapping[tuple[str, str], int],
    known_keys: Mapping[int, frozenset[tuple[str, str]]] | None = None,
) -> list[MatchDecision]:
    """The matches between these records and every active record sharing an uncrowded key.

    `counts` are key holder counts already read (`_uncrowded_holders`);
    `known_keys` the stored keys of subjects whose keys were just made.
    """
    blocked = policy.isbn_blocklist.isbns
    known = known_keys or {}
    wanted = {
        source_id: _lookup_keys(
            known[source_id] if source_id in known else stored_keys(profile), blocked
        )
        for source_id, profile in subjects.items()
    }
    holders = _uncrowded_holders(
        transaction, {key for keys in wanted.values() for key in keys}, policy.block_limit, counts
    )
    candidates = {
        source_id: {other for key in keys for other in holders.get(key, ())} - {source_id}
        for source_id, keys in wanted.items()
    }
    others = {other for found in candidates.values() for other in found} - subjects.keys()
    profiles = {**_load_profiles(transaction, others), **subjects}
    decisions = []
    seen: set[tuple[int, int]] = set()
    for source_id in sorted(subjects):
        for other in sorted(candidates[source_id]):
            pair = (min(source_id, other), max(source_id, other))
            if pair in seen or other not in profiles:
                continue
            seen.add(pair)
            left, right = profiles[pair[0]], profiles[pair[1]]
            if left.library == right.library:
                continue  # the same-library veto: never stored, never a link
            decision = matching_decision(left, right, policy)
            if decision is not None:
                decisions.append(decision)
    return decisions


def _crossing_neighbours(
    transaction: MatchingTransaction, placements: Sequence[Placement], block_limit: int
) -> tuple[set[int], dict[tuple[str, str], int]]:
    """The holders of every key this batch made crowded, or uncrowded again, and the counts read.

    Their pairs through that key vanish or appear, so they are decided again.
    The holder counts of the batch's changed title and name keys come back
    too, for `_decide`.
    """
    gained: Counter[tuple[str, str]] = Counter()
    lost: Counter[tuple[str, str]] = Counter()
    for placement in placements:
        gained.update(placement.keys - placement.previous_keys)
        lost.update(placement.previous_keys - placement.keys)
    changed = {key for key in gained.keys() | lost.keys() if key[0] not in IDENTIFIER_KINDS}
    counts = transaction.key_holder_counts(changed)
    crossed = {
        key
        for key, count in counts.items()
        if is_crowded(key[0], count, block_limit)
        != is_crowded(key[0], count - gained[key] + lost[key], block_limit)
    }
    holders = transaction.records_sharing_keys(crossed)
    return {source_id for found in holders.values() for source_id in found}, counts


def _component(transaction: MatchingTransaction, seeds: set[int]) -> dict[int, RecordPlacement]:
    """Every record joined to the seeds by a stored match, a staff merge or a shared union."""
    placements: dict[int, RecordPlacement] = {}
    unions_seen: set[int] = set()
    frontier = set(seeds)
    while frontier:
        new_unions = set()
        for placement in transaction.record_placements(frontier):
            placements[placement.source_record_id] = placement
            if (
                placement.union_record_id is not None
                and placement.union_record_id not in unions_seen
            ):
                new_unions.add(placement.union_record_id)
        unions_seen |= new_unions
        linked: set[int] = set()
        for decision in transaction.match_decisions_touching(frontier):
            linked |= {int(decision.left_id), int(decision.right_id)}
        for override in transaction.overrides_touching(frontier):
            if override.kind == MERGE:
                linked |= {int(override.left_id), int(override.right_id)}
        linked |= {member.source_record_id for member in transaction.union_members(new_unions)}
        frontier = linked - placements.keys()
    return placements


@dataclass(frozen=True)
class ClusteringOutcome:
    """What re-clustering changed: records moved, union records created, absorbed, refreshed."""

    moved: int
    created: int
    redirects: dict[int, int]
    joined: int


def _recluster(
    transaction: MatchingTransaction,
    placements: Mapping[int, RecordPlacement],
    *,
    dirty: set[int],
    also_touched: set[int],
    decisions: Sequence[MatchDecision] | None = None,
    overrides: Sequence[Override] | None = None,
) -> ClusteringOutcome:
    """Cluster these records again and write the result with stable union-record ids.

    Args:
        transaction: the unit of work to read and write in.
        placements: the records to cluster (inactive ones are left out).
        dirty: records whose own content changed: their union records are refreshed.
        also_touched: union records that lost members and must be refreshed.
        decisions: the matches among the records (read from the store when None).
        overrides: the overrides touching the records (read from the store when None).
    """
    active = {
        source_id: placement
        for source_id, placement in placements.items()
        if placement.status == "active"
    }
    names = {str(source_id) for source_id in active}
    if decisions is None:
        decisions = transaction.match_decisions_touching(active)
    if overrides is None:
        overrides = transaction.overrides_touching(active)
    clusters = cluster_records(
        {str(source_id): str(placement.library_id) for source_id, placement in active.items()},
        [d for d in decisions if d.left_id in names and d.right_id in names],
        [o for o in overrides if o.left_id in names and o.right_id in names],
    )
    previous = {
        str(source_id): placement.union_record_id
        for source_id, placement in active.items()
        if placement.union_record_id is not None
    }
    assignment = assign_union_ids(clusters, previous, FRESH_ID_BASE)
    fresh = sorted(union_id for union_id in assignment.ids.values() if union_id >= FRESH_ID_BASE)
    real_ids = dict(zip(fresh, transaction.create_union_records(len(fresh)), strict=True))
    moves: dict[int, int | None] = {}
    touched = set(also_touched)
    joined = 0
    for cluster, union_id in assignment.ids.items():
        final_id = real_ids.get(union_id, union_id)
        newcomers = 0
        for record_id in cluster:
            source_id = int(record_id)
            if active[source_id].union_record_id != final_id:
                moves[source_id] = final_id
                touched.add(final_id)
                newcomers += 1
            if source_id in dirty:
                touched.add(final_id)
        if len(cluster) > 1:
            joined += newcomers - (1 if union_id in real_ids else 0)
    transaction.assign_union_records(moves)
    redirects = {
        absorbed: real_ids.get(survivor, survivor)
        for absorbed, survivor in assignment.redirects.items()
    }
    transaction.mark_union_records_merged(redirects)
    touched |= {
        placement.union_record_id for placement in active.values() if placement.union_record_id
    }
    refresh_union_records(transaction, touched - redirects.keys())
    return ClusteringOutcome(len(moves), len(fresh), redirects, max(joined, 0))


def place_records(
    transaction: MatchingTransaction, library_id: int, placements: Sequence[Placement]
) -> int:
    """Place each record of one library's batch; return how many joined another record."""
    if not placements:
        return 0
    policy = _policy(transaction)
    profiles: dict[int, MatchProfile] = {}
    missing: set[int] = set()
    for placement in placements:
        if not placement.active:
            continue
        if placement.profile is None:
            missing.add(placement.source_record_id)
            continue
        profiles[placement.source_record_id] = replace(
            placement.profile, record_id=str(placement.source_record_id), library=str(library_id)
        )
    profiles.update(_profiles_from_store(transaction, missing))
    batch_ids = {placement.source_record_id for placement in placements}
    transaction.drop_match_profiles(batch_ids - profiles.keys())
    transaction.save_match_profiles(profiles)
    neighbours, counts = _crossing_neighbours(transaction, placements, policy.block_limit)
    neighbours -= batch_ids
    decisions = _decide(
        transaction,
        {**_load_profiles(transaction, neighbours), **profiles},
        policy,
        counts,
        known_keys={
            placement.source_record_id: placement.keys
            for placement in placements
            if placement.source_record_id in profiles and placement.profile is not None
        },
    )
    transaction.replace_match_decisions(batch_ids | neighbours, decisions)
    seeds = batch_ids | neighbours
    seeds |= {int(record_id) for d in decisions for record_id in (d.left_id, d.right_id)}
    outcome = _recluster(
        transaction,
        _component(transaction, seeds),
        dirty=batch_ids,
        also_touched={
            placement.previous_union_record_id
            for placement in placements
            if placement.previous_union_record_id is not None
        },
    )
    return outcome.joined


def reevaluate_records(
    transaction: MatchingTransaction, source_record_ids: set[int], *, decide_again: bool
) -> ClusteringOutcome:
    """Cluster again the part of the catalogue around these records (after a staff change).

    With `decide_again`, their match decisions are made afresh first (the
    blocklist changed); overrides alone only need clustering again.
    """
    seeds = set(source_record_ids)
    if decide_again:
        active = {
            placement.source_record_id
            for placement in transaction.record_placements(source_record_ids)
            if placement.status == "active"
        }
        decisions = _decide(
            transaction, _load_profiles(transaction, active), _policy(transaction), counts={}
        )
        transaction.replace_match_decisions(active, decisions)
        seeds |= {int(record_id) for d in decisions for record_id in (d.left_id, d.right_id)}
    return _recluster(transaction, _component(transaction, seeds), dirty=set(), also_touched=set())


@dataclass(frozen=True)
class RebuildSummary:
    """What `mucluc dedup --rebuild` did."""

    records: int
    pairs_compared: int
    matches: int
    union_records: int
    moved: int
    created: int
    merged: int


def rebuild_union_records(store: MatchingStore) -> RebuildSummary:
    """Profile, block, decide and cluster every active record from scratch, in one transaction.

    Profiles and keys are made again from the stored records; decisions are
    replaced; clusters keep their ids where they can (`assign_union_ids`).
    Staff overrides and the blocklist are respected.
    """
    with changing_catalogue(store) as transaction:
        placements = {
            placement.source_record_id: placement
            for placement in transaction.active_record_placements()
        }
        profiles = _profiles_from_store(transaction, placements)
        transaction.drop_match_profiles(placements)
        transaction.save_match_profiles(profiles)
        keys = {source_id: stored_keys(profile) for source_id, profile in profiles.items()}
        transaction.replace_blocking_keys(keys)
        # Progress of a long run for operators (and the kill tests' cue that writing began).
        logger.info("dedup_rebuild_profiled", extra={"records": len(profiles)})
        policy = _policy(transaction)
        blocked = policy.isbn_blocklist.isbns
        blocks = uncrowded_blocks(
            ((source_id, _lookup_keys(keys[source_id], blocked)) for source_id in profiles),
            policy.block_limit,
        )
        pairs: set[tuple[int, int]] = set()
        for members in blocks.values():
            ordered = sorted(members)
            for position, left in enumerate(ordered):
                for right in ordered[position + 1 :]:
                    if profiles[left].library != profiles[right].library:
                        pairs.add((left, right))
        decisions = [
            decision
            for decision in (
                matching_decision(profiles[left], profiles[right], policy)
                for left, right in sorted(pairs)
            )
            if decision is not None
        ]
        transaction.clear_match_decisions()
        transaction.replace_match_decisions((), decisions)
        logger.info("dedup_rebuild_decided", extra={"pairs": len(pairs), "matches": len(decisions)})
        outcome = _recluster(
            transaction,
            placements,
            dirty=set(),
            also_touched=set(),
            decisions=decisions,
            overrides=transaction.all_overrides(),
        )
        union_records = (
            len(
                {
                    transaction_placement.union_record_id
                    for transaction_placement in placements.values()
                }
                - outcome.redirects.keys()
            )
            + outcome.created
        )
    summary = RebuildSummary(
        records=len(placements),
        pairs_compared=len(pairs),
        matches=len(decisions),
        union_records=union_records,
        moved=outcome.moved,
        created=outcome.created,
        merged=len(outcome.redirects),
    )
    # Nested: a field named like a LogRecord attribute ("created") would make logging raise.
    logger.info("dedup_rebuilt", extra={"rebuild": summary.__dict__})
    return summary


def preferred_member_title(members: Sequence[UnionMember], priority: SourcePriority) -> str:
    """The title of the member that speaks for a union record.

    Named libraries first, then library types (`priority`), then the most
    complete record, then the earliest contributed.
    """

    def rank(member: UnionMember) -> tuple[int, int, int, int]:
        source = source_rank(member.library_code, member.library_type, priority)
        return (*source, -member.completeness, member.source_record_id)

    return min(members, key=rank).title


def refresh_union_records(transaction: MatchingTransaction, union_record_ids: set[int]) -> None:
    """Recompute the status and title of these union records and log one change for each."""
    if not union_record_ids:
        return
    members_by_union: dict[int, list[UnionMember]] = {union_id: [] for union_id in union_record_ids}
    for member in transaction.union_members(union_record_ids):
        members_by_union[member.union_record_id].append(member)
    priority = transaction.dedup_policy().source_priority
    transaction.record_union_states(
        [
            (union_id, "active", preferred_member_title(members, priority))
            if members
            else (union_id, "deleted", "")
            for union_id, members in members_by_union.items()
        ]
    )


# Staff overrides and the blocklist -------------------------------------------------


def _members(transaction: MatchingTransaction, union_record_id: int) -> list[int]:
    members = [member.source_record_id for member in transaction.union_members([union_record_id])]
    if not members:
        raise RecordNotFoundError(f"union record {union_record_id} has no active members")
    return members


def _union_of(transaction: MatchingTransaction, source_record_id: int) -> int | None:
    (placement,) = transaction.record_placements([source_record_id])
    return placement.union_record_id


def merge_union_records(
    store: MatchingStore,
    union_record_ids: Sequence[int],
    *,
    reason: str,
    actor: str = STAFF_ACTOR,
    audited: Callable[[int], AuditEvent] | None = None,
) -> int:
    """Merge union records by staff decision; return the id that stands for them all now.

    A merge override is stored for every pair of members across the records,
    so it survives any one member being withdrawn, and every later run keeps it.
    `audited` makes the audit event from the survivor's id; it is appended in
    the merge's own transaction (so are the other staff decisions' below).
    """
    if len(set(union_record_ids)) < 2:
        raise DedupError("name at least two different union records to merge")
    with changing_catalogue(store) as transaction:
        groups = [_members(transaction, union_id) for union_id in union_record_ids]
        overrides = [
            Override(MERGE, str(left), str(right), reason)
            for position, group in enumerate(groups)
            for other in groups[position + 1 :]
            for left in group
            for right in other
        ]
        transaction.add_overrides(overrides, actor)
        reevaluate_records(
            transaction, {record for group in groups for record in group}, decide_again=False
        )
        survivor = _union_of(transaction, groups[0][0])
        assert survivor is not None
        if audited is not None:
            transaction.append_audit_event(audited(survivor))
    logger.info("union_records_merged", extra={"union_records": list(union_record_ids)})
    return survivor


def _source_ids(
    transaction: MatchingTransaction, references: Sequence[str], members: Sequence[int]
) -> list[int]:
    """Source record ids for "LIBRARY:LOCAL-ID" references (or plain source record ids)."""
    found = []
    for reference in references:
        code, separator, local_id = reference.partition(":")
        if not separator:
            if not reference.isdigit() or int(reference) not in members:
                raise DedupError(f"{reference!r} is not a member; use LIBRARY:LOCAL-ID")
            found.append(int(reference))
            continue
        library_id = transaction.library_id(code)
        stored = transaction.find_source_records(library_id, [local_id]).get(local_id)
        if stored is None or stored.id not in members:
            raise DedupError(f"{reference} is not a member of this union record")
        found.append(stored.id)
    return found


def split_union_record(
    store: MatchingStore,
    union_record_id: int,
    part: Sequence[str],
    *,
    reason: str,
    actor: str = STAFF_ACTOR,
    audited: Callable[[tuple[int, int]], AuditEvent] | None = None,
) -> tuple[int, int]:
    """Split members off a union record by staff decision; return (old part's id, new part's id).

    The part and the rest get never-merge overrides between every pair, so no
    later run puts them back together. The old id stays with the larger part.
    """
    with changing_catalogue(store) as transaction:
        members = _members(transaction, union_record_id)
        part_ids = _source_ids(transaction, part, members)
        rest = [member for member in members if member not in part_ids]
        if not part_ids or not rest:
            raise DedupError("a split needs some members on each side")
        transaction.add_overrides(
            split_overrides(map(str, part_ids), map(str, rest), reason), actor
        )
        reevaluate_records(transaction, set(members), decide_again=False)
        part_union = _union_of(transaction, part_ids[0])
        rest_union = _union_of(transaction, rest[0])
        assert part_union is not None
        assert rest_union is not None
        if audited is not None:
            transaction.append_audit_event(audited((rest_union, part_union)))
    logger.info("union_record_split", extra={"union_record": union_record_id})
    return rest_union, part_union


def never_merge_union_records(
    store: MatchingStore,
    first: int,
    second: int,
    *,
    reason: str,
    actor: str = STAFF_ACTOR,
    audit: AuditEvent | None = None,
) -> None:
    """Keep two union records apart for good: never-merge every pair of their members."""
    if first == second:
        raise DedupError("name two different union records")
    with changing_catalogue(store) as transaction:
        left, right = _members(transaction, first), _members(transaction, second)
        transaction.add_overrides(split_overrides(map(str, left), map(str, right), reason), actor)
        reevaluate_records(transaction, set(left) | set(right), decide_again=False)
        if audit is not None:
            transaction.append_audit_event(audit)


def _holders_of_isbn(transaction: MatchingTransaction, isbn: str) -> set[int]:
    holders = transaction.records_sharing_keys({(ISBN_KEY, isbn), (INVALID_ISBN_KEY, isbn)})
    return {source_id for found in holders.values() for source_id in found}


def _valid_isbn(value: str) -> str:
    isbn = normalise_isbn(value)
    if isbn is None:
        raise DedupError(f"{value!r} is not a valid ISBN")
    return isbn


def block_isbn(
    store: MatchingStore,
    value: str,
    *,
    reason: str,
    actor: str = STAFF_ACTOR,
    audit: AuditEvent | None = None,
) -> bool:
    """Put an ISBN on the blocklist and re-match the records that carry it; False if listed.

    `audit` is appended in the same transaction, only if the ISBN was added.
    """
    isbn = _valid_isbn(value)
    with changing_catalogue(store) as transaction:
        added = transaction.block_isbn(isbn, reason, actor)
        if added:
            reevaluate_records(transaction, _holders_of_isbn(transaction, isbn), decide_again=True)
            if audit is not None:
                transaction.append_audit_event(audit)
    return added


def unblock_isbn(store: MatchingStore, value: str, *, audit: AuditEvent | None = None) -> bool:
    """Take an ISBN off the blocklist and re-match the records that carry it; False if absent.

    `audit` is appended in the same transaction, only if the ISBN was removed.
    """
    isbn = _valid_isbn(value)
    with changing_catalogue(store) as transaction:
        removed = transaction.unblock_isbn(isbn)
        if removed:
            reevaluate_records(transaction, _holders_of_isbn(transaction, isbn), decide_again=True)
            if audit is not None:
                transaction.append_audit_event(audit)
    return removed


def list_blocked_isbns(store: MatchingStore) -> list[BlockedIsbnEntry]:
    """The ISBN blocklist, in order."""
    with store.transaction() as transaction:
        return transaction.isbn_blocklist()


# "Why these records are one" ------------------------------------------------------


@dataclass(frozen=True)
class MemberReference:
    """A member of a union record as staff and readers name it."""

    source_record_id: int
    library_code: str
    local_id: str


@dataclass(frozen=True)
class UnionLink:
    """Why two members are one: a match with its evidence, or a staff merge with its reason.

    `kind` is "match" or "staff-merge".
    """

    left: MemberReference
    right: MemberReference
    kind: str
    score: float
    threshold: float
    evidence: tuple[Evidence, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class UnionExplanation:
    """The members of a union record and every link that holds them together."""

    union_record_id: int
    members: tuple[MemberReference, ...]
    links: tuple[UnionLink, ...]


def explain_union_record(store: MatchingStore, union_record_id: int) -> UnionExplanation:
    """Members, their libraries, and the evidence for each link between them."""
    with store.transaction() as transaction:
        member_ids = [
            member.source_record_id for member in transaction.union_members([union_record_id])
        ]
        references = {
            document.source_record_id: MemberReference(
                document.source_record_id, document.library_code, document.local_id
            )
            for document in transaction.source_record_documents(member_ids)
        }
        names = {str(source_id) for source_id in member_ids}
        decisions = [
            decision
            for decision in transaction.match_decisions_touching(member_ids)
            if decision.left_id in names and decision.right_id in names
        ]
        latest: dict[tuple[str, str], Override] = {}
        for override in transaction.overrides_touching(member_ids):
            if override.left_id in names and override.right_id in names:
                latest[override.pair] = override
    links = [
        UnionLink(
            references[int(decision.left_id)],
            references[int(decision.right_id)],
            "match",
            decision.score,
            decision.threshold,
            decision.evidence,
        )
        for decision in decisions
    ]
    links += [
        UnionLink(
            references[int(pair[0])],
            references[int(pair[1])],
            "staff-merge",
            0.0,
            0.0,
            reason=override.reason,
        )
        for pair, override in sorted(latest.items())
        if override.kind == MERGE
    ]
    return UnionExplanation(
        union_record_id,
        tuple(references[source_id] for source_id in sorted(references)),
        tuple(links),
    )


def resolve_merged_record(store: MatchingStore, union_record_id: int) -> int | None:
    """The union record an absorbed id redirects to now, or None if it was not absorbed."""
    with store.transaction() as transaction:
        target = transaction.merged_into(union_record_id)
        seen = {union_record_id}
        while target is not None and target not in seen:
            seen.add(target)
            following = transaction.merged_into(target)
            if following is None:
                return target
            target = following
    return target
