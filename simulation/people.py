"""People and the passive infrared (PIR) motion sensors that watch them.

A person's day is a list of :class:`Stay`: in one room, at one place, from ``start`` to ``end``
(seconds), doing one activity. A PIR sees movement, not presence:

- walking (the first and last ``WALK_S`` seconds of every stay, and the whole of a brief pass)
  is seen within a second (latency 0.3-1.2 s) and every 2 s after that;
- someone staying is seen only when they move: detections come as a Poisson process whose rate
  depends on the activity (``DETECTIONS_PER_MIN``). At a desk, about once a minute; sitting still
  on a sofa, about once every 10 minutes, so that gaps longer than a vacancy timeout happen.

The sensor turns on at a detection and off ``hold`` seconds after the last one (its hold time).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

type Activity = Literal["desk", "still", "active", "pass"]

WALK_S = 6.0
WALK_DETECTION_EVERY_S = 2.0
DETECTIONS_PER_MIN: dict[Activity, float] = {
    "desk": 1.0,
    "still": 0.1,
    "active": 4.0,
    "pass": 30.0,
}


@dataclass(frozen=True, slots=True)
class Stay:
    """Someone in a room, at one place, from ``start`` to ``end`` (seconds into the run)."""

    person: int
    place: int
    start: float
    end: float
    activity: Activity

    @property
    def is_pass(self) -> bool:
        """A brief walk through (a corridor, a hallway)."""
        return self.activity == "pass"


def detections(stay: Stay, rng: random.Random) -> list[float]:
    """When a PIR sees the person of ``stay``."""
    seen: list[float] = []
    walk = stay.end - stay.start if stay.is_pass else min(WALK_S, (stay.end - stay.start) / 2)

    def walking(first: float, last: float) -> None:
        t = first + rng.uniform(0.3, 1.2)
        while t < last:
            seen.append(t)
            t += WALK_DETECTION_EVERY_S * rng.uniform(0.7, 1.3)

    walking(stay.start, stay.start + walk)
    if not stay.is_pass:
        rate = DETECTIONS_PER_MIN[stay.activity] / 60.0
        t = stay.start + walk + rng.expovariate(rate)
        while t < stay.end - walk:
            seen.append(t)
            t += rng.expovariate(rate)
        walking(stay.end - walk, stay.end)
    return seen


def pir_states(stays: list[Stay], hold_s: float, rng: random.Random) -> list[tuple[float, bool]]:
    """The PIR's state changes ``(time, on)`` for everybody in one room."""
    times = sorted(t for stay in stays for t in detections(stay, rng))
    changes: list[tuple[float, bool]] = []
    off_at: float | None = None
    for t in times:
        if off_at is None or t > off_at:
            if off_at is not None:
                changes.append((off_at, False))
            changes.append((t, True))
        off_at = t + hold_s
    if off_at is not None:
        changes.append((off_at, False))
    return changes


def present(stays: list[Stay], t: float) -> list[Stay]:
    """The stays under way at ``t``."""
    return [stay for stay in stays if stay.start <= t < stay.end]
