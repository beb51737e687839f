"""System health: the state of each DALI bus on the System information page."""

from __future__ import annotations

from typing import Any

from homeassistant.components import system_health
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback

from .const import DOMAIN


@callback
def async_register(hass: HomeAssistant, register: system_health.SystemHealthRegistration) -> None:
    """Register the info callback."""
    register.async_register_info(system_health_info)


async def system_health_info(hass: HomeAssistant) -> dict[str, Any]:
    """Interface, connection, gear, database and scheduler of every loaded bus."""
    info: dict[str, Any] = {}
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.state is not ConfigEntryState.LOADED:
            continue
        data = entry.runtime_data
        prefix = f"{entry.title}: " if len(hass.config_entries.async_entries(DOMAIN)) > 1 else ""
        info[f"{prefix}interface"] = data.bus.kind
        info[f"{prefix}connected"] = data.bus.connected
        info[f"{prefix}gear"] = len(data.controller.inventory.gear)
        info[f"{prefix}database"] = "ok" if data.pipeline.database_ok else "error"
        info[f"{prefix}scheduler"] = "running" if data.pipeline.running else "stopped"
    return info
