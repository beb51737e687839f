"""Bus scan, inventory persistence form, and group-addressed control with read-back."""

from __future__ import annotations

import pytest
from dali.address import GearGroup, GearShort
from dali.gear import colour, general

from custom_components.smart_lighting_ai.dali import (
    DaliBus,
    GroupController,
    Inventory,
    UnknownGroupError,
    scan_bus,
)
from custom_components.smart_lighting_ai.dali.backends.simulated import SimulatedBackend
from custom_components.smart_lighting_ai.dali.sim_gear import SimGear


async def _controller(
    gear: list[SimGear] | None = None,
) -> tuple[GroupController, SimulatedBackend, DaliBus]:
    sim = SimulatedBackend(gear)
    bus = DaliBus(sim)
    await bus.connect()
    return GroupController(bus, await scan_bus(bus)), sim, bus


async def test_scan_finds_the_default_installation() -> None:
    controller, _, bus = await _controller()
    inventory = controller.inventory
    # gear 0-18 answer at their short addresses; the two unaddressed gear do not
    assert [g.short_address for g in inventory.gear] == list(range(19))
    assert [g.short_address for g in inventory.ungrouped()] == [16, 17, 18]
    assert inventory.gear[18].device_types == (1, 6)  # listed through QueryNextDeviceType
    # bank 0: every gear has its GTIN and serial number, and they tell the gear apart
    assert len({g.key for g in inventory.gear}) == 19
    assert all(g.gtin is not None and g.serial is not None for g in inventory.gear)
    assert inventory.by_key(inventory.gear[5].key) == inventory.gear[5]
    groups = inventory.groups()
    assert sorted(groups) == [0, 1, 2, 3]
    assert [groups[n].supports_colour_temperature for n in range(4)] == [True, True, False, False]
    assert groups[0].mirek_range == (154, 370)
    assert groups[2].mirek_range is None
    assert Inventory.from_dict(inventory.to_dict()) == inventory
    assert bus.frames_sent > 64


async def test_inventory_of_unknown_version_is_refused() -> None:
    with pytest.raises(ValueError, match="version"):
        Inventory.from_dict({"version": 7, "gear": []})


async def test_gear_that_stops_answering_mid_scan_is_skipped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    gear = [SimGear(0, {0}), SimGear(1, {0}), SimGear(2, {0})]

    class Faulty(SimulatedBackend):
        def _deliver(self, command):  # type: ignore[no-untyped-def]
            if isinstance(command, general.QueryMinLevel) and command.destination == GearShort(1):
                self.gear[1].responding = False
            return super()._deliver(command)

    sim = Faulty(gear)
    bus = DaliBus(sim)
    await bus.connect()
    inventory = await scan_bus(bus, range(4))
    assert [g.short_address for g in inventory.gear] == [0, 2]
    assert "DALI gear 1 stopped answering" in caplog.text


async def test_mixed_group_has_no_colour_temperature_and_level_envelope() -> None:
    gear = [
        SimGear(0, {5}, device_types=(8,), min_level=20),
        SimGear(1, {5}, device_types=(6,), max_level=200),
    ]
    controller, sim, _ = await _controller(gear)
    info = controller.group(5)
    assert not info.supports_colour_temperature
    assert (info.min_level, info.max_level) == (1, 254)  # each gear clamps itself further
    with pytest.raises(UnknownGroupError):
        await controller.apply(5, mirek=300)
    state = await controller.apply(5, level=254)
    assert state.level == 254
    assert [g.actual_level for g in sim.gear] == [254, 200]
    assert (await controller.read_back(5)).level == 254
    with pytest.raises(UnknownGroupError):
        controller.group(9)


async def test_apply_is_one_transaction_and_notifies_listeners() -> None:
    controller, sim, bus = await _controller()
    changed: list[int] = []
    unsubscribe = controller.add_listener(changed.append)
    sim.log.clear()
    frames = bus.frames_sent
    await controller.apply(1, level=180, mirek=300, fade_code=3)
    assert [type(c) for c in sim.log] == [
        general.DTR0,
        general.SetFadeTime,
        general.DTR0,
        general.DTR1,
        colour.SetTemporaryColourTemperature,
        colour.Activate,
        general.DAPC,
    ]
    assert all(c.destination == GearGroup(1) for c in sim.log if hasattr(c, "destination"))
    # DTR0 + SetFadeTime twice, DTR0, DTR1, two DT8 commands each after EnableDeviceType, DAPC
    assert bus.frames_sent - frames == 10
    assert changed == [1]
    await controller.apply(1, level=180)
    assert changed == [1]  # nothing changed, nobody told
    unsubscribe()


async def test_read_back_takes_the_members_state() -> None:
    controller, sim, _ = await _controller()
    sim.gear[4].actual_level = 30
    sim.gear[5].actual_level = 60
    sim.gear[4].tc_mirek = sim.gear[5].tc_mirek = sim.gear[6].tc_mirek = 300
    state = await controller.read_back(1)
    assert (state.level, state.mirek, state.is_on) == (60, 300, True)
    for gear in sim.gear[4:8]:
        gear.responding = False
    assert await controller.read_back(1) == state  # no answers: the known state stays
    reading = await controller.read_gear(controller.group(1).members[0])
    assert (reading.level, reading.mirek) == (None, None)


async def test_set_inventory_keeps_known_state() -> None:
    controller, _, bus = await _controller()
    await controller.apply(0, level=100)
    controller.set_inventory(await scan_bus(bus))
    assert controller.states[0].level == 100
