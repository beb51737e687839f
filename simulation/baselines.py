"""Baseline strategies, computed in plain Python from the same day as the integration sees.

- ``always_on``: every group at 100 % from the scenario's start to its end (07:00-19:00 by
  default), tunable white fixed at 4000 K.
- ``occupancy_only``: a group at 100 % from the minute its motion sensor reports presence until
  ``vacancy_minutes`` without presence (the classic PIR switch, reacting at once), 4000 K.
- ``circadian_only``: no sensors; during the day the light output follows the sun (50 % of full
  output with the sun at the horizon or in the evening, 100 % with the sun at 45 degrees or more)
  and tunable white follows the integration's circadian colour curve. Like the integration it
  updates once per step and skips changes inside the same deadband (5 % brightness, 150 K).
"""

from __future__ import annotations

from custom_components.smart_lighting_ai.dali.conversions import MAX_ARC_LEVEL
from custom_components.smart_lighting_ai.predictor.colour import (
    choose_colour,
    daylight_factor,
    evening_factor,
)
from custom_components.smart_lighting_ai.predictor.policy import PolicySettings

from .physics import arc_for_output
from .scenario import DayData
from .trace import StrategyRun, trace_from_levels

FIXED_KELVIN = 4000
"""Colour temperature of tunable-white groups under the baselines that do not tune it."""
CIRCADIAN_MIN_OUTPUT = 0.5


def _in_day(day: DayData, index: int) -> bool:
    scenario = day.scenario
    minute = day.local_minute(index)
    start = scenario.start.hour * 60 + scenario.start.minute
    end = scenario.end.hour * 60 + scenario.end.minute
    return start <= minute < end


def always_on(day: DayData) -> StrategyRun:
    """Every group at 100 % during the day."""
    rooms = {}
    for group, room in day.rooms.items():
        levels = [MAX_ARC_LEVEL if _in_day(day, i) else 0 for i in range(len(day.minutes))]
        kelvins = [FIXED_KELVIN if room.spec.tunable_white else None for _ in levels]
        rooms[group] = trace_from_levels(day, group, levels, kelvins)
    return StrategyRun("always on", rooms)


def occupancy_only(day: DayData) -> StrategyRun:
    """100 % while the motion sensor reports presence, off after the vacancy timeout."""
    timeout = day.scenario.vacancy_minutes
    rooms = {}
    for group, room in day.rooms.items():
        levels: list[int] = []
        last_seen: int | None = None
        for i, motion in enumerate(room.motion):
            if motion:
                last_seen = i
            on = last_seen is not None and i - last_seen < timeout
            levels.append(MAX_ARC_LEVEL if on else 0)
        kelvins = [FIXED_KELVIN if room.spec.tunable_white else None for _ in levels]
        rooms[group] = trace_from_levels(day, group, levels, kelvins)
    return StrategyRun("occupancy only", rooms)


def circadian_only(day: DayData) -> StrategyRun:
    """Brightness and colour temperature from the sun, no sensors."""
    deadband = PolicySettings()
    step = day.scenario.step_minutes
    rooms = {}
    for group, room in day.rooms.items():
        levels: list[int] = []
        kelvins: list[int | None] = []
        level, kelvin = 0, None
        for i in range(len(day.minutes)):
            if i % step == 0:
                wanted_level, wanted_kelvin = 0, None
                if _in_day(day, i):
                    hour = day.local_minute(i) / 60
                    elevation = day.sun_elevation[i]
                    share = daylight_factor(elevation, hour) * evening_factor(hour)
                    wanted_level = arc_for_output(
                        CIRCADIAN_MIN_OUTPUT + (1 - CIRCADIAN_MIN_OUTPUT) * share
                    )
                    if room.spec.tunable_white:
                        wanted_kelvin = int(round(choose_colour(elevation, hour).kelvin, -1))
                level_change = abs(wanted_level - level) / MAX_ARC_LEVEL * 100
                switching = (wanted_level > 0) != (level > 0)
                colour_change = (
                    wanted_kelvin is not None
                    and wanted_level > 0
                    and (kelvin is None or abs(wanted_kelvin - kelvin) >= deadband.deadband_kelvin)
                )
                if switching or level_change >= deadband.deadband_pct or colour_change:
                    level = wanted_level
                    kelvin = wanted_kelvin if wanted_kelvin is not None else kelvin
            levels.append(level)
            kelvins.append(kelvin if room.spec.tunable_white else None)
        rooms[group] = trace_from_levels(day, group, levels, kelvins)
    return StrategyRun("circadian only", rooms)


BASELINES = (always_on, occupancy_only, circadian_only)
