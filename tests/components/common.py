"""Helpers for the Home Assistant tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import restore_state
from pytest_homeassistant_custom_component.common import MockConfigEntry, mock_restore_cache
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.smart_lighting_ai.const import DOMAIN
from custom_components.smart_lighting_ai.dali.backends.simulated import SimulatedBackend
from custom_components.smart_lighting_ai.runtime import SmartLightingData

OFFICE_START = datetime(2026, 3, 10, 18, 0, 0, tzinfo=UTC)  # 11:00 in the harness's San Diego


def restore_states(hass: HomeAssistant, states: list[State]) -> None:
    """Make ``states`` what entities restore at their next start, as after a restart.

    The harness's ``mock_restore_cache`` (phacc 0.13.375) fills ``last_states``; Home Assistant
    2026.11 looks stored states up by entity registry id instead, so for an entity already in the
    registry (as after a real restart) the state is filed under its registry id too.
    """
    mock_restore_cache(hass, states)
    data: Any = restore_state.async_get(hass)
    if hasattr(data, "last_states_by_entity_registry_id"):  # Home Assistant 2026.11
        registry = er.async_get(hass)
        for entity_id, stored in data.last_states.items():
            if (entry := registry.async_get(entity_id)) is not None:
                stored.entity_registry_id = entry.id
                data.last_states_by_entity_registry_id[entry.id] = stored
            else:
                data.last_states_by_entity_id[entity_id] = stored


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
