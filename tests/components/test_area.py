"""Room settings put the group's device in an area: the one named like the room is suggested."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er

from custom_components.smart_lighting_ai.const import DOMAIN

from .common import ROOMS_OPTIONS, setup_office

ROOM = ROOMS_OPTIONS["groups"]["0"]


def _device(hass: HomeAssistant, group: int) -> dr.DeviceEntry:
    """The group's device, found through its light (on every release)."""
    light = er.async_get(hass).async_get_entity_id("light", DOMAIN, f"simulated-group-{group}")
    assert light is not None
    entity = er.async_get(hass).async_get(light)
    assert entity is not None
    assert entity.device_id is not None
    device = dr.async_get(hass).async_get(entity.device_id)
    assert device is not None
    return device


def _suggested(result: Any, name: str) -> Any:
    key = next(k for k in result["data_schema"].schema if str(k) == name)
    return (key.description or {}).get("suggested_value")


async def _room_form(hass: HomeAssistant, entry_id: str, group: str) -> Any:
    result = await hass.config_entries.options.async_init(entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "room"}
    )
    return await hass.config_entries.options.async_configure(result["flow_id"], {"group": group})


async def test_the_area_named_like_the_room_is_suggested_and_set_on_the_device(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    areas = ar.async_get(hass)
    areas.async_create("Kitchen")
    office = areas.async_create("open Office")  # matched whatever the case
    entry = await setup_office(hass, freezer)

    result = await _room_form(hass, entry.entry_id, "0")
    assert _suggested(result, "area") == office.id
    assert _device(hass, 0).area_id is None  # only a suggestion until the form is sent

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**ROOM, "area": office.id}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert _device(hass, 0).area_id == office.id
    assert "area" not in entry.options["groups"]["0"]  # the device registry holds it (C5 shape)
    # the next time the form shows the device's area, and clearing it takes the area away
    result = await _room_form(hass, entry.entry_id, "0")
    assert _suggested(result, "area") == office.id
    result = await hass.config_entries.options.async_configure(result["flow_id"], ROOM)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert _device(hass, 0).area_id is None


async def test_no_area_is_suggested_without_a_match_and_an_unknown_one_is_refused(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    ar.async_get(hass).async_create("Kitchen")
    entry = await setup_office(hass, freezer)

    result = await _room_form(hass, entry.entry_id, "1")
    assert _suggested(result, "area") is None

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"name": "Store", "occupancy_entities": ["binary_sensor.office_motion"], "area": "gone"},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"area": "unknown_area"}
    kitchen = ar.async_get(hass).async_get_area_by_name("Kitchen")
    assert kitchen is not None
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "name": "Store",
            "occupancy_entities": ["binary_sensor.office_motion"],
            "area": kitchen.id,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert _device(hass, 1).area_id == kitchen.id
