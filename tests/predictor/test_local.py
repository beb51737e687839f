"""LocalPredictor rules."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any

import pytest

from custom_components.smart_lighting_ai.predictor import GroupLimits, LocalPredictor
from custom_components.smart_lighting_ai.predictor.lamp import level_for_output, light_output

from .common import make_features


@dataclass(frozen=True)
class Case:
    features: dict[str, Any]
    brightness: float
    kelvin: int | None | str = "any"
    reason: str = ""
    confidence: float | None = None
    limits: GroupLimits = field(default_factory=GroupLimits)


CASES: dict[str, Case] = {
    "occupied and dark -> full": Case(
        {"illuminance_mean": 0.0},
        100.0,
        reason="occupied, 0 lx daylight below 500 lx target → 100%",
        confidence=round(0.95 * 0.85, 2),  # daylight from the window mean: less sure
    ),
    "occupied, some daylight -> fills the gap": Case(
        {"illuminance_mean": 120.0},
        round(level_for_output(380 / 500), 1),
        reason="occupied, 120 lx daylight below 500 lx target → 96%",
    ),
    "vacancy timeout and grace over -> off": Case(
        {"occupancy_ratio": 0.0, "minutes_since_occupied": 17.0, "current_level_pct": 80.0},
        0.0,
        None,
        reason="vacant for 17 min (timeout 15 min) → off",
        confidence=0.95,
    ),
    "vacancy timeout reached, light off -> stays off": Case(
        {"occupancy_ratio": 0.0, "minutes_since_occupied": 15.0},
        0.0,
        None,
        reason="vacant for 15 min (timeout 15 min) → off",
        confidence=0.95,
    ),
    "recently occupied, light off -> stays off": Case(
        {"occupancy_ratio": 0.0, "minutes_since_occupied": 14.0},
        0.0,
        None,
        reason="occupied 14 min ago (timeout 15 min), nobody there now → stays off",
    ),
    "recently occupied, light on -> kept": Case(
        {"occupancy_ratio": 0.0, "minutes_since_occupied": 14.0, "current_level_pct": 70.0},
        70.0,
        reason="occupied 14 min ago (timeout 15 min) → kept at 70%",
    ),
    "custom vacancy timeout": Case(
        {"occupancy_ratio": 0.0, "minutes_since_occupied": 6.0},
        0.0,
        None,
        reason="vacant for 6 min (timeout 5 min) → off",
        limits=GroupLimits(vacancy_minutes=5.0),
    ),
    "sensor saw nobody, no last presence -> off": Case(
        {"occupancy_ratio": 0.0, "minutes_since_occupied": None},
        0.0,
        None,
        reason="vacant (no presence recorded) → off",
    ),
    "only minutes since occupied": Case(
        {"occupancy_ratio": None, "minutes_since_occupied": 3.0, "current_level_pct": 96.0},
        96.0,
        reason="occupied 3 min ago",
        confidence=0.95,
    ),
    "bright day -> off": Case(
        {"illuminance_mean": 800.0},
        0.0,
        None,
        reason="800 lx daylight, 500 lx target → off (daylight sufficient)",
    ),
    "lamps on, daylight estimate excludes lamp light -> off": Case(
        {"illuminance_mean": 560.0 + 500 * light_output(50.0), "current_level_pct": 50.0},
        0.0,
        None,
        reason="560 lx daylight",
    ),
    "lamps off, daylight nearly enough -> stays off": Case(
        {"illuminance_mean": 460.0, "current_level_pct": 0.0},
        0.0,
        None,
        reason="daylight sufficient",
    ),
    "lamps on, daylight just above target -> minimum": Case(
        {"illuminance_mean": 520.0 + 500 * light_output(30.0), "current_level_pct": 30.0},
        1.0,
        reason="520 lx daylight near 500 lx target → 1% (minimum)",
    ),
    "lamps too weak": Case(
        {"illuminance_mean": 0.0},
        100.0,
        reason="(lamps too weak for the target)",
        limits=GroupLimits(lamp_lux_at_full=200.0),
    ),
    "linear dimming curve": Case(
        {"illuminance_mean": 120.0},
        76.0,
        limits=GroupLimits(dimming_curve="linear"),
    ),
    "unknown current level -> lower confidence": Case(
        {"illuminance_mean": 120.0, "current_level_pct": None},
        96.0,
        confidence=round(0.95 * 0.85, 2),
    ),
    "evening -> warm": Case(
        {"local_hour": 20.5, "sun_elevation": 2.0},
        96.0,
        2700,
        reason="2700 K (sun at 2°, evening)",
    ),
    "summer evening with sun still up -> warmer than the sun says": Case(
        {"local_hour": 19.0, "sun_elevation": 45.0},
        96.0,
        3850,
    ),
    "night -> warm": Case({"local_hour": 2.0, "sun_elevation": -30.0}, 96.0, 2700),
    "high sun -> cool": Case({"sun_elevation": 60.0}, 96.0, 5000, reason="5000 K (sun at 60°)"),
    "no sun data -> from the clock": Case(
        {"sun_elevation": None, "local_hour": 12.0},
        96.0,
        5000,
        reason="5000 K (time of day)",
        confidence=round(0.95 * 0.85 * 0.95, 2),
    ),
    "DT6 group -> no kelvin": Case({"supports_color_temp": False}, 96.0, None),
    "clamped to max level": Case(
        {"illuminance_mean": 0.0}, 70.0, limits=GroupLimits(max_brightness_pct=70.0)
    ),
    "clamped to min level": Case(
        {"illuminance_mean": 400.0},
        30.0,
        limits=GroupLimits(min_brightness_pct=30.0, dimming_curve="linear"),
    ),
    "clamped to kelvin range at night": Case(
        {"local_hour": 23.0, "sun_elevation": -20.0},
        96.0,
        3000,
        limits=GroupLimits(min_kelvin=3000, max_kelvin=4000),
    ),
    "clamped to kelvin range at noon": Case(
        {"sun_elevation": 60.0}, 96.0, 4000, limits=GroupLimits(min_kelvin=3000, max_kelvin=4000)
    ),
    "no sensors, office hours -> profile level": Case(
        {
            "occupancy_ratio": None,
            "minutes_since_occupied": None,
            "illuminance_mean": None,
            "local_hour": 10.0,
        },
        80.0,
        reason=(
            "no occupancy sensor, occupied assumed 07:00-19:00, "
            "no illuminance sensor → 80% (profile default)"
        ),
        confidence=round(0.6 * 0.75, 2),
    ),
    "no sensors, night -> off": Case(
        {
            "occupancy_ratio": None,
            "minutes_since_occupied": None,
            "illuminance_mean": None,
            "local_hour": 22.0,
        },
        0.0,
        None,
        reason="no occupancy sensor, vacant assumed outside 07:00-19:00 → off",
        confidence=0.6,
    ),
    "no illuminance sensor, custom profile level": Case(
        {"illuminance_mean": None},
        55.0,
        limits=GroupLimits(default_level_pct=55.0),
        confidence=round(0.95 * 0.75, 2),
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_rules(case: Case) -> None:
    decision = LocalPredictor().decide(make_features(3, **case.features), case.limits)
    assert decision.group == 3
    assert decision.source == "local"
    assert decision.brightness_pct == pytest.approx(case.brightness, abs=0.05)
    if case.kelvin != "any":
        assert decision.color_temp_kelvin == case.kelvin
    if decision.brightness_pct == 0.0:
        assert decision.color_temp_kelvin is None
    assert case.reason in decision.reason
    if case.confidence is not None:
        assert decision.confidence == case.confidence
    assert case.limits.min_kelvin <= (decision.color_temp_kelvin or case.limits.min_kelvin)
    assert (decision.color_temp_kelvin or 0) <= case.limits.max_kelvin


@pytest.mark.parametrize("daylight", [0.0, 50.0, 120.0, 300.0, 440.0])
@pytest.mark.parametrize("curve", ["logarithmic", "linear"])
def test_closed_loop_is_steady(daylight: float, curve: Any) -> None:
    """Feeding the lamps' own light back in keeps the chosen level (no drift, no flicker)."""
    limits = GroupLimits(dimming_curve=curve)
    predictor = LocalPredictor()
    features = make_features(illuminance_mean=daylight, current_level_pct=0.0)
    first = predictor.decide(features, limits)
    assert first.brightness_pct > 0.0
    lamp_lux = limits.lamp_lux_at_full * light_output(first.brightness_pct, curve)
    assert daylight + lamp_lux == pytest.approx(limits.target_lux, rel=0.02)
    measured = replace(
        features, illuminance_mean=daylight + lamp_lux, current_level_pct=first.brightness_pct
    )
    second = predictor.decide(measured, limits)
    assert second.brightness_pct == pytest.approx(first.brightness_pct, abs=0.2)


def test_kelvin_rises_smoothly_with_the_sun() -> None:
    predictor = LocalPredictor()
    kelvins: list[int] = []
    for elevation in range(-10, 70, 5):
        features = make_features(sun_elevation=float(elevation))
        kelvin = predictor.decide(features, GroupLimits()).color_temp_kelvin
        assert kelvin is not None
        kelvins.append(kelvin)
    assert kelvins[0] == 2700
    assert kelvins[-1] == 5000
    assert kelvins == sorted(kelvins)
    steps = [b - a for a, b in pairwise(kelvins)]
    assert max(steps) < 500


async def test_predict_all_groups() -> None:
    features = {0: make_features(0), 1: make_features(1, illuminance_mean=850.0)}
    decisions = await LocalPredictor().predict(features, {1: GroupLimits(target_lux=1000.0)})
    assert decisions[0].brightness_pct == pytest.approx(96.0)
    assert decisions[1].brightness_pct > 0.0  # its own target is 1000 lx
    assert all(decision.source == "local" for decision in decisions.values())
