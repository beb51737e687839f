"""Random addressing in the simulator, checked against python-dali's fake gear."""

from __future__ import annotations

import time
from collections.abc import Generator, Iterable
from typing import Any

import pytest
from dali.address import GearBroadcast, GearGroup, GearShort
from dali.command import Command
from dali.gear import general
from dali.sequences import Commissioning
from dali.tests import fakes

from custom_components.smart_lighting_ai.dali.backends.simulated import (
    SimulatedBackend,
    default_installation,
)
from custom_components.smart_lighting_ai.dali.bus import DaliBus
from custom_components.smart_lighting_ai.dali.sim_addressing import (
    FACTORY_RANDOM_ADDRESS,
    force_collision,
    randomise,
)
from custom_components.smart_lighting_ai.dali.sim_gear import SimGear
from custom_components.smart_lighting_ai.dali.sim_state import from_json, to_json

RANDOM = [0x12_3456, 0x00_0042, 0xAB_CDEF]


def _answer(response: Any) -> Any:
    if response is None or response.raw_value is None:
        return None
    return ("garbled" if response.raw_value.error else "", response.raw_value.as_integer)


def _line(preloads: Iterable[list[int]], addressed: int = 3) -> tuple[SimulatedBackend, fakes.Bus]:
    """``addressed`` gear at 0.. and one unaddressed gear per preload, on both simulators."""
    ours: list[SimGear] = [SimGear(short_address=a) for a in range(addressed)]
    theirs = [fakes.Gear(a) for a in range(addressed)]
    for preload in preloads:
        unit = SimGear(short_address=None)
        unit.addressing.random_preload = list(preload)
        ours.append(unit)
        theirs.append(fakes.Gear(None, random_preload=list(preload)))
    backend = SimulatedBackend(gear=ours)
    backend._connected = True
    return backend, fakes.Bus(theirs)


def _both(ours: SimulatedBackend, theirs: fakes.Bus, commands: Iterable[Command]) -> list[Any]:
    return [(_answer(ours._deliver(c)), _answer(theirs.send(c))) for c in commands]


SEARCH: list[Command] = [
    general.Terminate(),
    general.Initialise(address=None),
    general.Randomise(),
    general.SearchaddrH(0xFF),
    general.SearchaddrM(0xFF),
    general.SearchaddrL(0xFF),
    general.Compare(),  # both unaddressed gear: garbled
    general.SearchaddrH(0x12),
    general.SearchaddrM(0x34),
    general.SearchaddrL(0x56),
    general.Compare(),  # both still (0x000042 and 0x123456)
    general.QueryShortAddress(),  # the gear at 0x123456: no short address
    general.ProgramShortAddress(7),
    general.VerifyShortAddress(7),
    general.QueryShortAddress(),
    general.Withdraw(),
    general.Compare(),  # only 0x000042 now
    general.SearchaddrH(0x00),
    general.SearchaddrM(0x00),
    general.SearchaddrL(0x41),
    general.Compare(),  # nobody at or below 0x000041
    general.QueryRandomAddressH(GearShort(7)),
    general.QueryRandomAddressM(GearShort(7)),
    general.QueryRandomAddressL(GearShort(7)),
    general.Terminate(),
    general.Compare(),  # outside the initialisation state: nobody
    general.VerifyShortAddress(7),
    general.QueryMissingShortAddress(GearBroadcast()),
]


def test_search_commands_answer_like_python_dalis_fakes() -> None:
    ours, theirs = _line([[RANDOM[0]], [RANDOM[1]]])
    answers = _both(ours, theirs, SEARCH)
    for command, (mine, fake) in zip(SEARCH, answers, strict=True):
        if not isinstance(command, general.QueryShortAddress):  # the fakes do not answer it
            assert mine == fake, command
    assert [answers[11][0], answers[14][0]] == [("", 0xFF), ("", 7 << 1 | 1)]
    assert answers[6][0] == ("garbled", 0xFF)  # two gear answering at once
    assert [a for a, _ in answers[21:24]] == [("", 0x12), ("", 0x34), ("", 0x56)]
    assert [g.short_address for g in ours.gear] == [0, 1, 2, 7, None]
    assert [g.shortaddr for g in theirs.gear] == [0, 1, 2, 7, None]


def test_initialise_selects_broadcast_unaddressed_or_one_address() -> None:
    backend, _ = _line([[RANDOM[0]]])
    backend._deliver(general.Initialise(address=1))
    assert [g.addressing.initialising for g in backend.gear] == [False, True, False, False]
    backend._deliver(general.Initialise(address=None))
    assert [g.addressing.initialising for g in backend.gear] == [False, True, False, True]
    backend._deliver(general.Terminate())
    backend._deliver(general.Initialise(broadcast=True))
    assert all(g.addressing.initialising for g in backend.gear)
    backend._deliver(general.Terminate())
    assert not any(g.addressing.initialising for g in backend.gear)


def test_randomise_and_addressing_commands_need_the_initialisation_state() -> None:
    gear = SimGear(short_address=None)
    gear.addressing.random_preload = [5]
    gear.receive(general.Randomise())
    gear.receive(general.Randomise())  # sent twice, but not initialising: ignored
    assert gear.addressing.random_address == FACTORY_RANDOM_ADDRESS
    backend = SimulatedBackend(gear=[gear])
    backend._deliver(general.Initialise(address=None))
    backend._deliver(general.Randomise())
    assert gear.addressing.random_address == 5
    backend._deliver(general.SearchaddrL(5))  # H and M are still 0xFF
    backend._deliver(general.ProgramShortAddress(9))
    assert gear.short_address is None  # not selected
    for command in (general.SearchaddrH(0), general.SearchaddrM(0)):
        backend._deliver(command)
    backend._deliver(general.ProgramShortAddress(9))
    assert gear.short_address == 9
    backend._deliver(general.ProgramShortAddress("MASK"))
    assert gear.short_address is None
    assert _answer(backend._deliver(general.QueryShortAddress())) == ("", 0xFF)


def test_set_short_address_from_dtr0_like_python_dalis_fakes() -> None:
    ours, theirs = _line([])
    script: list[Command] = [
        general.DTR0(5 << 1 | 1),
        general.SetShortAddress(GearShort(1)),
        general.DTR0(0x80),  # not an address: ignored
        general.SetShortAddress(GearShort(0)),
        general.DTR0(255),
        general.SetShortAddress(GearShort(2)),
        general.QueryControlGearPresent(GearShort(5)),
        general.QueryMissingShortAddress(GearBroadcast()),
    ]
    for mine, fake in _both(ours, theirs, script):
        assert mine == fake
    assert [g.short_address for g in ours.gear] == [0, 5, None]


def test_identify_device_is_recorded_per_gear_and_per_group() -> None:
    backend = SimulatedBackend()
    backend._connected = True
    before = time.time()
    backend._deliver(general.IdentifyDevice(GearShort(2)))
    assert backend.gear[2].addressing.identify_count == 1
    assert (backend.gear[2].addressing.identify_started or 0) >= before
    assert backend.gear[3].addressing.identify_started is None
    backend._deliver(general.IdentifyDevice(GearGroup(1)))
    assert [g.addressing.identify_count for g in backend.gear[:9]] == [0, 0, 1, 0, 1, 1, 1, 1, 0]


def test_default_line_has_two_gear_with_deterministic_distinct_random_addresses() -> None:
    first, second = default_installation(), default_installation()
    waiting = [g for g in first if g.short_address is None]
    assert len(waiting) == 2
    randoms = [g.addressing.random_address for g in waiting]
    assert len(set(randoms)) == 2
    assert FACTORY_RANDOM_ADDRESS not in randoms
    assert randoms == [g.addressing.random_address for g in second if g.short_address is None]
    assert all(g.addressing.random_address == FACTORY_RANDOM_ADDRESS for g in first[:19])


def test_gear_without_serial_still_draws_distinct_addresses() -> None:
    gear = [SimGear(short_address=None) for _ in range(3)]
    for unit in gear:
        randomise(unit)
    assert len({g.addressing.random_address for g in gear}) == 3


def test_addressing_state_survives_a_save_and_restore() -> None:
    gear = default_installation()[19]
    gear.addressing.initialising = True
    restored = from_json(SimGear, to_json(gear))
    assert restored.addressing == gear.addressing


def _run_on_ours(backend: SimulatedBackend, sequence: Generator[Any, Any, Any]) -> int:
    """Run a python-dali sequence through DaliBus on our simulator; return the frames."""
    import asyncio

    async def run() -> int:
        bus = DaliBus(backend)
        await bus.connect()
        await bus.send(sequence)
        return bus.frames_sent

    return asyncio.run(run())


def _run_on_fakes(bus: fakes.Bus, sequence: Generator[Any, Any, Any]) -> int:
    """Run a sequence on python-dali's fake bus; return the frames, counted like DaliBus."""
    frames = 0
    original = bus.send

    def counting(command: Command) -> Any:
        nonlocal frames
        frames += 2 if command.sendtwice else 1
        return original(command)

    bus.send = counting  # type: ignore[method-assign]
    bus.run_sequence(sequence)
    return frames


@pytest.mark.parametrize(
    ("preloads", "readdress"),
    [
        ([[RANDOM[0]], [RANDOM[1]]], False),
        ([[RANDOM[0]], [RANDOM[1]], [RANDOM[2]]], False),
        # two gear draw the same address first: python-dali re-randomises once
        ([[RANDOM[0], RANDOM[2]], [RANDOM[0], RANDOM[1]]], False),
    ],
    ids=["two", "three", "collision"],
)
def test_python_dali_commissioning_gives_the_same_outcome_and_frames(
    preloads: list[list[int]], readdress: bool
) -> None:
    ours, theirs = _line(preloads)
    ours_frames = _run_on_ours(ours, Commissioning(readdress=readdress))
    theirs_frames = _run_on_fakes(theirs, Commissioning(readdress=readdress))
    assert [g.short_address for g in ours.gear] == [g.shortaddr for g in theirs.gear]
    assert sorted(g.short_address for g in ours.gear) == list(range(len(ours.gear)))
    assert ours_frames == theirs_frames
    assert not any(g.addressing.initialising for g in ours.gear)  # Terminate at the end


def test_python_dali_readdressing_agrees_with_the_fakes() -> None:
    ours, theirs = _line([[RANDOM[0]]], addressed=0)
    for short, random_address in ((0, RANDOM[2]), (1, RANDOM[1])):
        unit = SimGear(short_address=short)
        unit.addressing.random_preload = [random_address]
        ours.gear.append(unit)
        theirs.gear.append(fakes.Gear(short, random_preload=[random_address]))
    ours_frames = _run_on_ours(ours, Commissioning(readdress=True))
    theirs_frames = _run_on_fakes(theirs, Commissioning(readdress=True))
    assert [g.short_address for g in ours.gear] == [g.shortaddr for g in theirs.gear] == [1, 2, 0]
    assert ours_frames == theirs_frames


def test_force_collision_makes_gear_draw_the_same_address() -> None:
    gear = [SimGear(short_address=None, serial=n) for n in (1, 2)]
    force_collision(gear, 0x42, rounds=2)
    for _ in range(2):
        for unit in gear:
            randomise(unit)
        assert {g.addressing.random_address for g in gear} == {0x42}
    for unit in gear:
        randomise(unit)
    assert len({g.addressing.random_address for g in gear}) == 2
