"""Token bucket: at most ``capacity`` calls in a burst, refilled continuously."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

SECONDS_PER_HOUR = 3600.0


class TokenBucket:
    """A token bucket driven by an injectable monotonic clock (seconds).

    It starts full. Each allowed call takes one token; tokens come back continuously at
    ``refill_per_second`` up to ``capacity``. A clock that goes backwards adds nothing.
    """

    def __init__(
        self, capacity: float, refill_per_second: float, clock: Callable[[], float]
    ) -> None:
        """Create a full bucket."""
        if capacity < 0.0 or refill_per_second < 0.0:
            raise ValueError("capacity and refill_per_second must not be negative")
        self._capacity = float(capacity)
        self._rate = float(refill_per_second)
        self._clock = clock
        self._tokens = self._capacity
        self._last = clock()

    @classmethod
    def per_hour(cls, calls_per_hour: int, clock: Callable[[], float]) -> TokenBucket:
        """Return a bucket allowing ``calls_per_hour`` calls per hour (bursts up to that many)."""
        return cls(float(calls_per_hour), calls_per_hour / SECONDS_PER_HOUR, clock)

    @property
    def capacity(self) -> float:
        """Return the bucket size."""
        return self._capacity

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._last)
        self._last = max(self._last, now)
        self._tokens = min(self._capacity, self._tokens + elapsed * self._rate)

    @property
    def available(self) -> float:
        """Return the tokens available now."""
        self._refill()
        return self._tokens

    def try_acquire(self, cost: float = 1.0) -> bool:
        """Take ``cost`` tokens and return True, or return False and take nothing."""
        self._refill()
        if self._tokens + 1e-9 < cost:
            return False
        self._tokens = max(0.0, self._tokens - cost)
        return True

    def seconds_until_available(self, cost: float = 1.0) -> float:
        """Return the seconds until ``cost`` tokens are available (inf if never)."""
        missing = cost - self.available
        if missing <= 0.0:
            return 0.0
        if self._rate == 0.0 or cost > self._capacity:
            return float("inf")
        return missing / self._rate
