"""The Z39.50 credentials file: which libraries may log in, and with which password.

One `user:password` line per library (UTF-8); blank lines and lines starting
with `#` are ignored. The user is usually the library's code (`VN-HCM`), as
its Z39.50 client (Koha, MarcEdit, YAZ) sends it in the Init request.
"""

from __future__ import annotations

from pathlib import Path

from mucluc.errors import ConfigurationError


def read_credentials(path: Path) -> dict[str, str]:
    """Passwords by user from the credentials file; ConfigurationError names a bad line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigurationError(
            f"{path}: cannot read the Z39.50 credentials file: {error}"
        ) from error
    credentials: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        user, separator, password = stripped.partition(":")
        if not separator or not user.strip() or not password:
            raise ConfigurationError(f"{path}, line {number}: expected `user:password`")
        if user.strip() in credentials:
            raise ConfigurationError(f"{path}, line {number}: user {user.strip()!r} appears twice")
        credentials[user.strip()] = password
    if not credentials:
        raise ConfigurationError(f"{path}: the Z39.50 credentials file names no user")
    return credentials
