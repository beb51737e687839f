"""Real energy (C17): metered kWh from bank 202 where a fitting answers it, else the estimate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.smart_lighting_ai.const import DOMAIN
from custom_components.smart_lighting_ai.dali.sim_status import LOCK_BYTE
from custom_components.smart_lighting_ai.energy_meters import READ_EVERY_S, fitting_watts

from .common import runtime, simulator

GTIN_TW = 4_012_345_000_016
GTIN_DIM = 4_012_345_000_023


def _key(address: int) -> str:
    gtin = GTIN_TW if address < 8 else GTIN_DIM
    return f"{gtin}-{100_001 + address}"


def _state(hass: HomeAssistant, unique_id: str) -> tuple[float, dict[str, object]]:
    entity_id = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, unique_id)
    assert entity_id is not None
    state = hass.states.get(entity_id)
    assert state is not None
    return float(state.state), dict(state.attributes)


async def _minutes(hass: HomeAssistant, freezer: FrozenDateTimeFactory, minutes: int) -> None:
    for _ in range(minutes):
        freezer.tick(timedelta(seconds=60))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)


async def test_a_metered_fitting_reports_its_meter(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    sim = simulator(loaded_entry)
    sim.gear[8].energy_wh = 12_345.6  # what the driver counted before
    sim.advance_meters(0)
    await _minutes(hass, freezer, 5)  # every fitting probed within a few polls
    value, attributes = _state(hass, f"simulated-gear-{_key(8)}-energy")
    assert attributes["source"] == "metered"
    assert value == pytest.approx(12.3456, abs=1e-4)
    assert attributes["power_w"] == 0.0  # off
    assert attributes["unit_of_measurement"] == "kWh"
    assert sim.gear[8].memory[202][LOCK_BYTE] == 0xFF  # the latch was released

    sim.gear[8].actual_level = 254  # full 10 W; the simulated meter runs with the clock
    await _minutes(hass, freezer, 60)
    value, attributes = _state(hass, f"simulated-gear-{_key(8)}-energy")
    # read every 15 minutes: the last reading holds 45 to 60 minutes of that hour
    assert 12.3456 + 0.0075 - 1e-4 <= value <= 12.3456 + 0.0100 + 1e-4
    assert attributes["power_w"] == pytest.approx(10.0)
    assert READ_EVERY_S == 900


async def test_an_unmetered_fitting_shows_the_estimate(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await hass.services.async_call(
        "light",
        "turn_on",
        {"entity_id": "light.dali_group_0", "brightness": 255},
        blocking=True,
    )
    await _minutes(hass, freezer, 60)
    value, attributes = _state(hass, f"simulated-gear-{_key(0)}-energy")
    assert attributes["source"] == "estimated"
    assert "power_w" not in attributes
    assert value == pytest.approx(0.010, rel=0.05)  # 10 W for an hour at full


async def test_group_energy_adds_metered_members(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    sim = simulator(loaded_entry)
    await _minutes(hass, freezer, 8)  # the first readings only set where counting starts
    metered, attributes = _state(hass, "simulated-group-2-energy")
    assert attributes["source"] == "metered"
    assert attributes["metered_members"] == 4
    _, estimated = _state(hass, "simulated-group-0-energy")
    assert estimated["source"] == "estimated"

    for unit in sim.gear[8:12]:
        unit.energy_wh += 250.0  # the drivers metered 1 kWh between two reads
    sim.advance_meters(0)
    await _minutes(hass, freezer, int(READ_EVERY_S // 60) + 1)
    after, _ = _state(hass, "simulated-group-2-energy")
    assert after - metered == pytest.approx(1.0, abs=1e-3)

    del sim.gear[8].memory[202]  # its meter stops answering: it is estimated again
    await _minutes(hass, freezer, int(READ_EVERY_S // 60) + 1)
    _, attributes = _state(hass, "simulated-group-2-energy")
    assert attributes["source"] == "mixed"
    assert attributes["metered_members"] == 3
    value, fitting = _state(hass, f"simulated-gear-{_key(8)}-energy")
    assert fitting["source"] == "estimated"
    assert value == pytest.approx(0.25, abs=1e-3)  # on from the last metered value, no drop


async def test_rated_watts_option_sets_a_fitting_share(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    hass.config_entries.async_update_entry(entry, options={"rated_watts": {"1": 100}})
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    gear = runtime(entry).controller.inventory
    assert fitting_watts(entry, gear.by_key(_key(5))) == 25.0  # group 1: 4 members
    assert fitting_watts(entry, gear.by_key(_key(0))) == 10.0  # group 0: the default
    assert fitting_watts(entry, gear.by_key(_key(16))) == 10.0  # in no group


async def test_a_bus_error_stops_the_meter_poll(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    sim = simulator(loaded_entry)
    meters = runtime(loaded_entry).meters
    assert meters is not None
    sim.garbled = True  # answers nobody can read: nothing is taken, the fitting is retried
    await _minutes(hass, freezer, 3)
    assert meters.readings == {}
    sim.garbled = False
    sim.unplug()
    await _minutes(hass, freezer, 2)
    assert meters.readings == {}
    sim.plug_in()
    await _minutes(hass, freezer, 6)  # reconnected: every fitting is still due
    assert set(meters.readings) == {_key(a) for a in range(8, 12)}


async def test_a_silent_metered_fitting_is_asked_again_soon(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A meter that did not answer because its fitting was off the line is not written off."""
    sim = simulator(loaded_entry)
    sim.gear[9].responding = False
    await _minutes(hass, freezer, 8)
    meters = runtime(loaded_entry).meters
    assert meters is not None
    assert meters.reading(_key(9)) is None
    sim.gear[9].responding = True
    await _minutes(hass, freezer, int(READ_EVERY_S // 60) + 1)
    assert meters.reading(_key(9)) is not None  # within a quarter of an hour, not a day
    _, attributes = _state(hass, f"simulated-gear-{_key(9)}-energy")
    assert attributes["source"] == "metered"
