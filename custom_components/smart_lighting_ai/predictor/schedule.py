"""A weekly schedule of when automatic control may act, and learned brightness offsets (pure).

Learned offset: a person who changes a group by hand (a change that settled and was sent
successfully; the caller makes one learning step per override) teaches the group a brightness
offset in percentage points, added to later decisions. It moves at most ``LEARN_RATE`` (0.3) of
the way from the current offset to what the person chose over what was decided, and never more
than ``MAX_STEP_PCT`` points in one step, stays within ``MAX_OFFSET_PCT`` (±20), and halves
every week without new lessons (:func:`decayed_offset`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PERIOD = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")
LEARN_RATE = 0.3
MAX_OFFSET_PCT = 20.0
MAX_STEP_PCT = 5.0
HALF_LIFE_DAYS = 7.0

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
    """Move the learned offset one step toward what a person chose over what was decided.

    ``current`` should be the decayed offset (see :func:`decayed_offset`).
    """
    step = LEARN_RATE * ((chosen_pct - decided_pct) - current)
    step = max(-MAX_STEP_PCT, min(MAX_STEP_PCT, step))
    return max(-MAX_OFFSET_PCT, min(MAX_OFFSET_PCT, round(current + step, 2)))


def decayed_offset(
    offset: float,
    learned_at: datetime | None,
    now: datetime,
    half_life_days: float = HALF_LIFE_DAYS,
) -> float:
    """Return ``offset`` learned at ``learned_at`` as it stands at ``now`` (halves per half-life).

    Unknown ``learned_at`` or a ``now`` before it leaves the offset as it is.
    """
    if half_life_days <= 0.0:
        raise ValueError("half_life_days must be above 0")
    if learned_at is None or now <= learned_at:
        return offset
    days = (now - learned_at) / timedelta(days=1)
    decayed = offset * 0.5 ** (days / half_life_days)
    return 0.0 if abs(decayed) < 0.01 else round(decayed, 2)
