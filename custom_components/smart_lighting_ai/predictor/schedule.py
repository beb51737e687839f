"""A weekly schedule of when automatic control may act, and learned brightness offsets (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PERIOD = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")
LEARN_RATE = 0.3
MAX_OFFSET_PCT = 30.0

type Schedule = Mapping[str, Sequence[str]]


def validate_schedule(schedule: Schedule) -> None:
    """Raise ``ValueError`` unless every key is a weekday and every period "HH:MM-HH:MM"."""
    for day, periods in schedule.items():
        if day not in WEEKDAYS:
            raise ValueError(f"unknown weekday {day!r} (use {', '.join(WEEKDAYS)})")
        for period in periods:
            match = _PERIOD.match(period)
            if not match or _minutes(match, 1) >= _minutes(match, 3):
                raise ValueError(f"{period!r} is not a period like 07:00-19:00")


def _minutes(match: re.Match[str], first: int) -> int:
    return int(match.group(first)) * 60 + int(match.group(first + 1))


def in_schedule(schedule: Schedule | None, local: datetime) -> bool:
    """Whether ``local`` falls in the schedule; no schedule means always."""
    if not schedule:
        return True
    minute = local.hour * 60 + local.minute
    for period in schedule.get(WEEKDAYS[local.weekday()], ()):
        match = _PERIOD.match(period)
        if match and _minutes(match, 1) <= minute < _minutes(match, 3):
            return True
    return False


def learn_offset(current: float, chosen_pct: float, decided_pct: float) -> float:
    """Move the learned offset toward what a person chose over what was decided."""
    sample = chosen_pct - decided_pct
    learned = (1 - LEARN_RATE) * current + LEARN_RATE * sample
    return max(-MAX_OFFSET_PCT, min(MAX_OFFSET_PCT, round(learned, 2)))
