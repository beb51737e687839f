"""The simulator's faults and bank 202 meters, against python-dali's decoders and fakes."""

from __future__ import annotations

from collections.abc import Generator
from decimal import Decimal
from typing import Any

import pytest
from dali.address import GearShort
from dali.command import Command
from dali.frame import BackwardFrame
from dali.gear import general, led
from dali.memory import energy
from dali.tests import fakes
from dali.tests.test_memory import FakeBank202

from custom_components.smart_lighting_ai.dali.backends.simulated import (
    METERED_GEAR,
    SimulatedBackend,
    default_installation,
)
from custom_components.smart_lighting_ai.dali.sim_gear import SimGear
from custom_components.smart_lighting_ai.dali.sim_status import (
    LED_LOAD_INCREASE,
    LED_OPEN_CIRCUIT,
    LED_SHORT_CIRCUIT,
    LED_THERMAL_OVERLOAD,
    LED_THERMAL_SHUTDOWN,
    add_energy_meter,
    advance_meters,
    arc_power_fraction,
    energy_bank,
)

A = GearShort(3)


def _run(send: Any, sequence: Generator[Command, Any, Any]) -> Any:
    """Run a python-dali sequence against a gear's ``receive``/``send``."""
    response = None
    try:
        while True:
            command = sequence.send(response)
            answer = send(command)
            response = (
                None
                if command.response is None
                else command.response(None if answer is None else BackwardFrame(answer))
            )
    except StopIteration as stop:
        return stop.value


def _ask(backend: SimulatedBackend, command: Command) -> Any:
    response = backend._deliver(command)
    return None if response is None or response.raw_value is None else response


def test_status_bits_follow_part_102() -> None:
    """Bit 0 control gear failure, bit 1 lamp failure, bit 2 lamp on, bit 6 no address."""
    gear = SimGear(short_address=3)
    backend = SimulatedBackend([gear])
    status = _ask(backend, general.QueryStatus(A))
    assert status.raw_value.as_integer == 0
    gear.gear_failure = True
    gear.actual_level = 100
    status = _ask(backend, general.QueryStatus(A))
    assert status.ballast_status
    assert status.arc_power_on
    assert not status.lamp_failure
    assert _ask(backend, general.QueryControlGearFailure(A)).value is True
    gear.gear_failure = False
    gear.lamp_failure = True
    status = _ask(backend, general.QueryStatus(A))
    assert status.lamp_failure
    assert not status.ballast_status
    assert _ask(backend, general.QueryControlGearFailure(A)) is None  # NO: no answer
    gear.responding = False
    assert _ask(backend, general.QueryStatus(A)) is None


def test_led_failure_detail_decodes_with_python_dali() -> None:
    gear = SimGear(short_address=3, device_types=(6,))
    backend = SimulatedBackend([gear])
    gear.led_failure = LED_OPEN_CIRCUIT | LED_THERMAL_OVERLOAD
    detail = _ask(backend, led.QueryFailureStatus(A))
    assert detail.open_circuit
    assert detail.thermal_overload_with_light_level_reduction
    assert not detail.short_circuit
    assert not detail.thermal_shut_down
    singles = {
        led.QueryShortCircuit: False,
        led.QueryOpenCircuit: True,
        led.QueryLoadDecrease: False,
        led.QueryLoadIncrease: False,
        led.QueryThermalShutDown: False,
        led.QueryThermalOverload: True,
        led.QueryCurrentProtectorActive: False,
        led.QueryReferenceMeasurementFailed: False,
    }
    for query, expected in singles.items():
        assert (_ask(backend, query(A)) is not None) is expected, query
    gear.led_failure = LED_SHORT_CIRCUIT | LED_LOAD_INCREASE | LED_THERMAL_SHUTDOWN
    assert _ask(backend, led.QueryShortCircuit(A)).value is True
    assert _ask(backend, led.QueryLoadIncrease(A)).value is True
    assert _ask(backend, led.QueryThermalShutDown(A)).value is True
    assert _ask(backend, led.QueryFeatures(A)).short_circuit_detection_can_be_queried


def test_an_open_led_circuit_is_a_lamp_failure() -> None:
    gear = SimGear(short_address=3)
    backend = SimulatedBackend([gear])
    gear.led_failure = LED_OPEN_CIRCUIT
    assert _ask(backend, general.QueryStatus(A)).lamp_failure
    assert _ask(backend, general.QueryLampFailure(A)).value is True


def test_led_queries_need_dt6_and_enable_device_type() -> None:
    """A DT8-only gear ignores DT6 queries; without EnableDeviceType nobody answers."""
    dt8 = SimGear(short_address=3, device_types=(8,), led_failure=LED_OPEN_CIRCUIT)
    assert _ask(SimulatedBackend([dt8]), led.QueryFailureStatus(A)) is None
    dt6 = SimGear(short_address=3, led_failure=LED_OPEN_CIRCUIT)
    assert dt6.receive(led.QueryFailureStatus(A)) is None  # no EnableDeviceType(6) first
    dt6.receive(general.EnableDeviceType(6))
    assert dt6.receive(led.QueryFailureStatus(A)) == LED_OPEN_CIRCUIT


def test_default_line_meters_group_2() -> None:
    line = default_installation()
    assert [g.short_address for g in line if 202 in g.memory] == list(METERED_GEAR)
    assert all(line[a].memory[0][2] == 202 for a in METERED_GEAR)  # last accessible bank


def test_meter_accumulates_from_level_and_rated_power() -> None:
    gear = SimGear(short_address=3)
    add_energy_meter(gear, rated_power_w=20.0)
    advance_meters(gear, 3600)
    assert gear.energy_wh == 0.0  # off: nothing drawn
    gear.actual_level = 254
    advance_meters(gear, 1800)
    assert gear.energy_wh == pytest.approx(10.0)
    gear.actual_level = 170  # 10 % of full power on the logarithmic curve
    assert arc_power_fraction(170) == pytest.approx(0.1, rel=0.01)
    advance_meters(gear, 3600)
    assert gear.energy_wh == pytest.approx(12.0, rel=0.01)
    advance_meters(SimGear(short_address=4), 3600)  # no meter: nothing happens


def test_bank_202_reads_like_python_dalis_fake() -> None:
    """Layout: python-dali's ActiveEnergy / ActivePower / read_all on ours and its fake."""
    ours = SimGear(short_address=3, actual_level=254)
    add_energy_meter(ours, rated_power_w=1000.0, energy_wh=10_000.0)
    theirs = fakes.Gear(3, memory_banks=(fakes.FakeBank0, FakeBank202))  # 10 kWh, 1000 W
    backend = SimulatedBackend([ours])
    for value in (energy.ActiveBankVersion, energy.ActiveEnergy, energy.ActivePower):
        assert _run(lambda c: _answer(backend, c), value.read(A)) == _run(
            theirs.send, value.read(3)
        ), value
    ours_all = _run(lambda c: _answer(backend, c), energy.BANK_202.read_all(A))
    theirs_all = _run(theirs.send, energy.BANK_202.read_all(A))
    assert ours_all == theirs_all
    assert ours_all[energy.ActiveEnergy] == Decimal(10_000)


def test_backend_clock_runs_the_meters() -> None:
    clock = [100.0]
    backend = SimulatedBackend(meter_clock=lambda: clock[0])
    gear = backend.gear[8]
    gear.actual_level = 254
    clock[0] += 3600
    backend._deliver(general.QueryActualLevel(GearShort(8)))  # the meters move before a frame
    assert gear.energy_wh == pytest.approx(10.0)
    backend.advance_meters(360)
    assert gear.energy_wh == pytest.approx(11.0)
    value = _run(lambda c: _answer(backend, c), energy.ActiveEnergy.read(GearShort(8)))
    assert value == Decimal("11.0")


def _answer(backend: SimulatedBackend, command: Command) -> int | None:
    response = backend._deliver(command)
    if response is None or response.raw_value is None:
        return None
    return int(response.raw_value.as_integer)


def test_latch_freezes_a_snapshot_until_released() -> None:
    gear = SimGear(short_address=3, actual_level=254)
    add_energy_meter(gear, rated_power_w=36.0)
    backend = SimulatedBackend([gear])
    send = backend._deliver
    send(general.DTR1(202))
    send(general.EnableWriteMemory(A))
    send(general.DTR0(2))
    assert _answer(backend, general.WriteMemoryLocation(0xAA)) == 0xAA  # latched
    advance_meters(gear, 3600)
    assert _run(lambda c: _answer(backend, c), energy.ActiveEnergy.read(A)) == 0  # snapshot
    assert gear.energy_wh == pytest.approx(36.0)  # the meter still counts
    send(general.EnableWriteMemory(A))
    send(general.DTR0(2))
    send(general.WriteMemoryLocationNoReply(0xFF))
    value = _run(lambda c: _answer(backend, c), energy.ActiveEnergy.read(A))
    assert value == Decimal("36.0")


def test_memory_writes_need_write_enable_and_a_writable_location() -> None:
    gear = SimGear(short_address=3, gtin=1, serial=2)
    add_energy_meter(gear, rated_power_w=10.0)
    backend = SimulatedBackend([gear])
    send = backend._deliver

    def write(value: int) -> int | None:
        return _answer(backend, general.WriteMemoryLocation(value))

    send(general.DTR1(202))
    send(general.DTR0(2))
    assert write(0xAA) is None  # not enabled
    send(general.EnableWriteMemory(A))
    send(general.QueryActualLevel(A))  # any other command ends writeEnableState
    send(general.DTR0(2))
    assert write(0xAA) is None
    send(general.EnableWriteMemory(A))
    send(general.DTR0(5))
    assert write(0x12) is None  # energy is read-only
    assert gear.dtr0 == 6
    send(general.DTR1(0))
    send(general.DTR0(2))
    assert write(0x12) is None  # bank 0 is ROM
    send(general.DTR1(7))
    assert write(0x12) is None  # no such bank
    assert gear.memory[202] == energy_bank(0.0, 0.0)
