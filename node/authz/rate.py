"""Per-agency query rate limits: one token bucket per certificate fingerprint, in memory.

An agency that may query at all could otherwise enumerate subjects (the ~1,000 ID numbers
that share a birth date and district). Each agency has ``burst`` tokens, refilled at
``per_minute / 60`` a second; a query takes one or is refused. Buckets live in memory
(a restart refills them: the limit is against enumeration, not an accounting record).
A query forwarded by a peer node reaches the origin once per on-request category it
fetches; ``take_once`` charges the agency one token per forwarded query (its request id
and subject, which the agency signed), not one per category.
Thread-safe; the clock is injectable so tests need no sleeping.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

__all__ = ["TokenBuckets"]

_MAX_BUCKETS = 100_000
_MAX_OCCASIONS = 100_000


class TokenBuckets:
    """``take(key)`` is True when ``key`` still had a token (and spends it)."""

    def __init__(self, *, per_minute: float, burst: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute <= 0 or burst < 1:
            raise ValueError(f"per_minute must be > 0 and burst >= 1, got {per_minute}, {burst}")
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}
        self._occasions: OrderedDict[tuple[str, str], None] = OrderedDict()

    def take(self, key: str) -> bool:
        now = self._clock()
        with self._lock:
            return self._take(key, now)

    def take_once(self, key: str, occasion: str) -> bool:
        """``take(key)``, charged once per ``occasion``: a repeat of an occasion that
        already took a token is True and spends none (the last ``_MAX_OCCASIONS``
        occasions are remembered). An empty ``occasion`` is an ordinary ``take``."""
        if not occasion:
            return self.take(key)
        now = self._clock()
        with self._lock:
            if (key, occasion) in self._occasions:
                return True
            allowed = self._take(key, now)
            if allowed:
                self._occasions[(key, occasion)] = None
                if len(self._occasions) > _MAX_OCCASIONS:
                    self._occasions.popitem(last=False)
            return allowed

    def _take(self, key: str, now: float) -> bool:
        tokens, then = self._buckets.get(key, (self._burst, now))
        tokens = min(self._burst, tokens + (now - then) * self._rate)
        allowed = tokens >= 1.0
        self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
        if len(self._buckets) > _MAX_BUCKETS:
            self._forget_full(now)
        return allowed

    def _forget_full(self, now: float) -> None:
        """Drop buckets that have refilled completely (they hold no state worth keeping)."""
        full = [k for k, (tokens, then) in self._buckets.items()
                if tokens + (now - then) * self._rate >= self._burst]
        for key in full:
            del self._buckets[key]
