"""The figures of a strategy on one day, from the ground truth (people, daylight at the places).

A place is *lit* when daylight plus lamp light there is at least 90 % of the room's target
(``TOLERANCE``); the lamps *can reach* it when daylight plus the lamps at 100 % would be.

- **energy**: rated watts x light output, integrated over the scored span (kWh).
- **occupied minutes below target**: per room, the time in which at least one person present
  sits at a place that is not lit (the worst place of the room at that moment), summed over the
  rooms.
- **arrival to target**: for each person arriving at a place that is not lit where the lamps can
  reach it, the seconds until it is (the PIR's latency, the controller's reaction and the fade
  included); median and worst. An arrival never lit before leaving is counted apart ("unlit");
  for a brief pass it is a **pass that left before the light reached target**.
- **daylight drop to target**: a place someone sits at goes from lit to not lit because the
  daylight fell (clouds, blinds, dusk), no command being under way; the seconds until it is lit
  again; median and worst.
- **false-offs**: commands while someone is present that switch the group off leaving a present
  person's place below target, or dim it so that a lit place of a present person ends up below
  target (the warning dim before a vacancy switch-off counts too, when someone is still there).
  Switching off while daylight alone lights every present person is not a false-off.
- **automatic changes while occupied**: commands (level or colour) while someone is present,
  switching on from off not counted.
- **lit-empty hours**: time the group is lit while the room has been empty for longer than its
  vacancy timeout plus ``GRACE_S``.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, fields

from .people import Stay
from .physics import LightTimeline
from .scenario import STEP_S, DayData, RoomDay
from .trace import StrategyRun

TOLERANCE = 0.9
GRACE_S = 120.0


@dataclass(frozen=True, slots=True)
class Scores:
    """The figures of one strategy on one day (one room or all rooms)."""

    energy_kwh: float = 0.0
    below_minutes: float = 0.0
    arrival_median_s: float | None = None
    arrival_worst_s: float | None = None
    dark_arrivals: int = 0
    unlit_arrivals: int = 0
    """Dark arrivals of people staying (not passes) never lit before they left."""
    passes: int = 0
    """Brief passes into a place that was not lit."""
    passes_left: int = 0
    drop_median_s: float | None = None
    drop_worst_s: float | None = None
    drops: int = 0
    unlit_drops: int = 0
    false_offs: int = 0
    false_dims: int = 0
    auto_changes: int = 0
    lit_empty_h: float = 0.0
    ai_calls: int = 0
    tokens: int = 0

    @property
    def false_total(self) -> int:
        """False-offs and dims below target together."""
        return self.false_offs + self.false_dims


class _Room:
    """Fast look-ups over one room's day."""

    def __init__(self, day: DayData, room: RoomDay, light: LightTimeline) -> None:
        self.day, self.room, self.light = day, room, light
        self.spec = room.spec
        self.threshold = TOLERANCE * self.spec.target_lux
        count = day.samples
        self.present: list[list[Stay]] = [[] for _ in range(count)]
        for stay in room.stays:
            first = max(0, int(-(-stay.start // STEP_S)))
            for k in range(first, min(count, int(-(-stay.end // STEP_S)))):
                self.present[k].append(stay)

    def lux(self, place: int, t: float) -> float:
        k = min(self.day.index(t), self.day.samples - 1)
        lamp = self.spec.places[place].lamp_lux_at_full * self.light.output_at(t)
        return self.room.daylight[place][k] + lamp

    def reachable(self, place: int, t: float) -> bool:
        k = min(self.day.index(t), self.day.samples - 1)
        full = self.room.daylight[place][k] + self.spec.places[place].lamp_lux_at_full
        return full >= self.threshold

    def someone(self, t: float) -> list[Stay]:
        k = min(self.day.index(t), self.day.samples - 1)
        return [s for s in self.present[k] if s.start <= t < s.end]

    def time_to_lit(self, place: int, start: float, end: float) -> float | None:
        """Seconds from ``start`` until ``place`` is lit, None if not before ``end``."""
        t, step = start, 0.1
        while t < end:
            if self.lux(place, t) >= self.threshold:
                return t - start
            elapsed = t - start
            step = 0.1 if elapsed < 15 else 1.0 if elapsed < 300 else STEP_S
            t += step
        return None


def score_room(day: DayData, group: int, light: LightTimeline) -> Scores:
    """Score one group."""
    return _score_room(day, group, light).scores


@dataclass(frozen=True, slots=True)
class _Scored:
    scores: Scores
    arrivals: list[float]
    drops: list[float]


def _score_room(day: DayData, group: int, light: LightTimeline) -> _Scored:
    room = _Room(day, day.rooms[group], light)
    sampled, drops = _sampled(room)
    arrived, arrivals = _arrivals(room)
    commands = _commands(room)
    scores = Scores(
        energy_kwh=float(sampled["energy_kwh"]),
        below_minutes=float(sampled["below_minutes"]),
        drops=int(sampled["drops"]),
        unlit_drops=int(sampled["unlit_drops"]),
        lit_empty_h=float(sampled["lit_empty_h"]),
        dark_arrivals=arrived["dark_arrivals"],
        unlit_arrivals=arrived["unlit_arrivals"],
        passes=arrived["passes"],
        passes_left=arrived["passes_left"],
        false_offs=commands["false_offs"],
        false_dims=commands["false_dims"],
        auto_changes=commands["auto_changes"],
        arrival_median_s=statistics.median(arrivals) if arrivals else None,
        arrival_worst_s=max(arrivals) if arrivals else None,
        drop_median_s=statistics.median(drops) if drops else None,
        drop_worst_s=max(drops) if drops else None,
    )
    return _Scored(scores, arrivals, drops)


def _drop(room: _Room, k: int, p: int, here: list[Stay]) -> float | None | bool:
    """At sample ``k``, did daylight leave place ``p`` below target? Seconds to lit again."""
    t = k * STEP_S
    fell = room.room.daylight[p][k] < room.room.daylight[p][k - 1]
    if not fell or not room.lux(p, t - STEP_S) >= room.threshold > room.lux(p, t):
        return False
    command = room.light.command_before(t)
    if command is not None and command.t + command.fade_s >= t - STEP_S:
        return False  # the lamps were changing: not a daylight drop
    stayed = [s for s in here if s.place == p and s.start <= t - STEP_S]
    if not stayed or not room.reachable(p, t):
        return False
    return room.time_to_lit(p, t, max(s.end for s in stayed))


def _sampled(room: _Room) -> tuple[dict[str, float | int], list[float]]:
    """Energy, minutes below target, daylight drops and lit-empty time, sample by sample."""
    day, spec, light = room.day, room.spec, room.light
    first_k = day.index(day.scored_from)
    watt_s = below_s = lit_empty_s = last_left = 0.0
    drops: list[float] = []
    unlit_drops = 0
    for k in range(first_k, day.samples):
        t = k * STEP_S
        output = light.output_at(t)
        watt_s += spec.rated_watts * output * STEP_S
        here = room.present[k]
        if not here:
            if output > 0 and t - last_left > spec.vacancy_minutes * 60 + GRACE_S:
                lit_empty_s += STEP_S
            continue
        last_left = t
        places = {s.place for s in here}
        if any(room.lux(p, t) < room.threshold for p in places):
            below_s += STEP_S
        for p in places if k > first_k else ():
            waited = _drop(room, k, p, here)
            if waited is None:
                unlit_drops += 1
            elif waited is not False:
                drops.append(float(waited))
    figures: dict[str, float | int] = {
        "energy_kwh": watt_s / 3.6e6,
        "below_minutes": below_s / 60,
        "drops": len(drops) + unlit_drops,
        "unlit_drops": unlit_drops,
        "lit_empty_h": lit_empty_s / 3600,
    }
    return figures, drops


def _arrivals(room: _Room) -> tuple[dict[str, int], list[float]]:
    """Arrivals at places below target that the lamps can light, and how long they waited."""
    arrivals: list[float] = []
    dark = unlit = passes = passes_left = 0
    for stay in room.room.stays:
        if stay.start < room.day.scored_from:
            continue
        if room.lux(stay.place, stay.start) >= room.threshold:
            continue
        if not room.reachable(stay.place, stay.start):
            continue
        waited = room.time_to_lit(stay.place, stay.start, stay.end)
        if stay.is_pass:
            passes += 1
            passes_left += waited is None
        dark += 1
        if waited is None:
            unlit += not stay.is_pass
        else:
            arrivals.append(waited)
    figures = {
        "dark_arrivals": dark,
        "unlit_arrivals": unlit,
        "passes": passes,
        "passes_left": passes_left,
    }
    return figures, arrivals


def _commands(room: _Room) -> dict[str, int]:
    """False-offs, dims below target and automatic changes while someone is present."""
    offs = dims = changes = 0
    for command in room.light.commands:
        if command.t < room.day.scored_from:
            continue
        here = room.someone(command.t)
        if not here or command.start_arc <= 0:
            continue
        changes += 1
        if command.arc >= command.start_arc:
            continue
        settled = command.t + command.fade_s
        unlit_places = [p for p in {s.place for s in here} if room.lux(p, settled) < room.threshold]
        if command.arc == 0 and unlit_places:
            offs += 1
        elif any(room.lux(p, command.t) >= room.threshold for p in unlit_places):
            dims += 1
    return {"false_offs": offs, "false_dims": dims, "auto_changes": changes}


def score(day: DayData, run: StrategyRun) -> tuple[Scores, dict[int, Scores]]:
    """Totals over every room (arrival and drop times pooled) and the score of each room."""
    scored = {group: _score_room(day, group, light) for group, light in run.lights.items()}
    rooms = [s.scores for s in scored.values()]
    arrivals = [a for s in scored.values() for a in s.arrivals]
    drops = [d for s in scored.values() for d in s.drops]

    def total(name: str) -> float:
        return float(sum(getattr(r, name) for r in rooms))

    totals = Scores(
        energy_kwh=total("energy_kwh"),
        below_minutes=total("below_minutes"),
        arrival_median_s=statistics.median(arrivals) if arrivals else None,
        arrival_worst_s=max(arrivals) if arrivals else None,
        dark_arrivals=int(total("dark_arrivals")),
        unlit_arrivals=int(total("unlit_arrivals")),
        passes=int(total("passes")),
        passes_left=int(total("passes_left")),
        drop_median_s=statistics.median(drops) if drops else None,
        drop_worst_s=max(drops) if drops else None,
        drops=int(total("drops")),
        unlit_drops=int(total("unlit_drops")),
        false_offs=int(total("false_offs")),
        false_dims=int(total("false_dims")),
        auto_changes=int(total("auto_changes")),
        lit_empty_h=total("lit_empty_h"),
        ai_calls=run.ai_calls,
        tokens=run.tokens,
    )
    return totals, {group: s.scores for group, s in scored.items()}


def median_of_seeds(runs: list[Scores]) -> Scores:
    """Each figure's median over seeds (None where no seed has one)."""
    values: dict[str, float | int | None] = {}
    for item in fields(Scores):
        numbers = [getattr(r, item.name) for r in runs if getattr(r, item.name) is not None]
        if not numbers:
            values[item.name] = None
            continue
        middle = statistics.median(numbers)
        values[item.name] = round(middle) if isinstance(numbers[0], int) else middle
    return Scores(**values)  # type: ignore[arg-type]
