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
