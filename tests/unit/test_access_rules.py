"""The authorisation rules, the secrets and the per-client limits, without I/O."""

from __future__ import annotations

import pytest

from mucluc.accounts.credentials import (
    hash_password,
    is_password_correct,
    is_secret_correct,
    make_api_key,
    split_api_key,
)
from mucluc.accounts.roles import ANONYMOUS, Action, Principal, Role, authorise, is_allowed
from mucluc.errors import AccountError, AuthenticationError, PermissionDeniedError
from mucluc.web.limits import RateLimiter, SignInThrottle

CATALOGUER = Principal("account:lan", Role.CATALOGUER, "VN-HCM")


@pytest.mark.parametrize(
    ("principal", "action", "library", "allowed"),
    [
        (CATALOGUER, Action.WRITE_RECORDS, "VN-HCM", True),
        (CATALOGUER, Action.WRITE_RECORDS, "VN-NLV", False),
        (CATALOGUER, Action.MANAGE_KEYS, "VN-HCM", False),
        (Principal("a", Role.LIBRARY_ADMINISTRATOR, "VN-HCM"), Action.MANAGE_KEYS, "VN-HCM", True),
        (Principal("a", Role.LIBRARY_ADMINISTRATOR, "VN-HCM"), Action.READ_AUDIT, None, False),
        (
            Principal("a", Role.LIBRARY_ADMINISTRATOR, "VN-HCM"),
            Action.MANAGE_LIBRARIES,
            "VN-HCM",
            True,
        ),
        (
            Principal("a", Role.LIBRARY_ADMINISTRATOR, "VN-HCM"),
            Action.MANAGE_LIBRARIES,
            "VN-NLV",
            False,
        ),
        (
            Principal("a", Role.LIBRARY_ADMINISTRATOR, "VN-HCM"),
            Action.MANAGE_LIBRARIES,
            None,
            False,
        ),
        (CATALOGUER, Action.MANAGE_LIBRARIES, "VN-HCM", False),
        (Principal("a", Role.NATIONAL_ADMINISTRATOR), Action.READ_AUDIT, None, True),
        (Principal("a", Role.MERGE_REVIEWER), Action.REVIEW_MERGES, None, True),
        (Principal("a", Role.MERGE_REVIEWER), Action.WRITE_RECORDS, "VN-HCM", False),
        (Principal("a", Role.API_READER, "VN-HCM"), Action.EXPORT_LIBRARY, "VN-HCM", True),
        (Principal("a", Role.API_READER, "VN-HCM"), Action.WRITE_RECORDS, "VN-HCM", False),
        (ANONYMOUS, Action.EXPORT_LIBRARY, "VN-HCM", False),
    ],
)
def test_is_allowed_scopes_library_roles_to_their_library(
    principal: Principal, action: Action, library: str | None, allowed: bool
) -> None:
    assert is_allowed(principal, action, library) is allowed


def test_authorise_says_401_for_nobody_and_403_for_the_wrong_library() -> None:
    with pytest.raises(AuthenticationError):
        authorise(ANONYMOUS, Action.WRITE_RECORDS, "VN-HCM")
    with pytest.raises(PermissionDeniedError, match="for library VN-NLV"):
        authorise(CATALOGUER, Action.WRITE_RECORDS, "VN-NLV")


def test_password_hashes_verify_and_short_passwords_are_refused() -> None:
    stored = hash_password("mật khẩu rất dài")
    assert stored.startswith("$argon2id$")
    assert is_password_correct(stored, "mật khẩu rất dài")
    assert not is_password_correct(stored, "mat khau rat dai")
    with pytest.raises(AccountError, match="12 characters"):
        hash_password("short")


def test_api_keys_split_into_id_and_a_secret_checked_against_its_hash() -> None:
    key = make_api_key()
    key_id, secret = split_api_key(key.token)
    assert key_id == key.key_id
    assert is_secret_correct(key.secret_hash, secret)
    assert secret not in key.secret_hash
    with pytest.raises(AuthenticationError, match="malformed"):
        split_api_key("Bearer nonsense")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_allows_a_burst_then_says_when_to_retry() -> None:
    clock = FakeClock()
    limiter = RateLimiter(per_minute=60, burst=3, clock=clock)
    assert [limiter.retry_after("10.0.0.1") for _ in range(4)] == [0, 0, 0, 1]
    assert limiter.retry_after("10.0.0.2") == 0
    clock.now += 1
    assert limiter.retry_after("10.0.0.1") == 0


def test_sign_in_throttle_blocks_after_the_allowed_failures_until_the_window_passes() -> None:
    clock = FakeClock()
    throttle = SignInThrottle(attempts=2, window_seconds=60, clock=clock)
    throttle.record_failure("user:lan", "address:10.0.0.1")
    assert throttle.retry_after("user:lan") == 0
    throttle.record_failure("user:lan", "address:10.0.0.1")
    clock.now += 15
    assert throttle.retry_after("user:lan", "address:10.0.0.9") == 45
    clock.now += 45
    assert throttle.retry_after("user:lan") == 0
