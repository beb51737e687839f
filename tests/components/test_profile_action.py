"""The actions as a user meets them: reading a profile, errors in words, what was decided."""

from __future__ import annotations

from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.helpers import entity_registry as er
from homeassistant.util.yaml import load_yaml_dict
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from custom_components.smart_lighting_ai.const import DOMAIN

from .common import setup_office
from .test_user_polish import PACKAGE, _strings

OFFICE = "light.open_office"
CORRIDOR = "light.corridor"
NO_ROOM = "light.dali_group_1"


@pytest.fixture
async def office(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> MockConfigEntry:
    return await setup_office(hass, freezer)


async def _call(hass: HomeAssistant, action: str, data: dict[str, Any], **kw: Any) -> Any:
    return await hass.services.async_call(
        DOMAIN, action, data, blocking=True, return_response=kw.pop("response", False), **kw
    )


async def _refused(hass: HomeAssistant, **values: Any) -> ServiceValidationError:
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "set_profile", {"entity_id": OFFICE, **values})
    return err.value


# --- get_profile ------------------------------------------------------------------------


async def test_get_profile_shows_what_automatic_control_keeps(
    hass: HomeAssistant, office: MockConfigEntry
) -> None:
    answer = await _call(hass, "get_profile", {"entity_id": [OFFICE, NO_ROOM]}, response=True)
    assert (
        answer["profiles"][OFFICE].items()
        >= {
            "min_brightness_pct": 1.0,
            "max_brightness_pct": 100.0,
            "min_kelvin": 2700,
            "max_kelvin": 6500,
            "target_lux": 500.0,
            "vacancy_minutes": 15.0,
            "lamp_lux_at_full": 500.0,
            "default_level_pct": 80.0,
            "dimming_curve": "logarithmic",
            "schedule": None,
            "learned_offset_pct": 0.0,
            "custom": False,
        }.items()
    )
    assert answer["profiles"][NO_ROOM]["custom"] is False

    schedule = {"mon": ["07:00-19:00"]}
    await _call(
        hass,
        "set_profile",
        {"entity_id": OFFICE, "max_brightness_pct": 70, "min_kelvin": 3000, "schedule": schedule},
    )
    answer = await _call(hass, "get_profile", {"entity_id": OFFICE}, response=True)
    profile = answer["profiles"][OFFICE]
    assert profile["max_brightness_pct"] == 70
    assert profile["min_kelvin"] == 3000
    assert profile["schedule"] == schedule
    assert profile["custom"] is True
    # never a key: nothing of the entry's Fernet key reaches the answer
    assert office.data["fernet_keys"][0] not in str(answer)


async def test_get_profile_is_for_administrators(
    hass: HomeAssistant, office: MockConfigEntry, hass_read_only_user: MockUser
) -> None:
    with pytest.raises(Unauthorized):
        await _call(
            hass,
            "get_profile",
            {"entity_id": OFFICE},
            response=True,
            context=Context(user_id=hass_read_only_user.id),
        )


# --- set_profile: errors in a user's words ------------------------------------------------


async def test_set_profile_errors_name_the_light_and_the_fields_in_words(
    hass: HomeAssistant, office: MockConfigEntry
) -> None:
    await _call(hass, "set_profile", {"entity_id": OFFICE, "max_brightness_pct": 50})

    err = await _refused(hass, min_brightness_pct=80)
    assert err.translation_key == "profile_brightness_range"
    assert str(err).rstrip(".") == (
        "The profile for Open office (light.open_office) is not saved: its minimum brightness "
        "(80 %) would be above its maximum brightness (50 %)"
    )
    err = await _refused(hass, min_kelvin=5000, max_kelvin=3000)
    assert err.translation_key == "profile_kelvin_range"
    assert "warmest colour temperature (5000 K)" in str(err)
    err = await _refused(hass, schedule={"tuesday": ["10:00-12:00"]})
    assert err.translation_key == "profile_schedule_day"
    assert '"tuesday" is not a weekday. Use mon, tue, wed, thu, fri, sat, sun' in str(err)
    err = await _refused(hass, schedule={"tue": ["12:00-10:00"]})
    assert err.translation_key == "profile_schedule_period"
    assert '"12:00-10:00" (tue) is not a period like 07:00-19:00' in str(err)
    for message in (str(err),):
        assert "_pct" not in message
        assert "<=" not in message
    # nothing of it was stored
    answer = await _call(hass, "get_profile", {"entity_id": OFFICE}, response=True)
    assert answer["profiles"][OFFICE]["min_brightness_pct"] == 1.0
    assert answer["profiles"][OFFICE]["schedule"] is None


async def test_no_target_changes_when_one_is_refused(
    hass: HomeAssistant, office: MockConfigEntry
) -> None:
    await _call(hass, "set_profile", {"entity_id": CORRIDOR, "max_brightness_pct": 30})

    with pytest.raises(ServiceValidationError):  # 40 % is fine for the office, not the corridor
        await _call(
            hass, "set_profile", {"entity_id": [OFFICE, CORRIDOR], "min_brightness_pct": 40}
        )

    answer = await _call(hass, "get_profile", {"entity_id": OFFICE}, response=True)
    assert answer["profiles"][OFFICE]["min_brightness_pct"] == 1.0


def test_the_set_profile_form_uses_selectors_in_units() -> None:
    services = load_yaml_dict(str(PACKAGE / "services.yaml"))
    fields = services["set_profile"]["fields"]
    assert fields["dimming_curve"]["selector"]["select"]["translation_key"] == "dimming_curve"
    options = _strings()["selector"]["dimming_curve"]["options"]
    assert set(options) == {"logarithmic", "linear"}
    for name in ("min_kelvin", "max_kelvin"):
        assert fields[name]["selector"]["color_temp"]["unit"] == "kelvin"
    for number in (
        fields["vacancy_minutes"]["selector"]["number"],
        services["set_override"]["fields"]["minutes"]["selector"]["number"],
    ):
        assert number["mode"] == "box"
        assert number["unit_of_measurement"] == "min"
    assert "mon:" in fields["schedule"]["example"]
    assert "get_profile" in services


# --- predict and aggregate_now --------------------------------------------------------------


async def test_predict_without_features_names_the_lights_and_the_fix(
    hass: HomeAssistant, office: MockConfigEntry
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "predict", {"entity_id": [OFFICE, NO_ROOM]}, response=True)

    assert err.value.translation_key == "no_features"
    message = str(err.value)
    assert message.startswith("No features available")
    assert "DALI group 1 (light.dali_group_1), Open office (light.open_office)" in message
    assert "room settings" in message
    assert "Aggregate now" in message


async def test_predict_on_an_area_answers_for_the_rooms_it_can(
    hass: HomeAssistant, office: MockConfigEntry
) -> None:
    await _call(hass, "aggregate_now", {}, response=True)
    # the office's light named, the group without a room reached through its device only
    device_id = er_device_of(hass, NO_ROOM)

    answer = await _call(
        hass, "predict", {"entity_id": OFFICE, "device_id": device_id}, response=True
    )

    assert set(answer["predictions"]) == {OFFICE}
    assert answer["without_features"] == [NO_ROOM]
    with pytest.raises(ServiceValidationError):  # named, it is an error as the contract says
        await _call(hass, "predict", {"entity_id": [OFFICE, NO_ROOM]}, response=True)


def er_device_of(hass: HomeAssistant, entity_id: str) -> str:
    entity = er.async_get(hass).async_get(entity_id)
    assert entity is not None
    assert entity.device_id is not None
    return entity.device_id


async def test_aggregate_now_says_what_was_decided(
    hass: HomeAssistant, office: MockConfigEntry
) -> None:
    answer = await _call(hass, "aggregate_now", {}, response=True)

    assert answer["feature_rows"] == 2
    decisions = answer["decisions"]
    assert set(decisions) == {OFFICE, CORRIDOR}
    office_decision = decisions[OFFICE]
    assert office_decision["applied"] is True
    assert office_decision["brightness_pct"] > 0
    assert office_decision["not_applied_because"] is None
    assert office_decision["reason"]
    assert office_decision["source"] == "local"
    assert hass.states.get(OFFICE).state == "on"
    assert decisions[CORRIDOR]["brightness_pct"] == 0  # empty: not switched on
    state = hass.states.get("sensor.open_office_last_decision")
    assert float(state.state) == office_decision["brightness_pct"]
