"""Scenes and stored configuration of the simulated gear, against python-dali's fake gear."""

from __future__ import annotations

from typing import Any

import pytest
from dali.address import GearBroadcast, GearGroup, GearShort
from dali.command import Command
from dali.gear import general
from dali.tests import fakes

from custom_components.smart_lighting_ai.dali.backends.simulated import (
    SimulatedBackend,
    default_installation,
)
from custom_components.smart_lighting_ai.dali.sim_config import (
    bus_failure,
    extended_fade_seconds,
    power_cycle,
)
from custom_components.smart_lighting_ai.dali.sim_gear import SimGear
from custom_components.smart_lighting_ai.dali.sim_state import from_json, to_json


def _answer(response: Any) -> Any:
    if response is None or response.raw_value is None:
        return None
    return response.raw_value.as_integer


def _pair() -> tuple[SimulatedBackend, fakes.Bus]:
    ours = SimulatedBackend(default_installation(16))
    theirs = fakes.Bus(
        [fakes.Gear(g.short_address, groups=set(g.groups)) for g in ours.gear],
    )
    for mine, fake in zip(ours.gear, theirs.gear, strict=True):
        fake.scenes = list(mine.scenes)  # gear 0-3 store scenes 0 and 1
    return ours, theirs


SCENE_SCRIPTS: dict[str, list[Command]] = {
    "store and recall per gear": [
        general.DTR0(120),
        general.SetScene(GearShort(1), 3),
        general.DTR0(40),
        general.SetScene(GearGroup(2), 3),
        general.GoToScene(GearBroadcast(), 3),
    ],
    "remove from a scene": [
        general.DTR0(90),
        general.SetScene(GearBroadcast(), 7),
        general.RemoveFromScene(GearGroup(1), 7),
        general.DAPC(GearBroadcast(), 30),
        general.GoToScene(GearBroadcast(), 7),
    ],
    "scene clamped to max": [
        general.DTR0(200),
        general.SetMaxLevel(GearGroup(0)),
        general.DTR0(250),
        general.SetScene(GearGroup(0), 0),
        general.GoToScene(GearGroup(0), 0),
    ],
    "mask scene leaves the level": [
        general.DAPC(GearGroup(3), 77),
        general.GoToScene(GearGroup(3), 15),
    ],
}


@pytest.mark.parametrize("script", list(SCENE_SCRIPTS), ids=list(SCENE_SCRIPTS))
def test_scenes_agree_with_python_dali_fakes(script: str) -> None:
    ours, theirs = _pair()
    queries = [
        general.QuerySceneLevel(GearShort(a), s) for a in (0, 1, 5, 9, 14) for s in (0, 3, 7, 15)
    ] + [general.QueryActualLevel(GearShort(a)) for a in range(16)]
    for command in SCENE_SCRIPTS[script] + queries:
        assert _answer(ours._deliver(command)) == _answer(theirs.send(command)), command
    for mine, fake in zip(ours.gear, theirs.gear, strict=True):
        assert mine.scenes == fake.scenes
        assert mine.actual_level == fake.level


def test_scene_level_0_switches_off() -> None:
    """IEC 62386-102: a scene stored at 0 switches the gear off (python-dali's fake clamps)."""
    gear = SimGear(short_address=2, actual_level=100)
    gear.receive(general.DTR0(0))
    for _ in range(2):
        gear.receive(general.SetScene(GearShort(2), 4))
    gear.receive(general.GoToScene(GearShort(2), 4))
    assert gear.actual_level == 0


def test_default_line_stores_scenes_0_and_1_in_gear_0_to_3() -> None:
    gear = default_installation()
    assert [g.scenes[:3] for g in gear[:5]] == [[254, 170, 255]] * 4 + [[255] * 3]
    assert all(set(g.scenes) == {255} for g in gear[4:])


def test_power_on_and_system_failure_levels() -> None:
    sim = SimulatedBackend(default_installation(4))
    for command in (
        general.DTR0(80),
        general.SetPowerOnLevel(GearShort(0)),
        general.DTR0(255),
        general.SetSystemFailureLevel(GearShort(0)),
        general.DTR0(30),
        general.SetSystemFailureLevel(GearShort(1)),
        general.DAPC(GearBroadcast(), 200),
    ):
        sim._deliver(command)
    assert _answer(sim._deliver(general.QueryPowerOnLevel(GearShort(0)))) == 80
    assert _answer(sim._deliver(general.QueryPowerOnLevel(GearShort(1)))) == 254
    assert _answer(sim._deliver(general.QuerySystemFailureLevel(GearShort(1)))) == 30
    bus_failure(sim.gear[0])
    bus_failure(sim.gear[1])
    assert [sim.gear[0].actual_level, sim.gear[1].actual_level] == [200, 30]
    power_cycle(sim.gear[0])
    sim.gear[2].power_on_level = 255
    power_cycle(sim.gear[2])
    assert [sim.gear[0].actual_level, sim.gear[2].actual_level] == [80, 200]


def test_extended_fade_time() -> None:
    gear = SimGear(short_address=0)
    for value, stored in ((0x4F, 0x4F), (0x50, 0), (0x23, 0x23)):
        gear.receive(general.DTR0(value))
        for _ in range(2):
            gear.receive(general.SetExtendedFadeTime(GearShort(0)))
        assert gear.receive(general.QueryExtendedFadeTime(GearShort(0))) == stored
    assert extended_fade_seconds(0x4F) == 16 * 60  # 16 minutes, the longest
    assert extended_fade_seconds(0x33) == 40.0  # 4 x 10 s
    assert extended_fade_seconds(0x11) == pytest.approx(0.2)
    assert extended_fade_seconds(0x0F) == 0.0  # multiplier 0: no extended fade


def test_nvm_writes_count_configuration_commands_only() -> None:
    sim = SimulatedBackend(default_installation(4))
    for command in (
        general.DAPC(GearGroup(0), 100),
        general.QuerySceneLevel(GearShort(0), 0),
        general.GoToScene(GearGroup(0), 1),
        general.DTR0(3),
        general.SetFadeTime(GearGroup(0)),
        general.SetScene(GearShort(1), 2),
        general.AddToGroup(GearShort(2), 5),
    ):
        sim._deliver(command)
    assert [g.nvm_writes for g in sim.gear] == [1, 2, 2, 1]


def test_scene_state_survives_a_snapshot() -> None:
    gear = default_installation()[0]
    gear.extended_fade, gear.nvm_writes = 0x41, 9
    again = from_json(SimGear, to_json(gear))
    assert (again.scenes, again.extended_fade, again.nvm_writes) == (gear.scenes, 0x41, 9)
