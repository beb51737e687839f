"""Scores of a strategy over the scored part of the day.

- **energy**: the sum over minutes and groups of ``rated watts x light output(level)``, in kWh.
- **occupied minutes below target**: minutes in which someone was in a room (ground truth, not
  the sensor) while the desk got less than ``comfort_tolerance`` (90 %) of the room's target.
- **automatic changes while occupied**: changes of a group's level or colour temperature (a
  colour change only counts while lit) between two minutes in both of which someone was in the
  room. Switching on for someone who just walked in is not counted; changes a person made are
  not automatic.
- **changes a person would undo**: of those, the decreases of more than ``undo_drop`` (30 %) of
  the level (switching off included) that leave the desk below target.
- **AI calls and tokens**: from the integration's telemetry (0 with the local predictor).
"""

from __future__ import annotations

from dataclasses import dataclass

from .physics import power_watts
from .scenario import DayData
from .trace import RoomTrace, StrategyRun


@dataclass(frozen=True, slots=True)
class Scores:
    """The figures of one strategy on one day (one room or all of them)."""

    energy_kwh: float
    below_target_minutes: int
    changes_while_occupied: int
    undone_changes: int
    ai_calls: int = 0
    tokens: int = 0

    def __add__(self, other: Scores) -> Scores:
        """Sum of two rooms' scores."""
        return Scores(
            self.energy_kwh + other.energy_kwh,
            self.below_target_minutes + other.below_target_minutes,
            self.changes_while_occupied + other.changes_while_occupied,
            self.undone_changes + other.undone_changes,
            self.ai_calls + other.ai_calls,
            self.tokens + other.tokens,
        )


def changed(trace: RoomTrace, index: int) -> bool:
    """Whether the group's level or (lit) colour changed from minute ``index - 1``."""
    before, now = trace.level[index - 1], trace.level[index]
    if before != now:
        return True
    return now > 0 and trace.kelvin[index - 1] != trace.kelvin[index]


def score_room(day: DayData, group: int, trace: RoomTrace) -> Scores:
    """Score one group."""
    scenario = day.scenario
    room = day.rooms[group]
    spec = room.spec
    threshold = scenario.comfort_tolerance * spec.target_lux
    watt_minutes = 0.0
    below = changes = undone = 0
    for i in day.scored:
        level = trace.level[i]
        watt_minutes += power_watts(level, spec)
        occupied = room.occupied[i]
        if occupied and trace.lux[i] < threshold:
            below += 1
        if i == 0 or i in trace.manual or not changed(trace, i):
            continue
        if not (occupied and room.occupied[i - 1]):
            continue
        changes += 1
        before = trace.level[i - 1]
        if level < before * (1 - scenario.undo_drop) and trace.lux[i] < threshold:
            undone += 1
    return Scores(watt_minutes / 60 / 1000, below, changes, undone)


def score(day: DayData, run: StrategyRun) -> tuple[Scores, dict[int, Scores]]:
    """Totals over every room (with the run's AI figures) and the score of each room."""
    per_room = {group: score_room(day, group, trace) for group, trace in run.rooms.items()}
    total = Scores(0.0, 0, 0, 0, run.ai_calls, run.tokens)
    for room_scores in per_room.values():
        total += room_scores
    return total, per_room


@dataclass(frozen=True, slots=True)
class ComfortDetail:
    """Where a strategy's occupied minutes below target come from."""

    below_while_off: int
    """Below target with the group off (not switched on yet, or daylight judged enough)."""
    below_while_on: int
    """Below target with the group on (too dim)."""
    dark_arrivals: int
    """People walking into a room whose daylight is below target."""
    arrivals_left_in_the_dark: int
    """Of those, arrivals that found the group off."""
    longest_wait: int
    """Longest time (minutes) someone who arrived waited in the dark."""


def comfort_detail(day: DayData, run: StrategyRun) -> ComfortDetail:
    """Break a strategy's comfort score down (all rooms together)."""
    below_off = below_on = arrivals = in_the_dark = longest = 0
    for group, room in day.rooms.items():
        trace = run.rooms[group]
        threshold = day.scenario.comfort_tolerance * room.spec.target_lux
        for i in day.scored:
            if room.occupied[i] and trace.lux[i] < threshold:
                if trace.level[i]:
                    below_on += 1
                else:
                    below_off += 1
            if not room.occupied[i] or room.occupied[i - 1] or room.daylight[i] >= threshold:
                continue
            arrivals += 1
            wait = 0
            while i + wait < len(trace.level) and room.occupied[i + wait]:
                if trace.level[i + wait]:
                    break
                wait += 1
            in_the_dark += wait > 0
            longest = max(longest, wait)
    return ComfortDetail(below_off, below_on, arrivals, in_the_dark, longest)
