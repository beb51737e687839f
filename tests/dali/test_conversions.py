"""Unit conversions (property-based)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from custom_components.smart_lighting_ai.dali.conversions import (
    FADE_TIMES_S,
    clamp_level,
    fade_code,
    kelvin_limits,
    kelvin_to_mirek,
    mirek_to_kelvin,
)
from custom_components.smart_lighting_ai.dali.timing import command_cost


@given(st.integers(min_value=1000, max_value=10000))
def test_kelvin_round_trip_stays_within_one_mirek(kelvin: int) -> None:
    mirek = kelvin_to_mirek(kelvin)
    assert kelvin_to_mirek(mirek_to_kelvin(mirek)) == mirek
    half_step_kelvin = kelvin**2 / 1_000_000 / 2  # dK = K^2 / 10^6 per mirek
    assert abs(mirek_to_kelvin(mirek) - kelvin) <= half_step_kelvin + 1


@given(st.integers(min_value=100, max_value=600), st.integers(min_value=0, max_value=400))
def test_kelvin_limits_map_back_inside_the_gear_range(coolest: int, span: int) -> None:
    """Real DT8 gear spans roughly 100-1000 mirek (10000-1000 K)."""
    warmest = coolest + span
    low, high = kelvin_limits(coolest, warmest)
    assert low <= high
    assert coolest <= kelvin_to_mirek(high) <= warmest
    assert coolest <= kelvin_to_mirek(low) <= warmest


def test_datasheet_range_of_the_simulated_gear() -> None:
    assert kelvin_limits(154, 370) == (2700, 6500)


@given(st.floats(min_value=-10, max_value=1e6, allow_nan=False))
def test_fade_code_is_the_nearest_fade_time(seconds: float) -> None:
    code = fade_code(seconds)
    assert 0 <= code <= 15
    target = max(0.0, seconds)
    assert all(abs(FADE_TIMES_S[code] - target) <= abs(t - target) for t in FADE_TIMES_S)


def test_fade_table_follows_the_standard() -> None:
    assert FADE_TIMES_S[1] == pytest.approx(0.707, abs=1e-3)
    assert FADE_TIMES_S[15] == pytest.approx(90.5, abs=0.1)
    assert fade_code(10_000) == 15


@given(st.integers(min_value=1, max_value=254), st.integers(1, 254), st.integers(1, 254))
def test_clamp_level(level: int, a: int, b: int) -> None:
    low, high = min(a, b), max(a, b)
    assert low <= clamp_level(level, low, high) <= high


def test_bad_values_are_refused() -> None:
    with pytest.raises(ValueError):
        kelvin_to_mirek(0)
    with pytest.raises(ValueError):
        mirek_to_kelvin(0)
    with pytest.raises(ValueError):
        command_cost(
            device_type=0, send_twice=False, expects_answer=False, answered=False, priority=9
        )


def test_bus_rates_match_the_physical_limit() -> None:
    """DESIGN section 5: about 28-36 commands/s and 19-25 queries with answer per second."""
    for priority in range(1, 6):
        command = command_cost(
            device_type=0, send_twice=False, expects_answer=False, answered=False, priority=priority
        )
        query = command_cost(
            device_type=0, send_twice=False, expects_answer=True, answered=True, priority=priority
        )
        assert 28 <= 1 / command.seconds <= 36
        assert 19 <= 1 / query.seconds <= 25
    assert math.isclose(
        command_cost(
            device_type=8, send_twice=False, expects_answer=False, answered=False, priority=5
        ).frames,
        2,
    )
