"""A read-back and a level change at the same time: no false wall-panel change."""

from __future__ import annotations

import asyncio

from custom_components.smart_lighting_ai.dali import DaliBus, GroupController, GroupState, scan_bus
from custom_components.smart_lighting_ai.dali.backends.simulated import SimulatedBackend


async def test_read_back_racing_a_change_keeps_the_new_level() -> None:
    sim = SimulatedBackend()
    bus = DaliBus(sim)
    await bus.connect()
    controller = GroupController(bus, await scan_bus(bus))
    await controller.apply(0, level=200)
    bus._realtime = True  # every frame takes its real bus time, so the two overlap
    external: list[tuple[int, GroupState]] = []
    controller.add_external_change_listener(lambda g, s: external.append((g, s)))
    reading = asyncio.create_task(controller.read_back(0))
    await asyncio.sleep(0.05)  # the read-back is on the bus
    await controller.apply(0, level=100)
    await reading
    assert external == []
    assert controller.states[0].level == 100
    assert {g.actual_level for g in sim.gear[:4]} == {100}


async def test_fading_levels_are_not_taken_for_a_wall_panel() -> None:
    sim = SimulatedBackend()
    bus = DaliBus(sim)
    await bus.connect()
    controller = GroupController(bus, await scan_bus(bus))
    await controller.read_back(0)
    external: list[tuple[int, GroupState]] = []
    controller.add_external_change_listener(lambda g, s: external.append((g, s)))
    await controller.apply(0, level=200, fade_code=8)  # an 8 s fade
    for gear in sim.gear[:4]:
        gear.actual_level = 120  # real gear would still be on its way up
    assert (await controller.read_back(0)).level == 200
    assert external == []
    # another master addressing the group right now is believed even mid-fade
    assert (await controller.read_back(0, while_fading=True)).level == 120
    assert [g for g, _ in external] == [0]


async def test_members_with_different_minimums_read_back_as_set() -> None:
    from custom_components.smart_lighting_ai.dali.sim_gear import SimGear

    sim = SimulatedBackend([SimGear(0, {0}, min_level=1), SimGear(1, {0}, min_level=85)])
    bus = DaliBus(sim)
    await bus.connect()
    controller = GroupController(bus, await scan_bus(bus))
    await controller.read_back(0)
    external: list[int] = []
    controller.add_external_change_listener(lambda g, _s: external.append(g))
    state = await controller.apply(0, level=50)
    assert state.level == 85  # the brightest member shows its own minimum
    assert (await controller.read_back(0)).level == 85
    assert external == []
