"""Lamp output model and circadian colour temperature."""

from __future__ import annotations

import pytest

from custom_components.smart_lighting_ai.predictor.colour import (
    DAY_KELVIN,
    WARM_KELVIN,
    choose_colour,
    evening_factor,
)
from custom_components.smart_lighting_ai.predictor.lamp import level_for_output, light_output


def test_logarithmic_curve_matches_dali() -> None:
    assert light_output(0.0) == 0.0
    assert light_output(-5.0) == 0.0
    assert light_output(100.0) == pytest.approx(1.0)
    assert light_output(150.0) == pytest.approx(1.0)
    # Arc level 1 gives 0.1 %; every 253/3 arc steps are a factor of ten.
    assert light_output(1 / 254 * 100) == pytest.approx(0.001)
    assert light_output((254 - 253 / 3) / 254 * 100) == pytest.approx(0.1)
    assert light_output(0.1) == pytest.approx(0.001)  # below arc 1: still the minimum


def test_linear_curve() -> None:
    assert light_output(40.0, "linear") == pytest.approx(0.4)
    assert light_output(120.0, "linear") == 1.0
    assert level_for_output(0.4, "linear") == pytest.approx(40.0)


@pytest.mark.parametrize("level", [0.5, 5.0, 33.3, 50.0, 77.0, 100.0])
@pytest.mark.parametrize("curve", ["logarithmic", "linear"])
def test_inverse(level: float, curve: str) -> None:
    expected = max(level, 100 / 254) if curve == "logarithmic" else level
    assert level_for_output(light_output(level, curve), curve) == pytest.approx(expected)  # type: ignore[arg-type]


def test_inverse_edges() -> None:
    assert level_for_output(0.0) == 0.0
    assert level_for_output(-1.0) == 0.0
    assert level_for_output(2.0) == pytest.approx(100.0)
    assert level_for_output(1e-9) == pytest.approx(100 / 254)


def test_evening_factor() -> None:
    assert evening_factor(3.0) == 0.0
    assert evening_factor(12.0) == 1.0
    assert evening_factor(19.0) == pytest.approx(0.5)
    assert evening_factor(22.0) == 0.0


def test_colour_choices() -> None:
    assert choose_colour(-5.0, 12.0).kelvin == WARM_KELVIN
    assert choose_colour(0.0, 12.0).kelvin == WARM_KELVIN
    assert choose_colour(45.0, 12.0).kelvin == pytest.approx(DAY_KELVIN)
    assert choose_colour(80.0, 12.0).kelvin == pytest.approx(DAY_KELVIN)
    noon = choose_colour(None, 12.0)
    assert (noon.kelvin, noon.basis, noon.from_sun) == (DAY_KELVIN, "time of day", False)
    assert choose_colour(None, 4.0).basis == "time of day, night"
    assert choose_colour(None, 23.0).basis == "time of day, night"
    evening = choose_colour(30.0, 18.0)
    assert evening.basis == "sun at 30°, evening"
    assert WARM_KELVIN < evening.kelvin < choose_colour(30.0, 12.0).kelvin
