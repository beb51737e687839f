"""Rules people can trust: presence after restarts, warning dim, consistent daylight, faults."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from custom_components.smart_lighting_ai.predictor import Features, GroupLimits, LocalPredictor
from custom_components.smart_lighting_ai.predictor.lamp import level_for_output, light_output
from custom_components.smart_lighting_ai.predictor.local import (
    WARNING_SHARE,
    assess_presence,
    estimate_daylight,
)
from custom_components.smart_lighting_ai.predictor.safety import make_safe

from .common import make_features

LIMITS = GroupLimits()


def decide(limits: GroupLimits = LIMITS, **overrides: Any) -> Any:
    return LocalPredictor().decide(make_features(**overrides), limits)


# Presence ---------------------------------------------------------------------------------


@pytest.mark.parametrize("level", [0.0, 60.0, None])
def test_restart_with_unknown_presence_stays_off(level: float | None) -> None:
    """Right after a restart the sensor says off and there is no presence time: off."""
    decision = decide(
        occupancy_ratio=0.0, minutes_since_occupied=None, current_level_pct=level, local_hour=10.0
    )
    assert decision.brightness_pct == 0.0
    assert decision.reason == "vacant (no presence recorded) → off"


def test_a_sensor_that_says_nobody_now_is_not_the_office_hours_assumption() -> None:
    decision = decide(occupancy_ratio=None, minutes_since_occupied=None, occupied_now=False)
    assert decision.brightness_pct == 0.0


def test_presence_reported_now_switches_a_dark_room_on() -> None:
    decision = decide(
        occupancy_ratio=0.0, minutes_since_occupied=None, occupied_now=True, illuminance_mean=0.0
    )
    assert decision.brightness_pct == 100.0
    assert decision.reason.startswith("occupied,")


def test_warning_dim_inside_the_grace_period() -> None:
    decision = decide(
        occupancy_ratio=0.0,
        minutes_since_occupied=16.0,
        current_level_pct=90.0,
        current_color_temp_kelvin=4000,
    )
    assert light_output(decision.brightness_pct) == pytest.approx(
        WARNING_SHARE * light_output(90.0), rel=0.02
    )
    assert decision.brightness_pct < 90.0
    assert decision.color_temp_kelvin == 4000
    assert decision.reason == (
        f"vacant for 16 min (timeout 15 min) → warning dim to {decision.brightness_pct:.0f}%"
        " before switching off in 1 min"
    )


def test_warning_dim_respects_the_minimum_and_never_brightens() -> None:
    limits = GroupLimits(min_brightness_pct=60.0)
    decision = decide(
        limits, occupancy_ratio=0.0, minutes_since_occupied=15.5, current_level_pct=70.0
    )
    assert decision.brightness_pct == 60.0
    low = decide(limits, occupancy_ratio=0.0, minutes_since_occupied=15.5, current_level_pct=40.0)
    assert low.brightness_pct == 40.0  # a level under the minimum is not raised by a warning


def test_grace_period_never_switches_a_dark_room_on() -> None:
    decision = decide(occupancy_ratio=0.0, minutes_since_occupied=16.0, current_level_pct=0.0)
    assert decision.brightness_pct == 0.0
    assert decision.reason == "vacant for 16 min (timeout 15 min) → off"


def test_off_after_the_grace_period() -> None:
    limits = GroupLimits(vacancy_minutes=10.0, grace_minutes=3.0)
    inside = decide(
        limits, occupancy_ratio=0.0, minutes_since_occupied=12.9, current_level_pct=80.0
    )
    assert 0.0 < inside.brightness_pct < 80.0
    assert "switching off in" in inside.reason
    after = decide(limits, occupancy_ratio=0.0, minutes_since_occupied=13.0, current_level_pct=80.0)
    assert after.brightness_pct == 0.0
    assert after.reason == "vacant for 13 min (timeout 10 min) → off"


def test_no_grace_switches_off_at_the_timeout() -> None:
    limits = GroupLimits(grace_minutes=0.0)
    decision = decide(
        limits, occupancy_ratio=0.0, minutes_since_occupied=15.0, current_level_pct=80.0
    )
    assert decision.brightness_pct == 0.0


@pytest.mark.parametrize(
    ("fault", "hour", "on", "text"),
    [
        ("unavailable", 20.0, False, "occupancy sensor unavailable, a lit room kept lit until 22"),
        ("unavailable", 23.0, False, "occupancy sensor unavailable, vacant assumed outside"),
        ("unavailable", 10.0, True, "occupancy sensor unavailable, occupied assumed 07:00-19:00"),
        ("stuck_on", 2.0, False, "occupancy sensor stuck on, vacant assumed outside"),
        ("stuck_on", 10.0, True, "occupancy sensor stuck on, occupied assumed"),
    ],
)
def test_faulty_occupancy_sensor_counts_as_no_sensor(
    fault: str, hour: float, on: bool, text: str
) -> None:
    decision = decide(
        occupancy_ratio=1.0, occupied_now=True, occupancy_fault=fault, local_hour=hour
    )
    assert (decision.brightness_pct > 0.0) is on
    assert text in decision.reason
    assert decision.confidence < 0.95


# Daylight ---------------------------------------------------------------------------------


def test_daylight_after_a_switch_off_in_a_windowless_corridor() -> None:
    """The window mean still holds the lamps' light; the reading paired with its output does not.

    The old rule took "97 lx daylight → off (daylight sufficient)" for a person who had just
    walked into a dark corridor.
    """
    corridor = GroupLimits(target_lux=100.0, lamp_lux_at_full=150.0)
    features: dict[str, Any] = {
        "illuminance_mean": 97.0,  # lamps at full for most of the window, now off
        "current_level_pct": 0.0,
        "illuminance_latest": 150.0,  # taken while the lamps were at full
        "lamp_output_at_reading": 1.0,
    }
    decision = decide(corridor, **features)
    assert light_output(decision.brightness_pct) == pytest.approx(100 / 150, rel=0.01)
    assert "0 lx daylight below 100 lx target" in decision.reason
    assert estimate_daylight(make_features(**features), corridor).confidence_factor == 1.0


def test_window_mean_fallback_is_less_sure() -> None:
    estimate = estimate_daylight(make_features(illuminance_mean=300.0), LIMITS)
    assert estimate.desk_lux == 300.0
    assert estimate.confidence_factor < 1.0


def test_reading_with_lamps_partly_on_gives_the_daylight() -> None:
    decision = decide(
        illuminance_latest=200.0 + 500.0 * 0.4,
        lamp_output_at_reading=0.4,
        illuminance_mean=900.0,  # ignored: the paired reading wins
        current_level_pct=90.0,
    )
    assert "200 lx daylight below 500 lx target" in decision.reason
    assert light_output(decision.brightness_pct) == pytest.approx(300 / 500, rel=0.01)


def test_learned_lamp_light_at_the_sensor_and_desk_ratio() -> None:
    limits = GroupLimits(lamp_lux_at_sensor=200.0, desk_daylight_ratio=0.5)
    features = make_features(illuminance_latest=600.0, lamp_output_at_reading=1.0)
    estimate = estimate_daylight(features, limits)
    assert estimate.sensor_lux == 400.0  # 600 lx minus 200 lx of lamp light at the sensor
    assert estimate.desk_lux == 200.0  # the desks get half the sensor's daylight
    decision = LocalPredictor().decide(features, limits)
    assert light_output(decision.brightness_pct) == pytest.approx(300 / 500, rel=0.01)


def test_deep_desks_stay_lit_when_the_sensor_by_the_window_sees_enough() -> None:
    by_window = make_features(illuminance_latest=700.0, lamp_output_at_reading=0.0)
    assert LocalPredictor().decide(by_window, LIMITS).brightness_pct == 0.0
    deep = GroupLimits(desk_daylight_ratio=0.2)
    assert LocalPredictor().decide(by_window, deep).brightness_pct > 0.0


@pytest.mark.parametrize("fault", ["unavailable", "stuck", "implausible"])
def test_faulty_illuminance_sensor_lights_to_the_target_by_the_lamp_model(fault: str) -> None:
    limits = GroupLimits(lamp_lux_at_full=650.0)
    decision = decide(
        limits,
        illuminance_fault=fault,
        illuminance_latest=900.0,  # a stuck sensor's value is not believed
        lamp_output_at_reading=0.0,
        illuminance_mean=900.0,
    )
    assert light_output(decision.brightness_pct) == pytest.approx(0.77, abs=0.005)
    assert decision.brightness_pct == pytest.approx(level_for_output(500 / 650), abs=0.1)
    assert decision.brightness_pct != 80.0  # not the fixed percentage (25 % light output)
    assert f"illuminance sensor {fault}" in decision.reason
    assert "fail safe" in decision.reason


def test_faulty_illuminance_sensor_in_an_empty_room_stays_off() -> None:
    decision = decide(illuminance_fault="stuck", occupancy_ratio=0.0, minutes_since_occupied=40.0)
    assert decision.brightness_pct == 0.0


def test_no_illuminance_sensor_uses_the_profile_default() -> None:
    decision = decide(illuminance_mean=None, illuminance_min=None, illuminance_max=None)
    assert decision.brightness_pct == 80.0


def test_presence_state_words() -> None:
    assert assess_presence(make_features(), LIMITS).state == "occupied"
    recent = make_features(occupancy_ratio=0.0, minutes_since_occupied=5.0)
    assert assess_presence(recent, LIMITS).state == "recent"
    warning = make_features(occupancy_ratio=0.0, minutes_since_occupied=16.0)
    assert assess_presence(warning, LIMITS).state == "warning"
    assert assess_presence(warning, LIMITS).minutes_left == pytest.approx(1.0)
    vacant = make_features(occupancy_ratio=0.0, minutes_since_occupied=None)
    assert assess_presence(vacant, LIMITS).state == "vacant"


def test_an_unavailable_occupancy_sensor_keeps_a_late_workers_light_until_22() -> None:
    limits = GroupLimits(target_lux=500.0, lamp_lux_at_full=500.0)
    evening = datetime(2026, 3, 10, 19, 30, tzinfo=UTC)
    lit = Features(
        group=0,
        ts=evening,
        local_hour=19.5,
        weekday=1,
        illuminance_latest=480.0,
        lamp_output_at_reading=0.9,
        current_level_pct=96.0,
        occupancy_fault="unavailable",
    )
    decision = LocalPredictor().decide(lit, limits)
    assert decision.brightness_pct == 96.0  # the person who was there at 18:59 stays in the light
    assert make_safe(decision, lit, limits).brightness_pct == 96.0
    dark = replace(lit, current_level_pct=0.0, lamp_output_at_reading=0.0, illuminance_latest=5.0)
    assert LocalPredictor().decide(dark, limits).brightness_pct == 0.0  # never switched on late
    stuck = replace(lit, occupancy_fault="stuck_on")
    assert LocalPredictor().decide(stuck, limits).brightness_pct == 0.0  # no evidence: off
    late = replace(lit, local_hour=22.5)
    assert LocalPredictor().decide(late, limits).brightness_pct == 0.0  # never all night
