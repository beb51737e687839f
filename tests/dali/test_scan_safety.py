"""Scans tell empty addresses from unreadable ones; a merge never loses what it could not see."""

from __future__ import annotations

import pytest
from dali.address import GearShort
from dali.command import Command, Response
from dali.exceptions import DALISequenceError
from dali.frame import BackwardFrameError
from dali.gear import colour, general
from dali.sequences import QueryDeviceTypes, QueryGroups

from custom_components.smart_lighting_ai.dali import (
    FORGET_AFTER_MISSED_SCANS,
    DaliBus,
    DaliError,
    GearInfo,
    Inventory,
    ScanResult,
    ScanUnreliableError,
    merge_scan,
    scan_bus,
    scan_bus_result,
)
from custom_components.smart_lighting_ai.dali.backends.simulated import SimulatedBackend
from custom_components.smart_lighting_ai.dali.sim_gear import SimGear

ALL = frozenset(range(64))


async def _bus(sim: SimulatedBackend) -> DaliBus:
    bus = DaliBus(sim)
    await bus.connect()
    return bus


def _gear(address: int, groups: set[int] | None = None) -> GearInfo:
    return GearInfo(address, (6,), frozenset({address // 4} if groups is None else groups))


def _inventory(*addresses: int) -> Inventory:
    return Inventory(tuple(_gear(a) for a in addresses))


def _clean_scan(*addresses: int) -> ScanResult:
    return ScanResult(_inventory(*addresses), absent=ALL - set(addresses))


# the simulated noisy line answers the way python-dali reports real noise ----------------------
async def test_a_garbled_line_answers_with_python_dali_framing_errors() -> None:
    sim = SimulatedBackend()
    sim.garbled = True
    bus = await _bus(sim)

    level = await bus.send(general.QueryActualLevel(GearShort(0)))
    present = await bus.send(general.QueryControlGearPresent(GearShort(0)))
    nobody = await bus.send(general.QueryControlGearPresent(GearShort(40)))

    assert isinstance(level.raw_value, BackwardFrameError)
    assert level.raw_value.error
    assert level.value == "(framing error)"  # python-dali's numeric answer to a framing error
    assert present.value is True  # python-dali reads a garbled yes/no answer as "yes"
    assert nobody.raw_value is None  # where no gear is, noise makes no answer
    with pytest.raises(DALISequenceError, match="Framing error"):
        await bus.send(QueryGroups(GearShort(0)))
    sim.garbled = False
    assert (await bus.send(general.QueryActualLevel(GearShort(0)))).value == 0


async def test_python_dali_takes_a_garbled_device_type_as_it_comes() -> None:
    """Why the scan checks every answer itself: this sequence ignores the error flag."""
    sim = SimulatedBackend()
    sim.garbled = True
    bus = await _bus(sim)
    assert await bus.send(QueryDeviceTypes(GearShort(0))) == [8]


# the scan says what it could not read ------------------------------------------------------------
async def test_a_scan_of_a_garbled_line_reads_nothing_and_says_so() -> None:
    sim = SimulatedBackend()
    sim.garbled = True
    bus = await _bus(sim)

    result = await scan_bus_result(bus)

    assert result.inventory.gear == ()
    assert result.unreadable == frozenset(range(19))
    assert result.absent == frozenset(range(19, 64))
    assert not result.reliable
    with pytest.raises(ScanUnreliableError) as err:
        await scan_bus(bus)  # first setup: no empty inventory from a noisy line
    assert isinstance(err.value, DaliError)
    assert err.value.unreadable == tuple(range(19))


async def test_a_silent_gear_is_absent_and_a_faulty_one_unreadable() -> None:
    gear = [SimGear(0, {0}), SimGear(1, {0}), SimGear(2, {0}), SimGear(3, {0})]
    gear[1].responding = False

    class StopsAnswering(SimulatedBackend):
        def _deliver(self, command: Command) -> Response | None:
            if isinstance(command, general.QueryMinLevel) and command.destination == GearShort(2):
                self.gear[2].responding = False
            return super()._deliver(command)

    bus = await _bus(StopsAnswering(gear))

    result = await scan_bus_result(bus, range(5))

    assert [g.short_address for g in result.inventory.gear] == [0, 3]
    assert result.absent == {1, 4}
    assert result.unreadable == {2}
    assert result.reliable
    assert not result.clean


async def test_a_garbled_device_type_makes_the_gear_unreadable(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class NoisyDeviceType(SimulatedBackend):
        def _deliver(self, command: Command) -> Response | None:
            self.garbled = isinstance(command, general.QueryDeviceType)
            return super()._deliver(command)

    bus = await _bus(NoisyDeviceType([SimGear(0, {0}, device_types=(8,))]))

    result = await scan_bus_result(bus, range(2))

    assert result.inventory.gear == ()
    assert result.unreadable == {0}
    assert "DALI gear 0 answered with framing errors" in caplog.text


async def test_a_dt8_gear_silent_about_its_colour_limits_is_unreadable() -> None:
    class NoColour(SimulatedBackend):
        def _deliver(self, command: Command) -> Response | None:
            self.gear[0].responding = not isinstance(command, colour.QueryColourValue)
            return super()._deliver(command)

    result = await scan_bus_result(await _bus(NoColour([SimGear(0, {0}, (8,))])), range(1))
    assert result.unreadable == {0}
    assert result.inventory.gear == ()


async def test_two_gear_at_one_address_are_unreadable_not_merged() -> None:
    gear = [SimGear(0, {0}), SimGear(1, {1}), SimGear(1, {2})]
    result = await scan_bus_result(await _bus(SimulatedBackend(gear)), range(3))
    assert [g.short_address for g in result.inventory.gear] == [0]
    assert result.unreadable == {1}
    assert result.absent == {2}


# the merge rule --------------------------------------------------------------------------------
def test_an_unreliable_scan_cannot_be_merged() -> None:
    previous = _inventory(*range(16))
    garbled = ScanResult(
        Inventory(()), absent=ALL - set(range(16)), unreadable=frozenset(range(16))
    )
    with pytest.raises(ScanUnreliableError) as err:
        merge_scan(previous, garbled)
    assert len(err.value.unreadable) == 16
    assert "16 addresses answered garbled" in str(err.value)


def test_unreadable_gear_is_kept_as_it_was_known() -> None:
    previous = _inventory(0, 1, 2)
    scanned = ScanResult(
        Inventory((_gear(0, {5}),)), absent=ALL - {0, 1, 2}, unreadable=frozenset({1, 2})
    )

    merged, report = merge_scan(previous, scanned)

    assert merged.gear == (_gear(0, {5}), _gear(1), _gear(2))
    assert report.unreadable == (1, 2)
    assert report.missing == ()
    assert report.added == ()


def test_a_silent_gear_is_kept_as_missing() -> None:
    merged, report = merge_scan(_inventory(0, 1, 2), _clean_scan(0, 2, 9))

    assert [g.short_address for g in merged.gear] == [0, 1, 2, 9]
    assert [g.short_address for g in report.missing] == [1]
    assert report.added == (9,)
    assert merged.missed_scans == {1: 1}
    assert sorted(merged.groups()) == [0, 2]


def test_a_gear_gone_for_good_is_forgotten_after_repeated_clean_scans() -> None:
    inventory = _inventory(0, 1)
    for scan in range(1, FORGET_AFTER_MISSED_SCANS):
        inventory, report = merge_scan(inventory, _clean_scan(0))
        assert [g.short_address for g in report.missing] == [1]
        assert inventory.missed_scans == {1: scan}
        inventory = Inventory.from_dict(inventory.to_dict())  # counted across restarts

    inventory, report = merge_scan(inventory, _clean_scan(0))

    assert [g.short_address for g in report.forgotten] == [1]
    assert report.missing == ()
    assert inventory == _inventory(0)


def test_a_gear_that_answers_again_starts_its_count_over() -> None:
    inventory, _ = merge_scan(_inventory(0, 1), _clean_scan(0))
    inventory, _ = merge_scan(inventory, _clean_scan(0, 1))
    assert inventory == _inventory(0, 1)
    assert inventory.missed_scans == {}


def test_scans_that_are_not_clean_never_count_towards_forgetting() -> None:
    inventory = _inventory(0, 1, 2)
    noisy = ScanResult(_inventory(0), absent=ALL - {0, 2}, unreadable=frozenset({2}))
    silent = ScanResult(Inventory(()), absent=ALL)  # bus power off: nobody answers
    for _ in range(FORGET_AFTER_MISSED_SCANS + 1):
        for scan in (noisy, silent):
            inventory, report = merge_scan(inventory, scan)
            assert 1 in [g.short_address for g in report.missing]
    assert inventory == _inventory(0, 1, 2)
    assert report.forgotten == ()


def test_gear_outside_the_scanned_addresses_is_left_alone() -> None:
    previous = Inventory((_gear(0), _gear(40)), {40: 2})
    merged, report = merge_scan(previous, ScanResult(_inventory(0), absent=frozenset({1, 2})))
    assert merged == previous
    assert report.missing == ()


def test_an_inventory_saved_before_missed_scans_existed_still_loads() -> None:
    saved = {"version": 1, "gear": [_gear(3).to_dict()]}
    assert Inventory.from_dict(saved) == _inventory(3)
    assert "missed_scans" not in _inventory(3).to_dict()
