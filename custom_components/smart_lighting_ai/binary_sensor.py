"""Diagnostic binary sensors on the bus device: interface, scheduler, database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
from .entity import bus_device_info, entry_key
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
