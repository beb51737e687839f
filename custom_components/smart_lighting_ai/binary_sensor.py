"""Binary sensors: the bus device's diagnostics (interface, scheduler, database) and features'.

The features' sensors: lamp and control gear failure of every fitting (``faults.py``), the
emergency problem of every emergency fitting (``emergency_monitor.py``), and occupancy from
DALI-2 input devices (``input_devices.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .coordinator import BusStateCoordinator
from .dali import GearInfo
from .dali.input_devices import OCCUPANCY
from .dali.status import GearStatus
from .dynamic import async_add_dynamic_entities
from .emergency_monitor import emergency_fittings
from .entity import (
    EmergencyFittingEntity,
    InputDeviceEntity,
    SmartLightingFittingEntity,
    bus_device_info,
    entry_key,
)
from .input_devices import input_devices_of
from .runtime import SmartLightingConfigEntry, SmartLightingData

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class BusBinarySensorDescription(BinarySensorEntityDescription):
    """How to read one binary sensor from the runtime data."""

    is_on: Callable[[SmartLightingData], bool]


DESCRIPTIONS = (
    BusBinarySensorDescription(
        key="interface",
        translation_key="interface",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        is_on=lambda data: data.bus.connected,
    ),
    BusBinarySensorDescription(
        key="scheduler",
        translation_key="scheduler",
        device_class=BinarySensorDeviceClass.RUNNING,
        is_on=lambda data: data.pipeline.running,
    ),
    BusBinarySensorDescription(
        key="database",
        translation_key="database",
        device_class=BinarySensorDeviceClass.PROBLEM,
        is_on=lambda data: not data.pipeline.database_ok,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartLightingConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the three diagnostic binary sensors."""
    async_add_entities(BusBinarySensor(entry, description) for description in DESCRIPTIONS)
    async_add_dynamic_entities(entry, async_add_entities, fault_entities)
    async_add_dynamic_entities(entry, async_add_entities, emergency_binary_sensors)
    async_add_dynamic_entities(entry, async_add_entities, occupancy_sensors)


class BusBinarySensor(CoordinatorEntity[BusStateCoordinator], BinarySensorEntity):
    """A health signal of the bus entry, written with every bus-state update and health check."""

    _attr_has_entity_name = True
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    entity_description: BusBinarySensorDescription

    def __init__(
        self, entry: SmartLightingConfigEntry, description: BusBinarySensorDescription
    ) -> None:
        """Create the sensor ``description`` of ``entry``'s bus."""
        super().__init__(entry.runtime_data.state)
        self.entity_description = description
        self._data = entry.runtime_data
        self._attr_unique_id = f"{entry_key(entry)}-{description.key}"
        self._attr_device_info = bus_device_info(entry)

    @property
    def is_on(self) -> bool:
        """Read the signal now."""
        return self.entity_description.is_on(self._data)

    @property
    def available(self) -> bool:
        """Always: these sensors report the bus being down, they do not go away with it."""
        return True

    async def async_added_to_hass(self) -> None:
        """Also follow the database health checks."""
        await super().async_added_to_hass()
        self._data.pipeline.health_listeners.append(self._health_checked)
        self.async_on_remove(
            lambda: self._data.pipeline.health_listeners.remove(self._health_checked)
        )

    @callback
    def _health_checked(self, _ok: bool) -> None:
        self.async_write_ha_state()


# lamp and control gear failure (faults.py) ------------------------------------------------


def fault_entities(entry: SmartLightingConfigEntry) -> list[BinarySensorEntity]:
    """The lamp and gear failure sensors of every fitting (for ``async_add_dynamic_entities``)."""
    if entry.runtime_data.faults is None:
        return []
    return [
        kind(entry, gear)
        for gear in entry.runtime_data.controller.inventory.gear
        for kind in (LampFailureSensor, GearFailureSensor)
    ]


class _FaultSensor(
    CoordinatorEntity[BusStateCoordinator], SmartLightingFittingEntity, BinarySensorEntity
):
    """A problem sensor of one fitting, from the fault monitor's last status read."""

    _attr_device_class = BinarySensorDeviceClass.PROBLEM
    suffix = ""

    def __init__(self, entry: SmartLightingConfigEntry, gear: GearInfo) -> None:
        """The sensor of ``gear``."""
        CoordinatorEntity.__init__(self, entry.runtime_data.state)
        SmartLightingFittingEntity.__init__(self, entry, gear, self.suffix)
        monitor = entry.runtime_data.faults
        assert monitor is not None
        self._monitor = monitor

    async def async_added_to_hass(self) -> None:
        """Follow the status reads made outside the coordinator's updates too."""
        await super().async_added_to_hass()
        self.async_on_remove(self._monitor.add_listener(self.async_write_ha_state))

    @property
    def _status(self) -> GearStatus | None:
        return self._monitor.status(self._key)

    @property
    def available(self) -> bool:
        """Unavailable while the bus is down, or the fitting is gone or missing."""
        gear = self.gear
        return self.coordinator.connected and gear is not None and not self._monitor.missing(gear)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """The DT6 LED failure detail, once read."""
        status = self._status
        if status is None or status.led is None:
            return None
        return status.led.as_dict()


class LampFailureSensor(_FaultSensor):
    """On while the fitting reports a lamp failure."""

    _attr_translation_key = "lamp_failure"
    suffix = "-lamp_failure"

    @property
    def is_on(self) -> bool | None:
        """Lamp failure (unknown before the first read)."""
        status = self._status
        return None if status is None else status.lamp_failure


class GearFailureSensor(_FaultSensor):
    """On while the fitting reports a control gear failure."""

    _attr_translation_key = "gear_failure"
    suffix = "-gear_failure"

    @property
    def is_on(self) -> bool | None:
        """Control gear failure (unknown before the first read)."""
        status = self._status
        return None if status is None else status.gear_failure


# emergency lighting (emergency_monitor.py) ------------------------------------------------


def emergency_binary_sensors(entry: SmartLightingConfigEntry) -> list[BinarySensorEntity]:
    """The problem sensor of every emergency fitting."""
    return [EmergencyProblemSensor(entry, g) for g in emergency_fittings(entry)]


class EmergencyProblemSensor(EmergencyFittingEntity, BinarySensorEntity):
    """On while the fitting's emergency lighting has a fault, a failed or an overdue test."""

    _attr_device_class = BinarySensorDeviceClass.PROBLEM
    _attr_translation_key = "emergency_problem"

    def __init__(self, entry: SmartLightingConfigEntry, gear: GearInfo) -> None:
        """The problem sensor of ``gear``."""
        super().__init__(entry, gear, "emergency_problem")

    @property
    def is_on(self) -> bool | None:
        """Whether something is wrong with the emergency lighting."""
        record = self._record
        if record is None or record.status is None:
            return None
        return record.status_summary in ("failure", "test_overdue")


# occupancy from DALI-2 input devices (input_devices.py) ----------------------------------


def occupancy_sensors(entry: SmartLightingConfigEntry) -> list[InputOccupancySensor]:
    """A binary sensor per occupancy instance."""
    inputs = input_devices_of(entry)
    return (
        [InputOccupancySensor(entry, d, n) for d, n in inputs.instances(OCCUPANCY)]
        if inputs
        else []
    )


class InputOccupancySensor(InputDeviceEntity, BinarySensorEntity):
    """An occupancy instance: on while the sensor says the room is occupied."""

    _attr_device_class = BinarySensorDeviceClass.OCCUPANCY
    _attr_translation_key = "input_occupancy"

    @property
    def is_on(self) -> bool | None:
        """What the sensor said last (unknown until it said anything)."""
        return self._inputs.occupied.get(self._key)

    @property
    def available(self) -> bool:
        """Unavailable while the bus is down."""
        return self.coordinator.connected
