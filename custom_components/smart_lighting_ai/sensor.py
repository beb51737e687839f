"""Sensors: the last decision and the estimated energy of every group; today's AI usage.

And what automatic control is doing in each room (a group with room settings):
- **Manual override until**: when automatic control takes the room back (unknown: no override).
- **Vacancy timeout**: the room's current timeout, with the profile's value and how much the
  room lengthened it for people sitting still.
- **Learned brightness offset**: the points people tend to add or take away, decayed.
- **Lamp light at the sensor** (diagnostic): the lamps' light at the illuminance sensor at
  100 %, measured from the integration's own steps (the profile's value until measured), with
  the desk-to-sensor daylight ratio of the room settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import LIGHT_LUX, PERCENTAGE, EntityCategory, UnitOfEnergy, UnitOfTime
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.update_coordinator import CoordinatorEntity
from homeassistant.util import dt as dt_util

from .autopilot import decision_attributes
from .brightness import pct_from_level
from .const import (
    CONF_GROUPS,
    CONF_PREDICTOR,
    CONF_RATED_WATTS,
    DEFAULT_WATTS_PER_GEAR,
    PREDICTOR_OPENAI,
)
from .coordinator import BusStateCoordinator
from .entity import SmartLightingGroupEntity, bus_device_info, entry_key
from .predictor.lamp import light_output
from .runtime import SmartLightingConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartLightingConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """An energy sensor per group, a decision sensor per room; today's AI usage on the bus.

    Only a group with room settings is ever decided for: a decision sensor on any other group
    would sit at "unknown" for good.
    """
    groups = entry.runtime_data.controller.groups
    rooms = entry.options.get(CONF_GROUPS, {})
    entities: list[SensorEntity] = [DecisionSensor(entry, n) for n in groups if str(n) in rooms]
    entities += [EnergySensor(entry, n) for n in groups]
    entities += room_sensors(entry)
    currency = hass.config.currency
    entities += [UsageSensor(entry, description, currency) for description in USAGE]
    if uses_ai(entry):
        _enable_usage_sensors(hass, entry)
    async_add_entities(entities)


def uses_ai(entry: SmartLightingConfigEntry) -> bool:
    """Whether the entry asks the OpenAI-compatible predictor."""
    return entry.options.get(CONF_PREDICTOR) == PREDICTOR_OPENAI


def _enable_usage_sensors(hass: HomeAssistant, entry: SmartLightingConfigEntry) -> None:
    """Enable the AI usage sensors we disabled while the local predictor was in use."""
    registry = er.async_get(hass)
    unique_ids = {usage_unique_id(entry, description) for description in USAGE}
    for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
        if (
            entity.unique_id in unique_ids
            and entity.disabled_by is er.RegistryEntryDisabler.INTEGRATION
        ):
            registry.async_update_entity(entity.entity_id, disabled_by=None)


class DecisionSensor(SmartLightingGroupEntity, SensorEntity):
    """The brightness the predictor chose last, with its reason, source and confidence.

    Written after every decision cycle; ``homeassistant.update_entity`` only re-reads it and
    never runs a cycle (that would send frames and could relight a room).

    Before the room's first decision its state is ``waiting`` (translated "Waiting for the
    first window"), without a unit, rather than "unknown": Assist then answers "Office last
    decision is waiting" instead of "Office last decision is unknown %". Home Assistant does
    not expose a sensor without a device class to Assist by default, so this one is exposed
    once, when it is first set up on a release that does it (a marker in its registry options
    under the integration's domain records that); a later choice in Settings -> Voice
    assistants is kept, and nothing is exposed while Assist is set not to expose new entities.
    """

    _attr_translation_key = "decision"
    WAITING = "waiting"
    EXPOSED_ONCE = "assist_exposed_once"

    def __init__(self, entry: SmartLightingConfigEntry, group: int) -> None:
        """Create the decision sensor of group ``group``."""
        super().__init__(entry, group, "-decision")

    async def async_added_to_hass(self) -> None:
        """Follow the decision cycles; be exposed to Assist once."""
        await super().async_added_to_hass()
        self._decided_before = self._group in self._data.autopilot.records
        self.async_on_remove(self._data.autopilot.add_listener(self._cycle_done))
        self._expose_to_assist_once()

    @callback
    def _cycle_done(self) -> None:
        if not self._decided_before and self._group in self._data.autopilot.records:
            self._decided_before = True
            if self.registry_entry is not None:  # store the whole-percent display precision
                self.async_registry_entry_updated()
        self.async_write_ha_state()

    def _expose_to_assist_once(self) -> None:
        from .const import DOMAIN
        from .switch import async_expose_to_assist

        if (registry_entry := self.registry_entry) is None:
            return
        ours = dict(registry_entry.options.get(DOMAIN) or {})
        if ours.get(self.EXPOSED_ONCE):
            return
        async_expose_to_assist(self.hass, self.entity_id, only_if_hidden=False)
        er.async_get(self.hass).async_update_entity_options(
            self.entity_id, DOMAIN, {**ours, self.EXPOSED_ONCE: True}
        )

    @property
    def native_value(self) -> float | str:
        """The decided brightness in percent (0 = off), or ``waiting`` before the first one."""
        record = self._data.autopilot.records.get(self._group)
        return round(record.decision.brightness_pct, 1) if record else self.WAITING

    @property
    def native_unit_of_measurement(self) -> str | None:
        """Percent once there is a decision (``waiting`` has no unit)."""
        return PERCENTAGE if self._group in self._data.autopilot.records else None

    @property
    def suggested_display_precision(self) -> int | None:
        """Whole percent once there is a decision."""
        return 0 if self._group in self._data.autopilot.records else None

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Reason, source, confidence, colour temperature and whether it was applied."""
        record = self._data.autopilot.records.get(self._group)
        return decision_attributes(record) if record else None


def rated_watts(entry: SmartLightingConfigEntry, group: int) -> float:
    """The group's rated power: the option, or 10 W per member gear."""
    configured = entry.options.get(CONF_RATED_WATTS, {}).get(str(group))
    if configured is not None:
        return float(configured)
    return DEFAULT_WATTS_PER_GEAR * len(entry.runtime_data.controller.groups[group].members)


class EnergySensor(CoordinatorEntity[BusStateCoordinator], SmartLightingGroupEntity, RestoreSensor):
    """kWh the group's lamps used, estimated from their level over time.

    Follows the bus-state coordinator. Unavailable while the bus is disconnected, and nothing
    is counted for that time: the level the lamps are at is then unknown.
    """

    _attr_translation_key = "energy"
    _attr_device_class = SensorDeviceClass.ENERGY
    _attr_state_class = SensorStateClass.TOTAL_INCREASING
    _attr_native_unit_of_measurement = UnitOfEnergy.KILO_WATT_HOUR
    _attr_suggested_display_precision = 3

    def __init__(self, entry: SmartLightingConfigEntry, group: int) -> None:
        """Create the energy sensor of group ``group``."""
        CoordinatorEntity.__init__(self, entry.runtime_data.state)
        SmartLightingGroupEntity.__init__(self, entry, group, "-energy")
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

    @property
    def available(self) -> bool:
        """Unavailable while the bus is disconnected."""
        return self.coordinator.connected

    def _current_output(self) -> float:
        if not self.coordinator.connected:
            return 0.0
        return light_output(pct_from_level(self.coordinator.state(self._group).level))

    @callback
    def _handle_coordinator_update(self) -> None:
        """Count up to now at the old output, then follow the new one."""
        self._accumulate(dt_util.utcnow())
        self._output = self._current_output()
        self.async_write_ha_state()

    def _accumulate(self, now: datetime) -> None:
        hours = max(0.0, (now - self._since).total_seconds()) / 3600
        self._kwh += self._watts * self._output * hours / 1000
        self._since = now


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
        device_class=SensorDeviceClass.MONETARY,  # in Home Assistant's configured currency
        suggested_display_precision=4,
    ),
)


def usage_unique_id(entry: SmartLightingConfigEntry, description: UsageDescription) -> str:
    """The unique_id of one of the bus's AI usage sensors."""
    return f"{entry_key(entry)}-{description.key}"


class UsageSensor(SensorEntity):
    """One of today's AI usage figures, updated after every cycle.

    Disabled by default while the local predictor is in use (they would only ever show zero),
    and enabled again when the OpenAI-compatible one is chosen.
    """

    _attr_has_entity_name = True
    _attr_should_poll = False
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_state_class = SensorStateClass.TOTAL
    entity_description: UsageDescription

    def __init__(
        self, entry: SmartLightingConfigEntry, description: UsageDescription, currency: str
    ) -> None:
        """Create ``description`` for ``entry``'s bus; a cost is in ``currency``."""
        self.entity_description = description
        if description.device_class is SensorDeviceClass.MONETARY:
            self._attr_native_unit_of_measurement = currency
        self._telemetry = entry.runtime_data.telemetry
        self._attr_unique_id = usage_unique_id(entry, description)
        self._attr_device_info = bus_device_info(entry)
        self._attr_entity_registry_enabled_default = uses_ai(entry)

    @property
    def last_reset(self) -> datetime:
        """The start of the day the value counts: it moves only when the value restarts at 0.

        Taken from the telemetry, never from the clock, so that a state written after midnight
        but before the counters started the new day cannot pair yesterday's value with
        today's reset (long-term statistics would count that value twice).
        """
        return self._telemetry.day_start

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


# what automatic control is doing in a room -------------------------------------------------


def room_sensors(entry: SmartLightingConfigEntry) -> list[SensorEntity]:
    """The control sensors of every room of ``entry``."""
    rooms = entry.options.get(CONF_GROUPS, {})
    groups = [n for n in entry.runtime_data.controller.groups if str(n) in rooms]
    kinds: tuple[type[_RoomSensor], ...] = (
        OverrideEndSensor,
        VacancyTimeoutSensor,
        LearnedOffsetSensor,
        LampCalibrationSensor,
    )
    return [kind(entry, group) for group in groups for kind in kinds]


class _RoomSensor(SmartLightingGroupEntity, SensorEntity):
    """A sensor that follows the decision loop of its room."""

    suffix = ""

    def __init__(self, entry: SmartLightingConfigEntry, group: int) -> None:
        """The sensor of group ``group``."""
        super().__init__(entry, group, f"-{self.suffix}")

    async def async_added_to_hass(self) -> None:
        """Follow the decision loop and the overrides."""
        await super().async_added_to_hass()
        self.async_on_remove(self._data.autopilot.add_listener(self._updated))

    @callback
    def _updated(self) -> None:
        self.async_write_ha_state()


class OverrideEndSensor(_RoomSensor):
    """When the manual override of the room ends."""

    suffix = "override-end"
    _attr_translation_key = "override_end"
    _attr_device_class = SensorDeviceClass.TIMESTAMP

    def __init__(self, entry: SmartLightingConfigEntry, group: int) -> None:
        """The override end of group ``group``."""
        super().__init__(entry, group)
        self._expiry_timer: CALLBACK_TYPE | None = None

    @property
    def native_value(self) -> datetime | None:
        """The end of the active override; None without one."""
        override = self._data.overrides.active(self._group)
        return override.expires if override else None

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Who made the override."""
        override = self._data.overrides.active(self._group)
        return {"origin": override.origin if override else None}

    @callback
    def _updated(self) -> None:
        if self._expiry_timer is not None:
            self._expiry_timer()
            self._expiry_timer = None
        if (ends := self.native_value) is not None:
            self._expiry_timer = async_track_point_in_utc_time(self.hass, self._expired, ends)
        super()._updated()

    @callback
    def _expired(self, _now: datetime) -> None:
        self._expiry_timer = None
        self.async_write_ha_state()

    async def async_will_remove_from_hass(self) -> None:
        """Cancel the expiry timer."""
        if self._expiry_timer is not None:
            self._expiry_timer()
            self._expiry_timer = None

    async def async_added_to_hass(self) -> None:
        """Also follow the overrides, which change outside the decision cycles."""
        await super().async_added_to_hass()
        overrides = self._data.overrides
        overrides.listeners.append(self._updated)
        self.async_on_remove(lambda: overrides.listeners.remove(self._updated))
        self._updated()


class VacancyTimeoutSensor(_RoomSensor):
    """The room's vacancy timeout now."""

    suffix = "vacancy-timeout"
    _attr_translation_key = "vacancy_timeout"
    _attr_device_class = SensorDeviceClass.DURATION
    _attr_native_unit_of_measurement = UnitOfTime.MINUTES
    _attr_suggested_display_precision = 0

    @property
    def native_value(self) -> float:
        """Minutes without presence before the room dims for vacancy."""
        return self._data.autopilot.vacancy_minutes(self._group)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The profile's timeout and what the room added to it."""
        profile = self._data.autopilot.profile_vacancy_minutes(self._group)
        return {
            "profile_minutes": profile,
            "learned_minutes": round(self.native_value - profile, 1),
            "grace_minutes": self._data.autopilot.limits(self._group).grace_minutes,
        }


class LearnedOffsetSensor(_RoomSensor):
    """The brightness offset learned from people's changes."""

    suffix = "learned-offset"
    _attr_translation_key = "learned_offset"
    _attr_native_unit_of_measurement = PERCENTAGE
    _attr_state_class = SensorStateClass.MEASUREMENT
    _attr_suggested_display_precision = 0

    @property
    def native_value(self) -> float:
        """Brightness points added to (or taken from) every decision."""
        return self._data.autopilot.learned_offset(self._group)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """When it was last learned."""
        learned_at = self._data.autopilot.learning.get(self._group).offset_learned_at
        return {"learned_at": learned_at.isoformat() if learned_at else None}


class LampCalibrationSensor(_RoomSensor):
    """The lamps' light at the room's illuminance sensor, measured from own steps."""

    suffix = "lamp-light-at-sensor"
    _attr_translation_key = "lamp_light_at_sensor"
    _attr_device_class = SensorDeviceClass.ILLUMINANCE
    _attr_native_unit_of_measurement = LIGHT_LUX
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_suggested_display_precision = 0

    @property
    def native_value(self) -> float:
        """Lux the lamps give at the sensor at 100 % (the profile's value until measured)."""
        return self._data.autopilot.limits(self._group).lamp_at_sensor

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Whether it was measured, the profile's desk value and the desk-to-sensor ratio."""
        limits = self._data.autopilot.limits(self._group)
        return {
            "measured": limits.lamp_lux_at_sensor is not None,
            "lamp_lux_at_desk": limits.lamp_lux_at_full,
            "desk_daylight_ratio": limits.desk_daylight_ratio,
        }
