"""Settings: defaults that run on a laptop, the environment, the optional TOML file."""

from __future__ import annotations

from pathlib import Path

import pytest

from mucluc.config import Settings, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MUCLUC_HOME", "MUCLUC_DATABASE_URL", "MUCLUC_SETTINGS_FILE", "MUCLUC_PORT"):
        monkeypatch.delenv(name, raising=False)


def test_default_store_is_sqlite_inside_the_data_folder() -> None:
    settings = Settings()
    assert settings.home == Path("mucluc-data")
    assert settings.resolved_database_url == f"sqlite:///{Path('mucluc-data/mucluc.db').resolve()}"
    assert settings.index_path == Path("mucluc-data/index")


def test_environment_selects_the_data_folder_and_store(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MUCLUC_HOME", str(tmp_path))
    monkeypatch.setenv("MUCLUC_DATABASE_URL", "postgresql+psycopg://mucluc@db/mucluc")
    settings = load_settings()
    assert settings.home == tmp_path
    assert settings.resolved_database_url == "postgresql+psycopg://mucluc@db/mucluc"


def test_settings_file_supplies_defaults_the_environment_overrides(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings_file = tmp_path / "mucluc.toml"
    settings_file.write_text('home = "/srv/mucluc"\nport = 8080\n', encoding="utf-8")
    monkeypatch.setenv("MUCLUC_SETTINGS_FILE", str(settings_file))
    monkeypatch.setenv("MUCLUC_PORT", "9000")
    settings = load_settings()
    assert settings.home == Path("/srv/mucluc")
    assert settings.port == 9000


def test_explicit_override_wins_over_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MUCLUC_HOME", "/elsewhere")
    assert load_settings(home=tmp_path).home == tmp_path


def test_unknown_setting_in_the_file_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings_file = tmp_path / "mucluc.toml"
    settings_file.write_text('hom = "/srv/mucluc"\n', encoding="utf-8")
    monkeypatch.setenv("MUCLUC_SETTINGS_FILE", str(settings_file))
    with pytest.raises(ValueError, match="hom"):
        load_settings()
