"""`mucluc dedup` as staff use it: a real process on a SQLite home (issue #4)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.builders import make_marc_file, make_marc_record
from tests.integration.test_cli import mucluc

ISBN = "978-604-0-00001-9"


def test_dedup_commands_block_merge_split_and_rebuild(tmp_path: Path) -> None:
    home = tmp_path / "home"

    def run(*arguments: str) -> subprocess.CompletedProcess[str]:
        result = mucluc(home, *arguments)
        assert result.returncode == 0, result.stderr
        return result

    run("init")
    run("library", "add", "VN-NLV", "--name", "Thư viện Quốc gia", "--type", "national")
    run("library", "add", "VN-HCM", "--name", "Thư viện TP.HCM", "--type", "provincial")
    for code, local_id in (("VN-NLV", "n1"), ("VN-HCM", "h1")):
        path = tmp_path / f"{code}.mrc"
        path.write_bytes(make_marc_file(make_marc_record(local_id, "Tuyển tập", isbn=ISBN)))
        run("ingest", "--library", code, str(path))

    run("dedup", "blocklist", "add", ISBN, "--reason", "printed in many anthologies")
    assert run("dedup", "blocklist", "list").stdout.startswith("9786040000019\t")
    merged = run("dedup", "merge", "1", "2", "--reason", "one anthology", "--actor", "lan").stdout
    assert merged.startswith("merged into union record 1")
    split = run("dedup", "split", "1", "VN-HCM:h1", "--reason", "two anthologies after all")
    assert split.stdout.startswith("union record 1 kept, split off as union record 3")
    run("dedup", "never-merge", "1", "3", "--reason", "other translators")
    run("dedup", "blocklist", "remove", ISBN)
    rebuilt = run("dedup", "--rebuild").stdout
    assert "union records 2, records moved 0" in rebuilt

    events = [json.loads(line) for line in run("audit", "export").stdout.splitlines()]
    staff = [
        (event["actor"], event["action"], event["target"], event["details"].get("reason"))
        for event in events
        if event["action"].startswith(("union.", "isbn."))
    ]
    assert staff == [
        ("cli:operator", "isbn.block", "9786040000019", "printed in many anthologies"),
        ("cli:lan", "union.merge", "1", "one anthology"),
        ("cli:operator", "union.split", "1", "two anthologies after all"),
        ("cli:operator", "union.never_merge", "1,3", "other translators"),
        ("cli:operator", "isbn.unblock", "9786040000019", None),
    ]


def test_a_staff_decision_without_a_reason_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert mucluc(home, "init").returncode == 0
    result = mucluc(home, "dedup", "merge", "1", "2")
    assert result.returncode != 0
    assert "--reason" in result.stderr
