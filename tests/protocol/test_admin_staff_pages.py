"""The staff admin pages of issue #9 through a real server: who may see and do what, and effects.

Libraries, jobs, the quarantine (read, fix and re-submit, discard), merge /
split / never-merge, and the ISBN blocklist; every form needs its CSRF
token and every refusal is a 403 page.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from pymarc import Field, Indicators, Subfield
from sqlalchemy import select

from mucluc.accounts.roles import Role
from mucluc.core.audit import StoredAuditEvent
from mucluc.core.model import LibraryInfo
from mucluc.services.audit import read_audit_page
from mucluc.services.ingest import ingest_bytes
from mucluc.storage.accounts import SqlSecurityStore
from mucluc.storage.repository import SqlCatalogue
from mucluc.storage.tables import SourceRecord
from mucluc.web.app import create_app
from tests.admin import StaffAccounts, form_token, staffed_home
from tests.builders import make_marc_file, make_marc_record
from tests.servers import running_server

PASSWORD = "mật khẩu của nhân viên thư viện"
SEARCH_WAIT_SECONDS = 20
ACCOUNTS: StaffAccounts = {
    "quoc": (Role.NATIONAL_ADMINISTRATOR, None),
    "hoa": (Role.LIBRARY_ADMINISTRATOR, "VN-HCM"),
    "lan": (Role.CATALOGUER, "VN-HCM"),
    "minh": (Role.CATALOGUER, "VN-NLV"),
    "duyet": (Role.MERGE_REVIEWER, None),
    "doc": (Role.API_READER, "VN-HCM"),
}


@dataclass(frozen=True)
class Site:
    base_url: str
    store: SqlCatalogue
    clients: dict[str, httpx.Client]

    def source_id(self, local_id: str) -> int:
        with self.store.transaction() as transaction:
            found = transaction.session.scalar(
                select(SourceRecord.id).where(SourceRecord.local_id == local_id)
            )
        assert found is not None, local_id
        return int(found)

    def union_id(self, local_id: str) -> int:
        with self.store.transaction() as transaction:
            found = transaction.session.scalar(
                select(SourceRecord.union_record_id).where(SourceRecord.local_id == local_id)
            )
        assert found is not None, local_id
        return int(found)

    def status(self, source_id: int) -> str:
        with self.store.transaction() as transaction:
            return str(transaction.session.get_one(SourceRecord, source_id).status)

    def audit(self) -> list[StoredAuditEvent]:
        return read_audit_page(
            SqlSecurityStore(self.store.engine), library_code=None, after_id=0, limit=1000
        )

    def csrf(self, username: str) -> str:
        return form_token(self.clients[username].get("/admin").text, "csrf_token")

    def post(self, username: str, path: str, data: dict[str, str]) -> httpx.Response:
        return self.clients[username].post(path, data={**data, "csrf_token": self.csrf(username)})


def _quarantined_record(local_id: str) -> bytes:
    """A record without a title (quarantined), with markup in a note to check escaping."""
    record = make_marc_record(local_id, None)
    record.add_field(
        Field(
            tag="500",
            indicators=Indicators(" ", " "),
            subfields=[Subfield("a", "<script>alert(1)</script> Ghi chú")],
        )
    )
    return make_marc_file(record)


def _sign_in(base_url: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, follow_redirects=True)
    form = client.get("/admin/sign-in", params={"lang": "en"})  # the cookie keeps English
    signed = client.post(
        "/admin/sign-in",
        data={
            "username": username,
            "password": PASSWORD,
            "sign_in_token": form_token(form.text, "sign_in_token"),
        },
    )
    assert signed.status_code == 200, signed.text
    return client


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    settings, store = staffed_home(
        tmp_path_factory.mktemp("staff-home"),
        [
            LibraryInfo("VN-HCM", "Thư viện TP.HCM", "HCMC Library", "provincial"),
            LibraryInfo("VN-NLV", "Thư viện Quốc gia", "National Library", "national"),
        ],
        ACCOUNTS,
        PASSWORD,
        index_refresh_seconds=0.2,
        rate_limit_per_minute=100_000,
        rate_limit_burst=10_000,
    )
    ingest_bytes(
        store,
        "VN-HCM",
        make_marc_file(
            make_marc_record("h-de-men", "Dế Mèn phiêu lưu ký", author="Tô Hoài", year=1941),
        )
        + _quarantined_record("h-fix")
        + _quarantined_record("h-discard")
        + _quarantined_record("h-refix")
        + _quarantined_record("h-kept"),
        source_name="hcm.mrc",
    )
    ingest_bytes(
        store,
        "VN-NLV",
        make_marc_file(make_marc_record("n-tat-den", "Tắt đèn", author="Ngô Tất Tố", year=1939))
        + _quarantined_record("n-bad"),
        source_name="nlv.mrc",
    )
    with running_server(create_app(settings)) as url:
        clients = {username: _sign_in(url, username) for username in ACCOUNTS}
        yield Site(url, store, clients)
        for client in clients.values():
            client.close()


def _quarantine_id(site: Site, claimed_local_id: str) -> int:
    """The quarantined row of a record whose 001 was `claimed_local_id`."""
    with site.store.transaction() as transaction:
        for row in transaction.session.scalars(
            select(SourceRecord).where(SourceRecord.status == "quarantined")
        ):
            if row.record and {"001": claimed_local_id} in row.record["fields"]:
                return int(row.id)
    raise AssertionError(f"no quarantined record claims {claimed_local_id}")


@pytest.mark.parametrize(
    ("path", "allowed", "refused"),
    [
        ("/admin/libraries", ["quoc", "hoa", "lan", "duyet", "doc"], []),
        ("/admin/libraries/VN-HCM", ["quoc", "hoa"], ["lan", "minh", "duyet"]),
        ("/admin/libraries/VN-NLV", ["quoc"], ["hoa", "lan"]),
        ("/admin/jobs", ["quoc", "hoa", "lan", "minh", "doc"], ["duyet"]),
        ("/admin/jobs?library=VN-NLV", ["quoc", "minh"], ["hoa", "lan"]),
        ("/admin/quarantine", ["quoc", "hoa", "lan", "minh"], ["duyet", "doc"]),
        ("/admin/quarantine?library=VN-NLV", ["quoc", "minh"], ["hoa", "lan"]),
        ("/admin/union-records", ["quoc", "duyet"], ["hoa", "lan", "doc"]),
        ("/admin/isbn-blocklist", ["quoc", "duyet"], ["hoa", "lan", "minh"]),
    ],
)
def test_each_page_renders_for_its_roles_and_is_refused_to_others(
    site: Site, path: str, allowed: list[str], refused: list[str]
) -> None:
    for username in allowed:
        assert site.clients[username].get(path).status_code == 200, username
    for username in refused:
        response = site.clients[username].get(path)
        assert response.status_code == 403, username
        assert "Forbidden" in response.text or "may not" in response.text
    signed_out = httpx.get(f"{site.base_url}{path}", follow_redirects=False)
    assert signed_out.status_code == 303
    assert signed_out.headers["location"] == "/admin/sign-in"


def test_a_quarantined_record_page_is_for_its_own_library_only(site: Site) -> None:
    record_id = _quarantine_id(site, "h-kept")
    page = site.clients["lan"].get(f"/admin/quarantine/{record_id}")
    assert page.status_code == 200
    assert "no title statement (245)" in page.text
    assert "=001  h-kept" in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert" not in page.text
    assert site.clients["minh"].get(f"/admin/quarantine/{record_id}").status_code == 403
    assert site.clients["quoc"].get(f"/admin/quarantine/{record_id}").status_code == 200


def test_the_dashboard_links_the_pages_a_role_may_use(site: Site) -> None:
    cataloguer = site.clients["lan"].get("/admin").text
    assert '/admin/quarantine">' in cataloguer
    assert "Merge, split and never-merge" not in cataloguer
    assert "/admin/isbn-blocklist" not in cataloguer
    reviewer = site.clients["duyet"].get("/admin").text
    assert "Merge, split and never-merge" in reviewer
    assert "Ingest and harvest jobs" not in reviewer
    in_vietnamese = site.clients["duyet"].get("/admin/union-records", params={"lang": "vi"})
    assert "Hợp nhất hai biểu ghi liên hợp" in in_vietnamese.text
    site.clients["duyet"].get("/admin", params={"lang": "en"})


def test_a_national_administrator_adds_a_library_and_a_library_administrator_edits_its_own(
    site: Site,
) -> None:
    added = site.post(
        "quoc",
        "/admin/libraries",
        {
            "code": "VN-DNG",
            "name_vi": "Thư viện Đà Nẵng",
            "name_en": "Da Nang Library",
            "library_type": "provincial",
            "province": "Đà Nẵng",
        },
    )
    assert added.status_code == 200
    assert "VN-DNG" in added.text
    refused = site.post(
        "hoa",
        "/admin/libraries",
        {"code": "VN-X", "name_vi": "X", "name_en": "X", "library_type": "district"},
    )
    assert refused.status_code == 403
    edited = site.post(
        "hoa",
        "/admin/libraries/VN-HCM",
        {
            "name_vi": "Thư viện Khoa học Tổng hợp TP.HCM",
            "name_en": "HCMC General Sciences Library",
            "library_type": "provincial",
            "contact": "thuvien@hcm.vn",
        },
    )
    assert edited.status_code == 200
    assert "thuvien@hcm.vn" in edited.text
    promoted = site.post(
        "hoa",
        "/admin/libraries/VN-HCM",
        {"name_vi": "Thư viện", "name_en": "Library", "library_type": "national"},
    )
    assert promoted.status_code == 403
    assert "decides whose record speaks" in promoted.text
    other = site.post(
        "hoa",
        "/admin/libraries/VN-NLV",
        {"name_vi": "Đổi tên", "name_en": "Renamed", "library_type": "national"},
    )
    assert other.status_code == 403
    assert "Renamed" not in site.clients["quoc"].get("/admin/libraries").text
    actions = {(event.action, event.target) for event in site.audit()}
    assert {("library.create", "VN-DNG"), ("library.update", "VN-HCM")} <= actions


def test_jobs_show_counts_to_their_library_and_everything_to_national_administrators(
    site: Site,
) -> None:
    own = site.clients["lan"].get("/admin/jobs").text
    assert "hcm.mrc" in own
    assert "nlv.mrc" not in own
    assert re.search(r"quarantined \d", own)
    everything = site.clients["quoc"].get("/admin/jobs").text
    assert "hcm.mrc" in everything
    assert "nlv.mrc" in everything


def test_a_running_job_shows_its_progress_and_its_page_refreshes(site: Site) -> None:
    with site.store.transaction() as transaction:
        job_id = transaction.start_job(transaction.library_id("VN-NLV"), "lớn.mrc", "marc21")
    running = site.clients["minh"].get("/admin/jobs").text
    assert '<meta http-equiv="refresh"' in running
    assert "Records stored so far: 0" in running
    with site.store.transaction() as transaction:
        transaction.finish_job(job_id, "finished", {"read": 0}, "")
    assert '<meta http-equiv="refresh"' not in site.clients["minh"].get("/admin/jobs").text


def test_the_quarantine_lists_only_the_library_s_own_records(site: Site) -> None:
    listed = site.clients["lan"].get("/admin/quarantine").text
    assert "no title statement (245)" in listed
    assert f'href="/admin/quarantine/{_quarantine_id(site, "h-kept")}"' in listed
    assert f'href="/admin/quarantine/{_quarantine_id(site, "n-bad")}"' not in listed


def _fixed_mnemonic(page: str, title: str) -> str:
    text = re.search(r'<textarea id="mnemonic"[^>]*>([^<]*)</textarea>', page)
    assert text is not None
    mnemonic = text.group(1).replace("&#39;", "'").replace("&amp;", "&")
    return mnemonic.rstrip("\n") + f"\n=245  00$a{title}\n"


def test_a_fixed_record_is_ingested_for_its_library_and_becomes_searchable(site: Site) -> None:
    record_id = _quarantine_id(site, "h-fix")
    page = site.clients["lan"].get(f"/admin/quarantine/{record_id}").text
    title = "Quê nội sửa lại"
    result = site.post(
        "lan",
        f"/admin/quarantine/{record_id}/resubmit",
        {"mnemonic": _fixed_mnemonic(page, title)},
    )
    assert result.status_code == 200
    assert "Added to the catalogue" in result.text
    assert site.status(record_id) == "deleted"
    assert site.status(site.source_id("h-fix")) == "active"
    listed = site.clients["lan"].get("/admin/quarantine").text
    assert f'href="/admin/quarantine/{record_id}"' not in listed
    deadline = time.monotonic() + SEARCH_WAIT_SECONDS
    while True:
        found = httpx.get(f"{site.base_url}/api/v1/search", params={"q": title}).json()
        if found["total"] or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert found["total"] == 1
    resubmits = [event for event in site.audit() if event.action == "record.resubmit"]
    assert resubmits[-1].details["outcome"] == "added"
    assert resubmits[-1].actor == "account:lan"


def test_a_fix_that_is_still_wrong_is_quarantined_again_with_its_new_reasons(site: Site) -> None:
    record_id = _quarantine_id(site, "h-refix")
    mnemonic = "=LDR  00000nam\\a2200000\\a\\4500\n=001  h-refix\n=500  \\\\$aStill no title\n"
    result = site.post("hoa", f"/admin/quarantine/{record_id}/resubmit", {"mnemonic": mnemonic})
    assert result.status_code == 200
    assert "Quarantined again" in result.text
    job = re.search(r"/admin/quarantine\?job=(\d+)", result.text)
    assert job is not None
    again = site.clients["hoa"].get(f"/admin/quarantine?job={job.group(1)}").text
    assert "no title statement (245)" in again
    assert f'href="/admin/quarantine/{record_id}"' not in again
    two = site.post(
        "hoa",
        f"/admin/quarantine/{_quarantine_id(site, 'h-refix')}/resubmit",
        {"mnemonic": f"{mnemonic}\n{mnemonic}"},
    )
    assert two.status_code == 400


def test_discarding_needs_a_note_and_the_note_goes_to_the_audit_log(site: Site) -> None:
    record_id = _quarantine_id(site, "h-discard")
    without_note = site.post("lan", f"/admin/quarantine/{record_id}/discard", {"note": "  "})
    assert without_note.status_code == 400
    other_library = site.post("minh", f"/admin/quarantine/{record_id}/discard", {"note": "x"})
    assert other_library.status_code == 403
    discarded = site.post(
        "lan", f"/admin/quarantine/{record_id}/discard", {"note": "Bản ghi trùng, đã nhập tay"}
    )
    assert discarded.status_code == 200
    assert f'href="/admin/quarantine/{record_id}"' not in discarded.text
    assert site.status(record_id) == "deleted"
    (event,) = [event for event in site.audit() if event.action == "record.discard"]
    assert event.details["note"] == "Bản ghi trùng, đã nhập tay"
    assert (event.actor, event.library_code) == ("account:lan", "VN-HCM")


def test_merge_split_and_never_merge_change_the_union_records(site: Site) -> None:
    hcm, nlv = site.union_id("h-de-men"), site.union_id("n-tat-den")
    assert hcm != nlv
    refused = site.post(
        "lan", "/admin/union-records/merge", {"first": str(hcm), "second": str(nlv), "reason": "x"}
    )
    assert refused.status_code == 403
    merged = site.post(
        "duyet",
        "/admin/union-records/merge",
        {"first": "VN-HCM:h-de-men", "second": str(nlv), "reason": "Cùng một ấn bản"},
    )
    assert merged.status_code == 200
    assert site.union_id("h-de-men") == site.union_id("n-tat-den")
    assert "VN-NLV:n-tat-den" in merged.text
    assert "Cùng một ấn bản" in merged.text
    split = site.post(
        "duyet",
        "/admin/union-records/split",
        {"record": "VN-HCM:h-de-men", "members": "VN-NLV:n-tat-den", "reason": "Khác tác phẩm"},
    )
    assert split.status_code == 200
    assert site.union_id("h-de-men") != site.union_id("n-tat-den")
    kept = site.post(
        "quoc",
        "/admin/union-records/never-merge",
        {"first": "VN-HCM:h-de-men", "second": "VN-NLV:n-tat-den", "reason": "Khác tác phẩm"},
    )
    assert kept.status_code == 200
    assert site.union_id("h-de-men") != site.union_id("n-tat-den")
    actions = [event.action for event in site.audit()]
    assert {"union.merge", "union.split", "union.never_merge"} <= set(actions)
    no_reason = site.post(
        "duyet", "/admin/union-records/merge", {"first": "1", "second": "2", "reason": " "}
    )
    assert no_reason.status_code == 400


def test_the_isbn_blocklist_takes_valid_isbns_normalised_and_gives_them_back(site: Site) -> None:
    invalid = site.post("duyet", "/admin/isbn-blocklist", {"isbn": "123", "reason": "x"})
    assert invalid.status_code == 400
    refused = site.post(
        "lan", "/admin/isbn-blocklist", {"isbn": "978-604-0-00001-9", "reason": "x"}
    )
    assert refused.status_code == 403
    added = site.post(
        "duyet",
        "/admin/isbn-blocklist",
        {"isbn": "978-604-0-00001-9", "reason": "In trên nhiều sách khác nhau"},
    )
    assert added.status_code == 200
    assert "9786040000019" in added.text
    assert "In trên nhiều sách khác nhau" in added.text
    removed = site.post("duyet", "/admin/isbn-blocklist/9786040000019/remove", {})
    assert removed.status_code == 200
    assert "9786040000019" not in removed.text
    targets = {(event.action, event.target) for event in site.audit()}
    assert {("isbn.block", "9786040000019"), ("isbn.unblock", "9786040000019")} <= targets


@pytest.mark.parametrize(
    ("username", "path", "data"),
    [
        (
            "quoc",
            "/admin/libraries",
            {"code": "VN-Y", "name_vi": "Y", "name_en": "Y", "library_type": "district"},
        ),
        (
            "hoa",
            "/admin/libraries/VN-HCM",
            {"name_vi": "Y", "name_en": "Y", "library_type": "provincial"},
        ),
        ("lan", "/admin/quarantine/1/resubmit", {"mnemonic": "=LDR  x"}),
        ("lan", "/admin/quarantine/1/discard", {"note": "x"}),
        ("duyet", "/admin/union-records/merge", {"first": "1", "second": "2", "reason": "x"}),
        ("duyet", "/admin/union-records/split", {"record": "1", "members": "A:1", "reason": "x"}),
        ("duyet", "/admin/union-records/never-merge", {"first": "1", "second": "2", "reason": "x"}),
        ("duyet", "/admin/isbn-blocklist", {"isbn": "9786040000019", "reason": "x"}),
        ("duyet", "/admin/isbn-blocklist/9786040000019/remove", {}),
    ],
)
def test_a_form_without_its_csrf_token_is_refused(
    site: Site, username: str, path: str, data: dict[str, str]
) -> None:
    client = site.clients[username]
    assert client.post(path, data=data).status_code == 403
    assert client.post(path, data={**data, "csrf_token": "forged"}).status_code == 403
