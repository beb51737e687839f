"""Sensors: the last decision and the estimated energy of every group; today's AI usage.

And what automatic control is doing in each room (a group with room settings):
- **Manual override until**: when automatic control takes the room back (unknown: no override).
- **Vacancy timeout**: the room's current timeout, with the profile's value and how much the
  room lengthened it for people sitting still.
- **Learned brightness offset**: the points people tend to add or take away, decayed.
- **Lamp light at the sensor** (diagnostic): the lamps' light at the illuminance sensor at
  100 %, measured from the integration's own steps (the profile's value until measured), with
  the desk-to-sensor daylight ratio of the room settings.

And the features' sensors: the energy of every fitting (``energy_meters.py``), the battery,
mode, status and test results of every emergency fitting (``emergency_monitor.py``), and the
illuminance of DALI-2 light sensors (``input_devices.py``).
"""

from __future__ import annotations

from collections.abc import Callable
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
from homeassistant.helpers import issue_registry as ir
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
    DOMAIN,
    PREDICTOR_OPENAI,
)
from .coordinator import BusStateCoordinator
from .dali import GearInfo
from .dali.emergency import EmergencyMode, EmergencyTest
from .dali.energy import EnergyReading
from .dali.input_devices import LIGHT
from .dynamic import async_add_dynamic_entities
from .emergency_monitor import RESULTS, STATUSES, FittingRecord, emergency_fittings
from .energy_meters import (
    SOURCE_ESTIMATED,
    SOURCE_METERED,
    GroupMetering,
    fitting_watts,
)
from .entity import (
    EmergencyFittingEntity,
    InputDeviceEntity,
    SmartLightingFittingEntity,
    SmartLightingGroupEntity,
    bus_device_info,
    entry_key,
)
from .input_devices import ATTR_RAW, ISSUE_UNCALIBRATED, input_devices_of, uncalibrated_issue_id
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
    async_add_dynamic_entities(entry, async_add_entities, energy_entities)
    async_add_dynamic_entities(entry, async_add_entities, emergency_sensors)
    async_add_dynamic_entities(entry, async_add_entities, light_sensors)


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
        self._metering = GroupMetering(entry, group)  # members with a bank 202 meter
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

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Whether the members' energy is metered (bank 202), estimated, or mixed."""
        return {
            "source": self._metering.source,
            "metered_members": self._metering.metered_members,
        }

    def _accumulate(self, now: datetime) -> None:
        hours = max(0.0, (now - self._since).total_seconds()) / 3600
        metered_kwh, estimated_share = self._metering.take()
        self._kwh += metered_kwh + self._watts * estimated_share * self._output * hours / 1000
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


# the energy of each fitting (energy_meters.py) --------------------------------------------


def energy_entities(entry: SmartLightingConfigEntry) -> list[SensorEntity]:
    """An energy sensor per fitting (for ``async_add_dynamic_entities``)."""
    if entry.runtime_data.meters is None:
        return []
    return [FittingEnergySensor(entry, g) for g in entry.runtime_data.controller.inventory.gear]


class FittingEnergySensor(
    CoordinatorEntity[BusStateCoordinator], SmartLightingFittingEntity, RestoreSensor
):
    """kWh of one fitting: its bank 202 meter where it answers, else estimated from its level."""

    _attr_translation_key = "fitting_energy"
    _attr_device_class = SensorDeviceClass.ENERGY
    _attr_state_class = SensorStateClass.TOTAL_INCREASING
    _attr_native_unit_of_measurement = UnitOfEnergy.KILO_WATT_HOUR
    _attr_suggested_display_precision = 3

    def __init__(self, entry: SmartLightingConfigEntry, gear: GearInfo) -> None:
        """The energy sensor of ``gear``."""
        CoordinatorEntity.__init__(self, entry.runtime_data.state)
        SmartLightingFittingEntity.__init__(self, entry, gear, "-energy")
        meters = entry.runtime_data.meters
        assert meters is not None
        self._meters = meters
        self._watts = fitting_watts(entry, gear)
        self._estimate_kwh = 0.0
        self._since = dt_util.utcnow()
        self._output = self._current_output()

    @property
    def _reading(self) -> EnergyReading | None:
        return self._meters.reading(self._key)

    @property
    def native_value(self) -> float:
        """The metered energy in kWh, else the estimate."""
        if (reading := self._reading) is not None and reading.energy_wh is not None:
            return round(reading.energy_wh / 1000, 6)
        return round(self._estimate_kwh, 6)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Whether the value is metered or estimated, and the metered power."""
        reading = self._reading
        if reading is None:
            return {"source": SOURCE_ESTIMATED}
        return {"source": SOURCE_METERED, "power_w": reading.power_w}

    @property
    def available(self) -> bool:
        """Unavailable while the bus is disconnected or the fitting left the inventory."""
        return self.coordinator.connected and self.gear is not None

    async def async_added_to_hass(self) -> None:
        """Continue the estimate from the last value."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_sensor_data()) is not None:
            value = last.native_value
            self._estimate_kwh = float(value) if isinstance(value, int | float) else 0.0
        self._since = dt_util.utcnow()

    def _current_output(self) -> float:
        gear = self.gear
        if gear is None or not self.coordinator.connected:
            return 0.0
        return light_output(pct_from_level(self.coordinator.gear_state(gear.short_address).level))

    @callback
    def _handle_coordinator_update(self) -> None:
        """Estimate up to now at the old output, then follow the new one."""
        self._accumulate(dt_util.utcnow())
        self._output = self._current_output()
        self.async_write_ha_state()

    def _accumulate(self, now: datetime) -> None:
        hours = max(0.0, (now - self._since).total_seconds()) / 3600
        self._since = now
        if (reading := self._reading) is not None and reading.energy_wh is not None:
            self._estimate_kwh = reading.energy_wh / 1000  # a lost meter is estimated from here
        else:
            self._estimate_kwh += self._watts * self._output * hours / 1000


# emergency lighting (emergency_monitor.py) ------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class EmergencySensorDescription(SensorEntityDescription):
    """How one emergency sensor reads a fitting's record."""

    value: Callable[[FittingRecord], Any]
    attributes: Callable[[FittingRecord], dict[str, Any]] = lambda _r: {}


def _result(kind: EmergencyTest) -> Callable[[FittingRecord], str | None]:
    def value(record: FittingRecord) -> str | None:
        result = record.results.get(kind)
        return result.outcome if result is not None else None

    return value


def _tested_at(kind: EmergencyTest) -> Callable[[FittingRecord], datetime | None]:
    def value(record: FittingRecord) -> datetime | None:
        result = record.results.get(kind)
        return result.at if result is not None else None

    return value


def _result_attributes(kind: EmergencyTest) -> Callable[[FittingRecord], dict[str, Any]]:
    def attributes(record: FittingRecord) -> dict[str, Any]:
        result = record.results.get(kind)
        last = record.last_passed.get(kind)
        found: dict[str, Any] = {
            "tested_at": result.at.isoformat() if result else None,
            "last_passed": last.isoformat() if last else None,
        }
        if kind is EmergencyTest.DURATION:
            found["lasted_minutes"] = result.lasted_minutes if result else None
            found["rated_minutes"] = record.status.rated_duration_minutes if record.status else None
        return found

    return attributes


def _status_attributes(record: FittingRecord) -> dict[str, Any]:
    status = record.status
    if status is None:
        return {}
    return {
        "failures": list(status.failures),
        "function_test_pending": status.pending(EmergencyTest.FUNCTION),
        "duration_test_pending": status.pending(EmergencyTest.DURATION),
        "battery_fully_charged": status.battery_full,
        "rated_duration_minutes": status.rated_duration_minutes,
        "lamp_emergency_hours": status.lamp_emergency_time_h,
    }


EMERGENCY_SENSORS = (
    EmergencySensorDescription(
        key="battery",
        translation_key="emergency_battery",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        value=lambda r: r.status.battery_percent if r.status else None,
    ),
    EmergencySensorDescription(
        key="emergency_mode",
        translation_key="emergency_mode",
        device_class=SensorDeviceClass.ENUM,
        options=[m.value for m in EmergencyMode],
        value=lambda r: r.status.mode.value if r.status and r.status.mode else None,
    ),
    EmergencySensorDescription(
        key="emergency_status",
        translation_key="emergency_status",
        device_class=SensorDeviceClass.ENUM,
        options=STATUSES,
        value=lambda r: r.status_summary,
        attributes=_status_attributes,
    ),
    EmergencySensorDescription(
        key="function_test_result",
        translation_key="function_test_result",
        device_class=SensorDeviceClass.ENUM,
        options=RESULTS,
        value=_result(EmergencyTest.FUNCTION),
        attributes=_result_attributes(EmergencyTest.FUNCTION),
    ),
    EmergencySensorDescription(
        key="duration_test_result",
        translation_key="duration_test_result",
        device_class=SensorDeviceClass.ENUM,
        options=RESULTS,
        value=_result(EmergencyTest.DURATION),
        attributes=_result_attributes(EmergencyTest.DURATION),
    ),
    EmergencySensorDescription(
        key="last_function_test",
        translation_key="last_function_test",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value=_tested_at(EmergencyTest.FUNCTION),
    ),
    EmergencySensorDescription(
        key="last_duration_test",
        translation_key="last_duration_test",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value=_tested_at(EmergencyTest.DURATION),
    ),
)


def emergency_sensors(entry: SmartLightingConfigEntry) -> list[SensorEntity]:
    """The sensors of every emergency fitting (for ``async_add_dynamic_entities``)."""
    return [
        EmergencySensor(entry, g, d) for g in emergency_fittings(entry) for d in EMERGENCY_SENSORS
    ]


class EmergencySensor(EmergencyFittingEntity, SensorEntity):
    """Battery, mode, status or a test result of one emergency fitting."""

    entity_description: EmergencySensorDescription

    def __init__(
        self,
        entry: SmartLightingConfigEntry,
        gear: GearInfo,
        description: EmergencySensorDescription,
    ) -> None:
        """Show ``description``'s value of ``gear``."""
        super().__init__(entry, gear, description.key)
        self.entity_description = description

    @property
    def native_value(self) -> Any:
        """The value read from the fitting's record."""
        record = self._record
        return self.entity_description.value(record) if record is not None else None

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Details (the time a test ran, the faults found)."""
        record = self._record
        if record is None:
            return None
        return self.entity_description.attributes(record) or None


# illuminance from DALI-2 light sensors (input_devices.py) --------------------------------


def light_sensors(entry: SmartLightingConfigEntry) -> list[InputLightSensor]:
    """An illuminance sensor per light sensor instance."""
    inputs = input_devices_of(entry)
    return [InputLightSensor(entry, d, n) for d, n in inputs.instances(LIGHT)] if inputs else []


class InputLightSensor(InputDeviceEntity, SensorEntity):
    """A light sensor instance in lux, once calibrated; unavailable (and a repair) before."""

    _attr_device_class = SensorDeviceClass.ILLUMINANCE
    _attr_native_unit_of_measurement = LIGHT_LUX
    _attr_state_class = SensorStateClass.MEASUREMENT
    _attr_translation_key = "input_illuminance"

    async def async_added_to_hass(self) -> None:
        """Follow the events; ask for a calibration when there is none."""
        await super().async_added_to_hass()
        if self._factor is None:
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                uncalibrated_issue_id(self._entry, self._key),
                is_fixable=False,
                is_persistent=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key=ISSUE_UNCALIBRATED,
                translation_placeholders={
                    "entity_id": self.entity_id,
                    "address": str(self._key[0]),
                    "instance": str(self._key[1]),
                },
            )

    @property
    def _factor(self) -> float | None:
        return self._inputs.lux_factor(self._key)

    @property
    def available(self) -> bool:
        """Unavailable while the bus is down or the sensor is not calibrated."""
        return self.coordinator.connected and self._factor is not None

    @property
    def native_value(self) -> float | None:
        """The illuminance in lux (None before the first reading)."""
        raw, factor = self._inputs.light.get(self._key), self._factor
        if raw is None or factor is None:
            return None
        return round(raw * factor, 1)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The raw (relative) value the sensor sent."""
        return {ATTR_RAW: self._inputs.light.get(self._key)}
