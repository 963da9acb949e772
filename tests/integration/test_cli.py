"""The `mucluc` command line as scripts use it: a real process, MUCLUC_HOME, --json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mucluc.gc_tuning import YOUNG_GENERATION_THRESHOLD
from mucluc.storage.accounts import SqlSecurityStore
from mucluc.storage.database import make_engine
from mucluc.storage.tables import PublishedMetadata
from tests.builders import make_marc_file, make_marc_record

COMMANDS = (
    ["init"],
    ["db", "upgrade"],
    ["library", "add"],
    ["library", "list"],
    ["library", "export"],
    ["ingest"],
    ["search"],
    ["export"],
    ["reindex"],
    ["publish"],
    ["serve"],
    ["demo"],
    ["stats"],
)


def mucluc(
    home: Path, *arguments: str, database_url: str | None = None, **settings: str
) -> subprocess.CompletedProcess[str]:
    """Run the command line on `home`; each keyword is a setting (MUCLUC_<NAME>)."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("MUCLUC_")}
    environment["MUCLUC_HOME"] = str(home)
    environment |= {f"MUCLUC_{name.upper()}": value for name, value in settings.items()}
    if database_url:
        environment["MUCLUC_DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "mucluc", *arguments],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


def national_library_home(home: Path) -> Path:
    """`home` made ready by the command line, holding the National Library (VN-NLV)."""
    assert mucluc(home, "init").returncode == 0
    added = mucluc(home, "library", "add", "VN-NLV", "--name", "Thư viện QG", "--type", "national")
    assert added.returncode == 0, added.stderr
    return home


@pytest.fixture
def marc_files(tmp_path: Path) -> dict[str, Path]:
    nlv = tmp_path / "nlv.mrc"
    nlv.write_bytes(
        make_marc_file(
            make_marc_record(
                "NLV1", "Lịch sử Việt Nam /", isbn="978-604-0-00001-9", author="Phan Huy Lê"
            ),
            make_marc_record("NLV2", "Truyện Kiều /", author="Nguyễn Du"),
        )
    )
    hcm = tmp_path / "hcm.mrc"
    hcm.write_bytes(
        make_marc_file(make_marc_record("H-77", "Lịch sử Việt Nam", isbn="9786040000019"))
    )
    return {"VN-NLV": nlv, "VN-HCM": hcm}


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: " ".join(command))
def test_every_command_has_help(tmp_path: Path, command: list[str]) -> None:
    result = mucluc(tmp_path, *command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout


def test_cli_session_from_init_to_export(
    tmp_path: Path, database_url: str, marc_files: dict[str, Path]
) -> None:
    home = tmp_path / "home"

    def run(*arguments: str) -> subprocess.CompletedProcess[str]:
        result = mucluc(home, *arguments, database_url=database_url)
        assert result.returncode == 0, result.stderr
        return result

    run("init")
    run(
        "library",
        "add",
        "VN-NLV",
        "--name",
        "Thư viện Quốc gia Việt Nam",
        "--type",
        "national",
        "--province",
        "Hà Nội",
    )
    run("library", "add", "VN-HCM", "--name", "Thư viện KHTH TP.HCM", "--type", "provincial")
    libraries = json.loads(run("library", "list", "--json").stdout)
    assert [library["code"] for library in libraries] == ["VN-HCM", "VN-NLV"]
    for code, path in marc_files.items():
        run("ingest", "--library", code, str(path))

    stats = json.loads(run("stats", "--json").stdout)
    assert (stats["libraries"], stats["source_records"], stats["union_records"]) == (2, 3, 2)

    hits = json.loads(run("search", "lich su", "--json").stdout)["hits"]
    assert [hit["title"] for hit in hits] == ["Lịch sử Việt Nam"]
    assert hits[0]["library_codes"] == ["VN-NLV", "VN-HCM"]

    export_path = tmp_path / "union.jsonl"
    run("export", "--format", "jsonl", str(export_path))
    lines = [json.loads(line) for line in export_path.read_text(encoding="utf-8").splitlines()]
    members = {line["title"]: line["members"] for line in lines}
    assert members["Lịch sử Việt Nam"] == [
        {"library": "VN-NLV", "local_id": "NLV1"},
        {"library": "VN-HCM", "local_id": "H-77"},
    ]
    assert members["Truyện Kiều"] == [{"library": "VN-NLV", "local_id": "NLV2"}]

    assert "indexed 2 union records" in run("reindex").stdout
    assert json.loads(run("search", "truyen kieu", "--json").stdout)["total"] == 1

    engine = make_engine(database_url)
    ingests = [
        event
        for event in SqlSecurityStore(engine).read_audit_events(
            library_code=None, after_id=0, limit=100
        )
        if event.action == "records.ingest"
    ]
    engine.dispose()
    assert [(event.library_code, event.target) for event in ingests] == [
        ("VN-NLV", marc_files["VN-NLV"].name),
        ("VN-HCM", marc_files["VN-HCM"].name),
    ]
    assert {event.actor for event in ingests} == {"cli:operator"}
    assert ingests[0].details["added"] == 2


def test_unknown_library_is_one_clear_line_and_exit_1(
    tmp_path: Path, marc_files: dict[str, Path]
) -> None:
    assert mucluc(tmp_path, "init").returncode == 0
    result = mucluc(tmp_path, "ingest", "--library", "VN-NOPE", str(marc_files["VN-NLV"]))
    assert result.returncode == 1
    assert result.stderr.strip() == "mucluc: no member library has the code 'VN-NOPE'"


def test_a_complete_load_that_was_not_read_whole_withdraws_nothing(
    tmp_path: Path, marc_files: dict[str, Path]
) -> None:
    """An empty, cut-short or unreadable file is not the library's whole catalogue."""
    home = national_library_home(tmp_path / "home")
    loaded = mucluc(home, "ingest", "--library", "VN-NLV", "--full", str(marc_files["VN-NLV"]))
    assert loaded.returncode == 0, loaded.stderr
    whole = marc_files["VN-NLV"].read_bytes()
    cut_short = tmp_path / "cut.mrc"
    cut_short.write_bytes(whole[: len(whole) - 40])  # the second record breaks off
    empty = tmp_path / "empty.mrc"
    empty.write_bytes(b"")
    for partial, why in (
        (cut_short, "cut.mrc was not read to its end (record 2, byte"),
        (empty, "no record of the load could be stored"),
    ):
        result = mucluc(home, "ingest", "--library", "VN-NLV", "--full", str(partial))
        assert result.returncode == 1
        assert f"nothing withdrawn: {why}" in result.stderr
    stats = mucluc(home, "search", "--json", "Truyện Kiều")
    assert json.loads(stats.stdout)["total"] == 1  # NLV2 is still there
    told = mucluc(home, "ingest", "--library", "VN-NLV", str(cut_short))
    assert "reading stopped at record 2, byte" in told.stdout


def test_ingest_says_why_each_record_was_quarantined(tmp_path: Path) -> None:
    home = national_library_home(tmp_path / "home")
    book_list = tmp_path / "sach.csv"
    book_list.write_text(
        "Nhan đề,Tác giả,Năm xuất bản,Số ĐKCB\nLão Hạc,Nam Cao,2019,A1\n,Nam Cao,2017,A2\n",
        encoding="utf-8",
    )
    result = mucluc(home, "ingest", "--library", "VN-NLV", str(book_list))
    assert result.returncode == 0, result.stderr
    assert "quarantined record 2, line 3, 245: no title statement (245)" in result.stdout


def test_a_large_ingest_is_indexed_by_a_second_process_while_it_loads(
    tmp_path: Path, marc_files: dict[str, Path]
) -> None:
    home = national_library_home(tmp_path / "home")
    # Any file counts as large when the threshold is 0 bytes.
    result = mucluc(
        home,
        "ingest",
        "--library",
        "VN-NLV",
        str(marc_files["VN-NLV"]),
        index_alongside_bytes="0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "index updated (2 changes)"
    hits = json.loads(mucluc(home, "search", "truyen kieu", "--json").stdout)["hits"]
    assert [hit["title"] for hit in hits] == ["Truyện Kiều"]


def test_library_export_writes_a_zip_once_and_names_what_it_holds(
    tmp_path: Path, marc_files: dict[str, Path]
) -> None:
    home = national_library_home(tmp_path / "home")
    assert mucluc(home, "ingest", "--library", "VN-NLV", str(marc_files["VN-NLV"])).returncode == 0
    destination = tmp_path / "nlv.zip"
    result = mucluc(home, "library", "export", "VN-NLV", str(destination), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"exported VN-NLV to {destination}: 2 records, 0 deletions")
    with zipfile.ZipFile(destination) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        local_ids = [
            json.loads(line)["local_id"] for line in archive.read("records.jsonl").splitlines()
        ]
    assert (manifest["record_format"], local_ids) == ("json", ["NLV1", "NLV2"])
    again = mucluc(home, "library", "export", "VN-NLV", str(destination))
    assert again.returncode == 2
    assert "exists" in again.stderr
    unknown = mucluc(home, "library", "export", "VN-NOPE", str(tmp_path / "nope.zip"))
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == "mucluc: no member library has the code 'VN-NOPE'"
    assert not (tmp_path / "nope.zip").exists()


def test_publish_renders_the_oai_pmh_text_of_changed_records_once(
    tmp_path: Path, database_url: str, marc_files: dict[str, Path]
) -> None:
    home = tmp_path / "home"
    for arguments in (
        ["init"],
        ["library", "add", "VN-NLV", "--name", "Thư viện QG", "--type", "national"],
        ["ingest", "--library", "VN-NLV", str(marc_files["VN-NLV"])],
    ):
        result = mucluc(home, *arguments, database_url=database_url)
        assert result.returncode == 0, result.stderr
    first = mucluc(home, "publish", database_url=database_url)
    assert first.returncode == 0, first.stderr
    assert first.stdout == "rendered the published metadata of 2 union records\n"
    engine = make_engine(database_url)
    with Session(engine) as session:
        kept = session.scalars(select(PublishedMetadata.metadata_format)).all()
    engine.dispose()
    assert sorted(kept) == ["marc21", "marc21", "oai_dc", "oai_dc"]
    again = mucluc(home, "publish", database_url=database_url)
    assert again.stdout == "rendered the published metadata of 0 union records\n"


@pytest.mark.parametrize("command", [["stats"], ["search", "lich su"]], ids=" ".join)
def test_uninitialised_home_says_to_run_init_and_leaves_nothing(
    tmp_path: Path, command: list[str]
) -> None:
    """A mistyped MUCLUC_HOME must not get an empty store or index made in it."""
    result = mucluc(tmp_path / "empty", *command)
    assert result.returncode == 1
    assert "mucluc init" in result.stderr
    assert not (tmp_path / "empty" / "mucluc.db").exists()
    assert not (tmp_path / "empty" / "index").exists()


def test_usage_error_exits_2(tmp_path: Path) -> None:
    result = mucluc(tmp_path, "library", "add", "VN-X")
    assert result.returncode == 2
    assert "--name" in result.stderr


def test_demo_loads_the_generated_catalogue_and_lich_su_finds_lich_su(tmp_path: Path) -> None:
    result = mucluc(tmp_path, "demo")
    assert result.returncode == 0, result.stderr
    stats = json.loads(mucluc(tmp_path, "stats", "--json").stdout)
    assert stats["libraries"] >= 6
    assert stats["source_records"] >= 2000
    assert stats["union_records"] < stats["source_records"]
    found = json.loads(mucluc(tmp_path, "search", "lich su", "--json", "--limit", "50").stdout)
    assert found["total"] > 0
    assert all("lịch sử" in hit["title"].lower() for hit in found["hits"][:10])
    again = mucluc(tmp_path, "demo")
    assert again.returncode == 0, again.stderr
    assert json.loads(mucluc(tmp_path, "stats", "--json").stdout) == stats


def test_every_command_collects_the_young_generation_less_often(tmp_path: Path) -> None:
    """The tuning `mucluc.gc_tuning` measured (issue #3) reaches the commands' process."""
    script = (
        "import gc; from mucluc.cli.main import app; "
        f"app(['--home', {str(tmp_path / 'home')!r}, 'init'], standalone_mode=False); "
        "print(gc.get_threshold())"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip().splitlines()[-1] == str((YOUNG_GENERATION_THRESHOLD, 10, 10))
