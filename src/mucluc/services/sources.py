"""Read the per-library source configuration file (sources.toml) for ingest."""

from __future__ import annotations

import tomllib
from pathlib import Path

from mucluc.core.source_config import SourceConfig, parse_source_configs
from mucluc.errors import SourceConfigError


def load_source_configs(path: Path) -> dict[str, SourceConfig]:
    """The validated configurations of `path` by library code; errors name file, section, key."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SourceConfigError(f"{path}: cannot read the file ({error.strerror})") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise SourceConfigError(f"{path}: not valid TOML ({error})") from error
    return parse_source_configs(document, path.name)
