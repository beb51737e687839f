"""Sensor fault detection from readings the integration already has (pure, HA-free).

Illuminance (:func:`illuminance_fault`), checked in this order:

- ``"unavailable"``: the sensor is unavailable (or unknown) now.
- ``"implausible"``: the newest reading is negative or above ``MAX_LUX`` (150 000 lx, more than
  direct summer sun), or, with the sun more than 6° below the horizon (night, after civil
  twilight), exceeds the group's own lamp light at its output by more than ``NIGHT_MARGIN_LUX``
  (250 lx): a floor lamp, a TV or a neighbouring group add far less at a ceiling sensor.
- ``"stuck"``: the sensor does not see the lamps' own steps. A *lamp step* is a pair of
  consecutive readings whose lamp output differs; the expected change at the sensor is
  ``lamp_lux_at_sensor x |output change|``. A step counts when that expectation exceeds
  ``max(50 lx, 30 % of the reading before it)`` (smaller ones drown in daylight changes), and it
  is *missed* when the reading moved by less than 15 % of the expectation between the last
  reading before the step and the first after it. The sensor is stuck when the newest
  ``STUCK_STEPS`` (2) counting steps were all missed; a newer step that it sees clears it.

Readings must not be taken during a fade (see ``lamp_history.py``); one reading may stand for the
state in force at a moment (Home Assistant records a sensor only when its value changes, so the
caller samples the value in force just before and after each step).

Occupancy (:func:`occupancy_stuck_on`): a sensor reporting presence without a break for
``hours`` (4) or more counts as stuck on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

MAX_LUX = 150_000.0
NIGHT_ELEVATION = -6.0
NIGHT_MARGIN_LUX = 250.0
MIN_STEP_LUX = 50.0
MIN_STEP_SHARE = 0.3
MISSED_SHARE = 0.15
STUCK_STEPS = 2
STUCK_ON_HOURS = 4.0


@dataclass(frozen=True)
class Reading:
    """One illuminance reading and the group's light output (0-1) when it was taken."""

    at: datetime
    lux: float
    lamp_output: float


def illuminance_fault(
    readings: Sequence[Reading],
    lamp_lux_at_sensor: float,
    sun_elevation: float | None,
    available: bool,
) -> str | None:
    """Return "unavailable", "implausible", "stuck" or None (see the module docstring)."""
    if not available:
        return "unavailable"
    if not readings:
        return None
    ordered = sorted(readings, key=lambda reading: reading.at)
    newest = ordered[-1]
    if not 0.0 <= newest.lux <= MAX_LUX:
        return "implausible"
    lamp_light = lamp_lux_at_sensor * newest.lamp_output
    night = sun_elevation is not None and sun_elevation < NIGHT_ELEVATION
    if night and newest.lux > lamp_light + NIGHT_MARGIN_LUX:
        return "implausible"
    missed: list[bool] = []
    for before, after in pairwise(ordered):
        expected = lamp_lux_at_sensor * abs(after.lamp_output - before.lamp_output)
        if expected <= max(MIN_STEP_LUX, MIN_STEP_SHARE * abs(before.lux)):
            continue
        missed.append(abs(after.lux - before.lux) < MISSED_SHARE * expected)
    recent = missed[-STUCK_STEPS:]
    if len(recent) == STUCK_STEPS and all(recent):
        return "stuck"
    return None


def occupancy_stuck_on(
    on_since: datetime | None, now: datetime, hours: float = STUCK_ON_HOURS
) -> bool:
    """Whether an occupancy sensor reporting presence since ``on_since`` counts as stuck on."""
    return on_since is not None and now - on_since >= timedelta(hours=hours)
