"""Summaries of one aggregation window from state samples (pure, HA-free).

A sample is ``(time, value)``: the value a sensor took at that time and held
until the next sample. The first sample may lie before the window (the state
in force at its start). ``None`` values (unavailable, unknown, not a number)
count as "no data" and are left out of every ratio and mean.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

type Sample[T] = tuple[datetime, T | None]


def _segments[T](
    samples: Sequence[Sample[T]], start: datetime, end: datetime
) -> list[tuple[float, T]]:
    """(seconds inside the window, value) for every known value in force during it."""
    ordered = sorted(samples, key=lambda s: s[0])
    out: list[tuple[float, T]] = []
    for index, (since, value) in enumerate(ordered):
        until = ordered[index + 1][0] if index + 1 < len(ordered) else end
        seconds = (min(until, end) - max(since, start)).total_seconds()
        if value is not None and seconds > 0:
            out.append((seconds, value))
    return out


def occupancy_ratio(
    samples: Sequence[Sample[bool]], start: datetime, end: datetime
) -> float | None:
    """Share of the window with presence, over the time the sensor reported anything."""
    segments = _segments(samples, start, end)
    known = sum(seconds for seconds, _ in segments)
    if known == 0:
        return None
    return sum(seconds for seconds, present in segments if present) / known


def minutes_since_presence(samples: Sequence[Sample[bool]], end: datetime) -> float | None:
    """Minutes since presence ended (0 while present), or None when the samples cannot tell.

    Only a real "present" sample is evidence of presence: presence ended with the
    sample that followed the last one (whatever it says, e.g. "unknown" when Home
    Assistant stopped). Without a "present" sample there is no presence time: a
    sensor that went unknown -> off, or whose "off" is the state in force at the
    window start (which the recorder dates to the start), says nothing about when
    anybody was last there.
    """
    ordered = sorted(samples, key=lambda s: s[0])
    known = [s for s in ordered if s[1] is not None]
    if not known:
        return None
    if known[-1][1]:
        return 0.0
    last_present = max((i for i, (_, present) in enumerate(ordered) if present), default=None)
    if last_present is None:
        return None
    emptied_at = ordered[last_present + 1][0]
    return max(0.0, (end - emptied_at).total_seconds() / 60)


@dataclass(frozen=True, slots=True)
class NumericSummary:
    """Time-weighted mean, minimum and maximum of a numeric sensor over a window."""

    mean: float
    minimum: float
    maximum: float


def numeric_summary(
    samples: Sequence[Sample[float]], start: datetime, end: datetime
) -> NumericSummary | None:
    """Summarise the values in force during the window (None when there are none)."""
    segments = _segments(samples, start, end)
    total = sum(seconds for seconds, _ in segments)
    if total == 0:
        return None
    values = [value for _, value in segments]
    mean = sum(seconds * value for seconds, value in segments) / total
    return NumericSummary(mean, min(values), max(values))


def combine(summaries: Sequence[NumericSummary | None]) -> NumericSummary | None:
    """Several sensors of one room: the mean of means, the lowest minimum, the highest maximum."""
    known = [s for s in summaries if s is not None]
    if not known:
        return None
    return NumericSummary(
        sum(s.mean for s in known) / len(known),
        min(s.minimum for s in known),
        max(s.maximum for s in known),
    )
