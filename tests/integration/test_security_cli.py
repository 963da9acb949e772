"""`mucluc key`, `mucluc backup` and `mucluc restore` as an operator runs them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.builders import make_marc_file, make_marc_record
from tests.integration.test_cli import mucluc


def test_key_create_prints_the_key_once_and_revoke_ends_it(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert mucluc(home, "init").returncode == 0
    mucluc(home, "library", "add", "VN-HCM", "--name", "Thư viện HCM", "--type", "provincial")
    created = mucluc(home, "key", "create", "--library", "VN-HCM", "--scope", "write")
    token = created.stdout.strip()
    key_id = token.split("_")[1]
    assert token.startswith("mlc_")
    assert "copy it now" in created.stderr
    assert mucluc(home, "key", "revoke", key_id).returncode == 0
    (listed,) = json.loads(mucluc(home, "key", "list", "--json").stdout)
    assert (listed["key_id"], listed["revoked_at"] is not None) == (key_id, True)
    assert token not in (home / "mucluc.db").read_bytes().decode("latin-1")
    audit = mucluc(home, "audit", "export").stdout.splitlines()
    assert [json.loads(line)["action"] for line in audit] == ["key.create", "key.revoke"]


def test_backup_verify_then_restore_into_an_empty_home_rebuilds_the_index(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    mucluc(home, "init")
    mucluc(home, "library", "add", "VN-NLV", "--name", "Thư viện Quốc gia", "--type", "national")
    marc = tmp_path / "nlv.mrc"
    marc.write_bytes(make_marc_file(make_marc_record("n1", "Nhật ký trong tù")))
    mucluc(home, "ingest", "--library", "VN-NLV", str(marc))
    backed_up = mucluc(home, "backup", str(tmp_path / "backup"), "--verify")
    assert backed_up.returncode == 0, backed_up.stderr
    assert "verified" in backed_up.stdout
    restored_home = tmp_path / "restored"
    restored = mucluc(restored_home, "restore", str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stderr
    found = json.loads(mucluc(restored_home, "search", "nhat ky", "--json").stdout)
    assert found["total"] == 1
    again = mucluc(restored_home, "restore", str(tmp_path / "backup"))
    assert again.returncode == 1
    assert "not empty" in again.stderr
