"""Lamp light at the sensor, learned from the integration's own level steps (pure, HA-free).

When the integration changes a group's output from ``o1`` to ``o2`` and the sensor goes from
``l1`` to ``l2`` lx (readings settled, taken just before and after the step), the lamps give
``(l2 - l1) / (o2 - o1)`` lx at the sensor at 100 %. Daylight drifts between the two readings,
so a sample:

- needs an output change of at least ``MIN_OUTPUT_STEP`` (0.1 of full output);
- must be positive (a sensor that read less after brightening saw the daylight change, not the
  lamps);
- is bounded to ``BOUNDS`` (0.2x-5x) of the profile's lamp lux;
- is averaged into the previous estimate with weight ``WEIGHT`` (0.3), so one odd step moves it
  by at most a third of the way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .sensor_health import Reading

MIN_OUTPUT_STEP = 0.1
BOUNDS = (0.2, 5.0)
WEIGHT = 0.3


def calibrate(
    previous: float | None, before: Reading, after: Reading, profile_lamp_lux: float
) -> float | None:
    """Return the new lamp lux at the sensor at 100 %, or None when the step tells nothing."""
    step = after.lamp_output - before.lamp_output
    if abs(step) < MIN_OUTPUT_STEP or profile_lamp_lux <= 0.0:
        return None
    sample = (after.lux - before.lux) / step
    if sample <= 0.0:
        return None
    low, high = BOUNDS
    sample = min(max(sample, low * profile_lamp_lux), high * profile_lamp_lux)
    if previous is None or previous <= 0.0:
        return round(sample, 1)
    return round((1.0 - WEIGHT) * previous + WEIGHT * sample, 1)
