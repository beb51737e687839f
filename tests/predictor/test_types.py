"""Features, GroupLimits and Decision."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from custom_components.smart_lighting_ai.predictor import Decision, Features, GroupLimits

from .common import NOON, make_features


def test_features_round_trip_is_json_safe() -> None:
    features = make_features(2, current_color_temp_kelvin=3000, override_active=True)
    data = features.to_dict()
    text = json.dumps(data, allow_nan=False)
    assert data["ts"] == "2025-03-12T11:00:00Z"
    assert Features.from_dict(json.loads(text)) == features


def test_features_from_minimal_dict_and_sqlite_values() -> None:
    features = Features.from_dict(
        {
            "group": 1,
            "ts": "2025-03-12T12:00:00+01:00",
            "local_hour": 12,
            "weekday": 2.0,
            "override_active": 1,
            "supports_color_temp": 0,
            "illuminance_mean": 250,
            "from_a_newer_version": "ignored",
        }
    )
    assert features.ts == NOON
    assert features.ts.tzinfo is UTC
    assert features.local_hour == 12.0
    assert features.illuminance_mean == 250.0
    assert features.override_active is True
    assert features.supports_color_temp is False
    assert features.occupancy_ratio is None


def test_features_from_dict_naive_time_is_utc() -> None:
    data = make_features().to_dict()
    data["ts"] = "2025-03-12T11:00:00"
    assert Features.from_dict(data).ts == NOON
    data["ts"] = datetime(2025, 3, 12, 11, 0)
    assert Features.from_dict(data).ts == NOON


@pytest.mark.parametrize(
    ("key", "value", "error"),
    [
        ("group", "1", TypeError),
        ("group", 1.5, ValueError),
        ("ts", 12345, TypeError),
        ("ts", "yesterday", ValueError),
        ("illuminance_mean", "bright", TypeError),
        ("weather_condition", 3, TypeError),
        ("override_active", "yes", TypeError),
        ("override_active", 2, TypeError),
        ("current_color_temp_kelvin", True, TypeError),
    ],
)
def test_features_from_dict_rejects_bad_types(key: str, value: Any, error: type[Exception]) -> None:
    data = make_features().to_dict()
    data[key] = value
    with pytest.raises(error):
        Features.from_dict(data)


def test_features_normalised() -> None:
    features = make_features(
        ts=datetime(2025, 3, 12, 12, 0, tzinfo=timezone(timedelta(hours=1))),
        occupancy_ratio=1.2,
        current_level_pct=130.0,
        minutes_since_occupied=-3.0,
        illuminance_mean=math.nan,
        sun_elevation=math.inf,
    )
    assert features.ts == NOON
    assert features.ts.tzinfo is UTC
    assert features.occupancy_ratio == 1.0
    assert features.current_level_pct == 100.0
    assert features.minutes_since_occupied == 0.0
    assert features.illuminance_mean is None
    assert features.sun_elevation is None
    assert make_features(occupancy_ratio=math.nan, current_level_pct=None).occupancy_ratio is None


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"ts": datetime(2025, 3, 12, 11, 0)}, "timezone-aware"),
        ({"local_hour": 24.5}, "local_hour"),
        ({"local_hour": -0.1}, "local_hour"),
        ({"weekday": 7}, "weekday"),
    ],
)
def test_features_invalid(overrides: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make_features(**overrides)


def test_limits_defaults_and_round_trip() -> None:
    limits = GroupLimits()
    assert limits.min_brightness_pct == 1.0
    assert limits.max_brightness_pct == 100.0
    assert (limits.min_kelvin, limits.max_kelvin) == (2700, 6500)
    assert limits.target_lux == 500.0
    assert limits.vacancy_minutes == 15.0
    assert limits.lamp_lux_at_full == 500.0
    assert limits.dimming_curve == "logarithmic"
    custom = GroupLimits(min_brightness_pct=5, max_kelvin=5000, dimming_curve="linear")
    assert GroupLimits.from_dict(json.loads(json.dumps(custom.to_dict()))) == custom
    assert GroupLimits.from_dict({"target_lux": 300, "unknown": 1}) == GroupLimits(target_lux=300)


def test_limits_clamp() -> None:
    limits = GroupLimits(min_brightness_pct=10, max_brightness_pct=90, min_kelvin=3000)
    assert limits.clamp_brightness(0.0) == 0.0
    assert limits.clamp_brightness(-5.0) == 0.0
    assert limits.clamp_brightness(3.0) == 10.0
    assert limits.clamp_brightness(95.0) == 90.0
    assert limits.clamp_brightness(50.0) == 50.0
    assert limits.clamp_kelvin(2000) == 3000
    assert limits.clamp_kelvin(7000.4) == 6500
    assert limits.clamp_kelvin(4000.6) == 4001


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"min_brightness_pct": 50, "max_brightness_pct": 40}, "min_brightness_pct"),
        ({"min_brightness_pct": -1}, "min_brightness_pct"),
        ({"max_brightness_pct": 101}, "max_brightness_pct"),
        ({"min_brightness_pct": 0, "max_brightness_pct": 0}, "above 0"),
        ({"min_kelvin": 5000, "max_kelvin": 4000}, "min_kelvin"),
        ({"min_kelvin": 0}, "min_kelvin"),
        ({"target_lux": -1}, "negative"),
        ({"vacancy_minutes": -1}, "negative"),
        ({"lamp_lux_at_full": 0}, "lamp_lux_at_full"),
        ({"default_level_pct": 120}, "default_level_pct"),
        ({"dimming_curve": "square"}, "dimming_curve"),
    ],
)
def test_limits_invalid(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        GroupLimits(**kwargs)


def test_limits_from_dict_rejects_bad_types() -> None:
    with pytest.raises(TypeError):
        GroupLimits.from_dict({"target_lux": "500"})
    with pytest.raises(ValueError, match="whole number"):
        GroupLimits.from_dict({"min_kelvin": 2700.5})


def make_decision(**overrides: Any) -> Decision:
    values: dict[str, Any] = {
        "group": 1,
        "brightness_pct": 42.5,
        "color_temp_kelvin": 3000,
        "confidence": 0.5,
        "reason": "because",
        "source": "openai",
    }
    values.update(overrides)
    return Decision(**values)


def test_decision_round_trip() -> None:
    decision = make_decision()
    assert Decision.from_dict(json.loads(json.dumps(decision.to_dict()))) == decision
    data = {**decision.to_dict(), "color_temp_kelvin": None, "reason": None}
    del data["color_temp_kelvin"]
    rebuilt = Decision.from_dict(data)
    assert rebuilt.color_temp_kelvin is None
    assert rebuilt.reason == ""


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"brightness_pct": 100.5}, "brightness_pct"),
        ({"brightness_pct": -1}, "brightness_pct"),
        ({"confidence": 1.5}, "confidence"),
        ({"source": "magic"}, "source"),
    ],
)
def test_decision_invalid(overrides: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make_decision(**overrides)


def test_decision_from_dict_bad_source() -> None:
    with pytest.raises(ValueError, match="source"):
        Decision.from_dict({**make_decision().to_dict(), "source": "magic"})


def test_features_new_fields_round_trip_and_old_rows_load() -> None:
    features = make_features(
        illuminance_latest=412.5,
        lamp_output_at_reading=0.37,
        occupied_now=False,
        illuminance_fault="stuck",
        occupancy_fault="stuck_on",
    )
    data = json.loads(json.dumps(features.to_dict(), allow_nan=False))
    assert Features.from_dict(data) == features
    old = {
        key: value
        for key, value in data.items()
        if key
        not in {
            "illuminance_latest",
            "lamp_output_at_reading",
            "occupied_now",
            "illuminance_fault",
            "occupancy_fault",
        }
    }
    loaded = Features.from_dict(old)
    assert loaded.illuminance_latest is None
    assert loaded.lamp_output_at_reading is None
    assert loaded.occupied_now is None
    assert loaded.illuminance_fault is None
    assert loaded.occupancy_fault is None
    assert Features.from_dict({**old, "occupied_now": 1}).occupied_now is True


def test_features_new_fields_normalised_and_checked() -> None:
    features = make_features(illuminance_latest=math.nan, lamp_output_at_reading=1.7)
    assert features.illuminance_latest is None
    assert features.lamp_output_at_reading == 1.0
    with pytest.raises(ValueError, match="illuminance_fault"):
        make_features(illuminance_fault="broken")
    with pytest.raises(ValueError, match="occupancy_fault"):
        make_features(occupancy_fault="stuck")
    with pytest.raises(TypeError):
        Features.from_dict({**make_features().to_dict(), "occupied_now": "yes"})


def test_limits_new_fields() -> None:
    limits = GroupLimits()
    assert limits.lamp_lux_at_sensor is None
    assert limits.lamp_at_sensor == limits.lamp_lux_at_full
    assert limits.desk_daylight_ratio == 1.0
    assert limits.grace_minutes == 2.0
    learned = GroupLimits(lamp_lux_at_sensor=220.0, desk_daylight_ratio=0.4, grace_minutes=3)
    assert learned.lamp_at_sensor == 220.0
    assert GroupLimits.from_dict(json.loads(json.dumps(learned.to_dict()))) == learned
    assert GroupLimits.from_dict({"lamp_lux_at_sensor": None}) == GroupLimits()
    bad_limits: list[dict[str, Any]] = [
        {"lamp_lux_at_sensor": 0.0},
        {"lamp_lux_at_sensor": math.inf},
        {"desk_daylight_ratio": 0.01},
        {"desk_daylight_ratio": 2.5},
        {"grace_minutes": -1.0},
    ]
    for bad in bad_limits:
        with pytest.raises(ValueError):
            GroupLimits(**bad)
    with pytest.raises(TypeError):
        GroupLimits.from_dict({"lamp_lux_at_sensor": "200"})
