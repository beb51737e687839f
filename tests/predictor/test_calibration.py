"""Lamp light at the sensor learned from the integration's own level steps."""

from __future__ import annotations

from datetime import timedelta

import pytest

from custom_components.smart_lighting_ai.predictor.calibration import calibrate
from custom_components.smart_lighting_ai.predictor.sensor_health import Reading

from .common import NOON


def step(
    lux_before: float, out_before: float, lux_after: float, out_after: float
) -> tuple[Reading, Reading]:
    return (
        Reading(NOON, lux_before, out_before),
        Reading(NOON + timedelta(seconds=20), lux_after, out_after),
    )


def test_first_step_sets_the_estimate() -> None:
    assert calibrate(None, *step(200, 0.0, 650, 1.0), profile_lamp_lux=500) == 450.0


def test_later_steps_are_averaged() -> None:
    assert calibrate(500.0, *step(200, 0.0, 650, 1.0), profile_lamp_lux=500) == pytest.approx(485.0)


def test_a_downward_step_counts_too() -> None:
    assert calibrate(None, *step(700, 1.0, 300, 0.2), profile_lamp_lux=500) == 500.0


@pytest.mark.parametrize(
    "readings",
    [
        step(200, 0.5, 230, 0.55),  # output step under 0.1: daylight noise dominates
        step(600, 0.0, 400, 1.0),  # brighter lamps, darker reading: daylight changed
        step(600, 0.0, 600, 1.0),  # no change at all (a stuck sensor is not calibrated)
    ],
)
def test_steps_that_tell_nothing(readings: tuple[Reading, Reading]) -> None:
    assert calibrate(480.0, *readings, profile_lamp_lux=500) is None


def test_bounded_to_the_profile() -> None:
    assert calibrate(None, *step(100, 0.0, 5100, 1.0), profile_lamp_lux=500) == 2500.0
    assert calibrate(None, *step(100, 0.0, 110, 1.0), profile_lamp_lux=500) == 100.0


def test_converges_on_the_real_value() -> None:
    estimate: float | None = None
    for _ in range(20):
        estimate = calibrate(estimate, *step(300, 0.0, 520, 1.0), profile_lamp_lux=500) or estimate
    assert estimate == pytest.approx(220.0, abs=1.0)
