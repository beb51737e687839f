"""Automatic-control switches: on only for groups with room settings, restored across restarts."""

from __future__ import annotations

import pytest
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_lighting_ai.const import DOMAIN

from .common import restore_states, runtime

ROOMS = {
    "groups": {
        "0": {
            "name": "Open office",
            "occupancy_entities": ["binary_sensor.office_motion"],
            "illuminance_entities": ["sensor.office_lux"],
        }
    }
}
SWITCH_0 = "switch.open_office_automatic_control"
SWITCH_1 = "switch.dali_group_1_automatic_control"


@pytest.fixture
def rooms_entry(hass: HomeAssistant) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN, data={"bus_type": "simulated"}, options=ROOMS, unique_id="simulated"
    )
    entry.add_to_hass(hass)
    return entry


async def _switch(hass: HomeAssistant, service: str, entity_id: str) -> None:
    await hass.services.async_call("switch", service, {"entity_id": entity_id}, blocking=True)


async def test_switch_per_group_with_unique_id(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    registry = er.async_get(hass)
    switches = [
        e
        for e in er.async_entries_for_config_entry(registry, loaded_entry.entry_id)
        if e.domain == "switch"
    ]
    assert sorted(e.unique_id for e in switches) == [f"simulated-group-{n}-auto" for n in range(4)]


async def test_group_without_room_settings_is_never_automatic(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    assert hass.states.get(SWITCH_1).state == STATE_OFF
    with pytest.raises(ServiceValidationError) as err:
        await _switch(hass, "turn_on", SWITCH_1)
    assert err.value.translation_key == "no_room_settings"
    assert hass.states.get(SWITCH_1).state == STATE_OFF
    assert runtime(loaded_entry).autopilot.auto_control[1] is False


async def test_group_with_room_settings_starts_on_and_can_be_switched(
    hass: HomeAssistant, rooms_entry: MockConfigEntry
) -> None:
    assert await hass.config_entries.async_setup(rooms_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(SWITCH_0).state == STATE_ON
    assert hass.states.get("light.open_office") is not None  # the room name names the device
    await _switch(hass, "turn_off", SWITCH_0)
    assert hass.states.get(SWITCH_0).state == STATE_OFF
    assert runtime(rooms_entry).autopilot.auto_control[0] is False
    await _switch(hass, "turn_on", SWITCH_0)
    assert runtime(rooms_entry).autopilot.auto_control[0] is True


async def test_state_is_restored_after_restart(
    hass: HomeAssistant, rooms_entry: MockConfigEntry
) -> None:
    room = {"room_configured": True}
    er.async_get(hass).async_get_or_create(
        "switch",
        DOMAIN,
        "simulated-group-0-auto",
        suggested_object_id="open_office_automatic_control",
    )
    er.async_get(hass).async_get_or_create(
        "switch",
        DOMAIN,
        "simulated-group-1-auto",
        suggested_object_id="dali_group_1_automatic_control",
    )
    restore_states(hass, [State(SWITCH_0, STATE_OFF, room), State(SWITCH_1, STATE_ON, room)])
    assert await hass.config_entries.async_setup(rooms_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(SWITCH_0).state == STATE_OFF
    # group 1 has no room settings: a restored "on" does not make it automatic
    assert hass.states.get(SWITCH_1).state == STATE_OFF


async def test_a_disabled_switch_leaves_automatic_control_on(
    hass: HomeAssistant, rooms_entry: MockConfigEntry
) -> None:
    assert await hass.config_entries.async_setup(rooms_entry.entry_id)
    await hass.async_block_till_done()
    registry = er.async_get(hass)
    entity_id = next(
        e.entity_id
        for e in er.async_entries_for_config_entry(registry, rooms_entry.entry_id)
        if e.unique_id == "simulated-group-0-auto"
    )
    registry.async_update_entity(entity_id, disabled_by=er.RegistryEntryDisabler.USER)
    assert await hass.config_entries.async_reload(rooms_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(entity_id) is None  # the switch is gone from the UI ...
    assert runtime(rooms_entry).autopilot.auto_control[0] is True  # ... the room still adapts
    assert runtime(rooms_entry).autopilot.auto_control[1] is False  # no room settings: never
