"""Union records built by the full matcher inside ingest, on SQLite and PostgreSQL (issue #4).

Incremental placement, stored evidence, staff overrides, the ISBN blocklist,
stable ids with redirects, and incremental == rebuild.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any

import pytest
from pymarc import Record
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from mucluc.accounts.roles import Principal, Role
from mucluc.config import Settings
from mucluc.core.audit import AuditEvent
from mucluc.demo.corpus import CORPUS_LIBRARIES, generate_corpus
from mucluc.services import ingest as ingest_service
from mucluc.services.catalogue import add_library
from mucluc.services.curation import staff_merge
from mucluc.services.ingest import ingest_bytes
from mucluc.services.matching import (
    block_isbn,
    explain_union_record,
    merge_union_records,
    never_merge_union_records,
    rebuild_union_records,
    resolve_merged_record,
    split_union_record,
    unblock_isbn,
)
from mucluc.storage.audit import read_audit_events
from mucluc.storage.repository import SqlCatalogue
from mucluc.storage.tables import Library, MatchKey, SourceRecord, UnionRecord
from mucluc.wiring import matching_policy
from tests.builders import make_marc_file, make_marc_record

KIEU_ISBN = "978-604-0-00001-9"


def placement(store: SqlCatalogue) -> dict[tuple[str, str], int | None]:
    """Each active source record, as (library code, local id), with its union record id."""
    with store.transaction() as transaction:
        rows = transaction.session.execute(
            select(Library.code, SourceRecord.local_id, SourceRecord.union_record_id)
            .join(Library, Library.id == SourceRecord.library_id)
            .where(SourceRecord.status == "active")
        )
        return {(code, local_id): union_id for code, local_id, union_id in rows}


def partition(store: SqlCatalogue) -> set[frozenset[tuple[str, str]]]:
    """The clusters as sets of (library code, local id), whatever their ids."""
    groups: dict[int | None, set[tuple[str, str]]] = defaultdict(set)
    for member, union_id in placement(store).items():
        groups[union_id].add(member)
    return {frozenset(group) for group in groups.values()}


def union_status(store: SqlCatalogue, union_id: int) -> tuple[str, int | None]:
    with store.transaction() as transaction:
        union = transaction.session.get_one(UnionRecord, union_id)
        return union.status, union.merged_into_id


def ingest(store: SqlCatalogue, code: str, *records: Record) -> None:
    ingest_bytes(store, code, make_marc_file(*records), source_name=f"{code}.mrc")


def kieu(local_id: str, **options: object) -> Record:
    return make_marc_record(
        local_id,
        "Truyện Kiều",
        isbn=KIEU_ISBN,
        author="Nguyễn Du",
        **options,  # type: ignore[arg-type]
    )


def test_matched_records_keep_their_evidence(catalogue: SqlCatalogue) -> None:
    ingest(catalogue, "VN-NLV", kieu("n1"))
    ingest(catalogue, "VN-HCM", make_marc_record("h1", "Truyện Kiều", isbn="9786040000019"))
    union_id = placement(catalogue)[("VN-NLV", "n1")]
    assert union_id is not None

    explanation = explain_union_record(catalogue, union_id)

    assert [(m.library_code, m.local_id) for m in explanation.members] == [
        ("VN-NLV", "n1"),
        ("VN-HCM", "h1"),
    ]
    (link,) = explanation.links
    assert link.kind == "match"
    assert link.score >= link.threshold
    rules = {item.rule for item in link.evidence}
    assert {"isbn-shared", "same-title", "same-year"} <= rules


def test_title_author_and_year_match_without_an_isbn(catalogue: SqlCatalogue) -> None:
    ingest(catalogue, "VN-NLV", make_marc_record("n1", "Văn hóa Việt Nam", author="Trần, Văn Giàu"))
    ingest(catalogue, "VN-HCM", make_marc_record("h1", "Văn hoá Việt Nam", author="Trần Văn Giàu"))
    assert len(partition(catalogue)) == 1


def configured(store: SqlCatalogue, **settings: object) -> SqlCatalogue:
    """The same database, opened with the matching policy these settings give."""
    return SqlCatalogue(store.engine, matching_policy(Settings(**settings)))  # type: ignore[arg-type]


def test_the_configured_policy_decides_in_ingest_and_in_a_rebuild(
    catalogue: SqlCatalogue,
) -> None:
    strict = configured(catalogue, dedup_threshold=7.5)  # the pair scores 7.0
    ingest(strict, "VN-NLV", make_marc_record("n1", "Văn hóa Việt Nam", author="Trần, Văn Giàu"))
    ingest(strict, "VN-HCM", make_marc_record("h1", "Văn hoá Việt Nam", author="Trần Văn Giàu"))
    assert len(partition(catalogue)) == 2

    rebuild_union_records(catalogue)  # the default policy
    assert len(partition(catalogue)) == 1
    rebuild_union_records(strict)
    assert len(partition(catalogue)) == 2


def test_the_configured_library_speaks_for_the_union_record(catalogue: SqlCatalogue) -> None:
    ingest(catalogue, "VN-NLV", make_marc_record("n1", "Văn hóa Việt Nam", author="Trần, Văn Giàu"))
    ingest(catalogue, "VN-HCM", make_marc_record("h1", "Văn hoá Việt Nam", author="Trần Văn Giàu"))
    (union_id,) = set(placement(catalogue).values())
    assert union_id is not None

    def title() -> str:
        with catalogue.transaction() as transaction:
            return transaction.session.get_one(UnionRecord, union_id).title

    assert title() == "Văn hóa Việt Nam"  # the National Library's, by default
    rebuild_union_records(configured(catalogue, dedup_preferred_libraries=["VN-HCM"]))
    assert title() == "Văn hoá Việt Nam"


def test_another_volume_stays_apart_despite_the_same_isbn(catalogue: SqlCatalogue) -> None:
    ingest(catalogue, "VN-NLV", make_marc_record("n1", "Lịch sử Việt Nam. Tập 1", isbn=KIEU_ISBN))
    ingest(catalogue, "VN-HCM", make_marc_record("h1", "Lịch sử Việt Nam. Tập 2", isbn=KIEU_ISBN))
    assert len(partition(catalogue)) == 2


def test_changed_record_leaves_a_union_it_no_longer_matches(catalogue: SqlCatalogue) -> None:
    ingest(catalogue, "VN-NLV", kieu("n1"))
    ingest(catalogue, "VN-HCM", kieu("h1"), kieu("h2", year=None))  # h2 is a second copy
    before = placement(catalogue)
    ingest(catalogue, "VN-HCM", make_marc_record("h1", "Số đỏ", author="Vũ Trọng Phụng"))
    after = placement(catalogue)
    assert after[("VN-NLV", "n1")] == before[("VN-NLV", "n1")]
    assert after[("VN-HCM", "h1")] != after[("VN-NLV", "n1")]


def test_merge_redirects_the_absorbed_id_and_survives_a_rebuild(catalogue: SqlCatalogue) -> None:
    ingest(catalogue, "VN-NLV", make_marc_record("n1", "Truyện Kiều", author="Nguyễn Du"))
    ingest(catalogue, "VN-HCM", make_marc_record("h1", "Kim Vân Kiều", author="Nguyễn Du"))
    first, second = placement(catalogue)[("VN-NLV", "n1")], placement(catalogue)[("VN-HCM", "h1")]
    assert first is not None
    assert second is not None
    assert first != second

    survivor = merge_union_records(catalogue, [first, second], reason="same book, other title")

    assert survivor == first
    assert union_status(catalogue, second) == ("merged", first)
    assert resolve_merged_record(catalogue, second) == first
    assert [link.kind for link in explain_union_record(catalogue, first).links] == ["staff-merge"]
    summary = rebuild_union_records(catalogue)
    assert summary.moved == 0
    assert set(placement(catalogue).values()) == {first}


def test_split_keeps_the_old_id_with_the_larger_part(catalogue: SqlCatalogue) -> None:
    ingest(catalogue, "VN-NLV", kieu("n1"))
    ingest(catalogue, "VN-HCM", kieu("h1"))
    ingest(catalogue, "VN-VNU", kieu("u1"))
    (union_id,) = set(placement(catalogue).values())
    assert union_id is not None

    kept, split_off = split_union_record(catalogue, union_id, ["VN-VNU:u1"], reason="other print")

    assert kept == union_id
    assert split_off != union_id
    assert placement(catalogue)[("VN-VNU", "u1")] == split_off
    rebuild_union_records(catalogue)
    assert placement(catalogue)[("VN-VNU", "u1")] == split_off
    assert placement(catalogue)[("VN-NLV", "n1")] == union_id


def test_never_merge_keeps_matching_records_apart(catalogue: SqlCatalogue) -> None:
    ingest(catalogue, "VN-NLV", make_marc_record("n1", "Truyện Kiều", author="Nguyễn Du"))
    ingest(catalogue, "VN-HCM", make_marc_record("h1", "Kim Vân Kiều", author="Nguyễn Du"))
    first, second = placement(catalogue)[("VN-NLV", "n1")], placement(catalogue)[("VN-HCM", "h1")]
    assert first is not None
    assert second is not None
    never_merge_union_records(catalogue, first, second, reason="two works")
    ingest(catalogue, "VN-HCM", make_marc_record("h1", "Truyện Kiều", author="Nguyễn Du"))
    assert placement(catalogue)[("VN-HCM", "h1")] != placement(catalogue)[("VN-NLV", "n1")]


def test_blocklisted_isbn_splits_and_unblocking_joins_again(catalogue: SqlCatalogue) -> None:
    ingest(catalogue, "VN-NLV", make_marc_record("n1", "Tuyển tập truyện ngắn", isbn=KIEU_ISBN))
    ingest(catalogue, "VN-HCM", make_marc_record("h1", "Tuyển tập truyện ngắn", isbn=KIEU_ISBN))
    assert len(partition(catalogue)) == 1

    assert block_isbn(catalogue, KIEU_ISBN, reason="printed in many books")
    assert len(partition(catalogue)) == 2
    assert rebuild_union_records(catalogue).moved == 0

    assert unblock_isbn(catalogue, KIEU_ISBN)
    assert len(partition(catalogue)) == 1


def test_deleting_the_last_member_deletes_the_union_record(catalogue: SqlCatalogue) -> None:
    ingest(catalogue, "VN-NLV", kieu("n1"))
    union_id = placement(catalogue)[("VN-NLV", "n1")]
    assert union_id is not None
    deleted = kieu("n1")
    deleted.leader = deleted.leader[:5] + "d" + deleted.leader[6:]
    ingest(catalogue, "VN-NLV", deleted)
    assert union_status(catalogue, union_id) == ("deleted", None)


def test_only_active_records_hold_blocking_keys(catalogue: SqlCatalogue) -> None:
    """Candidates are read from the keys alone (`records_sharing_keys`), so this must hold."""
    another_book = make_marc_record("n2", "Lục Vân Tiên", author="Nguyễn Đình Chiểu")
    untitled = make_marc_record("n3", None)  # no 245: quarantined
    ingest(catalogue, "VN-NLV", kieu("n1"), another_book, untitled)
    ingest(catalogue, "VN-HCM", kieu("h1"))
    deleted = kieu("n1")
    deleted.leader = deleted.leader[:5] + "d" + deleted.leader[6:]
    ingest(catalogue, "VN-NLV", deleted)
    kept = make_marc_record("h2", "Lục Vân Tiên", author="Nguyễn Đình Chiểu", year=2001)
    ingest_bytes(catalogue, "VN-HCM", make_marc_file(kept), source_name="all.mrc", full=True)
    with catalogue.transaction() as transaction:
        holders = transaction.session.execute(
            select(SourceRecord.local_id, SourceRecord.status)
            .join(MatchKey, MatchKey.source_record_id == SourceRecord.id)
            .distinct()
        ).all()
    assert sorted(holders) == [("h2", "active"), ("n2", "active")]
    ingest(catalogue, "VN-VNU", kieu("u1"))
    assert ("VN-VNU", "u1") in placement(catalogue)
    assert len(partition(catalogue)) == 3  # u1 alone: its duplicates left; n2, h2 other books


def test_incremental_placement_equals_a_rebuild(catalogue: SqlCatalogue) -> None:
    for library in CORPUS_LIBRARIES:
        if library.code not in {"VN-NLV", "VN-HCM", "VN-VNU"}:
            add_library(catalogue, library)
    by_library: dict[str, list[Record]] = defaultdict(list)
    for code, record in generate_corpus(600, seed=4):
        by_library[code].append(record)
    for code, records in sorted(by_library.items()):  # half first, the rest later
        ingest(catalogue, code, *records[: len(records) // 2])
    for code, records in sorted(by_library.items(), reverse=True):
        ingest(catalogue, code, *records[len(records) // 2 :])
    changed_code, changed = max(by_library.items(), key=lambda item: len(item[1]))
    deleted = changed[0]
    deleted.leader = deleted.leader[:5] + "d" + deleted.leader[6:]
    ingest(catalogue, changed_code, deleted)
    incremental = placement(catalogue)

    summary = rebuild_union_records(catalogue)

    assert summary.moved == 0
    assert placement(catalogue) == incremental
    assert summary.matches > 0
    assert len(partition(catalogue)) < len(incremental)


def audit_actions(store: SqlCatalogue) -> list[str]:
    with store.transaction() as transaction:
        return [event.action for event in read_audit_events(transaction.session, **EVERY_EVENT)]


EVERY_EVENT = {"library_code": None, "after_id": 0, "limit": 100}


def test_a_staff_merge_and_its_audit_entry_commit_together(catalogue: SqlCatalogue) -> None:
    ingest(catalogue, "VN-NLV", make_marc_record("n1", "Truyện Kiều", author="Nguyễn Du"))
    ingest(catalogue, "VN-HCM", make_marc_record("h1", "Kim Vân Kiều", author="Nguyễn Du"))
    staff = Principal(actor="account:lan", role=Role.NATIONAL_ADMINISTRATOR)
    before = partition(catalogue)

    def unwritable(survivor: int) -> AuditEvent:
        return AuditEvent(actor="account:lan", action="union.merge", details={"x": object()})

    first, second = sorted({union for union in placement(catalogue).values() if union})
    with pytest.raises((StatementError, TypeError)):  # the drivers differ
        merge_union_records(catalogue, [first, second], reason="same", audited=unwritable)
    assert partition(catalogue) == before
    assert audit_actions(catalogue) == []

    survivor = staff_merge(catalogue, staff, ["VN-NLV:n1", "VN-HCM:h1"], reason="same book")
    assert set(placement(catalogue).values()) == {survivor}
    assert audit_actions(catalogue) == ["union.merge"]


def clusters_of(store: SqlCatalogue, *members: tuple[str, str]) -> set[frozenset[tuple[str, str]]]:
    """The clusters these records are in, each cut down to these records."""
    wanted = set(members)
    return {group & wanted for group in partition(store) if group & wanted}


def assert_a_rebuild_agrees(store: SqlCatalogue) -> None:
    incremental = placement(store)
    assert rebuild_union_records(store).moved == 0
    assert placement(store) == incremental


def test_a_crowded_title_key_pairs_no_one_and_a_rebuild_agrees_both_ways(
    catalogue: SqlCatalogue,
) -> None:
    """With a block limit of 3 a fourth holder makes the title keys crowded; a change frees them."""
    limited = configured(catalogue, dedup_block_limit=3)
    culture = "Văn hóa Việt Nam"
    ingest(limited, "VN-NLV", make_marc_record("n1", culture, author="Trần Văn Giàu"))
    ingest(limited, "VN-HCM", make_marc_record("h1", culture, author="Trần Văn Giàu"))
    records = (("VN-NLV", "n1"), ("VN-HCM", "h1"), ("VN-VNU", "v1"), ("VN-VNU", "v2"))
    assert clusters_of(limited, *records) == {frozenset(records[:2])}

    ingest(
        limited,
        "VN-VNU",
        make_marc_record("v1", culture, author="Trần Văn Giàu"),
        make_marc_record("v2", culture, author="Trần Văn Giàu"),
    )
    assert clusters_of(limited, *records) == {frozenset({record}) for record in records}
    assert_a_rebuild_agrees(limited)

    ingest(limited, "VN-VNU", make_marc_record("v2", "Địa lý Việt Nam", author="Trần Văn Giàu"))
    assert clusters_of(limited, *records) == {frozenset(records[:3]), frozenset(records[3:])}
    assert_a_rebuild_agrees(limited)


def test_batches_committed_side_by_side_still_meet(
    catalogue: SqlCatalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch placed while another's transaction is still open sees that batch once committed.

    The first batch pauses after placing its record, before committing; the
    second, with a duplicate from another library, starts meanwhile. Without
    the catalogue lock, PostgreSQL gave the second an older view and the two
    records stayed apart.
    """
    placed, release = threading.Event(), threading.Event()
    place = ingest_service.place_records

    def pausing_once(*arguments: Any, **options: Any) -> int:
        joined = place(*arguments, **options)
        if not placed.is_set():
            placed.set()
            release.wait(timeout=30)
        return joined

    monkeypatch.setattr(ingest_service, "place_records", pausing_once)
    first = threading.Thread(target=ingest, args=(catalogue, "VN-NLV", kieu("n1")))
    second = threading.Thread(target=ingest, args=(catalogue, "VN-HCM", kieu("h1")))
    first.start()
    assert placed.wait(timeout=30)
    second.start()
    second.join(timeout=0.5)  # let the second batch reach the lock (or, without it, finish)
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert not first.is_alive()
    assert not second.is_alive()
    assert len(partition(catalogue)) == 1
