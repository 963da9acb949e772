"""Settings: defaults that run on a laptop, the environment, the optional TOML file."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from mucluc.config import Settings, load_settings
from mucluc.core.dedup.decide import MATCH, NO_MATCH, VETOED, DedupPolicy, decide_pair
from mucluc.core.dedup.profile import MatchProfile
from mucluc.errors import ConfigurationError
from mucluc.wiring import initialise_home, matching_policy, open_store


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "MUCLUC_HOME",
        "MUCLUC_DATABASE_URL",
        "MUCLUC_SETTINGS_FILE",
        "MUCLUC_PORT",
        "MUCLUC_DEDUP_WEIGHTS",
    ):
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


# --- the matching policy (issue #4) ------------------------------------------------------------


def test_settings_file_sets_the_matching_policy_and_it_changes_a_decision(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings_file = tmp_path / "mucluc.toml"
    settings_file.write_text(
        "dedup_threshold = 7.0\n"
        "dedup_year_tolerance = 0\n"
        'dedup_preferred_libraries = ["VN-HNL"]\n'
        "dedup_weights = { title_same = 3.5 }\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("MUCLUC_SETTINGS_FILE", str(settings_file))
    policy = matching_policy(load_settings())
    assert (policy.threshold, policy.year_tolerance) == (7.0, 0)
    assert policy.source_priority.library_codes == ("VN-HNL",)
    assert policy.weights.title_same == 3.5
    left = MatchProfile("A:1", "A", "Văn hoá Việt Nam", authors=("Trần Văn Giàu",), year=2010)
    right = dataclasses.replace(left, record_id="B:1", library="B")
    assert decide_pair(left, right, DedupPolicy()).outcome == MATCH  # 3 + 2 + 1 = 6
    assert decide_pair(left, right, policy).outcome == NO_MATCH  # 3.5 + 2 + 1 < 7
    a_year_later = dataclasses.replace(right, year=2011)
    assert decide_pair(left, a_year_later, policy).outcome == VETOED


def test_environment_sets_evidence_weights_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUCLUC_DEDUP_WEIGHTS", '{"publisher_different": -1.5}')
    assert matching_policy(load_settings()).weights.publisher_different == -1.5


def test_unset_matching_settings_keep_the_matcher_defaults() -> None:
    assert matching_policy(Settings()) == DedupPolicy()


def test_an_unknown_evidence_weight_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="title_sam"):
        matching_policy(Settings(dedup_weights={"title_sam": 1.0}))


def test_the_store_opened_from_settings_matches_by_their_policy(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, dedup_threshold=9.0)
    initialise_home(settings)
    store = open_store(settings)
    with store.transaction() as transaction:
        assert transaction.dedup_policy().threshold == 9.0
