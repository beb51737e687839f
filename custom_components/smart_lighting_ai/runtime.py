"""What a loaded config entry holds at run time, and the saved bus inventory."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .const import DOMAIN
from .dali import DaliBus, GroupController, Inventory

if TYPE_CHECKING:
    from .coordinator import SmartLightingCoordinator
    from .overrides import OverrideManager
    from .pipeline import DataPipeline
    from .profiles import ProfileManager
    from .telemetry import Telemetry

INVENTORY_STORE_VERSION = 1


@dataclass
class SmartLightingData:
    """Runtime data of one DALI bus entry."""

    bus: DaliBus
    controller: GroupController
    inventory_store: InventoryStore
    pipeline: DataPipeline
    overrides: OverrideManager
    coordinator: SmartLightingCoordinator
    profiles: ProfileManager
    telemetry: Telemetry
    options: dict[str, Any]
    auto_control: dict[int, bool] = field(default_factory=dict)
    bus_device_id: str | None = None  # the bus interface's device in the device registry


type SmartLightingConfigEntry = ConfigEntry[SmartLightingData]


class InventoryStore:
    """The last scan result of one bus, kept so a restart does not rescan."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Keep the inventory of entry ``entry_id`` in ``.storage``."""
        self._store: Store[dict[str, Any]] = Store(
            hass, INVENTORY_STORE_VERSION, f"{DOMAIN}.inventory.{entry_id}"
        )

    async def async_load(self) -> Inventory | None:
        """Return the saved inventory, or None when there is none or it is unreadable."""
        data = await self._store.async_load()
        if data is None:
            return None
        try:
            return Inventory.from_dict(data)
        except (KeyError, TypeError, ValueError):
            return None

    async def async_save(self, inventory: Inventory) -> None:
        """Save ``inventory``."""
        await self._store.async_save(inventory.to_dict())

    async def async_remove(self) -> None:
        """Delete the saved inventory."""
        await self._store.async_remove()
