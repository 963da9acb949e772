"""`mucluc dedup` as staff use it: a real process on a SQLite home (issue #4)."""

from __future__ import annotations

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
    merged = run("dedup", "merge", "1", "2", "--reason", "one anthology").stdout
    assert merged.startswith("merged into union record 1")
    split = run("dedup", "split", "1", "VN-HCM:h1", "--reason", "two anthologies after all")
    assert split.stdout.startswith("union record 1 kept, split off as union record 3")
    rebuilt = run("dedup", "--rebuild").stdout
    assert "union records 2, records moved 0" in rebuilt
