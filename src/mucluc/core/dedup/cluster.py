"""Clusters of source records (union records), staff overrides, and stable union-record ids.

Match decisions link records; staff overrides (merge, never-merge) win over
them. Links are applied strongest first, and two clusters join only if no
never-merge pair and no library lies across them (automatic merges never put
two records of one library together), so a chain of links cannot smuggle in
a merge a veto forbade. The result depends only on the records, decisions
and overrides, never on their order, so re-evaluating one connected part
gives the same clusters as a rebuild. Ids: a union-record id is never
reused; an absorbed id redirects to the survivor; on a split the old id stays
with the larger part. Pure: no storage.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from mucluc.core.dedup.decide import MatchDecision

MERGE = "merge"
NEVER_MERGE = "never-merge"


@dataclass(frozen=True)
class Override:
    """A staff decision about two source records: "merge" or "never-merge".

    A split is recorded as never-merge pairs between the parts (`split_overrides`).
    Later overrides for the same pair replace earlier ones.
    """

    kind: str
    left_id: str
    right_id: str
    reason: str = ""

    @property
    def pair(self) -> tuple[str, str]:
        """The two record ids in sorted order."""
        first, second = sorted((self.left_id, self.right_id))
        return first, second


def split_overrides(part: Iterable[str], rest: Iterable[str], reason: str = "") -> list[Override]:
    """The never-merge overrides that keep `part` apart from the `rest` of its cluster."""
    rest_ids = sorted(rest)
    return [
        Override(NEVER_MERGE, record_id, other, reason)
        for record_id in sorted(part)
        for other in rest_ids
    ]


def _latest_overrides(overrides: Sequence[Override]) -> dict[tuple[str, str], Override]:
    latest: dict[tuple[str, str], Override] = {}
    for override in overrides:
        latest[override.pair] = override
    return latest


def cluster_records(
    libraries: Mapping[str, str],
    decisions: Iterable[MatchDecision],
    overrides: Sequence[Override] = (),
) -> list[frozenset[str]]:
    """Group source records into union records.

    Args:
        libraries: every record id to cluster, with its library code.
        decisions: pair decisions; only matches link records.
        overrides: staff overrides in the order they were made.

    Returns:
        The clusters, each a set of record ids, ordered by their smallest id.
    """
    parent = {record_id: record_id for record_id in libraries}
    members = {record_id: {record_id} for record_id in libraries}
    latest = _latest_overrides(overrides)
    never = {pair for pair, override in latest.items() if override.kind == NEVER_MERGE}

    def find(record_id: str) -> str:
        while parent[record_id] != record_id:
            parent[record_id] = parent[parent[record_id]]
            record_id = parent[record_id]
        return record_id

    def may_join(first: str, second: str, *, automatic: bool) -> bool:
        left, right = members[first], members[second]
        if any(tuple(sorted((a, b))) in never for a in left for b in right):
            return False
        if automatic:
            left_libraries = {libraries[record_id] for record_id in left}
            return not any(libraries[record_id] in left_libraries for record_id in right)
        return True

    def join(first: str, second: str) -> None:
        keep, absorbed = sorted((first, second))
        parent[absorbed] = keep
        members[keep] |= members.pop(absorbed)

    for pair, override in sorted(latest.items()):
        if override.kind != MERGE or not all(record_id in parent for record_id in pair):
            continue
        first, second = find(pair[0]), find(pair[1])
        if first != second and may_join(first, second, automatic=False):
            join(first, second)
    links: list[tuple[float, str, str]] = sorted(
        (
            (
                -decision.score,
                min(decision.left_id, decision.right_id),
                max(decision.left_id, decision.right_id),
            )
            for decision in decisions
            if decision.is_match
            and decision.left_id in parent
            and decision.right_id in parent
            and tuple(sorted((decision.left_id, decision.right_id))) not in never
        ),
    )
    for _, left_id, right_id in links:
        first, second = find(left_id), find(right_id)
        if first != second and may_join(first, second, automatic=True):
            join(first, second)
    return sorted((frozenset(group) for group in members.values()), key=min)


@dataclass(frozen=True)
class IdAssignment:
    """Union-record ids after a clustering: who keeps which id, and what redirects where.

    `redirects` maps every absorbed id to the id that now stands for it;
    `retired` are ids whose records are all gone; `next_id` is the next fresh id.
    """

    ids: dict[frozenset[str], int]
    redirects: dict[int, int] = field(default_factory=dict)
    retired: frozenset[int] = frozenset()
    next_id: int = 1


def assign_union_ids(
    clusters: Sequence[frozenset[str]],
    previous: Mapping[str, int],
    next_id: int,
    previous_redirects: Mapping[int, int] | None = None,
) -> IdAssignment:
    """Give each cluster a stable union-record id.

    An old id goes to the cluster holding most of its old members (the larger
    part of a split; ties go to the cluster with the smallest record id).
    A cluster claimed by several old ids keeps the one with most members
    there (then the lowest) and the others redirect to it. A cluster no old
    id claims gets a fresh id: ids are never reused. Redirects made earlier
    are followed to their new survivor.

    Args:
        clusters: the new clusters.
        previous: the union-record id each record had before.
        next_id: the first id never handed out.
        previous_redirects: absorbed ids from earlier runs and where they pointed.
    """
    home_of: dict[int, frozenset[str]] = {}
    counts: dict[int, dict[frozenset[str], int]] = {}
    for cluster in clusters:
        for record_id in cluster:
            if record_id in previous:
                old = previous[record_id]
                counts.setdefault(old, {}).setdefault(cluster, 0)
                counts[old][cluster] += 1
    for old, found in counts.items():
        home_of[old] = min(found, key=lambda cluster: (-found[cluster], min(cluster)))
    claims: dict[frozenset[str], list[int]] = {}
    for old, cluster in home_of.items():
        claims.setdefault(cluster, []).append(old)
    ids: dict[frozenset[str], int] = {}
    redirects: dict[int, int] = {}
    for cluster in clusters:
        claimants = sorted(claims.get(cluster, []), key=lambda old: (-counts[old][cluster], old))
        if claimants:
            ids[cluster] = claimants[0]
            for absorbed in claimants[1:]:
                redirects[absorbed] = claimants[0]
        else:
            ids[cluster] = next_id
            next_id += 1
    retired = frozenset(set(previous.values()) - set(home_of))
    for absorbed, target in (previous_redirects or {}).items():
        while target in redirects:
            target = redirects[target]
        redirects.setdefault(absorbed, target)
    return IdAssignment(ids, redirects, retired, next_id)


def resolve_union_id(union_id: int, redirects: Mapping[int, int]) -> int:
    """Follow redirects from an absorbed id to the union record that stands for it now."""
    seen = {union_id}
    while union_id in redirects:
        union_id = redirects[union_id]
        if union_id in seen:
            break
        seen.add(union_id)
    return union_id
