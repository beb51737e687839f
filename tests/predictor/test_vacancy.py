"""Presence from what the sensors said: no invented departures, no lights in empty rooms."""

from __future__ import annotations

from datetime import timedelta

import pytest

from custom_components.smart_lighting_ai.predictor import GroupLimits, LocalPredictor
from custom_components.smart_lighting_ai.predictor.window import minutes_since_presence

from .common import NOON, make_features


def test_a_sensor_that_only_ever_said_off_gives_no_presence_time() -> None:
    assert minutes_since_presence([(NOON - timedelta(minutes=6), False)], NOON) is None


def test_unknown_then_off_is_not_a_departure() -> None:
    samples = [(NOON - timedelta(minutes=7), None), (NOON - timedelta(minutes=6), False)]
    assert minutes_since_presence(samples, NOON) is None


def test_presence_ends_when_the_on_state_ends() -> None:
    samples = [
        (NOON - timedelta(minutes=40), False),
        (NOON - timedelta(minutes=12), True),
        (NOON - timedelta(minutes=8), False),
        (NOON - timedelta(minutes=3), None),  # a restart: unknown, then off again
        (NOON - timedelta(minutes=2), False),
    ]
    assert minutes_since_presence(samples, NOON) == pytest.approx(8)


def test_present_now_is_zero_minutes() -> None:
    samples = [(NOON - timedelta(minutes=8), False), (NOON - timedelta(minutes=1), True)]
    assert minutes_since_presence(samples, NOON) == 0.0


def _decide(level: float | None, kelvin: int | None = None) -> tuple[float, int | None, str]:
    features = make_features(
        occupancy_ratio=0.0,
        minutes_since_occupied=6.0,
        illuminance_mean=40.0,
        current_level_pct=level,
        current_color_temp_kelvin=kelvin,
    )
    decision = LocalPredictor().decide(features, GroupLimits())
    return decision.brightness_pct, decision.color_temp_kelvin, decision.reason


def test_vacancy_timeout_never_switches_a_dark_room_on() -> None:
    brightness, kelvin, reason = _decide(0.0)
    assert (brightness, kelvin) == (0.0, None)
    assert reason == "occupied 6 min ago (timeout 15 min), nobody there now → stays off"


def test_vacancy_timeout_with_an_unknown_level_does_not_switch_on() -> None:
    assert _decide(None)[0] == 0.0


def test_vacancy_timeout_keeps_a_lit_room_at_its_level() -> None:
    brightness, kelvin, reason = _decide(62.0, 3500)
    assert (brightness, kelvin) == (62.0, 3500)
    assert reason == "occupied 6 min ago (timeout 15 min) → kept at 62%"


def test_after_the_timeout_and_grace_a_lit_room_switches_off() -> None:
    features = make_features(
        occupancy_ratio=0.0, minutes_since_occupied=17.0, current_level_pct=62.0
    )
    assert LocalPredictor().decide(features, GroupLimits()).brightness_pct == 0.0


def test_present_now_still_switches_a_dark_room_on() -> None:
    features = make_features(occupancy_ratio=0.2, illuminance_mean=40.0, current_level_pct=0.0)
    assert LocalPredictor().decide(features, GroupLimits()).brightness_pct > 0.0
