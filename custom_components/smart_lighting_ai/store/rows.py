"""Row types returned by the store and the timestamp convention.

Every timestamp is stored as REAL seconds since the Unix epoch (UTC) and is
returned as a timezone-aware UTC ``datetime``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


def to_epoch(value: datetime) -> float:
    """Return the epoch seconds of a timezone-aware datetime."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("Store timestamps must be timezone-aware")
    return value.timestamp()


def from_epoch(value: float) -> datetime:
    """Return the UTC datetime for epoch seconds."""
    return datetime.fromtimestamp(value, tz=UTC)


def dump_json(data: Any) -> str:
    """Serialise a JSON payload compactly and deterministically."""
    return json.dumps(data, separators=(",", ":"), sort_keys=True)


@dataclass(frozen=True, slots=True)
class FeatureRow:
    """One aggregated feature window of one group."""

    id: int
    entry_id: str
    ts: datetime
    group_id: int
    window_minutes: int
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class DecisionRow:
    """One decision of the predictor/policy for one group."""

    id: int
    entry_id: str
    ts: datetime
    group_id: int
    brightness_pct: float
    color_temp_kelvin: int | None
    confidence: float
    reason: str
    source: str
    applied: bool
    skip_reason: str | None


@dataclass(frozen=True, slots=True)
class OverrideRow:
    """One manual override of one group."""

    id: int
    entry_id: str
    ts: datetime
    group_id: int
    expires: datetime
    origin: str
    brightness_pct: float | None
    is_on: bool | None
    cleared: bool


@dataclass(frozen=True, slots=True)
class WeatherRow:
    """One weather snapshot."""

    id: int
    entry_id: str
    ts: datetime
    data: dict[str, Any]


FEATURE_COLUMNS = "id, entry_id, ts, group_id, window_minutes, data"
DECISION_COLUMNS = (
    "id, entry_id, ts, group_id, brightness_pct, color_temp_kelvin, confidence, "
    "reason, source, applied, skip_reason"
)
OVERRIDE_COLUMNS = "id, entry_id, ts, group_id, expires, origin, brightness_pct, is_on, cleared"
WEATHER_COLUMNS = "id, entry_id, ts, data"


def feature_from_db(row: tuple[Any, ...]) -> FeatureRow:
    """Build a FeatureRow from a row selected with FEATURE_COLUMNS."""
    return FeatureRow(
        id=row[0],
        entry_id=row[1],
        ts=from_epoch(row[2]),
        group_id=row[3],
        window_minutes=row[4],
        data=json.loads(row[5]),
    )


def decision_from_db(row: tuple[Any, ...]) -> DecisionRow:
    """Build a DecisionRow from a row selected with DECISION_COLUMNS."""
    return DecisionRow(
        id=row[0],
        entry_id=row[1],
        ts=from_epoch(row[2]),
        group_id=row[3],
        brightness_pct=row[4],
        color_temp_kelvin=row[5],
        confidence=row[6],
        reason=row[7],
        source=row[8],
        applied=bool(row[9]),
        skip_reason=row[10],
    )


def override_from_db(row: tuple[Any, ...]) -> OverrideRow:
    """Build an OverrideRow from a row selected with OVERRIDE_COLUMNS."""
    return OverrideRow(
        id=row[0],
        entry_id=row[1],
        ts=from_epoch(row[2]),
        group_id=row[3],
        expires=from_epoch(row[4]),
        origin=row[5],
        brightness_pct=row[6],
        is_on=None if row[7] is None else bool(row[7]),
        cleared=bool(row[8]),
    )


def weather_from_db(row: tuple[Any, ...]) -> WeatherRow:
    """Build a WeatherRow from a row selected with WEATHER_COLUMNS."""
    return WeatherRow(id=row[0], entry_id=row[1], ts=from_epoch(row[2]), data=json.loads(row[3]))
