"""Per-library source configuration (sources.toml): where the local id is, holdings, encoding.

Each member library that needs more than the defaults has a section named
by its code:

    [VN-HCM]
    format = "marc21"          # skip detection
    encoding = "tcvn3"         # legacy 8-bit text: skip encoding detection
    local_id = "035$a"         # the field holding the library's own id (default 001)
    holdings = "koha"          # 952 as Koha writes it; or a table, see docs/sources.md
    columns = { title = "Tên sách", year = "3" }   # CSV/XLSX book lists

`parse_source_configs` validates a parsed TOML document into `SourceConfig`s;
every error names the file, the section and the key. Pure: the caller reads
the file (services/sources.py).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from typing import Any

from mucluc.core.marc.formats import FORMATS
from mucluc.core.marc.tabular import ROLES
from mucluc.core.normalise.encoding import ENCODING_NAMES, normalise_encoding_name
from mucluc.errors import SourceConfigError

_FIELD_SPEC = re.compile(r"^(\d{3})(?:\$([0-9a-z]))?$")
_SUBFIELD_CODES = re.compile(r"^[0-9a-z]+$")
_KEYS = frozenset({"format", "encoding", "local_id", "holdings", "columns"})
_HOLDINGS_KEYS = frozenset({"tag", "location", "call_number", "barcode"})


@dataclass(frozen=True)
class HoldingsMapping:
    """Which field and subfields hold a library's copies (MARC 852 by default).

    `location` and `call_number` list subfield codes in order of preference
    (the first present wins; call-number parts are joined); each `barcode`
    subfield is one copy. `not_for_loan`, when set, names a subfield whose
    value other than empty or "0" means the copies cannot be lent (Koha 952$7).
    """

    tag: str = "852"
    location: str = "b"
    call_number: str = "hi"
    barcode: str = "p"
    not_for_loan: str = ""


KOHA_HOLDINGS = HoldingsMapping(
    tag="952", location="ca", call_number="o", barcode="p", not_for_loan="7"
)
"""Koha's items: 952$c shelving location (else $a home branch), $o call number, $p barcode,
$7 not for loan."""
MARC21_HOLDINGS = HoldingsMapping()


@dataclass(frozen=True)
class SourceConfig:
    """How to read one library's files; the defaults suit a clean MARC 21 export."""

    library: str
    record_format: str | None = None
    encoding: str | None = None
    local_id_tag: str = "001"
    local_id_code: str = ""
    holdings: HoldingsMapping = MARC21_HOLDINGS
    columns: dict[str, str] = field(default_factory=dict)


def parse_source_configs(document: dict[str, Any], file_name: str) -> dict[str, SourceConfig]:
    """Validate a parsed sources.toml into configurations by library code.

    Raises:
        SourceConfigError: naming the file, section and key, e.g.
            "sources.toml, [VN-HCM], encoding: 'tcvn9' is not a known encoding".
    """
    configs = {}
    for library, section in document.items():
        where = f"{file_name}, [{library}]"
        if not isinstance(section, dict):
            raise SourceConfigError(f"{where}: expected a table of settings")
        unknown = sorted(set(section) - _KEYS)
        if unknown:
            raise SourceConfigError(
                f"{where}, {unknown[0]}: unknown key; known keys are {', '.join(sorted(_KEYS))}"
            )
        configs[library] = _parse_section(library, section, where)
    return configs


def _text(section: dict[str, Any], key: str, where: str) -> str | None:
    value = section.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise SourceConfigError(f"{where}, {key}: expected a non-empty string, got {value!r}")
    return value.strip()


def _parse_section(library: str, section: dict[str, Any], where: str) -> SourceConfig:
    record_format = _text(section, "format", where)
    if record_format is not None and record_format not in FORMATS:
        raise SourceConfigError(
            f"{where}, format: {record_format!r} is not one of {', '.join(FORMATS)}"
        )
    encoding = _text(section, "encoding", where)
    if encoding is not None:
        encoding = normalise_encoding_name(encoding)
        if encoding not in ENCODING_NAMES:
            try:
                codecs.lookup(encoding)
            except LookupError:
                raise SourceConfigError(
                    f"{where}, encoding: {encoding!r} is not a known encoding; use one of "
                    + ", ".join(sorted(ENCODING_NAMES))
                ) from None
    local_id = _text(section, "local_id", where) or "001"
    match = _FIELD_SPEC.match(local_id)
    if match is None or (match.group(1) >= "010") != bool(match.group(2)):
        raise SourceConfigError(
            f'{where}, local_id: {local_id!r} must be a control field ("001") '
            'or a data field and subfield ("035$a")'
        )
    columns = section.get("columns", {})
    if not isinstance(columns, dict):
        raise SourceConfigError(f"{where}, columns: expected a table of ROLE = COLUMN")
    for role, column in columns.items():
        if role not in ROLES:
            raise SourceConfigError(
                f"{where}, columns.{role}: unknown role; roles are {', '.join(ROLES)}"
            )
        if not isinstance(column, str | int):
            raise SourceConfigError(f"{where}, columns.{role}: expected a header or a number")
    return SourceConfig(
        library=library,
        record_format=record_format,
        encoding=encoding,
        local_id_tag=match.group(1),
        local_id_code=match.group(2) or "",
        holdings=_parse_holdings(section.get("holdings"), where),
        columns={role: str(column) for role, column in columns.items()},
    )


def _parse_holdings(value: Any, where: str) -> HoldingsMapping:
    if value is None or value == "marc21":
        return MARC21_HOLDINGS
    if value == "koha":
        return KOHA_HOLDINGS
    if not isinstance(value, dict):
        raise SourceConfigError(
            f'{where}, holdings: expected "marc21", "koha" or a table with keys '
            + ", ".join(sorted(_HOLDINGS_KEYS))
        )
    unknown = sorted(set(value) - _HOLDINGS_KEYS)
    if unknown:
        raise SourceConfigError(f"{where}, holdings.{unknown[0]}: unknown key")
    tag = value.get("tag", "852")
    if not isinstance(tag, str) or not re.fullmatch(r"\d{3}", tag) or tag < "010":
        raise SourceConfigError(f"{where}, holdings.tag: {tag!r} is not a data field tag")
    codes = {}
    for key in ("location", "call_number", "barcode", "not_for_loan"):
        code = value.get(key, getattr(MARC21_HOLDINGS, key))
        if not isinstance(code, str) or (code and not _SUBFIELD_CODES.match(code)):
            raise SourceConfigError(
                f'{where}, holdings.{key}: {code!r} must be subfield codes such as "b"'
            )
        codes[key] = code
    return HoldingsMapping(tag=tag, **codes)
