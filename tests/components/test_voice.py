"""Sentences said to Home Assistant's own Assist agent, on a fresh and on an older install."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import conversation
from homeassistant.components.homeassistant.const import DATA_EXPOSED_ENTITIES
from homeassistant.components.homeassistant.exposed_entities import (
    async_expose_entity,
    async_get_assistant_settings,
    async_should_expose,
)
from homeassistant.const import EntityCategory
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.intent import IntentResponse, IntentResponseType
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.smart_lighting_ai.const import DOMAIN

from .common import runtime

SWITCH = "switch.office_automatic_control"
DECISION = "sensor.office_last_decision"
LIGHT = "light.office"
OPTIONS = {
    "groups": {
        "0": {
            "name": "Office",
            "occupancy_entities": ["binary_sensor.office_motion"],
            "illuminance_entities": [],
        }
    }
}


@pytest.fixture(autouse=True)
async def _assist(hass: HomeAssistant) -> None:
    """Home Assistant's own conversation agent, as in every installation."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})


async def _setup(hass: HomeAssistant) -> MockConfigEntry:
    hass.states.async_set("binary_sensor.office_motion", "on", {"device_class": "occupancy"})
    entry = MockConfigEntry(
        domain=DOMAIN, data={"bus_type": "simulated"}, options=OPTIONS, unique_id="simulated"
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def _say(hass: HomeAssistant, text: str) -> IntentResponse:
    result = await conversation.async_converse(hass, text, None, Context(), language="en")
    await hass.async_block_till_done()
    return result.response


def _speech(response: IntentResponse) -> str:
    speech: str = response.speech["plain"]["speech"]
    return speech


async def test_turn_off_office_automatic_control(hass: HomeAssistant) -> None:
    entry = await _setup(hass)
    assert hass.states.get(SWITCH).state == "on"

    response = await _say(hass, "turn off office automatic control")

    assert response.response_type is IntentResponseType.ACTION_DONE, _speech(response)
    assert hass.states.get(SWITCH).state == "off"
    assert runtime(entry).autopilot.auto_control[0] is False
    # and back on through the conversation.process action, as a dashboard or script would call it
    answer = await hass.services.async_call(
        "conversation",
        "process",
        {"text": "turn on office automatic control", "language": "en"},
        blocking=True,
        return_response=True,
    )
    assert answer["response"]["response_type"] == "action_done"
    assert hass.states.get(SWITCH).state == "on"


async def test_what_is_the_office_last_decision(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await _setup(hass)

    # before the first feature window: a word, not "unknown %" or nothing
    response = await _say(hass, "what is the office last decision")
    assert response.response_type is IntentResponseType.QUERY_ANSWER
    assert _speech(response) == "Office last decision is waiting"
    assert hass.states.get(DECISION).state == "waiting"
    assert "unit_of_measurement" not in hass.states.get(DECISION).attributes

    freezer.tick(timedelta(minutes=5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)

    decided = hass.states.get(DECISION)
    assert decided.attributes["unit_of_measurement"] == "%"
    response = await _say(hass, "what is the office last decision")
    assert _speech(response) == f"Office last decision is {float(decided.state):.0f} %"


async def test_turn_on_the_lights_in_the_office_once_its_area_is_set(hass: HomeAssistant) -> None:
    entry = await _setup(hass)
    office = ar.async_get(hass).async_create("Office")

    response = await _say(hass, "turn on the lights in the office")
    assert response.response_type is IntentResponseType.ERROR  # no light is in that area yet

    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "room"}
    )
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"group": "0"})
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**OPTIONS["groups"]["0"], "area": office.id}
    )
    await hass.async_block_till_done()

    response = await _say(hass, "turn on the lights in the office")
    assert response.response_type is IntentResponseType.ACTION_DONE, _speech(response)
    assert hass.states.get(LIGHT).state == "on"
    # only our group's light: the other groups (no area) stay off
    assert hass.states.get("light.dali_group_1").state == "off"


# --- an installation from before: Home Assistant remembers what it decided then ---------------


def _old_entity(
    hass: HomeAssistant, domain: str, unique_id: str, object_id: str, **kwargs: Any
) -> str:
    """A registry entry as an older release left it, not exposed to Assist."""
    registry = er.async_get(hass)
    entity = registry.async_get_or_create(
        domain, DOMAIN, unique_id, suggested_object_id=object_id, **kwargs
    )
    registry.async_update_entity_options(entity.entity_id, "conversation", {"should_expose": False})
    return entity.entity_id


async def test_an_older_switch_with_the_config_category_is_exposed_once(
    hass: HomeAssistant,
) -> None:
    switch = _old_entity(
        hass,
        "switch",
        "simulated-group-0-auto",
        "office_automatic_control",
        entity_category=EntityCategory.CONFIG,
    )
    assert not async_should_expose(hass, "conversation", switch)

    entry = await _setup(hass)

    assert er.async_get(hass).async_get(switch).entity_category is None
    assert async_should_expose(hass, "conversation", switch)
    response = await _say(hass, "turn off office automatic control")
    assert response.response_type is IntentResponseType.ACTION_DONE, _speech(response)

    # a person's later choice is kept across a reload
    async_expose_entity(hass, "conversation", switch, False)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert not async_should_expose(hass, "conversation", switch)


async def test_a_switch_a_person_hid_from_assist_stays_hidden(hass: HomeAssistant) -> None:
    # no old category: the "not exposed" is a person's choice, made after the category went
    switch = _old_entity(hass, "switch", "simulated-group-0-auto", "office_automatic_control")

    await _setup(hass)

    assert not async_should_expose(hass, "conversation", switch)


async def test_nothing_is_exposed_when_assist_exposes_no_new_entities(
    hass: HomeAssistant,
) -> None:
    settings = hass.data[DATA_EXPOSED_ENTITIES]  # the key's spelling changed after 2025.4
    settings.async_set_expose_new_entities("conversation", False)
    switch = _old_entity(
        hass,
        "switch",
        "simulated-group-0-auto",
        "office_automatic_control",
        entity_category=EntityCategory.CONFIG,
    )

    await _setup(hass)

    assert not async_should_expose(hass, "conversation", switch)
    assert not async_should_expose(hass, "conversation", DECISION)


async def test_an_older_decision_sensor_is_exposed_once(hass: HomeAssistant) -> None:
    sensor = _old_entity(hass, "sensor", "simulated-group-0-decision", "office_last_decision")

    entry = await _setup(hass)

    assert async_should_expose(hass, "conversation", sensor)
    assert sensor in async_get_assistant_settings(hass, "conversation")
    async_expose_entity(hass, "conversation", sensor, False)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert not async_should_expose(hass, "conversation", sensor)
