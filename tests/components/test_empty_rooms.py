"""Empty rooms stay dark: after setup (or a restart) an unknown history is not recent presence."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, State
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.smart_lighting_ai.const import DOMAIN

from .common import OFFICE_START, ROOMS_OPTIONS, simulator

CORRIDOR = "light.corridor"
CORRIDOR_MOTION = "binary_sensor.corridor_motion"
CORRIDOR_DECISION = "sensor.corridor_last_decision"


async def _setup(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> MockConfigEntry:
    freezer.move_to(OFFICE_START)
    entry = MockConfigEntry(
        domain=DOMAIN, data={"bus_type": "simulated"}, options=ROOMS_OPTIONS, unique_id="simulated"
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def _state(hass: HomeAssistant, entity_id: str) -> State:
    state = hass.states.get(entity_id)
    assert state is not None
    return state


async def _cycle(hass: HomeAssistant) -> None:
    await hass.services.async_call(DOMAIN, "aggregate_now", {}, blocking=True, return_response=True)
    await hass.async_block_till_done(wait_background_tasks=True)


def _corridor_level(entry: MockConfigEntry) -> int:
    [level] = {g.actual_level for g in simulator(entry).gear[8:12]}  # group 2: gear 8-11
    return level


async def test_a_sensor_that_went_unknown_to_off_leaves_the_room_dark(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(OFFICE_START - timedelta(minutes=20))
    hass.states.async_set(CORRIDOR_MOTION, "unknown")
    hass.states.async_set("binary_sensor.office_motion", "off")
    hass.states.async_set("sensor.office_lux", "40")
    freezer.move_to(OFFICE_START - timedelta(minutes=6))
    hass.states.async_set(CORRIDOR_MOTION, "off")  # and never "on"
    await async_wait_recording_done(hass)
    entry = await _setup(hass, freezer)

    await _cycle(hass)

    assert _state(hass, CORRIDOR).state == "off"
    assert _corridor_level(entry) == 0
    assert "min ago" not in _state(hass, CORRIDOR_DECISION).attributes["reason"]


async def test_a_lit_room_stays_lit_within_the_timeout_then_switches_off(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(OFFICE_START - timedelta(minutes=10))
    hass.states.async_set(CORRIDOR_MOTION, "on")
    hass.states.async_set("binary_sensor.office_motion", "off")
    hass.states.async_set("sensor.office_lux", "40")
    await async_wait_recording_done(hass)
    entry = await _setup(hass, freezer)
    await _cycle(hass)
    assert _state(hass, CORRIDOR).state == "on"
    lit = _corridor_level(entry)
    assert lit > 0

    freezer.tick(timedelta(minutes=1))
    hass.states.async_set(CORRIDOR_MOTION, "off")  # the person leaves
    await async_wait_recording_done(hass)
    freezer.tick(timedelta(minutes=7))  # the window (5 min) no longer shows the "on"
    await _cycle(hass)
    assert _state(hass, CORRIDOR).state == "on"
    assert _corridor_level(entry) == lit
    assert "7 min ago" in _state(hass, CORRIDOR_DECISION).attributes["reason"]

    freezer.tick(timedelta(minutes=8))  # 15 min after the person left: a warning dim first
    await _cycle(hass)
    assert _state(hass, CORRIDOR).state == "on"
    assert 0 < _corridor_level(entry) < lit
    assert "warning dim" in _state(hass, CORRIDOR_DECISION).attributes["reason"]

    freezer.tick(timedelta(minutes=2))  # the grace period passed with nobody moving
    await _cycle(hass)
    assert _state(hass, CORRIDOR).state == "off"


async def test_after_a_restart_an_emptied_room_is_not_switched_on(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(OFFICE_START - timedelta(minutes=10))
    hass.states.async_set(CORRIDOR_MOTION, "on")
    hass.states.async_set("binary_sensor.office_motion", "off")
    hass.states.async_set("sensor.office_lux", "40")
    freezer.move_to(OFFICE_START - timedelta(minutes=8))
    hass.states.async_set(CORRIDOR_MOTION, "off")  # the person left 8 minutes ago
    freezer.move_to(OFFICE_START - timedelta(minutes=1))
    hass.states.async_set(CORRIDOR_MOTION, "unknown")  # Home Assistant restarts ...
    hass.states.async_set(CORRIDOR_MOTION, "off")  # ... and the sensor reports again
    await async_wait_recording_done(hass)
    entry = await _setup(hass, freezer)  # the lights came up off

    await _cycle(hass)

    assert _state(hass, CORRIDOR).state == "off"
    assert _corridor_level(entry) == 0
    reason = _state(hass, CORRIDOR_DECISION).attributes["reason"]
    assert reason == "occupied 8 min ago (timeout 15 min), nobody there now → stays off"
