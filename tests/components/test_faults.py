"""Faults (C15): lamp and gear failure sensors per fitting, and repair issues naming them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from dali.address import GearShort
from dali.gear import general
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.smart_lighting_ai.compat import device_by_identifier
from custom_components.smart_lighting_ai.const import DOMAIN
from custom_components.smart_lighting_ai.dali import Inventory
from custom_components.smart_lighting_ai.dali.sim_status import LED_OPEN_CIRCUIT
from custom_components.smart_lighting_ai.faults import SWEEP_S

from .common import runtime, simulator

GTIN_TW = 4_012_345_000_016
GTIN_DIM = 4_012_345_000_023


def _key(address: int) -> str:
    gtin = GTIN_TW if address < 8 else GTIN_DIM
    return f"{gtin}-{100_001 + address}"


def _entity(hass: HomeAssistant, address: int, suffix: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        "binary_sensor", DOMAIN, f"simulated-gear-{_key(address)}-{suffix}"
    )
    assert entity_id is not None
    return entity_id


def _state(hass: HomeAssistant, address: int, suffix: str = "lamp_failure") -> str:
    state = hass.states.get(_entity(hass, address, suffix))
    assert state is not None
    return state.state


def _issue(hass: HomeAssistant, entry: MockConfigEntry, kind: str, address: int) -> ir.IssueEntry:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"{kind}_{entry.entry_id}_{_key(address)}")


async def _minutes(hass: HomeAssistant, freezer: FrozenDateTimeFactory, minutes: int) -> None:
    """Let the coordinator's minute-by-minute polls run."""
    for _ in range(minutes):
        freezer.tick(timedelta(seconds=60))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)


SWEEP_MINUTES = int(SWEEP_S // 60) + 1


async def test_a_lamp_failure_shows_and_clears_with_its_repair(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    sim = simulator(loaded_entry)
    assert _state(hass, 3) == STATE_UNKNOWN  # nothing read yet: no frames at start-up
    await _minutes(hass, freezer, SWEEP_MINUTES)
    assert _state(hass, 3) == STATE_OFF
    assert _state(hass, 3, "gear_failure") == STATE_OFF
    assert _issue(hass, loaded_entry, "fitting_failed", 3) is None

    sim.gear[3].lamp_failure = True
    await _minutes(hass, freezer, SWEEP_MINUTES)
    assert _state(hass, 3) == STATE_ON
    assert _state(hass, 3, "gear_failure") == STATE_OFF
    issue = _issue(hass, loaded_entry, "fitting_failed", 3)
    assert issue is not None
    assert issue.translation_placeholders["fitting"] == "DALI fitting 3"
    assert issue.translation_placeholders["problems"] == "lamp failure"
    device = dr.async_get(hass).async_get(
        er.async_get(hass).async_get(_entity(hass, 3, "lamp_failure")).device_id
    )
    assert device.name == "DALI fitting 3"  # on the fitting's own device

    sim.gear[3].lamp_failure = False
    await _minutes(hass, freezer, SWEEP_MINUTES)
    assert _state(hass, 3) == STATE_OFF
    assert _issue(hass, loaded_entry, "fitting_failed", 3) is None


async def test_led_failure_detail_and_gear_failure(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    sim = simulator(loaded_entry)
    sim.gear[16].led_failure = LED_OPEN_CIRCUIT  # a DT6 fitting in no group
    sim.gear[17].gear_failure = True
    device = device_by_identifier(
        hass, (DOMAIN, f"simulated-gear-{GTIN_DIM}-{100_001 + 17}"), loaded_entry.entry_id
    )
    assert device is not None
    dr.async_get(hass).async_update_device(device.id, name_by_user="Stairwell downlight")
    await _minutes(hass, freezer, SWEEP_MINUTES)
    lamp = hass.states.get(_entity(hass, 16, "lamp_failure"))
    assert lamp.state == STATE_ON
    assert lamp.attributes["open_circuit"] is True
    assert lamp.attributes["short_circuit"] is False
    assert _state(hass, 17, "gear_failure") == STATE_ON
    assert _state(hass, 17, "lamp_failure") == STATE_OFF
    failed = _issue(hass, loaded_entry, "fitting_failed", 16)
    assert failed.translation_placeholders["problems"] == "lamp failure; LED: open circuit"
    named = _issue(hass, loaded_entry, "fitting_failed", 17)
    assert named.translation_placeholders["fitting"] == "Stairwell downlight"
    assert named.translation_placeholders["problems"] == "control gear failure"
    assert hass.states.get(_entity(hass, 0, "lamp_failure")).attributes.get("open_circuit") is None


async def test_a_missing_fitting_is_named_and_recovers(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    sim = simulator(loaded_entry)
    sim.gear[5].responding = False
    await _minutes(hass, freezer, SWEEP_MINUTES)
    assert _issue(hass, loaded_entry, "fitting_missing", 5) is None  # one miss is not enough
    await _minutes(hass, freezer, SWEEP_MINUTES)
    issue = _issue(hass, loaded_entry, "fitting_missing", 5)
    assert issue is not None
    assert issue.translation_placeholders["fitting"] == "DALI fitting 5"
    assert _state(hass, 5) == STATE_UNAVAILABLE

    sim.gear[5].responding = True
    await _minutes(hass, freezer, SWEEP_MINUTES)
    assert _issue(hass, loaded_entry, "fitting_missing", 5) is None
    assert _state(hass, 5) == STATE_OFF


async def test_missed_scans_make_a_fitting_missing(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    controller = runtime(loaded_entry).controller
    gear = controller.inventory.gear
    controller.set_inventory(Inventory(gear, {6: 1}))
    await hass.async_block_till_done()
    assert _issue(hass, loaded_entry, "fitting_missing", 6) is not None
    controller.set_inventory(Inventory(gear))
    await hass.async_block_till_done()
    assert _issue(hass, loaded_entry, "fitting_missing", 6) is None


async def test_a_command_from_another_master_reads_the_fitting_at_once(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    sim = simulator(loaded_entry)
    sim.gear[17].gear_failure = True
    sim.log.clear()
    sim.inject(general.DAPC(GearShort(17), 200))  # a wall panel switches it on
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _state(hass, 17, "gear_failure") == STATE_ON
    assert _issue(hass, loaded_entry, "fitting_failed", 17) is not None
    queries = [c for c in sim.log if isinstance(c, general.QueryStatus)]
    assert len(queries) == 1  # only that fitting

    sim.inject(general.QueryActualLevel(GearShort(16)))  # a query changes nothing: no read
    sim.inject(general.DAPC(GearShort(17), 100))  # read a moment ago: not again
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len([c for c in sim.log if isinstance(c, general.QueryStatus)]) == 1


async def test_a_level_nobody_set_reads_the_group_at_once(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A read-back that finds a change reads that group's fittings before their turn."""
    sim = simulator(loaded_entry)
    for unit in sim.gear[12:16]:
        unit.actual_level = 180  # changed on the bus without a frame we saw
    sim.gear[14].gear_failure = True
    await _minutes(hass, freezer, 1)  # one read-back; the sweep has only reached 0-2
    assert _state(hass, 14, "gear_failure") == STATE_ON
    assert _state(hass, 10, "gear_failure") == STATE_UNKNOWN


async def test_a_group_or_broadcast_command_reads_its_fittings(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    from dali.address import GearBroadcast, GearGroup

    sim = simulator(loaded_entry)
    sim.gear[9].lamp_failure = True
    sim.inject(general.Off(GearGroup(2)))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _state(hass, 9) == STATE_ON
    assert _state(hass, 0) == STATE_UNKNOWN
    sim.inject(general.Off(GearBroadcast()))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _state(hass, 0) == STATE_OFF


async def test_a_bus_error_keeps_the_last_status(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    sim = simulator(loaded_entry)
    sim.gear[2].lamp_failure = True
    await _minutes(hass, freezer, SWEEP_MINUTES)
    assert _issue(hass, loaded_entry, "fitting_failed", 2) is not None
    sim.unplug()
    sim.inject(general.DAPC(GearShort(2), 10))  # the read at once fails quietly too
    await _minutes(hass, freezer, 2)
    assert _state(hass, 2) == STATE_UNAVAILABLE  # bus down
    assert _issue(hass, loaded_entry, "fitting_failed", 2) is not None


async def test_unloading_clears_the_fitting_issues(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    simulator(loaded_entry).gear[1].lamp_failure = True
    await _minutes(hass, freezer, SWEEP_MINUTES)
    assert _issue(hass, loaded_entry, "fitting_failed", 1) is not None
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert _issue(hass, loaded_entry, "fitting_failed", 1) is None


@pytest.mark.parametrize("suffix", ["lamp_failure", "gear_failure"])
async def test_every_fitting_has_both_problem_sensors(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, suffix: str
) -> None:
    for gear in runtime(loaded_entry).controller.inventory.gear:
        unique_id = f"simulated-gear-{gear.key}-{suffix}"
        entity_id = er.async_get(hass).async_get_entity_id("binary_sensor", DOMAIN, unique_id)
        assert entity_id is not None
        assert hass.states.get(entity_id).attributes["device_class"] == "problem"
