"""Diagnostic sensors on the bus device: today's AI calls, tokens and estimated cost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from homeassistant.components.sensor import (
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory
from homeassistant.core import callback
from homeassistant.util import dt as dt_util

from .entity import bus_device_info, entry_key
from .runtime import SmartLightingConfigEntry


@dataclass(frozen=True, kw_only=True)
class UsageDescription(SensorEntityDescription):
    """Which of today's telemetry counters a sensor shows."""

    counters: tuple[str, ...]


USAGE = (
    UsageDescription(
        key="ai_calls_today", translation_key="ai_calls_today", counters=("ai_calls",)
    ),
    UsageDescription(
        key="ai_tokens_today",
        translation_key="ai_tokens_today",
        counters=("tokens_in", "tokens_out"),
    ),
    UsageDescription(
        key="ai_cost_today",
        translation_key="ai_cost_today",
        counters=("cost",),
        suggested_display_precision=4,
    ),
)


class UsageSensor(SensorEntity):
    """One of today's AI usage figures, updated after every cycle."""

    _attr_has_entity_name = True
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_state_class = SensorStateClass.TOTAL
    entity_description: UsageDescription

    def __init__(self, entry: SmartLightingConfigEntry, description: UsageDescription) -> None:
        """Create ``description`` for ``entry``'s bus."""
        self.entity_description = description
        self._telemetry = entry.runtime_data.telemetry
        self._attr_unique_id = f"{entry_key(entry)}-{description.key}"
        self._attr_device_info = bus_device_info(entry)

    @property
    def last_reset(self) -> datetime:
        """The counters start again every local midnight."""
        return dt_util.start_of_local_day()

    @property
    def native_value(self) -> float | int:
        """Today's value (whole numbers for counts)."""
        value = sum(self._telemetry.today.get(c, 0.0) for c in self.entity_description.counters)
        return int(value) if float(value).is_integer() else value

    async def async_added_to_hass(self) -> None:
        """Follow the telemetry flushes."""
        self.async_on_remove(self._telemetry.add_listener(self._flushed))

    @callback
    def _flushed(self) -> None:
        self.async_write_ha_state()
