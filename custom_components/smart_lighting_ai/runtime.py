"""What a loaded config entry holds at run time, and the saved bus inventory."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .const import DOMAIN
from .dali import DaliBus, GroupController, Inventory

if TYPE_CHECKING:
    from .autopilot import Autopilot
    from .coordinator import BusStateCoordinator
    from .emergency_monitor import EmergencyMonitor
    from .energy_meters import EnergyMeters
    from .faults import FaultMonitor
    from .gear_settings import GearSettings
    from .input_devices import InputDevices
    from .overrides import OverrideManager
    from .pipeline import DataPipeline
    from .profiles import ProfileManager
    from .telemetry import Telemetry

INVENTORY_STORE_VERSION = 1


@dataclass
class SmartLightingData:
    """Runtime data of one DALI bus entry.

    ``state`` is what the bus shows (entities follow it); ``autopilot`` decides and owns
    the overrides, the profiles and the automatic-control switches.
    """

    bus: DaliBus
    controller: GroupController
    inventory_store: InventoryStore
    state: BusStateCoordinator
    pipeline: DataPipeline
    autopilot: Autopilot
    telemetry: Telemetry
    options: dict[str, Any]
    bus_device_id: str | None = None  # the bus interface's device in the device registry
    faults: FaultMonitor | None = None  # lamp and gear failures (faults.py)
    meters: EnergyMeters | None = None  # bank 202 energy meters (energy_meters.py)
    emergency: EmergencyMonitor | None = None  # DT1 tests (emergency_monitor.py)
    inputs: InputDevices | None = None  # DALI-2 buttons and sensors (input_devices.py)
    gear_settings: GearSettings | None = None  # scenes and gear configuration (gear_settings.py)

    @property
    def overrides(self) -> OverrideManager:
        """The manual overrides (the autopilot's)."""
        return self.autopilot.overrides

    @property
    def profiles(self) -> ProfileManager:
        """The room profiles (the autopilot's)."""
        return self.autopilot.profiles


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
