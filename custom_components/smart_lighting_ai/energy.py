"""Estimated energy per group: rated watts x light output x time (for the Energy dashboard)."""

from __future__ import annotations

from datetime import datetime, timedelta

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorStateClass,
)
from homeassistant.const import UnitOfEnergy
from homeassistant.core import callback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util

from .const import CONF_RATED_WATTS, DEFAULT_WATTS_PER_GEAR
from .entity import SmartLightingGroupEntity
from .predictor.lamp import light_output
from .runtime import SmartLightingConfigEntry
from .setpoints import pct_from_level

ACCUMULATE_EVERY = timedelta(seconds=60)


def rated_watts(entry: SmartLightingConfigEntry, group: int) -> float:
    """The group's rated power: the option, or 10 W per member gear."""
    configured = entry.options.get(CONF_RATED_WATTS, {}).get(str(group))
    if configured is not None:
        return float(configured)
    return DEFAULT_WATTS_PER_GEAR * len(entry.runtime_data.controller.groups[group].members)


class EnergySensor(SmartLightingGroupEntity, RestoreSensor):
    """kWh the group's lamps used, estimated from their level over time."""

    _attr_translation_key = "energy"
    _attr_device_class = SensorDeviceClass.ENERGY
    _attr_state_class = SensorStateClass.TOTAL_INCREASING
    _attr_native_unit_of_measurement = UnitOfEnergy.KILO_WATT_HOUR
    _attr_suggested_display_precision = 3

    def __init__(self, entry: SmartLightingConfigEntry, group: int) -> None:
        """Create the energy sensor of group ``group``."""
        super().__init__(entry, group, "-energy")
        self._watts = rated_watts(entry, group)
        self._kwh = 0.0
        self._since = dt_util.utcnow()
        self._output = self._current_output()

    @property
    def native_value(self) -> float:
        """Energy so far in kWh."""
        return round(self._kwh, 6)

    async def async_added_to_hass(self) -> None:
        """Continue from the last value and follow the group's level."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_sensor_data()) is not None:
            value = last.native_value
            self._kwh = float(value) if isinstance(value, int | float) else 0.0
        self._since = dt_util.utcnow()
        self.async_on_remove(self._data.controller.add_listener(self._group_changed))
        self.async_on_remove(async_track_time_interval(self.hass, self._tick, ACCUMULATE_EVERY))

    def _current_output(self) -> float:
        state = self._data.controller.states[self._group]
        return light_output(pct_from_level(state.level))

    def _accumulate(self, now: datetime) -> None:
        hours = max(0.0, (now - self._since).total_seconds()) / 3600
        self._kwh += self._watts * self._output * hours / 1000
        self._since = now

    @callback
    def _group_changed(self, group: int) -> None:
        if group == self._group:
            self._accumulate(dt_util.utcnow())
            self._output = self._current_output()
            self.async_write_ha_state()

    @callback
    def _tick(self, now: datetime) -> None:
        self._accumulate(now)
        self.async_write_ha_state()
