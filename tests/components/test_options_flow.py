"""Options flow: room settings and pipeline settings, every step and error."""

from __future__ import annotations

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_lighting_ai.const import DOMAIN

from ..fake_openai import API_KEY, FakeOpenAI
from .common import runtime


@pytest.fixture(autouse=True)
def _sensors(hass: HomeAssistant) -> None:
    hass.states.async_set("binary_sensor.office_motion", "off", {"device_class": "motion"})
    hass.states.async_set("sensor.office_lux", "120", {"device_class": "illuminance"})
    hass.states.async_set("weather.home", "sunny")


async def _menu(hass: HomeAssistant, entry: MockConfigEntry, choice: str) -> dict:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["room", "settings", "predictor"]
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": choice}
    )


async def test_room_settings_are_stored_in_contract_shape_and_reload(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await _menu(hass, loaded_entry, "room")
    assert result["step_id"] == "room"
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"group": "1"})
    assert result["step_id"] == "room_settings"
    flow_id = result["flow_id"]
    result = await hass.config_entries.options.async_configure(
        flow_id, {"name": "  ", "occupancy_entities": [], "illuminance_entities": []}
    )
    assert result["errors"] == {"name": "invalid_name", "base": "no_sensors"}
    result = await hass.config_entries.options.async_configure(
        flow_id, {"name": "Meeting room", "occupancy_entities": ["binary_sensor.ghost"]}
    )
    assert result["errors"] == {"base": "unknown_entity"}
    result = await hass.config_entries.options.async_configure(
        flow_id,
        {
            "name": " Meeting room ",
            "occupancy_entities": ["binary_sensor.office_motion"],
            "illuminance_entities": ["sensor.office_lux"],
            "rated_watts": 72,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert loaded_entry.options["groups"] == {
        "1": {
            "name": "Meeting room",
            "occupancy_entities": ["binary_sensor.office_motion"],
            "illuminance_entities": ["sensor.office_lux"],
        }
    }
    assert loaded_entry.options["rated_watts"] == {"1": 72.0}
    # the entry reloaded: the group is now automatic and named after the room
    switch = er.async_get(hass).async_get_entity_id("switch", DOMAIN, "simulated-group-1-auto")
    assert switch is not None
    assert hass.states.get(switch).state == "on"
    assert runtime(loaded_entry).autopilot.auto_control[1] is True


async def test_room_settings_can_be_removed(hass: HomeAssistant) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={"bus_type": "simulated"},
        unique_id="simulated",
        options={
            "groups": {
                "0": {
                    "name": "Lobby",
                    "occupancy_entities": ["binary_sensor.office_motion"],
                    "illuminance_entities": [],
                }
            }
        },
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    result = await _menu(hass, entry, "room")
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"group": "0"})
    schema_defaults = {
        str(k): k.default()
        for k in result["data_schema"].schema
        if hasattr(k, "default") and callable(k.default)
    }
    assert schema_defaults["name"] == "Lobby"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"name": "Lobby", "remove": True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options["groups"] == {}


async def test_pipeline_settings(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    result = await _menu(hass, loaded_entry, "settings")
    assert result["step_id"] == "settings"
    flow_id = result["flow_id"]
    with pytest.raises(InvalidData):  # the number selectors hold the 1-60 and 1-365 ranges
        await hass.config_entries.options.async_configure(
            flow_id, {"feature_window_minutes": 0, "retention_days": 30}
        )
    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(
            flow_id, {"feature_window_minutes": 5, "retention_days": 400}
        )
    result = await hass.config_entries.options.async_configure(
        flow_id,
        {"weather_entity": "weather.nowhere", "feature_window_minutes": 5, "retention_days": 30},
    )
    assert result["errors"] == {"weather_entity": "unknown_entity"}
    result = await hass.config_entries.options.async_configure(
        flow_id,
        {"weather_entity": "weather.home", "feature_window_minutes": 10, "retention_days": 7},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert loaded_entry.options == {
        "weather_entity": "weather.home",
        "feature_window_minutes": 10,
        "retention_days": 7,
    }
    assert runtime(loaded_entry).pipeline.window.total_seconds() == 600
    result = await _menu(hass, loaded_entry, "settings")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"feature_window_minutes": 5, "retention_days": 30}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert "weather_entity" not in loaded_entry.options


async def test_options_need_a_loaded_bus(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_loaded"


async def test_local_predictor_and_automatic_control_settings(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await _menu(hass, loaded_entry, "predictor")
    assert result["step_id"] == "predictor"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "predictor": "local",
            "anti_flicker_seconds": 300,
            "override_minutes": 90,
            "shadow_mode": True,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert loaded_entry.options == {
        "predictor": "local",
        "anti_flicker_seconds": 300,
        "override_minutes": 90,
        "shadow_mode": True,
    }
    assert runtime(loaded_entry).autopilot.settings.shadow_mode is True
    assert runtime(loaded_entry).overrides.duration.total_seconds() == 90 * 60


async def test_room_without_rated_power_keeps_the_default(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await _menu(hass, loaded_entry, "room")
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"group": "3"})
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"name": "Lobby", "occupancy_entities": ["binary_sensor.office_motion"]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert "rated_watts" not in loaded_entry.options


async def test_emptied_predictor_fields_are_removed(
    hass: HomeAssistant, fake_openai: FakeOpenAI
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={"bus_type": "simulated"},
        unique_id="simulated",
        options={
            "predictor": "local",
            "api_key": API_KEY,
            "model": "m1",
            "ai_price_input_per_mtok": 0.15,
        },
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    result = await _menu(hass, entry, "predictor")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "predictor": "openai",
            "anti_flicker_seconds": 120,
            "override_minutes": 60,
            "shadow_mode": False,
        },
    )
    assert result["step_id"] == "ai"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "base_url": fake_openai.base_url,
            "model": "",
            "payload_cap_bytes": 16384,
            "ai_calls_per_hour": 60,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert "model" not in entry.options
    assert "ai_price_input_per_mtok" not in entry.options
    assert entry.options["api_key"] == API_KEY  # an empty key field keeps the stored key
    assert isinstance(entry.options["payload_cap_bytes"], int)


async def test_a_stated_desk_to_sensor_ratio_is_kept_with_the_room(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await _menu(hass, loaded_entry, "room")
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"group": "1"})
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "name": "Meeting room",
            "illuminance_entities": ["sensor.office_lux"],
            "desk_daylight_ratio": 0.3,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert loaded_entry.options["groups"]["1"]["desk_daylight_ratio"] == 0.3
    assert runtime(loaded_entry).autopilot.limits(1).desk_daylight_ratio == 0.3
