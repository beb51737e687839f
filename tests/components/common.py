"""Helpers for the Home Assistant tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.smart_lighting_ai.const import DOMAIN
from custom_components.smart_lighting_ai.dali.backends.simulated import SimulatedBackend
from custom_components.smart_lighting_ai.runtime import SmartLightingData

OFFICE_START = datetime(2026, 3, 10, 18, 0, 0, tzinfo=UTC)  # 11:00 in the harness's San Diego


def runtime(entry: MockConfigEntry) -> SmartLightingData:
    """The entry's runtime data."""
    data: SmartLightingData = entry.runtime_data
    return data


def simulator(entry: MockConfigEntry) -> SimulatedBackend:
    """The simulated backend behind a loaded entry."""
    backend = runtime(entry).bus.backend
    assert isinstance(backend, SimulatedBackend)
    return backend


ROOMS_OPTIONS = {
    "weather_entity": "weather.home",
    "groups": {
        "0": {
            "name": "Open office",
            "occupancy_entities": ["binary_sensor.office_motion"],
            "illuminance_entities": ["sensor.office_lux"],
        },
        "2": {
            "name": "Corridor",
            "occupancy_entities": ["binary_sensor.corridor_motion"],
            "illuminance_entities": [],
        },
    },
}


async def setup_office(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, *, corridor: str = "off"
) -> MockConfigEntry:
    """The two-room entry at OFFICE_START: the office occupied and dark for 10 minutes."""
    freezer.move_to(OFFICE_START - timedelta(minutes=10))
    hass.states.async_set("binary_sensor.office_motion", "on")
    hass.states.async_set("binary_sensor.corridor_motion", corridor)
    hass.states.async_set("sensor.office_lux", "40")
    await async_wait_recording_done(hass)
    freezer.move_to(OFFICE_START)
    entry = MockConfigEntry(
        domain=DOMAIN, data={"bus_type": "simulated"}, options=ROOMS_OPTIONS, unique_id="simulated"
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry
