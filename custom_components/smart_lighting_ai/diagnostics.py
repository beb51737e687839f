"""Config entry diagnostics (contract C4)."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_API_KEY
from homeassistant.core import HomeAssistant

from .dali import DaliError
from .dali.conversions import mirek_to_kelvin
from .runtime import SmartLightingConfigEntry
from .store import Store, StoreError

TO_REDACT = {CONF_API_KEY, "fernet_key", "fernet_keys", "profile", "profiles"}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: SmartLightingConfigEntry
) -> dict[str, Any]:
    """Return bus counters and every gear as read from the bus now.

    The snapshot's own queries are not counted in ``frames_sent``/``bus_time_s``.
    """
    data = entry.runtime_data
    bus = data.bus
    gear: list[dict[str, Any]] = []
    for info in data.controller.inventory.gear:
        level = mirek = None
        if bus.connected:
            try:
                reading = await data.controller.read_gear(info, counted=False)
            except DaliError:
                pass
            else:
                level, mirek = reading.level, reading.mirek
        gear.append(
            {
                "short_address": info.short_address,
                "groups": sorted(info.groups),
                "device_types": list(info.device_types),
                "actual_level": level,
                "color_temp_kelvin": mirek_to_kelvin(mirek) if mirek else None,
                "gtin": info.gtin,
                "serial": info.serial,
            }
        )
    return {
        "entry": async_redact_data(
            {"title": entry.title, "data": dict(entry.data), "options": dict(entry.options)},
            TO_REDACT,
        ),
        "bus": {
            "type": bus.kind,
            "connected": bus.connected,
            "frames_sent": bus.frames_sent,
            "bus_time_s": round(bus.bus_time_s, 4),
            "commands_sent": bus.commands_sent,
            "errors": bus.errors,
            "last_error": bus.last_error,
        },
        "gear": gear,
        "auto_control": {str(k): v for k, v in data.autopilot.auto_control.items()},
        "weather": await _latest_weather(data.pipeline.store, entry.entry_id),
    }


async def _latest_weather(store: Store | None, entry_id: str) -> dict[str, Any] | None:
    """The weather the last aggregation saw, as stored with its time (None: none stored)."""
    if store is None:
        return None
    try:
        row = await store.latest_weather(entry_id)
    except StoreError:
        return None
    return None if row is None else {"at": row.ts.isoformat(), **row.data}
