"""System health: the state of each DALI bus on the System information page.

The keys are fixed (``system_health.info`` in strings.json labels them) and every value is a
word a user can read: the frontend would show a boolean as a raw ``true``. With several buses
each line lists them all, each value after its bus's title.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components import system_health
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback

from .const import DOMAIN
from .runtime import SmartLightingConfigEntry

INTERFACE_NAMES = {
    "simulated": "Simulated bus",
    "hid_tridonic": "Tridonic DALI-USB",
    "hid_hasseb": "hasseb DALI Master",
    "serial": "Serial interface",
}


@callback
def async_register(hass: HomeAssistant, register: system_health.SystemHealthRegistration) -> None:
    """Register the info callback."""
    register.async_register_info(system_health_info)


def bus_info(entry: SmartLightingConfigEntry) -> dict[str, str]:
    """Interface, connection, gear, database and scheduler of one loaded bus, in words."""
    data = entry.runtime_data
    gear = len(data.controller.inventory.gear)
    return {
        "interface": INTERFACE_NAMES.get(data.bus.kind, data.bus.kind),
        "connected": "Connected" if data.bus.connected else "Disconnected",
        "gear": f"{gear} control gear",
        "database": "OK" if data.pipeline.database_ok else "Error",
        "scheduler": "Running" if data.pipeline.running else "Stopped",
    }


async def system_health_info(hass: HomeAssistant) -> dict[str, Any]:
    """One line per figure; with several buses each line names every bus."""
    loaded: list[SmartLightingConfigEntry] = [
        entry
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.state is ConfigEntryState.LOADED
    ]
    buses = [(entry.title, bus_info(entry)) for entry in loaded]
    if len(buses) == 1:
        return dict(buses[0][1])
    info: dict[str, Any] = {}
    for title, figures in buses:
        for key, value in figures.items():
            line = f"{title}: {value}"
            info[key] = f"{info[key]}; {line}" if key in info else line
    return info
