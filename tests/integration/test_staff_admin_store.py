"""What the staff admin pages read and write in the store, on SQLite and PostgreSQL.

Jobs with their progress, quarantined records retired with their audit
event in one transaction, and library details edited.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mucluc.core.audit import AuditEvent
from mucluc.core.model import LibraryInfo
from mucluc.errors import LibraryNotFoundError
from mucluc.services.audit import read_audit_page
from mucluc.services.catalogue import list_libraries, update_library
from mucluc.services.ingest import ingest_bytes, ingest_file
from mucluc.storage.accounts import SqlSecurityStore
from mucluc.storage.jobs import SqlJobBoard
from mucluc.storage.quarantine import SqlQuarantine
from mucluc.storage.repository import SqlCatalogue
from tests.builders import make_marc_file, make_marc_record


def test_jobs_read_back_newest_first_per_library_with_progress_while_running(
    catalogue: SqlCatalogue, tmp_path: Path
) -> None:
    board = SqlJobBoard(catalogue.engine)
    ingest_bytes(
        catalogue,
        "VN-NLV",
        make_marc_file(make_marc_record("n1", "Tắt đèn"), make_marc_record(None, "No id")),
        source_name="nlv.mrc",
    )
    path = tmp_path / "hcm.mrc"
    path.write_bytes(make_marc_file(*(make_marc_record(f"h{n}", f"Sách {n}") for n in range(3))))
    seen_running = []
    ingest_file(
        catalogue,
        "VN-HCM",
        path,
        progress=lambda _count: seen_running.extend(board.ingest_jobs("VN-HCM", 10)),
    )
    (running,) = seen_running
    assert (running.status, running.stored_so_far) == ("running", 3)
    (finished,) = board.ingest_jobs("VN-HCM", 10)
    assert finished.status == "finished"
    assert finished.counts["added"] == 3
    assert finished.kind == "file"
    assert [job.source_name for job in board.ingest_jobs(None, 10)] == ["hcm.mrc", "nlv.mrc"]
    assert board.ingest_jobs("VN-NLV", 10)[0].counts["quarantined"] == 1
    SqlSecurityStore(catalogue.engine).add_contribution_job(
        library_code="VN-HCM",
        operation="submit",
        record_format="marc21",
        size_bytes=9,
        actor="k",
        owner="server-1",
    )
    (job,) = board.contribution_jobs("VN-HCM", 10)
    assert (job.status, job.library_code) == ("queued", "VN-HCM")
    assert board.contribution_jobs("VN-NLV", 10) == []


def test_a_quarantined_record_is_retired_once_with_its_audit_event(
    catalogue: SqlCatalogue,
) -> None:
    summary = ingest_bytes(
        catalogue,
        "VN-HCM",
        make_marc_file(make_marc_record("ok", "Có nhan đề"), make_marc_record("bad", None)),
        source_name="hcm.mrc",
    )
    ingest_bytes(
        catalogue, "VN-NLV", make_marc_file(make_marc_record("x", None)), source_name="n.mrc"
    )
    quarantine = SqlQuarantine(catalogue.engine)
    (record,) = quarantine.quarantined_records("VN-HCM", None, 10)
    assert quarantine.quarantined_records("VN-HCM", summary.job_id, 10) == [record]
    assert len(quarantine.quarantined_records(None, None, 10)) == 2
    assert record.local_id == "hcm.mrc#2"
    assert record.problems[0]["message"] == "no title statement (245)"
    assert "=001  bad" in (record.mnemonic or "")
    assert quarantine.quarantined_record(record.id) == record
    audit = AuditEvent("account:lan", "record.discard", "VN-HCM", record.local_id)
    assert quarantine.retire_quarantined_record(record.id, {"discarded": {"note": "trùng"}}, audit)
    assert not quarantine.retire_quarantined_record(record.id, {"discarded": {}}, audit)
    assert quarantine.quarantined_record(record.id) is None
    assert quarantine.quarantined_records("VN-HCM", None, 10) == []
    events = read_audit_page(SqlSecurityStore(catalogue.engine), library_code="VN-HCM")
    assert [event.action for event in events] == ["record.discard"]


def test_a_library_s_details_are_edited_but_its_code_stays(catalogue: SqlCatalogue) -> None:
    update_library(
        catalogue,
        LibraryInfo("VN-HCM", "Thư viện mới", "New name", "district", "TP. Hồ Chí Minh", "a@b.vn"),
    )
    edited = next(library for library in list_libraries(catalogue) if library.code == "VN-HCM")
    assert (edited.name_vi, edited.type, edited.contact) == ("Thư viện mới", "district", "a@b.vn")
    with pytest.raises(LibraryNotFoundError):
        update_library(catalogue, LibraryInfo("VN-NONE", "Không", "None", "district"))
