"""Secrets: Argon2id password hashes, API keys and session tokens, kept only as hashes.

Passwords are slow-hashed (argon2-cffi, its RFC 9106 defaults) because people
choose them; API keys and session tokens are 256-bit random values, so a
SHA-256 of them is enough and keeps each API request cheap. Nothing here
touches a store.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from mucluc.errors import AccountError, AuthenticationError

MINIMUM_PASSWORD_LENGTH = 12
API_KEY_PREFIX = "mlc"
KEY_ID_BYTES = 6
SECRET_BYTES = 32

_password_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """The Argon2id hash to store; raises AccountError for a password that is too short."""
    if len(password) < MINIMUM_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MINIMUM_PASSWORD_LENGTH} characters")
    return _password_hasher.hash(password)


def is_password_correct(password_hash: str, password: str) -> bool:
    """Whether `password` matches the stored hash (a malformed hash never matches)."""
    try:
        return _password_hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def dummy_password_check(password: str) -> None:
    """Spend the time of a real check, so an unknown username answers no faster."""
    is_password_correct(_DUMMY_HASH, password)


_DUMMY_HASH = _password_hasher.hash("not-a-real-password-for-timing")


def hash_secret(secret: str) -> str:
    """SHA-256 hex of a high-entropy secret (API key or session token)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def is_secret_correct(stored_hash: str, secret: str) -> bool:
    """Constant-time comparison of a secret with its stored hash."""
    return hmac.compare_digest(stored_hash, hash_secret(secret))


@dataclass(frozen=True)
class NewApiKey:
    """A freshly made key: `token` is shown once; only `key_id` and `secret_hash` are kept."""

    key_id: str
    token: str
    secret_hash: str


def make_api_key() -> NewApiKey:
    """A new key, `mlc_<key id>_<secret>`; the key id is public and names the key in lists."""
    key_id = secrets.token_hex(KEY_ID_BYTES)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    return NewApiKey(key_id, f"{API_KEY_PREFIX}_{key_id}_{secret}", hash_secret(secret))


def split_api_key(token: str) -> tuple[str, str]:
    """The key id and secret of a presented key; raises AuthenticationError if malformed."""
    prefix, _, rest = token.strip().partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != API_KEY_PREFIX or len(key_id) != 2 * KEY_ID_BYTES or not secret:
        raise AuthenticationError("the API key is malformed: expected mlc_<id>_<secret>")
    return key_id, secret


def make_session_token() -> str:
    """A random session token for the cookie."""
    return secrets.token_urlsafe(SECRET_BYTES)


def make_csrf_token() -> str:
    """A random token a form must send back."""
    return secrets.token_urlsafe(SECRET_BYTES)
