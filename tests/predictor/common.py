"""Helpers shared by the predictor tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from custom_components.smart_lighting_ai.predictor import Features

NOON = datetime(2025, 3, 12, 11, 0, tzinfo=UTC)


def make_features(group: int = 0, **overrides: Any) -> Features:
    """Return occupied, dark, midday features for a DT8 group; override any field."""
    values: dict[str, Any] = {
        "group": group,
        "ts": NOON,
        "local_hour": 12.0,
        "weekday": 2,
        "occupancy_ratio": 0.8,
        "minutes_since_occupied": 0.0,
        "illuminance_mean": 120.0,
        "illuminance_min": 100.0,
        "illuminance_max": 140.0,
        "weather_condition": "cloudy",
        "cloud_coverage": 90.0,
        "outdoor_temperature": 8.5,
        "sun_elevation": 30.0,
        "current_level_pct": 0.0,
        "current_color_temp_kelvin": None,
        "override_active": False,
        "supports_color_temp": True,
    }
    values.update(overrides)
    return Features(**values)


def make_history(latest: Features, count: int, step_minutes: float = 5.0) -> list[Features]:
    """Return ``count`` older copies of ``latest``, one every ``step_minutes``, oldest first."""
    return [
        make_features(
            latest.group,
            ts=latest.ts - timedelta(minutes=step_minutes * (count - index)),
            illuminance_mean=100.0 + index,
            current_level_pct=float(index),
        )
        for index in range(count)
    ]
