"""What light output each group gave, and when (in memory, bounded, HA-free).

An illuminance reading only separates daylight from lamp light when the lamp output *at the
moment it was taken* is known, and not while the lamps were fading from one level to the next.
:class:`LampHistory` keeps, per group, the output changes of the last ``KEEP`` (3 hours) plus the
one in force before them, and answers "what was the output at time t" with None for moments
inside a fade (a change, its fade time and ``SETTLE_S`` for the sensor to follow).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

KEEP = timedelta(hours=3)
"""Entries older than this are dropped (the one still in force is kept)."""
SETTLE_S = 5.0
"""Seconds after a fade ends before a reading counts as settled (sensor reporting delay)."""


@dataclass(frozen=True, slots=True)
class _Entry:
    at: datetime
    output: float
    fade_s: float


class LampHistory:
    """Per group light output (0-1 of full) over time."""

    def __init__(self) -> None:
        """Start empty."""
        self._entries: dict[int, list[_Entry]] = {}

    def record(self, group: int, at: datetime, output: float, fade_s: float = 0.0) -> None:
        """Record that ``group`` changed to ``output`` at ``at`` over a ``fade_s`` fade.

        Nothing is added when the output in force at ``at`` is already ``output``.
        """
        output = min(max(output, 0.0), 1.0)
        entries = self._entries.setdefault(group, [])
        index = bisect.bisect_right([entry.at for entry in entries], at)
        if index > 0 and entries[index - 1].output == output:
            return
        entries.insert(index, _Entry(at, output, max(0.0, fade_s)))
        self._prune(entries, max(entries[-1].at, at) - KEEP)

    @staticmethod
    def _prune(entries: list[_Entry], cutoff: datetime) -> None:
        """Drop entries older than ``cutoff`` except the one in force at it."""
        older = sum(1 for entry in entries if entry.at < cutoff)
        if older > 1:
            del entries[: older - 1]

    def _in_force(self, group: int, at: datetime) -> tuple[int, _Entry] | None:
        entries = self._entries.get(group)
        if not entries:
            return None
        # a reading dated the very instant of a change was taken before it (it is what the
        # change answered): it belongs to the output before
        index = bisect.bisect_left([entry.at for entry in entries], at) - 1
        return (0, entries[0]) if index < 0 else (index, entries[index])

    def output_at(self, group: int, at: datetime) -> float | None:
        """Return the output in force at ``at``; None when unknown or ``at`` is inside a fade.

        The first recorded output counts as in force since forever.
        """
        found = self._in_force(group, at)
        if found is None:
            return None
        index, entry = found
        if index > 0 and at < entry.at + timedelta(seconds=entry.fade_s + SETTLE_S):
            return None
        return entry.output

    def latest(self, group: int) -> float | None:
        """Return the newest recorded output of ``group`` (None when nothing is recorded)."""
        entries = self._entries.get(group)
        return entries[-1].output if entries else None

    def changes(self, group: int, since: datetime) -> list[tuple[datetime, float, float]]:
        """Return ``(at, output before, output after)`` of every change at or after ``since``."""
        entries = self._entries.get(group, [])
        return [
            (after.at, before.output, after.output)
            for before, after in pairwise(entries)
            if after.at >= since
        ]
