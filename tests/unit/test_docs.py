"""The documentation keeps up with the code: every setting documented, cli.md current."""

from __future__ import annotations

from pathlib import Path

from mucluc.cli.reference import cli_reference
from mucluc.config import Settings

DOCS = Path(__file__).parents[2] / "docs"


def test_every_setting_is_in_the_configuration_guide() -> None:
    guide = (DOCS / "configuration.md").read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields if f"MUCLUC_{name.upper()}" not in guide]
    assert missing == []


def test_cli_reference_is_current() -> None:
    assert (DOCS / "cli.md").read_text(encoding="utf-8") == cli_reference(), "run `make docs`"
