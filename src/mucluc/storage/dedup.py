"""What the matcher keeps: profiles, match decisions with evidence, staff overrides, blocklist.

`SqlTransaction` delegates its matching-side methods here, a few statements
per batch. Profiles and decisions are derived data (`mucluc dedup --rebuild`
makes them again); overrides and the blocklist are staff decisions and are
only ever appended to (overrides) or edited by staff (blocklist).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, fields
from typing import Any

from sqlalchemy import Table, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from mucluc.core.dedup.cluster import Override
from mucluc.core.dedup.compare import Evidence
from mucluc.core.dedup.decide import MatchDecision, Veto
from mucluc.core.dedup.profile import MatchProfile
from mucluc.core.ports import BlockedIsbnEntry, RecordPlacement, SourceRecordDocument
from mucluc.storage.database import in_chunks
from mucluc.storage.publishing import withdraw_published
from mucluc.storage.tables import (
    BlockedIsbn,
    Change,
    DedupOverride,
    Library,
    MatchDecisionRow,
    MatchKey,
    MatchProfileRow,
    SourceRecord,
    UnionRecord,
    utc_now,
)

profile_table: Table = MatchProfileRow.__table__  # type: ignore[assignment]
decision_table: Table = MatchDecisionRow.__table__  # type: ignore[assignment]
override_table: Table = DedupOverride.__table__  # type: ignore[assignment]
blocklist_table: Table = BlockedIsbn.__table__  # type: ignore[assignment]
source_table: Table = SourceRecord.__table__  # type: ignore[assignment]
key_table: Table = MatchKey.__table__  # type: ignore[assignment]
union_table: Table = UnionRecord.__table__  # type: ignore[assignment]
change_table: Table = Change.__table__  # type: ignore[assignment]
library_table: Table = Library.__table__  # type: ignore[assignment]

_PROFILE_FIELDS = tuple(item.name for item in fields(MatchProfile))
_TUPLE_FIELDS = {item.name for item in fields(MatchProfile) if str(item.type).startswith("tuple")}


def _distinct_chunks(values: Iterable[Any]) -> Iterator[Sequence[Any]]:
    """The distinct values in order, one IN (...) list at a time."""
    return in_chunks(sorted(set(values)))


def profile_to_json(profile: MatchProfile) -> dict[str, Any]:
    """A profile as a JSON object (tuples of strings become lists when serialised).

    Shallow on purpose: `asdict` deep-copies every value, which costs more than
    the rest of saving a profile.
    """
    return {name: getattr(profile, name) for name in _PROFILE_FIELDS}


def profile_from_json(data: Mapping[str, Any]) -> MatchProfile:
    """The profile a JSON object holds (lists become tuples again)."""
    values: dict[str, Any] = {
        name: tuple(value) if name in _TUPLE_FIELDS else value for name, value in data.items()
    }
    return MatchProfile(**values)


def save_match_profiles(session: Session, profiles: Mapping[int, MatchProfile]) -> None:
    """Replace the stored profiles of these source records."""
    if not profiles:
        return
    drop_match_profiles(session, profiles)
    session.execute(
        insert(profile_table),
        [
            {"source_record_id": source_id, "profile": profile_to_json(profile)}
            for source_id, profile in profiles.items()
        ],
    )


def drop_match_profiles(session: Session, source_record_ids: Iterable[int]) -> None:
    """Forget the profiles of these source records."""
    for chunk in _distinct_chunks(source_record_ids):
        session.execute(delete(profile_table).where(profile_table.c.source_record_id.in_(chunk)))


def match_profiles(session: Session, source_record_ids: Iterable[int]) -> dict[int, MatchProfile]:
    """The stored profiles of these source records (records without one are left out)."""
    found: dict[int, MatchProfile] = {}
    for chunk in _distinct_chunks(source_record_ids):
        rows = session.execute(
            select(profile_table.c.source_record_id, profile_table.c.profile).where(
                profile_table.c.source_record_id.in_(chunk)
            )
        )
        found.update({source_id: profile_from_json(data) for source_id, data in rows})
    return found


def _values_by_kind(keys: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    values_by_kind: dict[str, list[str]] = defaultdict(list)
    for kind, value in keys:
        values_by_kind[kind].append(value)
    return values_by_kind


def records_sharing_keys(
    session: Session, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], set[int]]:
    """The source records holding each of these blocking keys: active ones only hold keys.

    One statement per kind of key, `kind = ? AND value IN (...)`: SQLite's
    planner cannot use the (kind, value) index for a row-value IN and scans
    every source record instead, once per statement. Ingest and withdrawal
    drop the keys of a record that stops being active, so the key index
    answers alone, without reading each holder's status.
    """
    holders: dict[tuple[str, str], set[int]] = {}
    for kind, values in sorted(_values_by_kind(keys).items()):
        for chunk in _distinct_chunks(values):
            rows = session.execute(
                select(key_table.c.value, key_table.c.source_record_id).where(
                    key_table.c.kind == kind, key_table.c.value.in_(chunk)
                )
            )
            for value, source_id in rows:
                holders.setdefault((kind, value), set()).add(source_id)
    return holders


def key_holder_counts(
    session: Session, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """How many source records hold each of these keys (0 for a key no one holds).

    Read from the key index alone, so a crowded key never sends its ids: only
    active records hold keys (ingest and withdrawal drop a record's keys when
    it stops being active).
    """
    counts = dict.fromkeys(keys, 0)
    for kind, values in sorted(_values_by_kind(counts).items()):
        for chunk in _distinct_chunks(values):
            rows = session.execute(
                select(key_table.c.value, func.count())
                .where(key_table.c.kind == kind, key_table.c.value.in_(chunk))
                .group_by(key_table.c.value)
            )
            counts.update({(kind, value): count for value, count in rows})
    return counts


def blocking_keys_of(
    session: Session, source_record_ids: Iterable[int]
) -> dict[int, frozenset[tuple[str, str]]]:
    """The stored blocking keys of these source records (records without keys are left out)."""
    found: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for chunk in _distinct_chunks(source_record_ids):
        rows = session.execute(
            select(key_table.c.source_record_id, key_table.c.kind, key_table.c.value).where(
                key_table.c.source_record_id.in_(chunk)
            )
        )
        for source_id, kind, value in rows:
            found[source_id].add((kind, value))
    return {source_id: frozenset(keys) for source_id, keys in found.items()}


def _decision_to_json(decision: MatchDecision) -> list[dict[str, Any]]:
    return [{"veto": True, **asdict(veto)} for veto in decision.vetoes] + [
        asdict(item) for item in decision.evidence
    ]


def _decision_from_row(row: Any) -> MatchDecision:
    vetoes = []
    evidence = []
    for item in row.evidence or []:
        if item.get("veto"):
            vetoes.append(Veto(item["rule"], item["field"], item["left"], item["right"]))
        else:
            evidence.append(Evidence(**item))
    return MatchDecision(
        str(row.left_source_record_id),
        str(row.right_source_record_id),
        row.outcome,
        row.score,
        row.threshold,
        tuple(vetoes),
        tuple(evidence),
    )


def replace_match_decisions(
    session: Session, source_record_ids: Iterable[int], decisions: Iterable[MatchDecision]
) -> None:
    """Drop every decision involving these records, then store these (ids are source ids).

    Decision ids are the source record ids as decimal strings.
    """
    ids = set(source_record_ids)
    for chunk in _distinct_chunks(ids):
        session.execute(
            delete(decision_table).where(
                or_(
                    decision_table.c.left_source_record_id.in_(chunk),
                    decision_table.c.right_source_record_id.in_(chunk),
                )
            )
        )
    now = utc_now()
    rows = {}
    for decision in decisions:
        left, right = sorted((int(decision.left_id), int(decision.right_id)))
        rows[(left, right)] = {
            "left_source_record_id": left,
            "right_source_record_id": right,
            "outcome": decision.outcome,
            "score": decision.score,
            "threshold": decision.threshold,
            "evidence": _decision_to_json(decision),
            "decided_at": now,
        }
    if rows:
        session.execute(insert(decision_table), list(rows.values()))


def clear_match_decisions(session: Session) -> None:
    """Drop every stored decision (a rebuild makes them all again)."""
    session.execute(delete(decision_table))


def match_decisions_touching(
    session: Session, source_record_ids: Iterable[int]
) -> list[MatchDecision]:
    """Stored decisions with either record among these, each once, by pair."""
    found: dict[tuple[str, str], MatchDecision] = {}
    columns = (
        decision_table.c.left_source_record_id,
        decision_table.c.right_source_record_id,
        decision_table.c.outcome,
        decision_table.c.score,
        decision_table.c.threshold,
        decision_table.c.evidence,
    )
    for chunk in _distinct_chunks(source_record_ids):
        for column in (
            decision_table.c.left_source_record_id,
            decision_table.c.right_source_record_id,
        ):
            for row in session.execute(select(*columns).where(column.in_(chunk))):
                decision = _decision_from_row(row)
                found[(decision.left_id, decision.right_id)] = decision
    return [found[pair] for pair in sorted(found)]


def add_overrides(session: Session, overrides: Iterable[Override], actor: str) -> None:
    """Append staff overrides (record ids are source ids as decimal strings)."""
    now = utc_now()
    rows = [
        {
            "kind": override.kind,
            "left_source_record_id": int(override.pair[0]),
            "right_source_record_id": int(override.pair[1]),
            "reason": override.reason,
            "actor": actor[:200],
            "created_at": now,
        }
        for override in overrides
    ]
    if rows:
        session.execute(insert(override_table), rows)


def overrides_touching(session: Session, source_record_ids: Iterable[int]) -> list[Override]:
    """Overrides with either record among these, oldest first."""
    found: dict[int, Override] = {}
    for chunk in _distinct_chunks(source_record_ids):
        for column in (
            override_table.c.left_source_record_id,
            override_table.c.right_source_record_id,
        ):
            rows = session.execute(
                select(
                    override_table.c.id,
                    override_table.c.kind,
                    override_table.c.left_source_record_id,
                    override_table.c.right_source_record_id,
                    override_table.c.reason,
                ).where(column.in_(chunk))
            )
            for override_id, kind, left, right, reason in rows:
                found[override_id] = Override(kind, str(left), str(right), reason)
    return [found[override_id] for override_id in sorted(found)]


def all_overrides(session: Session) -> list[Override]:
    """Every override, oldest first."""
    rows = session.execute(
        select(
            override_table.c.kind,
            override_table.c.left_source_record_id,
            override_table.c.right_source_record_id,
            override_table.c.reason,
        ).order_by(override_table.c.id)
    )
    return [Override(kind, str(left), str(right), reason) for kind, left, right, reason in rows]


def isbn_blocklist(session: Session) -> list[BlockedIsbnEntry]:
    """The blocked ISBNs, in order."""
    rows = session.execute(
        select(
            blocklist_table.c.isbn,
            blocklist_table.c.reason,
            blocklist_table.c.actor,
            blocklist_table.c.created_at,
        ).order_by(blocklist_table.c.isbn)
    )
    return [BlockedIsbnEntry(*row) for row in rows]


def block_isbn(session: Session, isbn: str, reason: str, actor: str) -> bool:
    """Add an ISBN to the blocklist; False if it was there already."""
    if session.scalar(select(blocklist_table.c.isbn).where(blocklist_table.c.isbn == isbn)):
        return False
    session.execute(
        insert(blocklist_table).values(
            isbn=isbn, reason=reason, actor=actor[:200], created_at=utc_now()
        )
    )
    return True


def unblock_isbn(session: Session, isbn: str) -> bool:
    """Remove an ISBN from the blocklist; False if it was not there."""
    result = session.execute(delete(blocklist_table).where(blocklist_table.c.isbn == isbn))
    return bool(getattr(result, "rowcount", 0))


def record_placements(session: Session, source_record_ids: Iterable[int]) -> list[RecordPlacement]:
    """Where these source records are now: union record, library, status."""
    placements: list[RecordPlacement] = []
    for chunk in _distinct_chunks(source_record_ids):
        rows = session.execute(
            select(
                source_table.c.id,
                source_table.c.library_id,
                source_table.c.status,
                source_table.c.union_record_id,
            ).where(source_table.c.id.in_(chunk))
        )
        placements.extend(RecordPlacement(*row) for row in rows)
    return placements


def active_record_placements(session: Session) -> Iterator[RecordPlacement]:
    """Every active source record with its library and union record, by id."""
    rows = session.execute(
        select(
            source_table.c.id,
            source_table.c.library_id,
            source_table.c.status,
            source_table.c.union_record_id,
        )
        .where(source_table.c.status == "active")
        .order_by(source_table.c.id)
        .execution_options(yield_per=10_000)
    )
    for row in rows:
        yield RecordPlacement(*row)


def source_record_documents(
    session: Session, source_record_ids: Iterable[int]
) -> list[SourceRecordDocument]:
    """The stored MARC-in-JSON of these source records, with library and local id."""
    documents: list[SourceRecordDocument] = []
    for chunk in _distinct_chunks(source_record_ids):
        rows = session.execute(
            select(
                source_table.c.id,
                source_table.c.library_id,
                library_table.c.code,
                source_table.c.local_id,
                source_table.c.record,
            )
            .join(library_table, library_table.c.id == source_table.c.library_id)
            .where(source_table.c.id.in_(chunk))
        )
        documents.extend(SourceRecordDocument(*row) for row in rows)
    return documents


def replace_blocking_keys(session: Session, keys: Mapping[int, Iterable[tuple[str, str]]]) -> None:
    """Set the blocking keys of these source records."""
    for chunk in _distinct_chunks(keys):
        session.execute(delete(key_table).where(key_table.c.source_record_id.in_(chunk)))
    rows = [
        {"source_record_id": source_id, "kind": kind, "value": value}
        for source_id, record_keys in keys.items()
        for kind, value in set(record_keys)
    ]
    for chunk in in_chunks(rows, 10_000):
        session.execute(insert(key_table), list(chunk))


def mark_union_records_merged(session: Session, redirects: Mapping[int, int]) -> None:
    """Make each absorbed union record point at its survivor, and log a delete for each.

    Records absorbed earlier that pointed at a newly absorbed one now point at
    its survivor, so a redirect is one hop.
    """
    if not redirects:
        return
    now = utc_now()
    for absorbed, survivor in sorted(redirects.items()):
        session.execute(
            update(union_table)
            .where(union_table.c.merged_into_id == absorbed)
            .values(merged_into_id=survivor)
        )
        session.execute(
            update(union_table)
            .where(union_table.c.id == absorbed)
            .values(status="merged", merged_into_id=survivor, updated_at=now)
        )
    session.execute(
        insert(change_table),
        [
            {"union_record_id": absorbed, "operation": "delete", "changed_at": now}
            for absorbed in sorted(redirects)
        ],
    )
    withdraw_published(session, redirects)


def merged_into(session: Session, union_record_id: int) -> int | None:
    """The union record an absorbed one redirects to, or None."""
    return session.scalar(
        select(union_table.c.merged_into_id).where(
            union_table.c.id == union_record_id, union_table.c.status == "merged"
        )
    )
