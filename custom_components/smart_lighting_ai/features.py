"""Recorder history -> one :class:`Features` row per configured group and window.

Every recorder query runs in the recorder's executor and reads only the window
(its state changes plus the state in force at its start), so the cost grows
with the events inside the window, not with the length of the history. The one
exception is an occupancy sensor that reported no presence in the window: its
last "on" is looked up over ``PRESENCE_LOOKBACK``, because the state in force
at the window start (dated to the start) cannot tell when anybody left.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from homeassistant.components.recorder import history
from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.const import STATE_ON
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util

from .brightness import pct_from_level
from .const import CONF_GROUPS, CONF_ILLUMINANCE_ENTITIES, CONF_OCCUPANCY_ENTITIES
from .dali import GroupController
from .dali.conversions import mirek_to_kelvin
from .predictor.sensor_health import Reading
from .predictor.types import Features
from .predictor.window import (
    NumericSummary,
    combine,
    minutes_since_presence,
    numeric_summary,
    occupancy_ratio,
)
from .room_sensing import RoomSensing
from .sun import sun_elevation_at

ATTR_CLOUD_COVERAGE = "cloud_coverage"
ATTR_TEMPERATURE = "temperature"
ABSENT_STATES = {"off", "not_home", "clear"}
DAYLIGHT_LOOKBACK = timedelta(minutes=15)
"""Daylight that came and went this recently does not switch lamps off (a sun patch, a cloud)."""
PRESENCE_LOOKBACK = timedelta(hours=24)
"""How far back the last presence is looked for (the longest vacancy timeout a profile allows)."""


@dataclass(frozen=True, slots=True)
class Room:
    """The sensors of one group, from the options (contract C5)."""

    group: int
    occupancy: tuple[str, ...]
    illuminance: tuple[str, ...]


def rooms_from_options(options: Mapping[str, Any], groups: Iterable[int]) -> list[Room]:
    """The rooms of groups that exist on the bus, in group order."""
    configured = options.get(CONF_GROUPS, {})
    return [
        Room(
            group,
            tuple(configured[str(group)].get(CONF_OCCUPANCY_ENTITIES, ())),
            tuple(configured[str(group)].get(CONF_ILLUMINANCE_ENTITIES, ())),
        )
        for group in sorted(groups)
        if str(group) in configured
    ]


@dataclass(frozen=True, slots=True)
class Weather:
    """What the weather entity says now."""

    condition: str | None = None
    cloud_coverage: float | None = None
    temperature: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form for the weather table."""
        return {
            "condition": self.condition,
            "cloud_coverage": self.cloud_coverage,
            "temperature": self.temperature,
        }


def read_weather(hass: HomeAssistant, entity_id: str | None) -> Weather:
    """The weather entity's condition, cloud coverage and temperature (None where missing)."""
    state = hass.states.get(entity_id) if entity_id else None
    if state is None or state.state in ("unavailable", "unknown"):
        return Weather()
    return Weather(
        state.state,
        _number(state.attributes.get(ATTR_CLOUD_COVERAGE)),
        _number(state.attributes.get(ATTR_TEMPERATURE)),
    )


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _presence(state: str) -> bool | None:
    if state == STATE_ON:
        return True
    if state in ABSENT_STATES:
        return False
    return None  # unavailable, unknown


def _read_window(
    hass: HomeAssistant,
    entity_ids: list[str],
    occupancy: set[str],
    start: datetime,
    end: datetime,
) -> tuple[dict[str, list[State]], dict[str, list[Any]]]:
    """Runs in the recorder executor: state changes of each entity plus its start state.

    Occupancy sensors without presence in the window get their earlier changes
    too (over ``PRESENCE_LOOKBACK``), so that presence time comes only from a
    real "on". Illuminance sensors are read over ``DAYLIGHT_LOOKBACK`` at least
    (the least daylight of that time; the summaries still cover the window alone).
    Numeric sensors that have no state in the window fall back to their 5-minute
    statistics.
    """
    changes: dict[str, list[State]] = {}
    # The recorder leaves out a change made exactly at the start instant (it is neither
    # "before" nor "after" it), so ask from just before.
    query_start = start - timedelta(milliseconds=1)
    daylight_start = min(start, end - DAYLIGHT_LOOKBACK) - timedelta(milliseconds=1)
    for entity_id in entity_ids:
        found = history.state_changes_during_period(
            hass,
            query_start if entity_id in occupancy else daylight_start,
            end,
            entity_id,
            no_attributes=True,
            include_start_time_state=True,
        )
        changes[entity_id] = found.get(entity_id, [])
        if entity_id in occupancy and not any(_presence(s.state) for s in changes[entity_id]):
            changes[entity_id] = _earlier(hass, entity_id, end, query_start) + changes[entity_id]
    missing = {e for e in entity_ids if not changes[e] and e.startswith("sensor.")}
    statistics: dict[str, list[Any]] = {}
    if missing:
        statistics = dict(
            statistics_during_period(
                hass,
                start - timedelta(minutes=5),
                end,
                missing,
                "5minute",
                None,
                {"mean", "min", "max"},
            )
        )
    return changes, statistics


def _earlier(hass: HomeAssistant, entity_id: str, end: datetime, before: datetime) -> list[State]:
    """Recorded states of ``entity_id`` from ``PRESENCE_LOOKBACK`` before ``end`` to ``before``."""
    found = history.state_changes_during_period(
        hass, end - PRESENCE_LOOKBACK, before, entity_id, no_attributes=True
    )
    return [s for s in found.get(entity_id, []) if s.last_updated < before]


def _statistics_summary(rows: list[Any], start: datetime, end: datetime) -> NumericSummary | None:
    inside = [
        r
        for r in rows
        if r.get("mean") is not None and start.timestamp() - 300 <= r["start"] < end.timestamp()
    ]
    if not inside:
        return None
    return NumericSummary(
        sum(r["mean"] for r in inside) / len(inside),
        min(r["min"] if r.get("min") is not None else r["mean"] for r in inside),
        max(r["max"] if r.get("max") is not None else r["mean"] for r in inside),
    )


class FeatureCollector:
    """Builds the feature rows of one bus entry for a window ending now."""

    def __init__(
        self, hass: HomeAssistant, controller: GroupController, sensing: RoomSensing
    ) -> None:
        """Collect for the groups ``controller`` drives; ``sensing`` judges the sensors."""
        self._hass = hass
        self._controller = controller
        self._sensing = sensing

    async def async_collect(
        self,
        rooms: list[Room],
        end: datetime,
        window: timedelta,
        weather: Weather,
        overridden: set[int],
    ) -> dict[int, Features]:
        """One :class:`Features` per room for the window ``(end - window, end]``."""
        start = end - window
        entity_ids = sorted({e for room in rooms for e in room.occupancy + room.illuminance})
        occupancy = {e for room in rooms for e in room.occupancy}
        changes: dict[str, list[State]] = {}
        statistics: dict[str, list[Any]] = {}
        if entity_ids:
            changes, statistics = await get_instance(self._hass).async_add_executor_job(
                partial(_read_window, self._hass, entity_ids, occupancy, start, end)
            )
        local = dt_util.as_local(end)
        elevation = sun_elevation_at(self._hass, end)
        return {
            room.group: self._features(
                room, start, end, local, elevation, weather, changes, statistics, overridden
            )
            for room in rooms
        }

    def _samples[T](
        self,
        entity_id: str,
        changes: dict[str, list[State]],
        end: datetime,
        convert: Callable[[str], T | None],
    ) -> list[tuple[datetime, T | None]]:
        """The recorded samples plus the live state when the recorder has not stored it yet.

        The recorder commits every few seconds, so a cycle started by a state change
        (someone walking in) would otherwise not see that change.
        """
        recorded = changes.get(entity_id, [])
        samples = [(s.last_updated, convert(s.state)) for s in recorded]
        live = self._hass.states.get(entity_id)
        newest = recorded[-1].last_updated if recorded else None
        if (
            live is not None
            and live.last_updated <= end
            and (newest is None or live.last_updated > newest)
        ):
            samples.append((live.last_updated, convert(live.state)))
        return samples

    def _features(
        self,
        room: Room,
        start: datetime,
        end: datetime,
        local: datetime,
        elevation: float,
        weather: Weather,
        changes: dict[str, list[State]],
        statistics: dict[str, list[Any]],
        overridden: set[int],
    ) -> Features:
        ratios: list[float] = []
        minutes: list[float] = []
        present_now: list[bool] = []
        occupancy_faults: list[str] = []
        for entity_id in room.occupancy:
            live = self._hass.states.get(entity_id)
            if fault := self._sensing.check_occupancy(room.group, entity_id, live, end):
                occupancy_faults.append(fault)  # a stuck or silent sensor is not evidence
                continue
            samples = self._samples(entity_id, changes, end, _presence)
            if (ratio := occupancy_ratio(samples, start, end)) is not None:
                ratios.append(ratio)
            # only a real "on" dates presence: not the live state's last_changed, which a
            # restart resets, nor an "off" that followed "unknown"
            if (since := minutes_since_presence(samples, end)) is not None:
                minutes.append(since)
            present_now.append(live is not None and live.state == STATE_ON)
        healthy: list[NumericSummary | None] = []
        faulty: list[NumericSummary | None] = []
        readings: list[Reading] = []
        floors: list[Reading] = []
        illuminance_faults: list[str] = []
        for entity_id in room.illuminance:
            values = self._samples(entity_id, changes, end, _number)
            summary = numeric_summary(values, start, end)
            if summary is None and entity_id in statistics:
                summary = _statistics_summary(statistics[entity_id], start, end)
            live = self._hass.states.get(entity_id)
            if fault := self._sensing.check_illuminance(
                room.group, entity_id, values, live, end, elevation
            ):
                illuminance_faults.append(fault)
                faulty.append(summary)
                continue
            healthy.append(summary)
            if (reading := self._sensing.latest_reading(room.group, values)) is not None:
                readings.append(reading)
            if (floor := self._sensing.floor_reading(room.group, values)) is not None:
                floors.append(floor)
        # the row records what the sensors said; with a healthy sensor only the healthy ones
        lux = combine(healthy or faulty)
        # a room's fault is one every sensor of that kind has; a healthy sensor still speaks
        occupancy_fault = occupancy_faults[0] if occupancy_faults and not present_now else None
        illuminance_fault = illuminance_faults[0] if illuminance_faults and not healthy else None
        state = self._controller.states.get(room.group)
        info = self._controller.groups.get(room.group)
        return Features(
            group=room.group,
            ts=end,
            local_hour=local.hour + local.minute / 60 + local.second / 3600,
            weekday=local.weekday(),
            occupancy_ratio=max(ratios) if ratios else None,
            minutes_since_occupied=min(minutes) if minutes else None,
            illuminance_mean=lux.mean if lux else None,
            illuminance_min=lux.minimum if lux else None,
            illuminance_max=lux.maximum if lux else None,
            illuminance_latest=sum(r.lux for r in readings) / len(readings) if readings else None,
            lamp_output_at_reading=sum(r.lamp_output for r in readings) / len(readings)
            if readings
            else None,
            illuminance_floor=sum(r.lux for r in floors) / len(floors) if floors else None,
            lamp_output_at_floor=sum(r.lamp_output for r in floors) / len(floors)
            if floors
            else None,
            occupied_now=any(present_now) if present_now else None,
            occupancy_fault=occupancy_fault,
            illuminance_fault=illuminance_fault,
            weather_condition=weather.condition,
            cloud_coverage=weather.cloud_coverage,
            outdoor_temperature=weather.temperature,
            sun_elevation=elevation,
            current_level_pct=pct_from_level(state.level) if state else None,
            current_color_temp_kelvin=mirek_to_kelvin(state.mirek)
            if state and state.mirek
            else None,
            override_active=room.group in overridden,
            supports_color_temp=bool(info and info.supports_colour_temperature),
        )
