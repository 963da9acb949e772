"""Published metadata kept as text: refreshed after every change, served as a fresh render (#7).

After each kind of change (a member added or removed, a staff merge or
split, a deletion, a rebuild) the provider must serve a render made now from
the catalogue's own record view; once the publisher has run (#3: it renders
outside ingest), every active union record's stored marc21 and oai_dc text
must carry its latest change and equal that render, and still be served.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from pymarc import Leader, Record
from sqlalchemy import Engine, delete, event, func, insert, select, update
from sqlalchemy.orm import Session

from mucluc.config import Settings
from mucluc.core.crosswalk.published import render_published_metadata
from mucluc.protocols.oaipmh.verbs import METADATA_FORMATS, Repository, respond
from mucluc.services.exports import published_members
from mucluc.services.ingest import ingest_bytes
from mucluc.services.matching import (
    merge_union_records,
    rebuild_union_records,
    split_union_record,
)
from mucluc.services.publishing import publish_stale_metadata
from mucluc.storage import publishing as publishing_storage
from mucluc.storage.database import alembic_config, upgrade_database
from mucluc.storage.harvesting import SqlPublicationSource
from mucluc.storage.publishing import SqlMetadataPublisher
from mucluc.storage.repository import SqlCatalogue
from mucluc.storage.tables import Change, PublishedMetadata, SourceRecord
from mucluc.wiring import PublishingFollower
from tests.builders import make_marc_file, make_marc_record

KIEU_ISBN = "978-604-0-00001-9"
FOLLOWER_WAIT_SECONDS = 60  # a bound for a hung follower, not a speed requirement
REPOSITORY = Repository(
    name="mucluc test",
    base_url="http://127.0.0.1/oai",
    admin_email="catalogue@mucluc.invalid",
    repository_identifier="mucluc.vn",
    page_size=1000,
)


def ingest(store: SqlCatalogue, code: str, *records: Record) -> None:
    ingest_bytes(store, code, make_marc_file(*records), source_name=f"{code}.mrc")


def deletion_of(record: Record) -> Record:
    record.leader = Leader(str(record.leader)[:5] + "d" + str(record.leader)[6:])
    return record


def kieu(local_id: str, **details: Any) -> Record:
    return make_marc_record(
        local_id, "Truyện Kiều /", isbn=KIEU_ISBN, author="Nguyễn Du", **details
    )


def fresh_renders(store: SqlCatalogue) -> dict[int, dict[str, str]]:
    """Every active union record's metadata rendered now from its record view."""
    with store.transaction() as transaction:
        views = transaction.union_record_views(list(transaction.active_union_record_ids()))
    return {
        view.id: render_published_metadata(view.id, published_members(view))
        for view in views
        if view.members
    }


def stored_texts(store: SqlCatalogue) -> dict[int, dict[str, tuple[int, str]]]:
    """The kept text of every union record by format, with the sequence it was rendered for."""
    kept: dict[int, dict[str, tuple[int, str]]] = {}
    with Session(store.engine) as session:
        for row in session.scalars(select(PublishedMetadata)):
            kept.setdefault(row.union_record_id, {})[row.metadata_format] = (row.sequence, row.xml)
    return kept


def latest_sequences(store: SqlCatalogue) -> dict[int, int]:
    with Session(store.engine) as session:
        rows = session.execute(
            select(Change.union_record_id, func.max(Change.sequence)).group_by(
                Change.union_record_id
            )
        )
        return dict(rows.all())


def served(store: SqlCatalogue, metadata_prefix: str) -> bytes:
    return respond(
        {"verb": ["ListRecords"], "metadataPrefix": [metadata_prefix]},
        SqlPublicationSource(store.engine),
        REPOSITORY,
        datetime.now(UTC),
    )


def served_record(store: SqlCatalogue, union_id: int, metadata_prefix: str) -> bytes:
    return respond(
        {
            "verb": ["GetRecord"],
            "identifier": [f"oai:mucluc.vn:{union_id}"],
            "metadataPrefix": [metadata_prefix],
        },
        SqlPublicationSource(store.engine),
        REPOSITORY,
        datetime.now(UTC),
    )


def assert_served(store: SqlCatalogue, fresh: dict[int, dict[str, str]]) -> None:
    """The provider serves exactly these renders, in every format."""
    for metadata_format in METADATA_FORMATS:
        document = served(store, metadata_format)
        assert document.count(b"<metadata>") == len(fresh)
        for texts in fresh.values():
            assert texts[metadata_format].encode("utf-8") in document


def assert_published_is_fresh(store: SqlCatalogue) -> dict[int, dict[str, str]]:
    """Served: fresh renders, before and after the publisher; kept: the latest change's render."""
    fresh = fresh_renders(store)
    assert_served(store, fresh)
    publish_stale_metadata(SqlMetadataPublisher(store.engine))
    latest = latest_sequences(store)
    assert stored_texts(store) == {
        union_id: {
            metadata_format: (latest[union_id], xml) for metadata_format, xml in texts.items()
        }
        for union_id, texts in fresh.items()
    }
    assert_served(store, fresh)
    return fresh


def union_of(store: SqlCatalogue, local_id: str) -> int:
    with Session(store.engine) as session:
        union_id = session.scalar(
            select(SourceRecord.union_record_id).where(
                SourceRecord.local_id == local_id, SourceRecord.status == "active"
            )
        )
    assert union_id is not None
    return union_id


@pytest.mark.postgres
def test_kept_text_follows_members_added_and_removed(catalogue: SqlCatalogue) -> None:
    ingest(catalogue, "VN-NLV", kieu("n1"), make_marc_record("n2", "Toán cao cấp"))
    assert_published_is_fresh(catalogue)
    ingest(catalogue, "VN-HCM", kieu("h1", publisher="Nxb. Văn học"))
    union_id = union_of(catalogue, "n1")
    assert union_of(catalogue, "h1") == union_id
    assert "(VN-HCM)h1" in assert_published_is_fresh(catalogue)[union_id]["marc21"]
    ingest(catalogue, "VN-HCM", deletion_of(kieu("h1")))
    assert "(VN-HCM)h1" not in assert_published_is_fresh(catalogue)[union_id]["marc21"]


@pytest.mark.postgres
def test_kept_text_follows_a_changed_member(catalogue: SqlCatalogue) -> None:
    ingest(catalogue, "VN-NLV", kieu("n1"))
    ingest(catalogue, "VN-NLV", kieu("n1", publisher="Nxb. Kim Đồng"))
    texts = assert_published_is_fresh(catalogue)[union_of(catalogue, "n1")]
    assert "Nxb. Kim Đồng" in texts["marc21"]
    assert "Nxb. Kim Đồng" in texts["oai_dc"]


@pytest.mark.postgres
def test_kept_text_follows_a_staff_merge_and_split(catalogue: SqlCatalogue) -> None:
    ingest(catalogue, "VN-NLV", kieu("n1"))
    ingest(catalogue, "VN-HCM", make_marc_record("h1", "Kim Vân Kiều truyện"))
    first, second = union_of(catalogue, "n1"), union_of(catalogue, "h1")
    assert {first, second} <= assert_published_is_fresh(catalogue).keys()
    survivor = merge_union_records(catalogue, [first, second], reason="one edition")
    absorbed = ({first, second} - {survivor}).pop()
    assert absorbed not in assert_published_is_fresh(catalogue)
    kept, split_off = split_union_record(catalogue, survivor, ["VN-HCM:h1"], reason="two")
    fresh = assert_published_is_fresh(catalogue)
    assert "(VN-HCM)h1" not in fresh[kept]["marc21"]
    assert "(VN-HCM)h1" in fresh[split_off]["marc21"]


@pytest.mark.postgres
def test_a_deleted_union_record_keeps_no_text(catalogue: SqlCatalogue) -> None:
    ingest(catalogue, "VN-NLV", kieu("n1"), make_marc_record("n2", "Toán cao cấp"))
    union_id = union_of(catalogue, "n1")
    assert union_id in assert_published_is_fresh(catalogue)
    ingest(catalogue, "VN-NLV", deletion_of(kieu("n1")))
    assert union_id not in stored_texts(catalogue)
    assert union_id not in assert_published_is_fresh(catalogue)
    assert union_id not in stored_texts(catalogue)


@pytest.mark.postgres
def test_a_rebuild_leaves_every_kept_text_fresh(catalogue: SqlCatalogue) -> None:
    ingest(catalogue, "VN-NLV", kieu("n1"), make_marc_record("n2", "Toán cao cấp"))
    ingest(catalogue, "VN-HCM", kieu("h1"), make_marc_record("h2", "Lịch sử Việt Nam"))
    rebuild_union_records(catalogue)
    assert_published_is_fresh(catalogue)


@pytest.mark.postgres
def test_text_older_than_the_latest_change_is_never_served(catalogue: SqlCatalogue) -> None:
    ingest(catalogue, "VN-NLV", kieu("n1"))
    publish_stale_metadata(SqlMetadataPublisher(catalogue.engine))
    union_id = union_of(catalogue, "n1")
    with Session(catalogue.engine) as session, session.begin():
        # A change logged without rendering (as by hand): the kept text is now stale.
        record = session.scalar(select(SourceRecord.record).where(SourceRecord.local_id == "n1"))
        assert record is not None
        fields = [
            {"245": {"ind1": "0", "ind2": "0", "subfields": [{"a": "Truyện Kiều, tái bản"}]}}
            if "245" in field
            else field
            for field in record["fields"]
        ]
        session.execute(
            update(SourceRecord)
            .where(SourceRecord.local_id == "n1")
            .values(record={**record, "fields": fields})
        )
        session.execute(insert(Change).values(union_record_id=union_id, operation="upsert"))
    stale = stored_texts(catalogue)[union_id]["marc21"][1]
    assert "tái bản" not in stale
    fresh = fresh_renders(catalogue)[union_id]
    for metadata_format in METADATA_FORMATS:
        assert "tái bản" in fresh[metadata_format]
        assert fresh[metadata_format].encode("utf-8") in served(catalogue, metadata_format)
        record_only = served_record(catalogue, union_id, metadata_format)
        assert fresh[metadata_format].encode("utf-8") in record_only


@pytest.mark.postgres
def test_the_migration_renders_the_records_already_kept(catalogue: SqlCatalogue) -> None:
    ingest(catalogue, "VN-NLV", kieu("n1"), make_marc_record("n2", "Toán cao cấp"))
    ingest(catalogue, "VN-HCM", kieu("h1"))
    with Session(catalogue.engine) as session, session.begin():
        session.execute(delete(PublishedMetadata))
    command.downgrade(alembic_config(catalogue.engine), "0004")
    upgrade_database(catalogue.engine)
    assert len(stored_texts(catalogue)) == 2
    assert_published_is_fresh(catalogue)


def kept_sequences(store: SqlCatalogue, union_id: int) -> set[int]:
    return {sequence for sequence, _ in stored_texts(store).get(union_id, {}).values()}


def is_every_kept_text_current(store: SqlCatalogue) -> bool:
    latest = latest_sequences(store)
    return {
        union_id: {sequence for sequence, _ in texts.values()}
        for union_id, texts in stored_texts(store).items()
    } == {union_id: {latest[union_id]} for union_id in fresh_renders(store)}


@contextmanager
def running_once_before(
    engine: Engine, statement_part: str, action: Callable[[], None]
) -> Iterator[None]:
    """Run `action` (on other connections) just before the first statement containing a part."""
    armed = True

    def before_statement(*arguments: Any) -> None:
        nonlocal armed
        if armed and statement_part in arguments[2]:
            armed = False
            action()

    event.listen(engine, "before_cursor_execute", before_statement)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", before_statement)
    assert not armed, f"no statement contained {statement_part!r}"


@pytest.mark.postgres
def test_ingest_leaves_the_text_unrendered_and_the_provider_renders_it_fresh(
    catalogue: SqlCatalogue,
) -> None:
    ingest(catalogue, "VN-NLV", kieu("n1"), make_marc_record("n2", "Toán cao cấp"))
    assert stored_texts(catalogue) == {}
    publish_stale_metadata(SqlMetadataPublisher(catalogue.engine))
    ingest(catalogue, "VN-NLV", kieu("n1", publisher="Nxb. Kim Đồng"))
    union_id = union_of(catalogue, "n1")
    assert max(kept_sequences(catalogue, union_id)) < latest_sequences(catalogue)[union_id]
    fresh = fresh_renders(catalogue)
    assert_served(catalogue, fresh)
    for metadata_format in METADATA_FORMATS:
        assert "Nxb. Kim Đồng" in fresh[union_id][metadata_format]
        record_only = served_record(catalogue, union_id, metadata_format)
        assert fresh[union_id][metadata_format].encode("utf-8") in record_only


@pytest.mark.postgres
def test_the_publisher_renders_only_the_records_changed_since(catalogue: SqlCatalogue) -> None:
    publisher = SqlMetadataPublisher(catalogue.engine)
    ingest(catalogue, "VN-NLV", kieu("n1"), make_marc_record("n2", "Toán cao cấp"))
    assert publish_stale_metadata(publisher).records == 2
    assert publish_stale_metadata(publisher).records == 0
    ingest(catalogue, "VN-NLV", kieu("n1", publisher="Nxb. Kim Đồng"))
    assert publish_stale_metadata(publisher).records == 1
    assert is_every_kept_text_current(catalogue)


@pytest.mark.postgres
@pytest.mark.parametrize(
    "moment",
    ["FROM source_records", "INSERT INTO published_metadata"],
    ids=["while-reading-members", "before-writing-text"],
)
def test_a_change_committed_while_the_publisher_renders_is_not_masked(
    catalogue: SqlCatalogue, moment: str
) -> None:
    ingest(catalogue, "VN-NLV", kieu("n1"))
    union_id = union_of(catalogue, "n1")
    before = latest_sequences(catalogue)[union_id]
    with running_once_before(
        catalogue.engine,
        moment,
        lambda: ingest(catalogue, "VN-NLV", kieu("n1", publisher="Nxb. Kim Đồng")),
    ):
        SqlMetadataPublisher(catalogue.engine).publish_stale_records(0, limit=10)
    assert latest_sequences(catalogue)[union_id] > before
    assert kept_sequences(catalogue, union_id) == {before}
    texts = assert_published_is_fresh(catalogue)[union_id]
    assert "Nxb. Kim Đồng" in texts["marc21"]


@pytest.mark.postgres
def test_the_follower_keeps_the_text_current_in_the_background(
    catalogue: SqlCatalogue, tmp_path: Path
) -> None:
    ingest(catalogue, "VN-NLV", kieu("n1"), make_marc_record("n2", "Toán cao cấp"))
    follower = PublishingFollower(catalogue, Settings(home=tmp_path), refresh_seconds=0.05)
    follower.start()
    try:
        wait_for(lambda: is_every_kept_text_current(catalogue))
        ingest(catalogue, "VN-HCM", kieu("h1"))
        ingest(catalogue, "VN-NLV", deletion_of(make_marc_record("n2", "Toán cao cấp")))
        wait_for(lambda: is_every_kept_text_current(catalogue))
    finally:
        follower.stop()
    assert "(VN-HCM)h1" in assert_published_is_fresh(catalogue)[union_of(catalogue, "n1")]["marc21"]


@pytest.mark.postgres
def test_only_the_follower_holding_the_publisher_lock_renders(
    catalogue: SqlCatalogue, tmp_path: Path
) -> None:
    first_worker = PublishingFollower(catalogue, Settings(home=tmp_path))
    second_worker = PublishingFollower(catalogue, Settings(home=tmp_path))
    ingest(catalogue, "VN-NLV", kieu("n1"), make_marc_record("n2", "Toán cao cấp"))
    assert first_worker.catch_up() == 2
    ingest(catalogue, "VN-HCM", make_marc_record("h1", "Lịch sử Việt Nam"))
    assert second_worker.catch_up() == 0
    first_worker.stop()
    assert second_worker.catch_up() == 1
    second_worker.stop()
    assert is_every_kept_text_current(catalogue)


def wait_for(condition: Callable[[], bool]) -> None:
    """Return once `condition` holds; fail if it has not within FOLLOWER_WAIT_SECONDS."""
    deadline = time.monotonic() + FOLLOWER_WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, "the follower never caught up"
        time.sleep(0.05)


@pytest.mark.postgres
def test_a_record_that_cannot_be_rendered_does_not_stop_the_others(
    catalogue: SqlCatalogue, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    publisher = SqlMetadataPublisher(catalogue.engine)
    ingest(
        catalogue,
        "VN-NLV",
        kieu("n1"),
        make_marc_record("n2", "Toán cao cấp"),
        make_marc_record("n3", "Địa lý tự nhiên"),
    )
    with catalogue.transaction() as transaction:
        broken = sorted(transaction.active_union_record_ids())[1]
    renders = publishing_storage.render_published_metadata

    def failing_on_one(union_id: int, members: Any) -> dict[str, str]:
        if union_id == broken:
            raise ValueError("a crosswalk that fails on this record")
        return renders(union_id, members)

    monkeypatch.setattr(publishing_storage, "render_published_metadata", failing_on_one)
    assert publish_stale_metadata(publisher).records == 2
    assert any(
        entry.message == "published_metadata_not_rendered"
        and getattr(entry, "union_record_id", None) == broken
        for entry in caplog.records
    )
    monkeypatch.undo()
    assert publish_stale_metadata(publisher).records == 1  # the next round tries it again
    assert is_every_kept_text_current(catalogue)
