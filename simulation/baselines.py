"""Baseline strategies, computed in plain Python from the same day the integration sees.

- ``always on``: every group at 100 % through the scored span, 4000 K.
- ``occupancy only``: the classic PIR switch: 100 % the moment the motion sensor turns on, off
  ``vacancy_minutes`` after it last turned off (it sees the same faulty sensors), 4000 K.
- ``circadian only``: no sensors; on through the scored span at the level that gives the target
  at the darkest place with no daylight (it holds that brightness), and only its colour follows
  the sun (2700 K at night and dusk, up to 5000 K with the sun at 40 degrees or more), updated
  every 5 minutes outside a 150 K deadband.
- ``always on, trimmed``: the reference an ideal daylight controller would reach: always on, and
  at every daylight sample dimmed to exactly the target at the darkest place, knowing the true
  daylight at every place (no sensor, no delay, no fade; never below the minimum level;
  dimming in steps of at least 3 arc levels).
"""

from __future__ import annotations

import math

from .physics import MAX_ARC, LightTimeline, arc_for_output
from .scenario import STEP_S, DayData
from .trace import StrategyRun

FIXED_KELVIN = 4000
COLOUR_EVERY_S = 300.0
COLOUR_DEADBAND_K = 150
TRIM_DEADBAND_ARC = 3
"""The trimmed reference dims in steps of at least this (about 8 % light); it brightens at once."""


def always_on(day: DayData) -> StrategyRun:
    """Every group at 100 % through the scored span."""
    run = StrategyRun("always on")
    for group, room in day.rooms.items():
        light = LightTimeline()
        light.add(day.scored_from, MAX_ARC, 0.0, FIXED_KELVIN if room.spec.tunable_white else None)
        run.lights[group] = light
    return run


def occupancy_only(day: DayData) -> StrategyRun:
    """100 % while the motion sensor reports presence, off after the vacancy timeout."""
    run = StrategyRun("occupancy only")
    for group, room in day.rooms.items():
        light = LightTimeline()
        kelvin = FIXED_KELVIN if room.spec.tunable_white else None
        timeout = room.spec.vacancy_minutes * 60.0
        off_at: float | None = None
        for t, on in room.motion:
            if off_at is not None and off_at <= t:
                light.add(off_at, 0)
                off_at = None
            if on:
                light.add(t, MAX_ARC, 0.0, kelvin)
                off_at = None
            else:
                off_at = t + timeout
        if off_at is not None and off_at < day.end:
            light.add(off_at, 0)
        run.lights[group] = light
    return run


def circadian_kelvin(elevation: float, hour: float) -> int:
    """Colour temperature of the circadian baseline."""
    if hour >= 20.0 or hour < 5.0 or elevation <= 0.0:
        return 2700
    share = min(1.0, math.sin(math.radians(elevation)) / math.sin(math.radians(40.0)))
    return int(round(2700 + (5000 - 2700) * share, -1))


def circadian_only(day: DayData) -> StrategyRun:
    """Holds the level that gives the target without daylight; only the colour follows the sun."""
    run = StrategyRun("circadian only")
    for group, room in day.rooms.items():
        spec = room.spec
        fraction = max(spec.target_lux / place.lamp_lux_at_full for place in spec.places)
        arc = arc_for_output(min(1.0, fraction))
        light = LightTimeline()
        kelvin: int | None = None
        t = day.scored_from
        while t < day.end:
            wanted = None
            if spec.tunable_white:
                sky = day.sky[min(day.index(t), day.samples - 1)]
                wanted = circadian_kelvin(sky.elevation, day.local_hour(t))
                if kelvin is not None and abs(wanted - kelvin) < COLOUR_DEADBAND_K:
                    wanted = kelvin
            if not light.commands or wanted != kelvin:
                light.add(t, arc, 0.0, wanted)
                kelvin = wanted
            t += COLOUR_EVERY_S
        run.lights[group] = light
    return run


def trimmed_to_target(day: DayData) -> StrategyRun:
    """Always on, dimmed by an ideal controller to exactly the target at the darkest place."""
    run = StrategyRun("always on, trimmed")
    for group, room in day.rooms.items():
        spec = room.spec
        light = LightTimeline()
        kelvin = FIXED_KELVIN if spec.tunable_white else None
        first = day.index(day.scored_from)
        for k in range(first, day.samples):
            need = max(
                (spec.target_lux - daylight[k]) / place.lamp_lux_at_full
                for place, daylight in zip(spec.places, room.daylight, strict=True)
            )
            arc = max(1, arc_for_output(min(1.0, need)))
            shown = light.commands[-1].arc if light.commands else 0
            if arc > shown or shown - arc >= TRIM_DEADBAND_ARC:
                light.add(max(day.scored_from, k * STEP_S), arc, 0.0, kelvin)
        run.lights[group] = light
    return run


BASELINES = (always_on, occupancy_only, circadian_only, trimmed_to_target)
