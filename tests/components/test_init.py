"""Setup, unload, restart without rescan, disconnects and bus faults."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from unittest.mock import patch

import pytest
from dali.gear import general
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.smart_lighting_ai.const import DOMAIN, RECONNECT_DELAYS_S
from custom_components.smart_lighting_ai.dali.backends.simulated import SimulatedBackend

from .common import runtime, simulator

LIGHT_2 = "light.dali_group_2"


def _scans(sim: SimulatedBackend) -> int:
    return sum(isinstance(c, general.QueryControlGearPresent) for c in sim.log)


async def test_setup_scans_once_and_restart_does_not_rescan(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    assert _scans(simulator(loaded_entry)) == 64  # every short address asked once
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert loaded_entry.state is ConfigEntryState.LOADED
    assert _scans(simulator(loaded_entry)) == 0
    assert len(hass.states.async_entity_ids("light")) == 7  # 4 groups, 3 fittings in none


async def test_unreadable_saved_inventory_rescans(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    await runtime(loaded_entry).inventory_store._store.async_save({"version": 99})
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    assert _scans(simulator(loaded_entry)) == 64


async def test_unload_closes_the_bus(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    bus = runtime(loaded_entry).bus
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert loaded_entry.state is ConfigEntryState.NOT_LOADED
    assert not bus.connected


async def test_remove_forgets_the_inventory_and_the_pipeline_state(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    await runtime(loaded_entry).pipeline.async_prune()  # saves the time of the last prune
    await hass.async_block_till_done()
    await hass.config_entries.async_reload(loaded_entry.entry_id)  # the line's gear saved
    await hass.async_block_till_done()
    keys = {
        f"{DOMAIN}.{kind}.{loaded_entry.entry_id}"
        for kind in ("inventory", "pipeline", "simulated_line", "input_devices")
    }
    assert keys <= set(hass_storage)  # the harness keeps .storage in this dict
    await hass.config_entries.async_remove(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert keys.isdisjoint(hass_storage)


async def test_unknown_bus_type_is_a_setup_error(hass: HomeAssistant) -> None:
    entry = MockConfigEntry(domain=DOMAIN, data={"bus_type": "carrier_pigeon"}, unique_id="x")
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert "carrier_pigeon" in (entry.reason or "")


async def test_interface_missing_at_start_retries(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    unplugged = SimulatedBackend()
    unplugged.available = False
    with patch("custom_components.smart_lighting_ai.create_backend", return_value=unplugged):
        assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY


async def test_disconnect_makes_lights_unavailable_until_reconnect(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    def light_state() -> str:
        state = hass.states.get(LIGHT_2)
        assert state is not None
        return state.state

    sim = simulator(loaded_entry)
    sim.unplug()
    await hass.async_block_till_done()
    assert light_state() == STATE_UNAVAILABLE
    sim.log.clear()
    await hass.services.async_call("light", "turn_on", {"entity_id": LIGHT_2}, blocking=True)
    assert sim.log == []  # Home Assistant skips unavailable lights

    reconnected = asyncio.Event()

    def _connection_changed(connected: bool) -> None:
        if connected:
            reconnected.set()

    loaded_entry.async_on_unload(
        runtime(loaded_entry).bus.add_connection_listener(_connection_changed)
    )
    sim.plug_in()
    freezer.tick(RECONNECT_DELAYS_S[0])  # the bus's first retry is due
    async_fire_time_changed(hass)
    async with asyncio.timeout(5):
        await reconnected.wait()
    await hass.async_block_till_done()
    assert light_state() == STATE_OFF
    await hass.services.async_call("light", "turn_on", {"entity_id": LIGHT_2}, blocking=True)
    assert light_state() == STATE_ON


async def test_hung_interface_times_out_with_clear_error(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    with patch("custom_components.smart_lighting_ai.BUS_TIMEOUT_S", 0.05):
        assert await hass.config_entries.async_setup(entry.entry_id)
    sim = simulator(entry)
    sim.hang = True
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call("light", "turn_on", {"entity_id": LIGHT_2}, blocking=True)
    assert err.value.translation_key == "bus_timeout"
    sim.hang = False
    await hass.services.async_call("light", "turn_on", {"entity_id": LIGHT_2}, blocking=True)
    assert hass.states.get(LIGHT_2).state == STATE_ON


async def test_periodic_read_back_follows_gear_changed_behind_our_back(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    sim = simulator(loaded_entry)
    for gear in sim.gear[8:12]:
        gear.actual_level = 80  # e.g. a power cycle that went to the power-on level
    freezer.tick(timedelta(seconds=61))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(LIGHT_2).state == STATE_ON


async def test_gear_that_stops_answering_keeps_the_known_state(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    sim = simulator(loaded_entry)
    await hass.services.async_call(
        "light", "turn_on", {"entity_id": LIGHT_2, "brightness": 128}, blocking=True
    )
    for gear in sim.gear[8:12]:
        gear.responding = False
    freezer.tick(timedelta(seconds=61))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    state = hass.states.get(LIGHT_2)
    assert state.state == STATE_ON
    assert state.attributes["brightness"] == 128
