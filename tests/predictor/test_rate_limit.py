"""Token bucket."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pytest

from custom_components.smart_lighting_ai.predictor import TokenBucket

if TYPE_CHECKING:
    from .conftest import FakeClock


def test_burst_then_refill(clock: FakeClock) -> None:
    bucket = TokenBucket.per_hour(60, clock)
    assert bucket.capacity == 60
    assert all(bucket.try_acquire() for _ in range(60))
    assert not bucket.try_acquire()
    assert bucket.seconds_until_available() == pytest.approx(60.0)
    clock.advance(59.0)
    assert not bucket.try_acquire()
    clock.advance(1.0)
    assert bucket.try_acquire()
    assert not bucket.try_acquire()


def test_refill_stops_at_capacity(clock: FakeClock) -> None:
    bucket = TokenBucket(2.0, 1.0, clock)
    clock.advance(100.0)
    assert bucket.available == 2.0
    assert bucket.seconds_until_available() == 0.0


def test_clock_going_backwards_adds_nothing(clock: FakeClock) -> None:
    bucket = TokenBucket(1.0, 1.0, clock)
    assert bucket.try_acquire()
    clock.advance(-50.0)
    assert not bucket.try_acquire()
    clock.advance(50.5)  # back to the old time + 0.5 s: still only half a token
    assert not bucket.try_acquire()
    clock.advance(0.5)
    assert bucket.try_acquire()


def test_never_available(clock: FakeClock) -> None:
    assert math.isinf(TokenBucket.per_hour(0, clock).seconds_until_available())
    assert math.isinf(TokenBucket(1.0, 1.0, clock).seconds_until_available(2.0))


def test_negative_values_rejected(clock: FakeClock) -> None:
    with pytest.raises(ValueError, match="negative"):
        TokenBucket(-1.0, 1.0, clock)
