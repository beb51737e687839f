"""Helpers for the Home Assistant tests."""

from __future__ import annotations

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_lighting_ai.dali.backends.simulated import SimulatedBackend
from custom_components.smart_lighting_ai.runtime import SmartLightingData


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
