"""Per-client limits kept in memory: a token-bucket rate limiter and a sign-in throttle.

Both take a clock, so tests drive time instead of sleeping. State is per
process: with several server processes each enforces its own share, which
errs on the side of letting readers through.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]
MAX_TRACKED_CLIENTS = 100_000


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """A token bucket per client: `burst` requests at once, then `per_minute` a minute."""

    def __init__(self, per_minute: int, burst: int, clock: Clock = time.monotonic) -> None:
        self.rate_per_second = per_minute / 60
        self.burst = burst
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """Whether any limit applies (a rate of 0 turns limiting off)."""
        return self.rate_per_second > 0

    def retry_after(self, client: str) -> int:
        """Take one token for `client`: 0 if allowed, else whole seconds until one is free."""
        if not self.enabled:
            return 0
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(client)
            if bucket is None:
                if len(self._buckets) >= MAX_TRACKED_CLIENTS:
                    self._forget_full_buckets(now)
                bucket = self._buckets[client] = _Bucket(float(self.burst), now)
            bucket.tokens = min(
                float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate_per_second
            )
            bucket.updated = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0
            return max(1, math.ceil((1 - bucket.tokens) / self.rate_per_second))

    def _forget_full_buckets(self, now: float) -> None:
        """Drop clients whose buckets have refilled: they behave as new clients anyway."""
        refill_seconds = self.burst / self.rate_per_second
        for client, bucket in list(self._buckets.items()):
            if now - bucket.updated >= refill_seconds:
                del self._buckets[client]


class SignInThrottle:
    """Counts failed sign-ins per key (a username, a client address) in a sliding window."""

    def __init__(self, attempts: int, window_seconds: int, clock: Clock = time.monotonic) -> None:
        self.attempts = attempts
        self.window_seconds = window_seconds
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and now - failures[0] >= self.window_seconds:
            failures.popleft()
        return failures

    def retry_after(self, *keys: str) -> int:
        """0 if every key may try again now, else whole seconds until the oldest failure expires."""
        now = self.clock()
        waits = [0]
        with self._lock:
            for key in keys:
                failures = self._recent(key, now)
                if len(failures) >= self.attempts:
                    waits.append(math.ceil(self.window_seconds - (now - failures[0])))
        return max(waits)

    def record_failure(self, *keys: str) -> None:
        """Count one failed attempt against each key."""
        now = self.clock()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def clear(self, *keys: str) -> None:
        """Forget the failures of keys after a successful sign-in."""
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
