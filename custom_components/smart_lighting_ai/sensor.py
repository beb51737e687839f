"""A sensor per group with the last decision, so a user sees why the lights did what they did."""

from __future__ import annotations

from typing import Any

from homeassistant.components.sensor import SensorEntity
from homeassistant.const import PERCENTAGE
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .coordinator import SmartLightingCoordinator, decision_attributes
from .energy import EnergySensor
from .entity import SmartLightingGroupEntity
from .runtime import SmartLightingConfigEntry
from .usage_sensors import USAGE, UsageSensor

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartLightingConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """A decision and an energy sensor per group; today's AI usage on the bus device."""
    groups = entry.runtime_data.controller.groups
    entities: list[SensorEntity] = [DecisionSensor(entry, n) for n in groups]
    entities += [EnergySensor(entry, n) for n in groups]
    entities += [UsageSensor(entry, description) for description in USAGE]
    async_add_entities(entities)


class DecisionSensor(
    CoordinatorEntity[SmartLightingCoordinator], SmartLightingGroupEntity, SensorEntity
):
    """The brightness the predictor chose last, with its reason, source and confidence."""

    _attr_translation_key = "decision"
    _attr_native_unit_of_measurement = PERCENTAGE
    _attr_suggested_display_precision = 0

    def __init__(self, entry: SmartLightingConfigEntry, group: int) -> None:
        """Create the decision sensor of group ``group``."""
        CoordinatorEntity.__init__(self, entry.runtime_data.coordinator)
        SmartLightingGroupEntity.__init__(self, entry, group, "-decision")

    @property
    def native_value(self) -> float | None:
        """The decided brightness in percent (0 = off)."""
        record = (self.coordinator.data or {}).get(self._group)
        return round(record.decision.brightness_pct, 1) if record else None

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Reason, source, confidence, colour temperature and whether it was applied."""
        record = (self.coordinator.data or {}).get(self._group)
        return decision_attributes(record) if record else None
