"""The "smart" strategy: the day replayed through the real integration in Home Assistant.

Home Assistant runs on its test harness with the real recorder and frozen time that the replay
moves forward minute by minute. Every minute it fires the time-changed event (the integration's
own timers run: the gear read-back each minute and, at every step boundary, the scheduled
aggregation with the decision cycle that follows it; the replay checks that the cycle ran), then
reads the group levels from the simulated gear and sets the sensor states: a motion sensor and
an illuminance sensor per room and the weather entity. The illuminance at the desk is the day's
daylight plus the lamps' contribution at the level read from the gear. Before each step boundary
it waits for the recorder, so the window is complete when it is aggregated. The integration
drives the simulated DALI bus; the replay only reads the gear.

:func:`replay_smart` works on any ``hass`` and clock (pytest's ``hass`` and ``freezer``
fixtures, or :func:`headless_home_assistant` for ``python -m simulation``).
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.smart_lighting_ai.const import DOMAIN
from custom_components.smart_lighting_ai.dali.backends.simulated import SimulatedBackend
from custom_components.smart_lighting_ai.dali.conversions import mirek_to_kelvin

from .physics import lamp_lux
from .scenario import WEATHER_ENTITY, DayData, RoomSpec, Scenario
from .trace import RoomTrace, StrategyRun

ENTRY_UNIQUE_ID = "simulation"
HISTORY_BEFORE = timedelta(minutes=30)
"""The sensors have states this long before the integration starts."""


class Clock(Protocol):
    """Moves frozen time (freezegun's ``FrozenDateTimeFactory``, pytest's ``freezer``)."""

    def move_to(self, target_datetime: datetime) -> Any:
        """Jump to ``target_datetime``."""


@dataclass(frozen=True, slots=True)
class ManualChange:
    """A person using a group light (a ``light`` action with the replay's user context)."""

    minute: int
    """Index of the replayed minute in which it happens."""
    group: int
    service: Literal["turn_on", "turn_off"]
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class SmartReplay:
    """The trace of the smart strategy and the still loaded entry that made it."""

    run: StrategyRun
    entry: ConfigEntry[Any]
    lights: dict[int, str]
    """Light entity id of each group."""


def entry_options(scenario: Scenario, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The integration's options for the scenario's rooms (contract C5)."""
    return {
        "weather_entity": WEATHER_ENTITY,
        "feature_window_minutes": scenario.step_minutes,
        "groups": {
            str(room.group): {
                "name": room.name,
                "occupancy_entities": [room.motion_entity],
                "illuminance_entities": [room.lux_entity],
            }
            for room in scenario.rooms
        },
        **(extra or {}),
    }


def read_group(backend: SimulatedBackend, group: int) -> tuple[int, int | None]:
    """The group's arc level and (tunable white) colour temperature, as its gear shows them."""
    members = [gear for gear in backend.gear if group in gear.groups]
    level = max(gear.actual_level for gear in members)
    kelvin = None
    if all(gear.is_dt8 for gear in members):
        kelvin = mirek_to_kelvin(max(gear.tc_mirek for gear in members))
    return level, kelvin


class _Sensors:
    """Writes the simulated sensor states, only when they change (as real sensors report)."""

    def __init__(self, hass: HomeAssistant) -> None:
        self._hass = hass
        self._last: dict[str, tuple[str, dict[str, Any]]] = {}

    def set(self, entity_id: str, state: str, attributes: dict[str, Any]) -> None:
        if self._last.get(entity_id) == (state, attributes):
            return
        self._last[entity_id] = (state, attributes)
        self._hass.states.async_set(entity_id, state, attributes)

    def room(self, room: RoomSpec, present: bool, lux: float) -> None:
        self.set(room.motion_entity, "on" if present else "off", {"device_class": "motion"})
        self.set(
            room.lux_entity,
            str(round(lux)),
            {"device_class": "illuminance", "unit_of_measurement": "lx"},
        )


async def replay_smart(
    hass: HomeAssistant,
    clock: Clock,
    day: DayData,
    *,
    options: Mapping[str, Any] | None = None,
    manual: Sequence[ManualChange] = (),
    context: Context | None = None,
) -> SmartReplay:
    """Replay ``day`` through the integration; return the trace and the loaded entry.

    ``options`` are added to the entry's options; ``manual`` changes are made with ``context``
    (a user's context makes them manual overrides).
    """
    sensors = _Sensors(hass)
    entry, lights = await _async_start(hass, clock, day, sensors, options)
    backend = entry.runtime_data.bus.backend
    if not isinstance(backend, SimulatedBackend):
        raise TypeError("the replay needs the simulated bus")
    pipeline = entry.runtime_data.pipeline
    changes: dict[int, list[ManualChange]] = defaultdict(list)
    for change in manual:
        changes[change.minute].append(change)
    traces = {group: RoomTrace() for group in day.rooms}
    step = timedelta(minutes=day.scenario.step_minutes)
    for i, when in enumerate(day.minutes):
        clock.move_to(when)
        async_fire_time_changed(hass)  # the minute's timers: read-back, and at a step the cycle
        await hass.async_block_till_done(wait_background_tasks=True)
        if i and not (when - day.minutes[0]) % step and pipeline.last_aggregation != when:
            raise RuntimeError(
                f"the scheduled aggregation did not run at {when.isoformat()} "
                f"(last: {pipeline.last_aggregation})"
            )
        for change in changes.get(i, ()):
            await hass.services.async_call(
                "light",
                change.service,
                {"entity_id": lights[change.group], **change.data},
                blocking=True,
                context=context,
            )
            traces[change.group].manual.add(i)
        for group, room in day.rooms.items():
            level, kelvin = read_group(backend, group)
            lux = room.daylight[i] + lamp_lux(level, room.spec)
            traces[group].level.append(level)
            traces[group].kelvin.append(kelvin)
            traces[group].lux.append(lux)
            sensors.room(room.spec, room.motion[i], lux * room.noise[i])
        _set_weather(sensors, day, i)
        if not (when + timedelta(minutes=1) - day.minutes[0]) % step:
            await async_wait_recording_done(hass)  # the window is complete in the recorder

    live = entry.runtime_data.telemetry.live()
    run = StrategyRun(
        "smart (integration)",
        traces,
        ai_calls=int(live["ai_calls"]),
        tokens=int(live["tokens_in"] + live["tokens_out"]),
        through_home_assistant=True,
    )
    return SmartReplay(run, entry, lights)


async def _async_start(
    hass: HomeAssistant,
    clock: Clock,
    day: DayData,
    sensors: _Sensors,
    options: Mapping[str, Any] | None,
) -> tuple[ConfigEntry[Any], dict[int, str]]:
    """Place the home, record some sensor history, set up the entry and the room profiles."""
    scenario = day.scenario
    hass.config.latitude = scenario.latitude
    hass.config.longitude = scenario.longitude
    hass.config.elevation = 0
    await hass.config.async_set_time_zone(scenario.time_zone)

    clock.move_to(day.minutes[0] - HISTORY_BEFORE)
    for room_day in day.rooms.values():
        sensors.room(room_day.spec, False, room_day.daylight[0] * room_day.noise[0])
    _set_weather(sensors, day, 0)
    await async_wait_recording_done(hass)

    clock.move_to(day.minutes[0])
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="DALI bus (simulated)",
        data={"bus_type": "simulated"},
        options=entry_options(scenario, options),
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
                "lamp_lux_at_full": room.lamp_lux_at_full,
                "vacancy_minutes": scenario.vacancy_minutes,
            },
            blocking=True,
        )
    return entry, lights


def _set_weather(sensors: _Sensors, day: DayData, index: int) -> None:
    weather = day.weather[index]
    sensors.set(
        WEATHER_ENTITY,
        weather.condition,
        {"cloud_coverage": weather.cloud_coverage, "temperature": weather.temperature},
    )


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
