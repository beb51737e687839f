"""The simulated line keeps its gear state in ``.storage``, as real gear keeps it in memory.

Without this, every reload or restart would hand back a line fresh from the factory: levels
off, scenes and addresses forgotten, which no real installation does.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store

from .const import DOMAIN
from .dali.backend import Backend
from .dali.backends.simulated import SimulatedBackend
from .runtime import SmartLightingConfigEntry

STORE_VERSION = 1
SAVE_DELAY_S = 5  # frames come in bursts; Home Assistant also writes pending saves at stop


def simulated_line_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    """Where the simulated line of entry ``entry_id`` keeps its gear."""
    return Store(hass, STORE_VERSION, f"{DOMAIN}.simulated_line.{entry_id}")


async def async_keep_simulated_line(
    hass: HomeAssistant, entry: SmartLightingConfigEntry, backend: Backend
) -> None:
    """Give a simulated ``backend`` its saved gear, and save every change it takes."""
    if not isinstance(backend, SimulatedBackend):
        return
    store = simulated_line_store(hass, entry.entry_id)
    if (saved := await store.async_load()) is not None:
        backend.restore(saved)

    @callback
    def _changed() -> None:
        store.async_delay_save(backend.snapshot, SAVE_DELAY_S)

    async def _save_now() -> None:
        backend.on_change = None
        await store.async_save(backend.snapshot())

    backend.on_change = _changed
    entry.async_on_unload(_save_now)
