"""Every numeric action field refuses nan and infinities with a clear validation error."""

from __future__ import annotations

import math
from typing import Any

import pytest
import voluptuous as vol
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_lighting_ai.const import DOMAIN
from custom_components.smart_lighting_ai.predictor import GroupLimits

from .common import runtime, setup_office

OFFICE = "light.open_office"
PROFILE_NUMBERS = (
    "min_brightness_pct",
    "max_brightness_pct",
    "min_kelvin",
    "max_kelvin",
    "target_lux",
    "vacancy_minutes",
    "lamp_lux_at_full",
    "default_level_pct",
    "learned_offset_pct",
)
NUMERIC_FIELDS = [("set_profile", name) for name in PROFILE_NUMBERS] + [("set_override", "minutes")]
NOT_FINITE = [
    pytest.param(math.inf, id="inf"),
    pytest.param(-math.inf, id="-inf"),
    pytest.param(math.nan, id="nan"),
    pytest.param("inf", id="text-inf"),
    pytest.param("NaN", id="text-nan"),
    pytest.param(10**400, id="huge-int"),
]


@pytest.fixture
async def office(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> MockConfigEntry:
    return await setup_office(hass, freezer)


async def _call(hass: HomeAssistant, action: str, data: dict[str, Any]) -> None:
    await hass.services.async_call(DOMAIN, action, {"entity_id": OFFICE, **data}, blocking=True)


@pytest.mark.parametrize("value", NOT_FINITE)
@pytest.mark.parametrize(("action", "field"), NUMERIC_FIELDS)
async def test_a_number_that_is_not_finite_is_a_validation_error(
    hass: HomeAssistant, office: MockConfigEntry, action: str, field: str, value: object
) -> None:
    data: dict[str, Any] = {field: value}
    if action == "set_override":
        data.setdefault("minutes", 30)

    with pytest.raises(vol.Invalid) as err:
        await _call(hass, action, data)

    assert err.value.path[-1] == field  # the error names the field
    assert "finite number" in str(err.value)
    # Nothing was stored or changed.
    assert not runtime(office).profiles.has_profile(0)
    assert not runtime(office).overrides.is_active(0)


@pytest.mark.parametrize(
    ("field", "value", "stored"),
    [
        ("min_kelvin", 3000.0, 3000),
        ("max_kelvin", "4500", 4500),
        ("target_lux", "350.5", 350.5),
        ("min_brightness_pct", 0, 0.0),
    ],
)
async def test_finite_numbers_in_range_are_still_accepted(
    hass: HomeAssistant, office: MockConfigEntry, field: str, value: object, stored: float
) -> None:
    await _call(hass, "set_profile", {field: value})

    limits = runtime(office).profiles.limits(0, GroupLimits())
    assert getattr(limits, field) == stored
    assert type(getattr(limits, field)) is type(stored)


async def test_learned_offset_accepts_its_bounds(
    hass: HomeAssistant, office: MockConfigEntry
) -> None:
    await _call(hass, "set_profile", {"learned_offset_pct": "-30"})
    assert runtime(office).profiles.learned_offset(0) == -30.0


@pytest.mark.parametrize(("field", "value"), [("min_kelvin", 999), ("target_lux", 5000.1)])
async def test_finite_numbers_out_of_range_are_still_refused(
    hass: HomeAssistant, office: MockConfigEntry, field: str, value: float
) -> None:
    with pytest.raises(vol.Invalid) as err:
        await _call(hass, "set_profile", {field: value})
    assert err.value.path[-1] == field


async def test_override_minutes_must_be_finite(
    hass: HomeAssistant, office: MockConfigEntry
) -> None:
    with pytest.raises(vol.Invalid):
        await _call(hass, "set_override", {"minutes": math.inf})
    await _call(hass, "set_override", {"minutes": "30"})
    assert runtime(office).overrides.is_active(0)
