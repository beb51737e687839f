"""Scenes of a group: read once, recalled with one frame, stored without half-written gear."""

from __future__ import annotations

import pytest
from dali.address import GearGroup
from dali.command import Command
from dali.gear import general

from custom_components.smart_lighting_ai.dali import DaliBus, GroupController, scan_bus
from custom_components.smart_lighting_ai.dali.backends.simulated import SimulatedBackend
from custom_components.smart_lighting_ai.dali.gear_config import (
    GearNotAnswering,
    GearWriteFailed,
    complete_inventory,
)
from custom_components.smart_lighting_ai.dali.inventory import Inventory
from custom_components.smart_lighting_ai.dali.scenes import (
    group_scenes,
    recall_scene,
    store_scene,
)
from custom_components.smart_lighting_ai.dali.sim_gear import SimGear


async def _setup() -> tuple[GroupController, SimulatedBackend, DaliBus]:
    sim = SimulatedBackend()
    bus = DaliBus(sim)
    await bus.connect()
    inventory = await complete_inventory(bus, await scan_bus(bus))
    return GroupController(bus, inventory), sim, bus


async def test_stored_scenes_are_read_once_and_kept_in_the_inventory() -> None:
    controller, sim, bus = await _setup()
    groups = controller.groups
    assert group_scenes(groups[0]) == {
        0: dict.fromkeys(range(4), 254),
        1: dict.fromkeys(range(4), 170),
    }
    assert group_scenes(groups[1]) == {}
    # saved with the inventory: a restart reads nothing again
    again = Inventory.from_dict(controller.inventory.to_dict())
    assert again == controller.inventory
    sim.log.clear()
    assert await complete_inventory(bus, again) == again
    assert sim.log == []
    # an inventory saved before stored settings existed still loads
    old = controller.inventory.to_dict()
    for gear in old["gear"]:
        gear.pop("stored", None)
    assert all(g.stored is None for g in Inventory.from_dict(old).gear)


async def test_scenes_known_before_a_rescan_are_not_read_again() -> None:
    controller, sim, bus = await _setup()
    known = {g.key: g.stored for g in controller.inventory.gear if g.stored}
    sim.log.clear()
    rescanned = await scan_bus(bus)
    frames = len(sim.log)
    assert await complete_inventory(bus, rescanned, known) == controller.inventory
    assert len(sim.log) == frames


async def test_recall_is_one_group_addressed_frame() -> None:
    controller, sim, bus = await _setup()
    sim.log.clear()
    await recall_scene(bus, 0, 1)
    assert [(type(c), c.destination.group, c.param) for c in sim.log] == [(general.GoToScene, 0, 1)]
    assert {g.actual_level for g in sim.gear[:4]} == {170}
    with pytest.raises(ValueError, match="0-15"):
        await recall_scene(bus, 0, 16)


async def test_store_writes_each_members_level_and_reads_it_back() -> None:
    controller, sim, bus = await _setup()
    for address, level in zip(range(4, 8), (10, 50, 0, 200), strict=True):
        sim.gear[address].actual_level = level
    writes_before = [g.nvm_writes for g in sim.gear[4:8]]
    updated = await store_scene(bus, controller.groups[1], 5)
    assert [g.scenes[5] for g in sim.gear[4:8]] == [10, 50, 0, 200]
    assert [g.stored.scenes[5] for g in updated if g.stored] == [10, 50, 0, 200]
    assert [g.nvm_writes - b for g, b in zip(sim.gear[4:8], writes_before, strict=True)] == [1] * 4
    # storing the same levels again writes nothing
    sim.log.clear()
    await store_scene(bus, controller.groups[1], 5)
    assert not [c for c in sim.log if isinstance(c, general.SetScene)]
    # and the stored scene brings the levels back
    await bus.send(general.Off(GearGroup(1)))
    await recall_scene(bus, 1, 5)
    assert [g.actual_level for g in sim.gear[4:8]] == [10, 50, 0, 200]


async def test_store_with_a_silent_member_writes_nothing() -> None:
    controller, sim, bus = await _setup()
    sim.gear[6].responding = False
    sim.log.clear()
    with pytest.raises(GearNotAnswering) as err:
        await store_scene(bus, controller.groups[1], 3)
    assert err.value.short_address == 6
    assert not [c for c in sim.log if isinstance(c, general.SetScene | general.DTR0)]
    assert all(g.scenes[3] == 255 for g in sim.gear[4:8])


class _LockedGear(SimGear):
    """Gear whose scene memory takes no writes (a broken or locked driver)."""

    def receive(self, command: Command) -> int | None:
        if isinstance(command, general.SetScene):
            return None
        return super().receive(command)


async def test_store_that_does_not_stick_is_reported() -> None:
    gear = [SimGear(0, {0}, actual_level=90), _LockedGear(1, {0}, actual_level=90)]
    sim = SimulatedBackend(gear)
    bus = DaliBus(sim)
    await bus.connect()
    inventory = await complete_inventory(bus, await scan_bus(bus))
    with pytest.raises(GearWriteFailed) as err:
        await store_scene(bus, inventory.groups()[0], 2)
    assert err.value.short_address == 1
    assert [g.stored.scenes[2] for g in err.value.updated if g.stored] == [90, 255]
