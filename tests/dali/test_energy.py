"""Reading bank 202: metered energy and power in one transaction."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, ClassVar

import pytest
from dali.command import Command
from dali.frame import BackwardFrame, BackwardFrameError
from dali.gear import general
from dali.memory import energy
from dali.tests import fakes
from dali.tests.test_memory import FakeBank202, InvalidBank202

from custom_components.smart_lighting_ai.dali import DaliBus, DaliError
from custom_components.smart_lighting_ai.dali.backends.simulated import SimulatedBackend
from custom_components.smart_lighting_ai.dali.energy import (
    EnergyReading,
    async_read_energy,
    read_energy,
)


async def _bus() -> tuple[DaliBus, SimulatedBackend]:
    clock = [0.0]
    sim = SimulatedBackend(meter_clock=lambda: clock[0])
    bus = DaliBus(sim)
    await bus.connect()
    return bus, sim


def _run_on_fake(gear: fakes.Gear, sequence: Generator[Command, Any, Any]) -> Any:
    response = None
    try:
        while True:
            command = sequence.send(response)
            answer = gear.send(command)
            response = (
                None
                if command.response is None
                else command.response(None if answer is None else BackwardFrame(answer))
            )
    except StopIteration as stop:
        return stop.value


async def test_metered_fitting_reports_energy_and_power() -> None:
    bus, sim = await _bus()
    sim.gear[8].actual_level = 254
    sim.advance_meters(7200)  # two hours at full 10 W
    reading = await async_read_energy(bus, 8)
    assert reading == EnergyReading(energy_wh=pytest.approx(20.0), power_w=pytest.approx(10.0))
    assert sim.gear[8].memory[202][2] == 0xFF  # the latch is released again


async def test_unmetered_fitting_has_no_reading() -> None:
    bus, _ = await _bus()
    assert await async_read_energy(bus, 0) is None
    frames = bus.frames_sent
    assert frames == 3  # DTR1, DTR0 and one unanswered read: cheap to find out


async def test_one_transaction_latches_the_bank() -> None:
    bus, sim = await _bus()
    sim.gear[9].actual_level = 254
    sim.advance_meters(3600)
    sim.log.clear()
    await async_read_energy(bus, 9)
    kinds = [type(c) for c in sim.log]
    assert kinds.count(general.WriteMemoryLocationNoReply) == 2  # latch, unlatch
    assert kinds.count(general.ReadMemoryLocation) == 13


def test_reads_python_dalis_fake_bank_202() -> None:
    """The same sequence on python-dali's fake gear and its bank 202 (10 kWh, 1000 W)."""
    gear = fakes.Gear(0, memory_banks=(fakes.FakeBank0, FakeBank202))
    assert _run_on_fake(gear, read_energy(0)) == EnergyReading(10_000.0, 1000.0)
    invalid = fakes.Gear(1, memory_banks=(fakes.FakeBank0, InvalidBank202))
    assert _run_on_fake(invalid, read_energy(1)) == EnergyReading(None, None)
    none = fakes.Gear(2, memory_banks=(fakes.FakeBank0,))
    assert _run_on_fake(none, read_energy(2)) is None


async def test_a_short_bank_is_no_reading_and_a_garbled_answer_an_error() -> None:
    bus, sim = await _bus()
    sim.gear[10].memory[202] = [0x03, 0xFF, 0xFF, 0x01]  # only the version
    assert await async_read_energy(bus, 10) is None

    class SilentBank202(fakes.FakeMemoryBank):  # says 0x0f but holds only its version
        bank = energy.BANK_202
        initial_contents: ClassVar[list[int | None]] = [0x0F, None, 0xFF, 0x01]

    silent = fakes.Gear(3, memory_banks=(fakes.FakeBank0, SilentBank202))
    assert _run_on_fake(silent, read_energy(3)) == EnergyReading(None, None)
    sim.garbled = True
    with pytest.raises(DaliError):
        await async_read_energy(bus, 11)


def _drive_garbled_after(sequence: Generator[Command, Any, Any], clean: int) -> None:
    """Answer the last-location read with 0x0f, then garble every answer after ``clean``."""
    command = next(sequence)
    for index in range(100):
        if command.response is None:
            reply = None
        elif index < clean:
            reply = command.response(BackwardFrame(0x0F))
        else:
            reply = command.response(BackwardFrameError(0))
        command = sequence.send(reply)


def test_a_garbled_value_byte_is_an_error() -> None:
    with pytest.raises(DaliError):
        _drive_garbled_after(read_energy(11), clean=8)
