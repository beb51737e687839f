"""The simulator against python-dali's own fake gear: both must agree on what each command does."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest
from dali.address import GearBroadcast, GearGroup, GearShort
from dali.command import Command
from dali.gear import colour, general
from dali.gear.sequences import SetDT8ColourValueTc
from dali.tests import fakes

from custom_components.smart_lighting_ai.dali.backends.simulated import (
    SimulatedBackend,
    default_installation,
)
from custom_components.smart_lighting_ai.dali.sim_gear import SimGear


def _pair() -> tuple[SimulatedBackend, fakes.Bus]:
    ours = SimulatedBackend()
    theirs = fakes.Bus(
        [
            fakes.Gear(g.short_address, groups=set(g.groups), devicetypes=list(g.device_types))
            for g in ours.gear
        ]
    )
    for gear in theirs.gear:  # python-dali's fake defaults to 153..370 mirek; ours to 154..370
        gear.ct_mired_min = 154
    return ours, theirs


def _answer(response: Any) -> Any:
    if response is None or response.raw_value is None:
        return None
    return response.raw_value.as_integer


def _run(ours: SimulatedBackend, theirs: fakes.Bus, commands: Iterable[Command]) -> list[Any]:
    """Send each command to both buses; return pairs of answers."""
    answers = []
    for command in commands:
        answers.append((_answer(ours._deliver(command)), _answer(theirs.send(command))))
    return answers


SCRIPTS: dict[str, list[Command]] = {
    "group level": [general.DAPC(GearGroup(1), 120)],
    "level clamped to max": [
        general.DTR0(200),
        general.SetMaxLevel(GearShort(2)),
        general.DAPC(GearShort(2), 254),
    ],
    "level clamped to min": [
        general.DTR0(50),
        general.SetMinLevel(GearBroadcast()),
        general.DAPC(GearGroup(0), 10),
    ],
    "off after on": [general.DAPC(GearBroadcast(), 80), general.Off(GearGroup(2))],
    "recall max and min": [
        general.RecallMaxLevel(GearGroup(0)),
        general.RecallMinLevel(GearGroup(3)),
    ],
    "mask keeps level": [general.DAPC(GearGroup(1), 90), general.DAPC(GearGroup(1), 255)],
    "group membership": [
        general.AddToGroup(GearShort(5), 9),
        general.RemoveFromGroup(GearShort(6), 1),
    ],
    "dt8 colour": list(SetDT8ColourValueTc(GearGroup(0), 250)),
    "dt8 colour clamped": list(SetDT8ColourValueTc(GearGroup(1), 1000)),
}

QUERIES: list[Command] = [
    q(GearShort(a))
    for a in (0, 2, 5, 6, 9, 13, 40)
    for q in (
        general.QueryActualLevel,
        general.QueryMaxLevel,
        general.QueryMinLevel,
        general.QueryControlGearPresent,
        general.QueryDeviceType,
        general.QueryGroupsZeroToSeven,
        general.QueryGroupsEightToFifteen,
        general.QueryPhysicalMinimum,
        general.QueryVersionNumber,
    )
]


@pytest.mark.parametrize("script", list(SCRIPTS), ids=list(SCRIPTS))
def test_simulator_agrees_with_python_dali_fakes(script: str) -> None:
    ours, theirs = _pair()
    for ours_answer, theirs_answer in _run(ours, theirs, SCRIPTS[script] + QUERIES):
        assert ours_answer == theirs_answer
    for mine, fake in zip(ours.gear, theirs.gear, strict=True):
        assert (mine.actual_level, mine.groups, mine.min_level, mine.max_level) == (
            fake.level,
            fake.groups,
            fake.level_min,
            fake.level_max,
        )
        if mine.is_dt8:
            assert fake.actual_ct in (mine.tc_mirek, 0)  # python-dali starts at 0


def test_default_installation_matches_contract() -> None:
    gear = default_installation()
    assert [g.short_address for g in gear] == [*range(19), None, None]
    assert [sorted(g.groups) for g in gear[:16]] == [[a // 4] for a in range(16)]
    assert all(not g.groups for g in gear[16:])
    assert [g.is_dt8 for g in gear] == [True] * 8 + [False] * 13
    assert [g.device_types for g in gear[16:19]] == [(6,), (6,), (1, 6)]
    assert {(g.min_level, g.max_level, g.actual_level) for g in gear} == {(1, 254, 0)}
    assert {(g.tc_coolest_mirek, g.tc_warmest_mirek) for g in gear[:8]} == {(154, 370)}
    assert len({(g.gtin, g.serial) for g in gear}) == 21  # each one its own identity


def test_bank_0_reads_like_python_dalis_fake() -> None:
    """GTIN and serial read through python-dali's memory sequences, as from its FakeBank0."""
    from dali.memory.info import GTIN, IdentificationNumber
    from dali.tests import fakes

    ours = SimGear(short_address=3, gtin=1234567654321, serial=1)
    theirs = fakes.Gear(3, memory_banks=(fakes.FakeBank0,))

    def run(gear_send, sequence):  # type: ignore[no-untyped-def]
        from dali.frame import BackwardFrame

        response = None
        try:
            while True:
                command = sequence.send(response)
                answer = gear_send(command)
                if command.response is not None:
                    frame = None if answer is None else BackwardFrame(answer)
                    response = command.response(frame)
        except StopIteration as stop:
            return stop.value

    for value in (GTIN, IdentificationNumber):
        assert run(ours.receive, value.read(GearShort(3))) == run(theirs.send, value.read(3))
    assert run(ours.receive, GTIN.read(GearShort(3))) == 1234567654321


def test_configuration_command_acts_only_when_received_twice() -> None:
    gear = SimGear(short_address=1)
    gear.receive(general.DTR0(100))
    gear.receive(general.SetMaxLevel(GearShort(1)))
    assert gear.max_level == 254
    gear.receive(general.SetMaxLevel(GearShort(1)))
    assert gear.max_level == 100
    gear.receive(general.AddToGroup(GearShort(1), 4))
    gear.receive(general.QueryActualLevel(GearShort(1)))  # another frame in between
    gear.receive(general.AddToGroup(GearShort(1), 4))
    assert gear.groups == set()


def test_dt8_command_needs_enable_device_type() -> None:
    gear = SimGear(short_address=0, device_types=(8,))
    gear.dtr0, gear.dtr1 = 250, 0
    gear.receive(colour.SetTemporaryColourTemperature(GearShort(0)))
    gear.receive(general.EnableDeviceType(8))
    gear.receive(colour.Activate(GearShort(0)))
    assert gear.tc_mirek == 370  # the temporary value was never taken
    dt6 = SimGear(short_address=1)
    dt6.receive(general.EnableDeviceType(8))
    assert dt6.receive(colour.QueryColourTypeFeatures(GearShort(1))) is None


def test_gear_that_stops_answering_is_silent() -> None:
    sim = SimulatedBackend()
    sim.gear[3].responding = False
    sim._connected = True
    response = sim._deliver(general.QueryActualLevel(GearShort(3)))
    assert response is not None
    assert response.raw_value is None


def test_several_answers_collide() -> None:
    sim = SimulatedBackend()
    response = sim._deliver(general.QueryControlGearPresent(GearGroup(0)))
    assert response is not None
    assert response.raw_value.error
    assert response.value is True  # "yes" from more than one gear


def test_status_and_fade_time_queries() -> None:
    gear = SimGear(short_address=0)
    gear.receive(general.DTR0(7))
    gear.receive(general.SetFadeTime(GearShort(0)))
    gear.receive(general.SetFadeTime(GearShort(0)))
    gear.receive(general.DAPC(GearShort(0), 100))
    assert gear.receive(general.QueryFadeTimeFadeRate(GearShort(0))) == 7 << 4 | 7
    status = general.QueryStatus(GearShort(0)).response(
        __import__("dali.frame", fromlist=["BackwardFrame"]).BackwardFrame(
            gear.receive(general.QueryStatus(GearShort(0)))
        )
    )
    assert status.arc_power_on
    assert not status.lamp_failure
    assert gear.receive(general.QueryLampPowerOn(GearShort(0))) == 0xFF
    gear.lamp_failure = True
    assert gear.receive(general.QueryLampFailure(GearShort(0))) == 0xFF
