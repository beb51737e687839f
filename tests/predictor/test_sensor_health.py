"""Sensor faults: unavailable, implausible and stuck illuminance; occupancy stuck on."""

from __future__ import annotations

from datetime import timedelta

import pytest

from custom_components.smart_lighting_ai.predictor.sensor_health import (
    Reading,
    illuminance_fault,
    occupancy_stuck_on,
)

from .common import NOON

LAMP = 500.0  # lamp light at the sensor at 100 %


def readings(*pairs: tuple[float, float]) -> list[Reading]:
    """(lux, lamp output) pairs, one minute apart."""
    return [
        Reading(NOON + timedelta(minutes=index), lux, output)
        for index, (lux, output) in enumerate(pairs)
    ]


def test_unavailable() -> None:
    assert illuminance_fault(readings((300, 0)), LAMP, 20.0, available=False) == "unavailable"


def test_no_readings_no_fault() -> None:
    assert illuminance_fault([], LAMP, None, available=True) is None


@pytest.mark.parametrize("lux", [-1.0, 150_001.0])
def test_absurd_values_are_implausible(lux: float) -> None:
    assert illuminance_fault(readings((lux, 0)), LAMP, 30.0, available=True) == "implausible"


def test_900_lx_indoors_after_sunset_is_implausible() -> None:
    assert illuminance_fault(readings((900, 0)), LAMP, -12.0, available=True) == "implausible"
    # The lamps themselves can explain a bright night reading ...
    assert illuminance_fault(readings((520, 1.0)), LAMP, -12.0, available=True) is None
    # ... and in daylight or twilight 900 lx is possible.
    assert illuminance_fault(readings((900, 0)), LAMP, 20.0, available=True) is None
    assert illuminance_fault(readings((900, 0)), LAMP, -3.0, available=True) is None
    assert illuminance_fault(readings((900, 0)), LAMP, None, available=True) is None


def test_a_sensor_stuck_at_900_lx_misses_the_lamps_steps() -> None:
    stuck = readings((900, 0.0), (900, 1.0), (900, 1.0), (901, 0.0))
    assert illuminance_fault(stuck, LAMP, 25.0, available=True) == "stuck"


def test_one_missed_step_is_not_enough() -> None:
    once = readings((900, 0.0), (900, 1.0))
    assert illuminance_fault(once, LAMP, 25.0, available=True) is None


def test_a_sensor_that_follows_the_lamps_is_fine() -> None:
    good = readings((300, 0.0), (800, 1.0), (790, 1.0), (310, 0.0), (560, 0.5))
    assert illuminance_fault(good, LAMP, 25.0, available=True) is None


def test_a_sensor_that_sees_a_newer_step_has_recovered() -> None:
    recovered = readings((900, 0.0), (900, 1.0), (900, 0.0), (1400, 1.0))
    assert illuminance_fault(recovered, LAMP, 25.0, available=True) is None


def test_small_steps_against_bright_daylight_do_not_count() -> None:
    # 0.2 of 500 lx = 100 lx expected, under 30 % of a 2,000 lx reading: no evidence either way.
    small = readings((2000, 0.0), (2000, 0.2), (2000, 0.0), (2000, 0.2))
    assert illuminance_fault(small, LAMP, 40.0, available=True) is None


def test_readings_are_taken_in_time_order() -> None:
    stuck = readings((900, 0.0), (900, 1.0), (900, 0.0))
    assert illuminance_fault(list(reversed(stuck)), LAMP, 25.0, available=True) == "stuck"


def test_occupancy_stuck_on() -> None:
    assert not occupancy_stuck_on(None, NOON)
    assert not occupancy_stuck_on(NOON - timedelta(hours=3, minutes=59), NOON)
    assert occupancy_stuck_on(NOON - timedelta(hours=4), NOON)
    assert occupancy_stuck_on(NOON - timedelta(hours=2), NOON, hours=1.5)
