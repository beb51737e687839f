"""The "smart" strategy: a day replayed through the real integration in Home Assistant.

Home Assistant runs on its test harness with the real recorder and a frozen clock. The replay
moves the clock from event to event, never further than ``MAX_STEP_S``: a motion sensor's state
change, an illuminance report, a weather update, a sensor fault, and every timer Home Assistant
itself has scheduled (read from its event loop, so the integration's own timers, debouncers and
grace periods fire at their exact second). At each stop it fires the due timers, writes the
sensor states that are due, waits until Home Assistant is idle, then reads every group's level,
colour and fade time from the simulated gear: a changed level is a command sent at that moment,
and the light follows it over the fade (:class:`simulation.physics.LightTimeline`).

Sensors report like real ones: motion as the PIR model says (:mod:`simulation.people`);
illuminance sampled every ``STEP_S`` seconds (daylight at the sensor plus the lamps' light at the
sensor at their fading level, with noise), reported on a change of more than
``SensorSpot.report_change`` or at least every ``report_every_s``. The integration is set up
through its public contract only: options ``groups`` with each room's sensors (C5) and
``set_profile`` with the room's target, lamp illuminance and vacancy timeout.

:func:`replay_smart` works on any ``hass`` and clock (pytest's ``hass`` and ``freezer``
fixtures, or :func:`headless_home_assistant` for ``python -m simulation``).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed_exact,
    get_scheduled_timer_handles,
)
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.smart_lighting_ai.const import DOMAIN
from custom_components.smart_lighting_ai.dali.backends.simulated import SimulatedBackend
from custom_components.smart_lighting_ai.dali.conversions import FADE_TIMES_S, mirek_to_kelvin

from .physics import LightTimeline
from .rooms import RoomSpec
from .scenario import STEP_S, WEATHER_ENTITY, WEATHER_EVERY_S, DayData, RoomDay
from .trace import StrategyRun

ENTRY_UNIQUE_ID = "simulation"
HISTORY_BEFORE = timedelta(minutes=30)
"""The sensors have states this long before the integration starts."""
MAX_STEP_S = 300.0
MIN_STEP_S = 0.05
SMART = "smart (integration)"


class Clock(Protocol):
    """Moves frozen time (freezegun's ``FrozenDateTimeFactory``, pytest's ``freezer``)."""

    def move_to(self, target_datetime: datetime) -> Any:
        """Jump to ``target_datetime``."""


@dataclass(slots=True)
class SensorLog:
    """What the simulated sensors wrote, for tests and plots."""

    lux: dict[int, list[tuple[float, str]]] = field(default_factory=dict)
    motion: dict[int, list[tuple[float, str]]] = field(default_factory=dict)


@dataclass(slots=True)
class SmartReplay:
    """The trace of the smart strategy and the still loaded entry that made it."""

    run: StrategyRun
    entry: ConfigEntry[Any]
    lights: dict[int, str]
    """Light entity id of each group."""
    sensors: SensorLog
    stops: int
    """How often the clock stopped (Home Assistant ran until idle)."""


def desk_daylight_ratio(room: RoomSpec) -> float:
    """The room setting a user states: diffuse daylight at the darkest place / at the sensor.

    Read off a lighting plan, or measured once under an overcast sky.
    """
    if room.sensor.daylight_factor <= 0:
        return 1.0
    darkest = min(place.daylight_factor for place in room.places)
    return round(min(2.0, max(0.05, darkest / room.sensor.daylight_factor)), 2)


def entry_options(day: DayData, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The integration's options for the scenario's rooms (contract C5)."""
    return {
        "weather_entity": WEATHER_ENTITY,
        "groups": {
            str(room.group): {
                "name": room.name,
                "occupancy_entities": [room.motion_entity],
                "illuminance_entities": [room.lux_entity],
                "desk_daylight_ratio": desk_daylight_ratio(room),
            }
            for room in day.scenario.rooms
        },
        **(extra or {}),
    }


def read_group(backend: SimulatedBackend, group: int) -> tuple[int, int | None, float]:
    """The group's arc level, colour temperature (tunable white) and fade time (s)."""
    members = [gear for gear in backend.gear if group in gear.groups]
    level = max(gear.actual_level for gear in members)
    kelvin = None
    if all(gear.is_dt8 for gear in members):
        kelvin = mirek_to_kelvin(max(gear.tc_mirek for gear in members))
    fade = max(FADE_TIMES_S[min(gear.fade_time, len(FADE_TIMES_S) - 1)] for gear in members)
    return level, kelvin, fade


class _LuxSensor:
    """One room's illuminance sensor: samples, decides when to report, and reports."""

    def __init__(self, day: DayData, room: RoomDay, light: LightTimeline) -> None:
        self._day, self._room, self._light = day, room, light
        self._spec = room.spec.sensor
        self.last_value: float | None = None
        self.last_t = -1e9
        self._pending: tuple[float, str] | None = None
        fault = room.lux_fault
        self.fault_at = (
            day.scenario.at(fault.start.hour + fault.start.minute / 60) if fault else None
        )
        self.fault = fault

    def reading(self, k: int) -> float:
        """What the sensor measures at sample ``k``."""
        k = min(k, self._day.samples - 1)
        lamp = self._room.spec.sensor.lamp_lux_at_full * self._light.output_at(k * STEP_S)
        return max(0.0, (self._room.sensor_daylight[k] + lamp) * self._room.noise[k])

    def invalidate(self) -> None:
        """The lamps changed: the next report has to be worked out again."""
        self._pending = None

    def next_report(self, now: float) -> tuple[float, str] | None:
        """When the sensor reports next (at or after ``now``) and what."""
        if self._pending is not None and self._pending[0] >= now:
            return self._pending
        if self.fault is not None and self.fault_at is not None and self.last_t >= self.fault_at:
            if self.fault.kind == "lux_unavailable":
                return None  # an unavailable sensor reports nothing more
            self._pending = (self.last_t + self._spec.report_every_s, self._fault_state())
            return self._pending
        k = max(0, int(-(-now // STEP_S)))
        last_k = min(
            self._day.samples - 1, int((self.last_t + self._spec.report_every_s) // STEP_S) + 1
        )
        while k <= self._day.samples - 1:
            value = self.reading(k)
            t = k * STEP_S
            if self.fault_at is not None and t >= self.fault_at:
                self._pending = (self.fault_at, self._fault_state())
                return self._pending
            if self._due(value, t) or k >= last_k:
                self._pending = (t, str(round(value)))
                return self._pending
            k += 1
        return None

    def _fault_state(self) -> str:
        assert self.fault is not None
        return (
            "unavailable" if self.fault.kind == "lux_unavailable" else str(round(self.fault.value))
        )

    def _due(self, value: float, t: float) -> bool:
        if self.last_value is None:
            return True
        if t - self.last_t >= self._spec.report_every_s:
            return True
        change = abs(value - self.last_value)
        return change > max(2.0, self._spec.report_change * self.last_value)

    def reported(self, t: float, state: str) -> None:
        """The report at ``t`` was written."""
        self.last_t = t
        self.last_value = float(state) if state not in ("unavailable", "unknown") else None
        self._pending = None


class _Sensors:
    """Every simulated sensor of the day: writes the states that are due, knows when next."""

    def __init__(
        self, hass: HomeAssistant, day: DayData, timelines: dict[int, LightTimeline]
    ) -> None:
        self._hass, self._day = hass, day
        self._lux = {g: _LuxSensor(day, room, timelines[g]) for g, room in day.rooms.items()}
        self._motion_next = dict.fromkeys(day.rooms, 0)
        self._weather_next = 0.0
        self.log = SensorLog({g: [] for g in day.rooms}, {g: [] for g in day.rooms})

    def write_due(self, t: float) -> bool:
        """Write the states due at ``t``; whether any was written."""
        wrote = False
        for group, room in self._day.rooms.items():
            motion = room.motion
            while (
                self._motion_next[group] < len(motion) and motion[self._motion_next[group]][0] <= t
            ):
                state = "on" if motion[self._motion_next[group]][1] else "off"
                self._hass.states.async_set(
                    room.spec.motion_entity, state, {"device_class": "motion"}
                )
                self.log.motion[group].append((t, state))
                self._motion_next[group] += 1
                wrote = True
            report = self._lux[group].next_report(t)
            if report is not None and report[0] <= t:
                self._hass.states.async_set(room.spec.lux_entity, report[1], _lux_attributes())
                self._lux[group].reported(t, report[1])
                self.log.lux[group].append((t, report[1]))
                wrote = True
        if t >= self._weather_next:
            _set_weather(self._hass, self._day, t)
            self._weather_next += WEATHER_EVERY_S
            wrote = True
        return wrote

    def lamps_changed(self, group: int) -> None:
        """``group``'s lamps got a command: its illuminance sensor's next report changes."""
        self._lux[group].invalidate()

    def next_due(self, t: float) -> list[float]:
        """When each sensor writes next, after ``t``."""
        due = [self._weather_next]
        for group, room in self._day.rooms.items():
            if self._motion_next[group] < len(room.motion):
                due.append(room.motion[self._motion_next[group]][0])
            report = self._lux[group].next_report(t + 1e-6)
            if report is not None:
                due.append(report[0])
        return due


def _lux_attributes() -> dict[str, Any]:
    return {
        "device_class": "illuminance",
        "unit_of_measurement": "lx",
        "state_class": "measurement",
    }


def _set_weather(hass: HomeAssistant, day: DayData, t: float) -> None:
    condition, cover, temperature = day.weather(t)
    hass.states.async_set(
        WEATHER_ENTITY, condition, {"cloud_coverage": cover, "temperature": temperature}
    )


def _next_timer(hass: HomeAssistant, now: float) -> float | None:
    """When the next timer Home Assistant has scheduled is due, in replay seconds."""
    loop_now = hass.loop.time()
    due = [
        handle.when() - loop_now
        for handle in get_scheduled_timer_handles(hass.loop)
        if isinstance(handle, asyncio.TimerHandle) and not handle.cancelled()
    ]
    ahead = [d for d in due if d > 1e-6]
    return now + min(ahead) if ahead else None


async def replay_smart(
    hass: HomeAssistant,
    clock: Clock,
    day: DayData,
    *,
    options: Mapping[str, Any] | None = None,
    until: float | None = None,
) -> SmartReplay:
    """Replay ``day`` (up to ``until`` seconds) through the integration."""
    started = os.times().elapsed
    entry, lights = await _async_start(hass, clock, day, options)
    backend = entry.runtime_data.bus.backend
    if not isinstance(backend, SimulatedBackend):
        raise TypeError("the replay needs the simulated bus")
    end = min(day.end, until) if until is not None else day.end
    timelines = {group: LightTimeline() for group in day.rooms}
    sensors = _Sensors(hass, day, timelines)
    t, stops = 0.0, 0
    while t < end:
        stops += 1
        clock.move_to(day.utc(t))
        async_fire_time_changed_exact(hass, day.utc(t))
        wrote = sensors.write_due(t)
        await hass.async_block_till_done(wait_background_tasks=True)
        if wrote:
            await async_wait_recording_done(hass)
        for group in day.rooms:
            level, kelvin, fade = read_group(backend, group)
            if timelines[group].add(t, level, fade, kelvin):
                sensors.lamps_changed(group)
        candidates = [t + MAX_STEP_S, *sensors.next_due(t)]
        timer = _next_timer(hass, t)
        if timer is not None:
            candidates.append(timer)
        t = max(min(candidates), t + MIN_STEP_S)

    ai_calls, tokens = await _ai_usage(hass)
    run = StrategyRun(
        SMART,
        timelines,
        ai_calls=ai_calls,
        tokens=tokens,
        through_home_assistant=True,
        wall_s=os.times().elapsed - started,
    )
    return SmartReplay(run, entry, lights, sensors.log, stops)


async def _ai_usage(hass: HomeAssistant) -> tuple[int, int]:
    """AI calls and tokens from the integration's ``telemetry`` action (0 if it has none)."""
    try:
        response = await hass.services.async_call(
            DOMAIN, "telemetry", {}, blocking=True, return_response=True
        )
    except Exception:
        return 0, 0
    flat: dict[str, Any] = {}

    def walk(value: Any, prefix: str = "") -> None:
        if isinstance(value, Mapping):
            for key, inner in value.items():
                walk(inner, f"{prefix}{key}.")
        elif isinstance(value, int | float):
            flat[prefix.rstrip(".")] = value

    walk(response)
    calls = sum(v for k, v in flat.items() if k.endswith("ai_calls"))
    tokens = sum(v for k, v in flat.items() if k.endswith(("tokens_in", "tokens_out")))
    return int(calls), int(tokens)


async def _async_start(
    hass: HomeAssistant, clock: Clock, day: DayData, options: Mapping[str, Any] | None
) -> tuple[ConfigEntry[Any], dict[int, str]]:
    """Place the home, record some sensor history, set up the entry and the room profiles."""
    scenario = day.scenario
    hass.config.latitude = scenario.latitude
    hass.config.longitude = scenario.longitude
    hass.config.elevation = 0
    await hass.config.async_set_time_zone(scenario.time_zone)

    clock.move_to(day.utc(0) - HISTORY_BEFORE)
    for room_day in day.rooms.values():
        spec = room_day.spec
        hass.states.async_set(spec.motion_entity, "off", {"device_class": "motion"})
        lux = room_day.sensor_daylight[0] * room_day.noise[0]
        hass.states.async_set(spec.lux_entity, str(round(lux)), _lux_attributes())
    _set_weather(hass, day, 0.0)
    await async_wait_recording_done(hass)

    clock.move_to(day.utc(0))
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="DALI bus (simulated)",
        data={"bus_type": "simulated"},
        options=entry_options(day, options),
        unique_id=ENTRY_UNIQUE_ID,
    )
    entry.add_to_hass(hass)
    if not await hass.config_entries.async_setup(entry.entry_id):
        raise RuntimeError("the integration did not set up")
    await hass.async_block_till_done()
    registry = er.async_get(hass)
    lights: dict[int, str] = {}
    for room in scenario.rooms:
        unique_id = f"{ENTRY_UNIQUE_ID}-group-{room.group}"
        entity_id = registry.async_get_entity_id("light", DOMAIN, unique_id)
        if entity_id is None:
            raise RuntimeError(f"no light for DALI group {room.group}")
        lights[room.group] = entity_id
        await hass.services.async_call(
            DOMAIN,
            "set_profile",
            {
                "entity_id": entity_id,
                "target_lux": room.target_lux,
                "lamp_lux_at_full": room.design_lamp_lux,
                "vacancy_minutes": room.vacancy_minutes,
            },
            blocking=True,
        )
    await hass.async_block_till_done()
    return entry, lights


class _NoHttpServer:
    """Takes the integration's health view; the simulation serves no HTTP."""

    def register_view(self, view: object) -> None:
        """Ignore ``view``."""


@asynccontextmanager
async def headless_home_assistant(start: datetime) -> AsyncIterator[tuple[HomeAssistant, Clock]]:
    """A Home Assistant on the test harness, outside pytest: in-memory recorder, frozen time.

    Time is frozen at ``start`` until the context ends. The custom integration is enabled, the
    configuration folder is a fresh temporary one.
    """
    import freezegun
    from homeassistant import loader
    from homeassistant.components import recorder
    from homeassistant.components.recorder.const import DOMAIN as RECORDER
    from homeassistant.helpers import recorder as recorder_helper
    from homeassistant.setup import async_setup_component
    from pytest_homeassistant_custom_component.common import async_test_home_assistant
    from pytest_homeassistant_custom_component.components.recorder.common import (
        async_recorder_block_till_done,
    )

    with (
        tempfile.TemporaryDirectory() as config_dir,
        freezegun.freeze_time(start) as clock,
    ):
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            hass.config.components.add("http")  # a dependency; its server is not needed here
            hass.http = _NoHttpServer()
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)  # the harness hides custom integrations
            recorder_helper.async_initialize_recorder(hass)
            with patch("homeassistant.components.recorder.ALLOW_IN_MEMORY_DB", True):
                config = {recorder.CONF_DB_URL: "sqlite://", recorder.CONF_COMMIT_INTERVAL: 0}
                if not await async_setup_component(hass, RECORDER, {RECORDER: config}):
                    raise RuntimeError("the recorder did not start")
            await hass.async_block_till_done()
            await async_recorder_block_till_done(hass)
            try:
                yield hass, clock
            finally:
                for entry in hass.config_entries.async_entries(DOMAIN):
                    await hass.config_entries.async_unload(entry.entry_id)
                await hass.async_stop(force=True)
