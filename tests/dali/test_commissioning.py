"""Commissioning and group membership on the simulated line, through DaliBus."""

from __future__ import annotations

from typing import Any

import pytest
from dali.command import Command
from dali.gear import general
from dali.sequences import Commissioning
from dali.tests import fakes

from custom_components.smart_lighting_ai.dali import DaliBus, DaliNotConnectedError
from custom_components.smart_lighting_ai.dali.backends.simulated import (
    GTIN_DIMMABLE,
    SimulatedBackend,
    default_installation,
)
from custom_components.smart_lighting_ai.dali.commissioning import (
    DEFAULT_MAX_ROUNDS,
    CommissioningProgress,
    GearNotAnsweringError,
    GroupsNotVerifiedError,
    NoFreeShortAddressError,
    ProgrammingFailedError,
    UnresolvedCollisionError,
    commission,
    identify,
    set_groups,
)
from custom_components.smart_lighting_ai.dali.sim_addressing import force_collision
from custom_components.smart_lighting_ai.dali.sim_gear import SimGear


async def _bus(gear: list[SimGear] | None = None) -> tuple[DaliBus, SimulatedBackend]:
    backend = SimulatedBackend(gear=gear)
    bus = DaliBus(backend)
    await bus.connect()
    return bus, backend


def _waiting(backend: SimulatedBackend) -> list[SimGear]:
    return [g for g in backend.gear if g.short_address is None]


async def test_new_gear_get_the_free_addresses_and_are_identified() -> None:
    bus, backend = await _bus()
    new = _waiting(backend)
    seen: list[CommissioningProgress] = []
    result = await commission(bus, on_progress=seen.append)
    assert sorted(g.short_address for g in new) == [19, 20]
    assert sorted((g.short_address, g.gtin, g.serial) for g in result.addressed) == sorted(
        (g.short_address, g.gtin, g.serial) for g in new
    )
    assert {g.gtin for g in result.addressed} == {GTIN_DIMMABLE}
    assert (result.collisions, result.nothing_to_do, result.dry_run) == (0, False, False)
    assert [p.stage for p in seen] == [
        "checking",
        "searching",
        "addressed",
        "addressed",
        "identifying",
        "done",
    ]
    assert seen[-1].found == 2
    assert not any(g.addressing.initialising for g in backend.gear)
    assert result.addressed[0].to_dict().keys() == {"short_address", "gtin", "serial"}


async def test_a_line_where_every_gear_has_an_address_is_nothing_to_do() -> None:
    bus, backend = await _bus()
    await commission(bus)
    frames = bus.frames_sent
    result = await commission(bus)
    assert result.nothing_to_do
    assert result.addressed == ()
    assert bus.frames_sent - frames == 1  # one broadcast query says so


async def test_dry_run_finds_gear_but_programs_nothing() -> None:
    bus, backend = await _bus()
    result = await commission(bus, dry_run=True)
    assert [g.short_address for g in result.addressed] == [19, 20]
    assert all(g.gtin is None for g in result.addressed)
    assert len(_waiting(backend)) == 2
    assert not any(isinstance(c, general.ProgramShortAddress) for c in backend.log)


async def test_readdress_gives_every_gear_a_new_address_in_order() -> None:
    bus, backend = await _bus()
    result = await commission(bus, readdress=True)
    assert sorted(g.short_address for g in backend.gear) == list(range(21))
    assert len(result.addressed) == 21
    assert len({(g.gtin, g.serial) for g in result.addressed}) == 21


async def test_readdress_dry_run_keeps_the_addresses() -> None:
    bus, backend = await _bus()
    before = [g.short_address for g in backend.gear]
    result = await commission(bus, readdress=True, dry_run=True)
    assert len(result.addressed) == 21
    assert [g.short_address for g in backend.gear] == before


async def test_readdress_on_an_empty_line_is_nothing_to_do() -> None:
    bus, _ = await _bus([])
    assert (await commission(bus, readdress=True)).nothing_to_do


async def test_a_collision_is_met_and_resolved() -> None:
    bus, backend = await _bus()
    force_collision(_waiting(backend))
    seen: list[CommissioningProgress] = []
    result = await commission(bus, on_progress=seen.append)
    assert result.collisions == 1
    assert sorted(g.short_address for g in result.addressed) == [19, 20]
    assert "collision" in [p.stage for p in seen]


async def test_gear_that_keep_colliding_raise_a_clear_error() -> None:
    bus, backend = await _bus()
    extra = SimGear(short_address=None, serial=7)
    backend.gear.append(extra)
    force_collision(_waiting(backend)[:2], 0x000010, rounds=DEFAULT_MAX_ROUNDS)
    extra.addressing.random_preload = [0x000001]  # found first, before the pair collides
    with pytest.raises(UnresolvedCollisionError) as caught:
        await commission(bus)
    assert caught.value.rounds == DEFAULT_MAX_ROUNDS
    assert caught.value.random_address == 0x10
    assert "0x000010" in str(caught.value)
    assert [g.short_address for g in caught.value.partial.addressed] == [19]
    assert caught.value.partial.collisions == DEFAULT_MAX_ROUNDS
    assert extra.short_address == 19
    assert not any(g.addressing.initialising for g in backend.gear)  # Terminate sent anyway


async def test_reserved_addresses_are_never_given_out() -> None:
    bus, _ = await _bus()
    result = await commission(bus, reserved=[19, 21])
    assert sorted(g.short_address for g in result.addressed) == [20, 22]


async def test_no_free_short_address_raises_after_addressing_what_fits() -> None:
    gear = [SimGear(short_address=a) for a in range(62)]
    gear += [SimGear(short_address=None, serial=n) for n in range(3)]
    bus, backend = await _bus(gear)
    with pytest.raises(NoFreeShortAddressError) as caught:
        await commission(bus)
    assert caught.value.left == 1
    assert sorted(g.short_address for g in caught.value.partial.addressed) == [62, 63]
    assert len(_waiting(backend)) == 1


class _DeafToProgramming(SimGear):
    """A gear that ignores ProgramShortAddress."""

    def receive(self, command: Command) -> int | None:
        if isinstance(command, general.ProgramShortAddress):
            return None
        return super().receive(command)


async def test_a_gear_that_does_not_take_its_address_is_an_error() -> None:
    bus, backend = await _bus([_DeafToProgramming(short_address=None, serial=3)])
    with pytest.raises(ProgrammingFailedError) as caught:
        await commission(bus)
    assert caught.value.short_address == 0
    assert not backend.gear[0].addressing.initialising


async def test_a_bus_that_drops_stops_commissioning_with_the_bus_error() -> None:
    bus, backend = await _bus()

    def unplug(progress: CommissioningProgress) -> None:
        if progress.stage == "searching":
            backend.unplug()

    with pytest.raises(DaliNotConnectedError):
        await commission(bus, on_progress=unplug)
    await bus.close()


def _fake_frames(gear_count: int, randoms: list[int]) -> int:
    bus = fakes.Bus(
        [fakes.Gear(a) for a in range(gear_count)]
        + [fakes.Gear(None, random_preload=[r]) for r in randoms]
    )
    frames = 0
    send = bus.send

    def counting(command: Command) -> Any:
        nonlocal frames
        frames += 2 if command.sendtwice else 1
        return send(command)

    bus.send = counting  # type: ignore[method-assign]
    bus.run_sequence(Commissioning())
    return frames


async def test_fewer_frames_than_python_dalis_commissioning() -> None:
    gear = default_installation()
    randoms = [g.addressing.random_address for g in gear if g.short_address is None]
    bus, backend = await _bus(gear)
    await commission(bus)
    identity_frames = sum(
        isinstance(c, general.ReadMemoryLocation | general.DTR0 | general.DTR1) for c in backend.log
    )
    assert bus.frames_sent - identity_frames < _fake_frames(19, randoms)


async def test_set_groups_sets_membership_exactly() -> None:
    bus, backend = await _bus()
    assert await set_groups(bus, 5, [1, 9, 15]) == {1, 9, 15}
    assert backend.gear[5].groups == {1, 9, 15}
    frames = bus.frames_sent
    assert await set_groups(bus, 5, {9, 15}) == {9, 15}
    assert backend.gear[5].groups == {9, 15}
    removes = [c for c in backend.log if isinstance(c, general.RemoveFromGroup)]
    assert len(removes) == 1  # only what changed is written
    assert bus.frames_sent - frames == 1 + 2 + 2 + 2  # present, read, one write twice, read back
    assert await set_groups(bus, 5, []) == frozenset()


@pytest.mark.parametrize(("address", "groups"), [(5, [16]), (5, [-1]), (64, [1])])
async def test_set_groups_refuses_out_of_range(address: int, groups: list[int]) -> None:
    bus, backend = await _bus()
    with pytest.raises(ValueError, match="0-15|0-63"):
        await set_groups(bus, address, groups)
    assert not backend.log


async def test_set_groups_on_a_silent_gear_writes_nothing() -> None:
    bus, backend = await _bus()
    backend.gear[5].responding = False
    with pytest.raises(GearNotAnsweringError) as caught:
        await set_groups(bus, 5, [3])
    assert not caught.value.garbled
    assert "5 does not answer" in str(caught.value)
    assert not any(isinstance(c, general.AddToGroup) for c in backend.log)
    backend.gear[5].responding = True
    assert backend.gear[5].groups == {1}


async def test_set_groups_on_two_gear_at_one_address_writes_nothing() -> None:
    bus, backend = await _bus()
    backend.gear[19].short_address = 5
    with pytest.raises(GearNotAnsweringError) as caught:
        await set_groups(bus, 5, [3])
    assert caught.value.garbled
    assert not any(isinstance(c, general.AddToGroup) for c in backend.log)


class _StopsAfterFirstQuery(SimGear):
    """A gear that answers whether it is there, then falls silent."""

    def receive(self, command: Command) -> int | None:
        answer = super().receive(command)
        if isinstance(command, general.QueryControlGearPresent):
            self.responding = False
        return answer


async def test_set_groups_on_a_gear_that_falls_silent() -> None:
    bus, _ = await _bus([_StopsAfterFirstQuery(short_address=2)])
    with pytest.raises(GearNotAnsweringError):
        await set_groups(bus, 2, [3])


class _KeepsItsGroups(SimGear):
    """A gear that ignores AddToGroup."""

    def receive(self, command: Command) -> int | None:
        if isinstance(command, general.AddToGroup):
            return None
        return super().receive(command)


async def test_set_groups_that_do_not_read_back_are_an_error() -> None:
    bus, _ = await _bus([_KeepsItsGroups(short_address=2)])
    with pytest.raises(GroupsNotVerifiedError) as caught:
        await set_groups(bus, 2, [3])
    assert (caught.value.wanted, caught.value.read) == ({3}, set())


class _Shadow(SimGear):
    """A gear that answers every memory read meant for another gear's address (noise)."""

    twin: SimGear | None = None

    def receive(self, command: Command) -> int | None:
        twin = self.twin
        if (
            isinstance(command, general.ReadMemoryLocation)
            and twin is not None
            and twin.short_address is not None
            and getattr(command.destination, "address", None) == twin.short_address
        ):
            return 0
        return super().receive(command)


async def test_a_new_gear_whose_bank_0_reads_garbled_is_known_by_address_only() -> None:
    new = SimGear(short_address=None, gtin=GTIN_DIMMABLE, serial=5)
    shadow = _Shadow(short_address=40)
    shadow.twin = new
    bus, _ = await _bus([new, shadow])
    result = await commission(bus)
    assert [(g.short_address, g.gtin, g.serial) for g in result.addressed] == [(0, None, None)]


async def test_identify_needs_one_gear_or_one_group() -> None:
    bus, backend = await _bus()
    with pytest.raises(ValueError, match="one gear or one group"):
        await identify(bus, short_address=1, group=2)
    with pytest.raises(ValueError, match="one gear or one group"):
        await identify(bus)
    await identify(bus, group=0)
    assert [g.addressing.identify_count for g in backend.gear[:5]] == [1, 1, 1, 1, 0]
