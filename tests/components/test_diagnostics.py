"""Config entry diagnostics (contract C4)."""

from __future__ import annotations

import json

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.smart_lighting_ai.const import DOMAIN
from custom_components.smart_lighting_ai.diagnostics import async_get_config_entry_diagnostics

from .common import OFFICE_START, setup_office

SECRET = "sk-very-secret-key-123"


async def test_diagnostics_report_bus_and_gear_as_read(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={"bus_type": "simulated"},
        options={"predictor": "openai", "api_key": SECRET},
        unique_id="simulated",
    )
    entry.add_to_hass(hass)
    assert await async_setup_component(hass, "diagnostics", {})
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    before = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    await hass.services.async_call(
        "light",
        "turn_on",
        {"entity_id": "light.dali_group_0", "brightness": 255, "color_temp_kelvin": 4000},
        blocking=True,
    )
    after = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    assert after["bus"]["type"] == "simulated"
    assert after["bus"]["connected"] is True
    # DTR0, DTR1, EnableDeviceType + SetTemporaryColourTemperature,
    # EnableDeviceType + Activate, DAPC
    assert after["bus"]["frames_sent"] - before["bus"]["frames_sent"] == 7
    assert after["bus"]["bus_time_s"] > before["bus"]["bus_time_s"]
    gear = {g["short_address"]: g for g in after["gear"]}
    assert sorted(gear) == list(range(19))  # the unaddressed two are not read
    assert gear[0] == {
        "short_address": 0,
        "groups": [0],
        "device_types": [8],
        "actual_level": 254,
        "color_temp_kelvin": 4000,
        "gtin": 4012345000016,
        "serial": 100001,
    }
    assert gear[12] == {
        "short_address": 12,
        "groups": [3],
        "device_types": [6],
        "actual_level": 0,
        "color_temp_kelvin": None,
        "gtin": 4012345000023,
        "serial": 100013,
    }
    text = json.dumps(after)
    assert SECRET not in text
    assert after["entry"]["options"]["api_key"] == "**REDACTED**"


async def test_diagnostics_while_disconnected(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, loaded_entry: MockConfigEntry
) -> None:
    assert await async_setup_component(hass, "diagnostics", {})
    loaded_entry.runtime_data.bus.backend.unplug()
    result = await get_diagnostics_for_config_entry(hass, hass_client, loaded_entry)
    assert result["bus"]["connected"] is False
    assert {g["actual_level"] for g in result["gear"]} == {None}


async def test_diagnostics_show_the_weather_the_last_aggregation_stored(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    entry = await setup_office(hass, freezer)
    assert (await async_get_config_entry_diagnostics(hass, entry))["weather"] is None
    hass.states.async_set("weather.home", "rainy", {"cloud_coverage": 100, "temperature": 7})
    await hass.services.async_call(DOMAIN, "aggregate_now", {}, blocking=True, return_response=True)
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert diagnostics["weather"]["condition"] == "rainy"
    assert diagnostics["weather"]["cloud_coverage"] == 100
    assert diagnostics["weather"]["at"] == OFFICE_START.isoformat()
