"""Reading DT1 emergency gear and starting and stopping its tests, on the simulated line."""

from __future__ import annotations

import pytest
from dali.command import Command, Response
from dali.gear import emergency

from custom_components.smart_lighting_ai.dali import DaliBus, GearInfo, Inventory
from custom_components.smart_lighting_ai.dali.backends.simulated import SimulatedBackend
from custom_components.smart_lighting_ai.dali.emergency import (
    EmergencyMode,
    EmergencyNoAnswerError,
    EmergencyTest,
    EmergencyTestNotStartedError,
    NotEmergencyGearError,
    acknowledge_result,
    emergency_gear,
    read_emergency,
    start_test,
    stop_test,
)
from custom_components.smart_lighting_ai.dali.sim_emergency import (
    FAILURE_FUNCTION_DELAY,
    SimEmergency,
)
from custom_components.smart_lighting_ai.dali.sim_gear import SimGear

FITTING = GearInfo(short_address=3, device_types=(1, 6), groups=frozenset())
PLAIN = GearInfo(short_address=4, device_types=(6,), groups=frozenset())


async def _bus(unit: SimEmergency | None = None) -> tuple[DaliBus, SimulatedBackend, SimEmergency]:
    unit = unit or SimEmergency()
    sim = SimulatedBackend(
        [
            SimGear(short_address=3, device_types=(1, 6), emergency=unit),
            SimGear(short_address=4),
        ]
    )
    bus = DaliBus(sim)
    await bus.connect()
    return bus, sim, unit


async def test_read_is_one_transaction_with_decoded_state() -> None:
    """A healthy fitting: normal mode, full battery, no test done, no failure."""
    bus, _, _ = await _bus(SimEmergency(battery_charge=127, rated_duration=90))
    status = await read_emergency(bus, FITTING)

    assert bus.commands_sent == 10
    assert status.mode is EmergencyMode.NORMAL
    assert status.battery_percent == 50
    assert not status.battery_full
    assert status.rated_duration_minutes == 180
    assert status.failures == ()
    assert not status.done(EmergencyTest.FUNCTION)
    assert not status.active()


async def test_function_test_start_result_and_acknowledge() -> None:
    """Started, the test runs; finished with a lamp fault, the result says so until acknowledged."""
    bus, _, unit = await _bus()
    started = await start_test(bus, FITTING, EmergencyTest.FUNCTION)
    assert started.running(EmergencyTest.FUNCTION)
    assert started.mode is EmergencyMode.FUNCTION_TEST

    unit.finish_tests("lamp_failure")
    status = await read_emergency(bus, FITTING)
    assert status.done(EmergencyTest.FUNCTION)
    assert status.failed(EmergencyTest.FUNCTION)
    assert status.outcome(EmergencyTest.FUNCTION) == "lamp_failure"
    assert status.failures == ("lamp_failure",)

    await acknowledge_result(bus, FITTING, EmergencyTest.FUNCTION)
    after = await read_emergency(bus, FITTING)
    assert not after.done(EmergencyTest.FUNCTION)
    assert after.failed(EmergencyTest.FUNCTION)  # the failure stays until a test passes


async def test_duration_test_and_its_result() -> None:
    """A short battery fails the duration test with the minutes it lasted."""
    bus, _, unit = await _bus(SimEmergency(test_outcome="duration_short"))
    await start_test(bus, FITTING, EmergencyTest.DURATION)
    unit.finish_tests()
    status = await read_emergency(bus, FITTING)

    assert status.outcome(EmergencyTest.DURATION) == "battery_duration_failure"
    assert status.outcome(EmergencyTest.FUNCTION) == "passed"
    assert status.duration_test_minutes == 90
    await acknowledge_result(bus, FITTING, EmergencyTest.DURATION)
    assert not (await read_emergency(bus, FITTING)).done(EmergencyTest.DURATION)


async def test_a_pending_test_counts_as_started_and_stop_cancels_it() -> None:
    """An inhibited gear keeps the test pending; stop cancels it."""
    bus, _, _ = await _bus(SimEmergency(inhibit=True))
    started = await start_test(bus, FITTING, EmergencyTest.FUNCTION)
    assert started.pending(EmergencyTest.FUNCTION)
    assert started.inhibited

    stopped = await stop_test(bus, FITTING)
    assert not stopped.active()


async def test_not_dt1_is_refused_before_anything_is_sent() -> None:
    """Every call on a gear that is not DT1 raises and sends no frame."""
    bus, sim, _ = await _bus()
    for call in (
        read_emergency(bus, PLAIN),
        start_test(bus, PLAIN, EmergencyTest.FUNCTION),
        stop_test(bus, PLAIN),
        acknowledge_result(bus, PLAIN, EmergencyTest.DURATION),
    ):
        with pytest.raises(NotEmergencyGearError, match="not emergency"):
            await call
    assert sim.log == []


async def test_silent_gear_raises_no_answer() -> None:
    """A DT1 gear that does not answer is an error, not an all-zero status."""
    bus, sim, _ = await _bus()
    sim.gear[0].responding = False
    with pytest.raises(EmergencyNoAnswerError, match="No response"):
        await read_emergency(bus, FITTING)


async def test_a_gear_that_ignores_the_start_raises() -> None:
    """The status read after the start shows whether the gear took it."""

    class DropsStarts(SimulatedBackend):
        def _deliver(self, command: Command) -> Response | None:
            if isinstance(command, emergency.StartFunctionTest):
                return None
            return super()._deliver(command)

    sim = DropsStarts([SimGear(short_address=3, device_types=(1,), emergency=SimEmergency())])
    bus = DaliBus(sim)
    await bus.connect()
    with pytest.raises(EmergencyTestNotStartedError, match="did not start"):
        await start_test(bus, FITTING, EmergencyTest.FUNCTION)


async def test_overdue_bits_and_unknown_battery() -> None:
    """The max-delay bit reads as overdue; a battery of MASK reads as unknown."""
    bus, _, _ = await _bus(SimEmergency(failure_status=FAILURE_FUNCTION_DELAY, battery_charge=255))
    status = await read_emergency(bus, FITTING)

    assert status.overdue(EmergencyTest.FUNCTION)
    assert not status.overdue(EmergencyTest.DURATION)
    assert status.battery_charge is None
    assert status.battery_percent is None
    assert status.outcome(EmergencyTest.FUNCTION) == "passed"


async def test_failure_without_detail_and_several_modes() -> None:
    """A failed test with no fault bit reads "failed"; several mode bits read as no mode."""
    bus, _, unit = await _bus(SimEmergency(failure_status=1 << 7))
    status = await read_emergency(bus, FITTING)
    assert status.outcome(EmergencyTest.DURATION) == "failed"
    unit.mains_ok = False
    assert (await read_emergency(bus, FITTING)).mode is EmergencyMode.EMERGENCY

    odd = type(status)(**{**{f: getattr(status, f) for f in status.__slots__}, "mode_bits": 0b11})
    assert odd.mode is None


def test_emergency_gear_of_an_inventory() -> None:
    """Only DT1 gear is emergency gear."""
    assert emergency_gear(Inventory((FITTING, PLAIN))) == (FITTING,)
