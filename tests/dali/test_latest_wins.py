"""A saturated line: a group's change that has not started yet gives way to the latest one."""

from __future__ import annotations

import asyncio

import pytest
from dali.address import GearGroup
from dali.gear.general import DAPC

from custom_components.smart_lighting_ai.dali import (
    ChangeWithdrawn,
    DaliBus,
    GroupController,
    scan_bus,
)
from custom_components.smart_lighting_ai.dali.backends.simulated import SimulatedBackend


async def _busy_line() -> tuple[SimulatedBackend, DaliBus, GroupController]:
    sim = SimulatedBackend()
    bus = DaliBus(sim)
    await bus.connect()
    controller = GroupController(bus, await scan_bus(bus))
    bus._realtime = True  # frames take their real time, so changes pile up behind a read-back
    return sim, bus, controller


def _dapcs_to_group(sim: SimulatedBackend, group: int) -> list[int]:
    return [
        c.power
        for c in sim.log
        if isinstance(c, DAPC)
        and isinstance(c.destination, GearGroup)
        and c.destination.group == group
    ]


async def test_a_dragged_slider_sends_only_the_latest_level() -> None:
    sim, bus, controller = await _busy_line()
    sim.log.clear()
    reading = asyncio.create_task(controller.read_back(0))  # the line is busy
    await asyncio.sleep(0)
    levels = list(range(20, 220, 10))  # twenty slider positions while the line is busy
    states = await asyncio.gather(*(controller.apply(0, level=lv) for lv in levels))
    await reading
    assert _dapcs_to_group(sim, 0) == [levels[-1]]
    assert {s.level for s in states} == {levels[-1]}  # every caller learns what the group shows
    assert {g.actual_level for g in sim.gear[:4]} == {levels[-1]}


async def test_a_joined_change_keeps_the_colour_of_the_earlier_one() -> None:
    sim, bus, controller = await _busy_line()
    reading = asyncio.create_task(controller.read_back(1))
    await asyncio.sleep(0)
    colour = asyncio.create_task(controller.apply(0, mirek=300))
    level = asyncio.create_task(controller.apply(0, level=100))
    await asyncio.gather(reading, colour, level)
    assert controller.states[0].mirek == 300
    assert {g.actual_level for g in sim.gear[:4]} == {100}
    assert {g.tc_mirek for g in sim.gear[:4]} == {300}


async def test_an_automatic_change_is_never_joined_and_can_withdraw() -> None:
    sim, bus, controller = await _busy_line()
    sim.log.clear()
    reading = asyncio.create_task(controller.read_back(0))
    await asyncio.sleep(0)
    person = asyncio.create_task(controller.apply(0, level=120))
    automatic = asyncio.create_task(controller.apply(0, level=254, guard=lambda: False))
    with pytest.raises(ChangeWithdrawn):
        await automatic
    await asyncio.gather(reading, person)
    assert _dapcs_to_group(sim, 0) == [120]
