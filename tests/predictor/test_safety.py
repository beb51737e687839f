"""Safety rules on every predictor's answer: no light in empty rooms, no dark occupied rooms."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.smart_lighting_ai.predictor import Decision, GroupLimits, LocalPredictor
from custom_components.smart_lighting_ai.predictor.lamp import light_output
from custom_components.smart_lighting_ai.predictor.safety import below_target, desk_lux, make_safe

from .common import make_features

LIMITS = GroupLimits()


def ai(brightness: float, kelvin: int | None = 4000, reason: str = "model says so") -> Decision:
    return Decision(
        group=0,
        brightness_pct=brightness,
        color_temp_kelvin=kelvin,
        confidence=0.9,
        reason=reason,
        source="openai",
    )


DARK_OCCUPIED: dict[str, Any] = {
    "occupancy_ratio": 0.6,
    "occupied_now": True,
    "illuminance_latest": 20.0,
    "lamp_output_at_reading": 0.0,
    "current_level_pct": 0.0,
}


def test_an_ai_answer_that_lights_an_empty_room_is_switched_off() -> None:
    features = make_features(occupancy_ratio=0.0, minutes_since_occupied=45.0)
    safe = make_safe(ai(85.0), features, LIMITS)
    assert safe.brightness_pct == 0.0
    assert safe.color_temp_kelvin is None
    assert safe.source == "openai"
    assert safe.reason == "model says so; safety: empty room kept off"


def test_after_a_restart_unknown_presence_is_an_empty_room() -> None:
    features = make_features(occupancy_ratio=0.0, minutes_since_occupied=None)
    assert make_safe(ai(60.0), features, LIMITS).brightness_pct == 0.0


def test_the_vacancy_timeout_never_switches_a_dark_room_on() -> None:
    features = make_features(occupancy_ratio=0.0, minutes_since_occupied=5.0, current_level_pct=0.0)
    safe = make_safe(ai(70.0), features, LIMITS)
    assert safe.brightness_pct == 0.0
    assert safe.reason.endswith("; safety: nobody there now, kept off")


def test_the_vacancy_timeout_lets_a_lit_room_stay_lit() -> None:
    features = make_features(
        occupancy_ratio=0.0, minutes_since_occupied=5.0, current_level_pct=60.0
    )
    decision = ai(70.0)
    assert make_safe(decision, features, LIMITS) is decision


def test_an_ai_answer_that_switches_off_a_dark_occupied_room_is_raised() -> None:
    features = make_features(**DARK_OCCUPIED)
    local = LocalPredictor().decide(features, LIMITS)
    safe = make_safe(ai(0.0, None, "saving energy"), features, LIMITS)
    assert safe.brightness_pct == local.brightness_pct > 90.0
    assert safe.color_temp_kelvin == local.color_temp_kelvin
    assert safe.source == "openai"
    assert safe.reason.startswith("saving energy; safety: occupied dark room switched on to")
    lux = desk_lux(safe, features, LIMITS)
    assert lux is not None
    assert lux >= 0.9 * LIMITS.target_lux


def test_an_ai_answer_too_dim_for_the_target_is_raised_and_keeps_its_colour() -> None:
    features = make_features(**DARK_OCCUPIED)
    safe = make_safe(ai(60.0, 3500), features, LIMITS)  # 60 % gives 13 % light output
    assert safe.brightness_pct == LocalPredictor().decide(features, LIMITS).brightness_pct
    assert safe.color_temp_kelvin == 3500
    assert "safety: occupied room raised to" in safe.reason


def test_an_ai_answer_near_the_target_is_kept() -> None:
    features = make_features(**DARK_OCCUPIED)
    local = LocalPredictor().decide(features, LIMITS)
    slightly_dimmer = ai(local.brightness_pct - 1.0)  # about 3 % less light: above 90 %
    assert make_safe(slightly_dimmer, features, LIMITS) is slightly_dimmer


def test_an_ai_answer_off_in_daylight_is_kept() -> None:
    features = make_features(
        occupancy_ratio=1.0, illuminance_latest=900.0, lamp_output_at_reading=0.0
    )
    decision = ai(0.0, None)
    assert make_safe(decision, features, LIMITS) is decision


def test_a_brighter_ai_answer_is_kept() -> None:
    features = make_features(**DARK_OCCUPIED)
    decision = ai(100.0)
    assert make_safe(decision, features, LIMITS) is decision


def test_a_faulty_illuminance_sensor_gets_the_fail_safe_level() -> None:
    features = make_features(
        occupancy_ratio=1.0,
        illuminance_fault="stuck",
        illuminance_latest=900.0,
        lamp_output_at_reading=0.0,
    )
    safe = make_safe(
        ai(0.0, None, "900 lx is plenty"), features, GroupLimits(lamp_lux_at_full=650.0)
    )
    assert light_output(safe.brightness_pct) == pytest.approx(500 / 650, abs=0.005)


def test_without_an_illuminance_sensor_only_off_is_corrected() -> None:
    features = make_features(illuminance_mean=None, illuminance_min=None, illuminance_max=None)
    dim = ai(20.0)
    assert make_safe(dim, features, LIMITS) is dim  # nothing to measure the gap with
    assert make_safe(ai(0.0), features, LIMITS).brightness_pct == 80.0


@pytest.mark.parametrize(("since", "expected_off"), [(16.0, False), (17.5, True)])
def test_the_warning_dim_wins_over_a_model_keeping_an_expired_room_lit(
    since: float, expected_off: bool
) -> None:
    features = make_features(
        occupancy_ratio=0.0, minutes_since_occupied=since, current_level_pct=100.0
    )
    safe = make_safe(ai(100.0), features, LIMITS)
    local = LocalPredictor().decide(features, LIMITS)
    assert safe.brightness_pct == local.brightness_pct
    if expected_off:
        assert safe.brightness_pct == 0.0
        assert safe.color_temp_kelvin is None
        assert safe.reason.endswith("; safety: empty room kept off")
    else:
        assert light_output(safe.brightness_pct) == pytest.approx(0.25, rel=0.02)
        assert safe.color_temp_kelvin == 4000
        assert "; safety: vacancy warning dim to" in safe.reason


def test_a_model_dimmer_than_the_warning_is_kept() -> None:
    features = make_features(
        occupancy_ratio=0.0, minutes_since_occupied=16.0, current_level_pct=100.0
    )
    decision = ai(0.0, None)
    assert make_safe(decision, features, LIMITS) is decision


def test_local_decisions_pass_unchanged() -> None:
    predictor = LocalPredictor()
    for overrides in (
        DARK_OCCUPIED,
        {"occupancy_ratio": 0.0, "minutes_since_occupied": 16.0, "current_level_pct": 70.0},
        {"occupancy_ratio": 0.0, "minutes_since_occupied": 6.0, "current_level_pct": 0.0},
        {"illuminance_fault": "unavailable"},
        {"occupancy_fault": "stuck_on", "local_hour": 23.0},
    ):
        features = make_features(**overrides)
        decision = predictor.decide(features, LIMITS)
        assert make_safe(decision, features, LIMITS) == decision


def test_below_target_uses_the_desk_estimate() -> None:
    # 400 lx daylight at the sensor, lamps at 80 % (a quarter of their light: 125 lx).
    features = make_features(
        illuminance_latest=400.0 + 500.0 * light_output(80.0),
        lamp_output_at_reading=light_output(80.0),
        current_level_pct=80.0,
    )
    assert not below_target(features, LIMITS)  # 525 lx at desks by the window
    assert below_target(features, GroupLimits(desk_daylight_ratio=0.5))  # 325 lx deeper in
    faulty = make_features(illuminance_fault="stuck", current_level_pct=100.0)
    assert not below_target(faulty, LIMITS)  # the lamps alone give 500 lx
    assert below_target(faulty, GroupLimits(lamp_lux_at_full=400.0))
    no_sensor = make_features(illuminance_mean=None, current_level_pct=10.0)
    assert not below_target(no_sensor, LIMITS)
