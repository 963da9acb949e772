"""Accounts, keys, the append-only audit log and backups, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from mucluc.accounts.roles import Principal, Role
from mucluc.accounts.service import (
    SYSTEM_ACTOR,
    authenticate_api_key,
    create_account,
    create_api_key,
    rotate_api_key,
    sign_in,
)
from mucluc.errors import AuthenticationError, BackupError, PermissionDeniedError
from mucluc.services.audit import iter_audit_events, record_audit_event
from mucluc.services.ingest import ingest_bytes
from mucluc.storage.accounts import SqlSecurityStore
from mucluc.storage.backup import restore_backup, take_backup, verify_backup
from mucluc.storage.database import make_engine
from mucluc.storage.repository import SqlCatalogue
from tests.builders import add_contribution_job, make_marc_file, make_marc_record


@pytest.fixture
def security(catalogue: SqlCatalogue) -> SqlSecurityStore:
    return SqlSecurityStore(catalogue.engine)


def test_a_library_administrator_cannot_create_staff_of_another_library(
    security: SqlSecurityStore,
) -> None:
    acting = Principal("account:admin-hcm", Role.LIBRARY_ADMINISTRATOR, "VN-HCM")
    with pytest.raises(PermissionDeniedError, match="for library VN-NLV"):
        create_account(
            security,
            acting,
            username="spy",
            password="a long enough password",
            role=Role.LIBRARY_ADMINISTRATOR,
            library_code="VN-NLV",
        )


def test_sign_in_refuses_a_wrong_password_and_audits_both(security: SqlSecurityStore) -> None:
    create_account(
        security,
        SYSTEM_ACTOR,
        username="lan",
        password="mật khẩu đủ dài",
        role=Role.CATALOGUER,
        library_code="VN-HCM",
    )
    with pytest.raises(AuthenticationError):
        sign_in(
            security, "lan", "wrong password!", client_address="10.0.0.9", lifetime=timedelta(1)
        )
    started = sign_in(
        security, "LAN", "mật khẩu đủ dài", client_address="10.0.0.9", lifetime=timedelta(1)
    )
    assert started.account.library_code == "VN-HCM"
    actions = [event.action for event in iter_audit_events(security, library_code=None)]
    assert actions == ["account.create", "session.refuse", "session.start"]


def test_rotating_a_key_revokes_the_old_one(security: SqlSecurityStore) -> None:
    old = create_api_key(security, SYSTEM_ACTOR, "VN-NLV", label="Koha")
    new = rotate_api_key(security, SYSTEM_ACTOR, old.key.key_id)
    assert authenticate_api_key(security, new.token).library_code == "VN-NLV"
    with pytest.raises(AuthenticationError, match="revoked"):
        authenticate_api_key(security, old.token)
    assert "secret" not in repr(security.list_api_keys("VN-NLV"))


def test_the_database_refuses_to_change_or_delete_audit_events(
    security: SqlSecurityStore,
) -> None:
    record_audit_event(security, actor="cli:test", action="setting.change", target="x")
    for statement in ("UPDATE audit_events SET actor = 'someone else'", "DELETE FROM audit_events"):
        with pytest.raises(DatabaseError, match="append-only"), security.engine.begin() as c:
            c.execute(text(statement))
    assert [event.actor for event in iter_audit_events(security, library_code=None)] == ["cli:test"]


def _fill(catalogue: SqlCatalogue, security: SqlSecurityStore) -> None:
    ingest_bytes(
        catalogue,
        "VN-NLV",
        make_marc_file(
            make_marc_record("n1", "Truyện Kiều", isbn="978-604-0-00001-9"),
            make_marc_record("n2", None),
        ),
        source_name="nlv.mrc",
    )
    ingest_bytes(
        catalogue,
        "VN-HCM",
        make_marc_file(make_marc_record("h1", "Truyện Kiều", isbn="9786040000019")),
        source_name="hcm.mrc",
    )
    create_api_key(security, SYSTEM_ACTOR, "VN-HCM")


def test_a_backup_verifies_and_restores_identical_tables(
    catalogue: SqlCatalogue, security: SqlSecurityStore, tmp_path: Path
) -> None:
    _fill(catalogue, security)
    manifest = take_backup(catalogue.engine, tmp_path / "backup")
    assert manifest["tables"]["source_records"]["rows"] == 3
    assert manifest["tables"]["audit_events"]["rows"] == 1
    assert verify_backup(tmp_path / "backup", catalogue.engine) == manifest
    with pytest.raises(BackupError, match="not empty"):
        restore_backup(tmp_path / "backup", catalogue.engine)


def test_a_damaged_backup_is_refused(
    catalogue: SqlCatalogue, security: SqlSecurityStore, tmp_path: Path
) -> None:
    _fill(catalogue, security)
    manifest = take_backup(catalogue.engine, tmp_path / "backup")
    (name,) = manifest["files"]
    with (tmp_path / "backup" / name).open("r+b") as stream:
        stream.seek(200)
        stream.write(b"\x00damaged\x00")
    with pytest.raises(BackupError, match="damaged"):
        verify_backup(tmp_path / "backup", make_engine(f"sqlite:///{tmp_path / 'x.db'}"))


def test_only_the_unfinished_jobs_of_ended_processes_are_interrupted(
    security: SqlSecurityStore,
) -> None:
    ended = add_contribution_job(security, "ended", "running")
    alive = add_contribution_job(security, "alive", "running")
    unnamed = add_contribution_job(security, "", "queued")
    finished = add_contribution_job(security, "ended", "finished")
    assert security.interrupt_orphaned_jobs(lambda owner: owner in ("ended", "")) == 2
    statuses = {
        job_id: found.status
        for job_id in (ended, alive, unnamed, finished)
        if (found := security.find_contribution_job(job_id)) is not None
    }
    assert statuses == {
        ended: "interrupted",
        alive: "running",
        unnamed: "interrupted",
        finished: "finished",
    }
