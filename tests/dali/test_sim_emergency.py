"""The simulated emergency fitting (DT1), checked against python-dali's fake where it has one."""

from __future__ import annotations

from typing import Any

import pytest
from dali.address import GearShort
from dali.command import Command
from dali.gear import emergency, general
from dali.gear.sequences import QueryEmergencyInformation
from dali.tests import fakes

from custom_components.smart_lighting_ai.dali.backends.simulated import (
    EMERGENCY_GEAR,
    SimulatedBackend,
    default_installation,
)
from custom_components.smart_lighting_ai.dali.sim_emergency import (
    FAILURE_BATTERY,
    FAILURE_BATTERY_DURATION,
    FAILURE_DURATION_DELAY,
    FAILURE_DURATION_TEST,
    FAILURE_FUNCTION_TEST,
    FAILURE_LAMP,
    MODE_DURATION_TEST,
    MODE_EMERGENCY,
    MODE_FUNCTION_TEST,
    MODE_NORMAL,
    MODE_REST,
    STATUS_BATTERY_FULL,
    STATUS_DURATION_DONE,
    STATUS_DURATION_PENDING,
    STATUS_FUNCTION_DONE,
    STATUS_FUNCTION_PENDING,
    STATUS_INHIBIT,
    SimEmergency,
)
from custom_components.smart_lighting_ai.dali.sim_gear import SimGear

A = GearShort(EMERGENCY_GEAR)


def _line(**state: Any) -> tuple[SimulatedBackend, SimEmergency]:
    unit = SimEmergency(**state)
    sim = SimulatedBackend(
        [SimGear(short_address=EMERGENCY_GEAR, device_types=(1, 6), emergency=unit)]
    )
    return sim, unit


def _ask(sim: SimulatedBackend, command: Command) -> int | None:
    response = sim._deliver(command)
    if response is None or response.raw_value is None:
        return None
    return int(response.raw_value.as_integer)


def _run(sim: SimulatedBackend, sequence: Any) -> Any:
    answer = None
    while True:
        try:
            step = sequence.send(answer)
        except StopIteration as stop:
            return stop.value
        answer = sim._deliver(step)


def _info(info: Any) -> dict[str, Any]:
    return {name: getattr(info, name).raw_value.as_integer for name in info.__dataclass_fields__}


def test_emergency_information_matches_python_dalis_fake() -> None:
    """Configured like python-dali's fake, the simulator answers the whole DT1 read the same."""
    sim, _ = _line(duration_test_result=60, lamp_emergency_time=5, lamp_total_operation_time=100)
    theirs = fakes.Bus([fakes.Gear(EMERGENCY_GEAR, devicetypes=[1])])

    assert _info(_run(sim, QueryEmergencyInformation(A))) == _info(
        theirs.run_sequence(QueryEmergencyInformation(A))
    )


@pytest.mark.parametrize(
    ("script", "battery"),
    [
        ([emergency.Inhibit(A)], 254),
        ([emergency.Inhibit(A), emergency.ReLightResetInhibit(A)], 254),
        ([emergency.StartDurationTest(A)], 100),  # pending: the battery is not full
        ([emergency.StartDurationTest(A), emergency.StopTest(A)], 100),
    ],
)
def test_status_after_commands_matches_python_dalis_fake(
    script: list[Command], battery: int
) -> None:
    """Inhibit, a pending test and StopTest leave the same status byte in both."""
    sim, _ = _line(battery_charge=battery)
    fake = fakes.Gear(EMERGENCY_GEAR, devicetypes=[1])
    fake.battery_charge = battery
    fake.emergency_status = STATUS_BATTERY_FULL if battery == 254 else 0
    theirs = fakes.Bus([fake])
    for command in script:
        sim._deliver(command)
        theirs.send(command)

    query = emergency.QueryEmergencyStatus(A)
    assert _ask(sim, query) == theirs.send(query).raw_value.as_integer


def test_function_test_runs_then_finishes_by_itself(freezer: Any) -> None:
    """A function test runs at once, shows in the mode byte, and passes after its time."""
    sim, _ = _line(function_test_seconds=10)
    sim._deliver(emergency.StartFunctionTest(A))
    assert _ask(sim, emergency.QueryEmergencyMode(A)) == MODE_FUNCTION_TEST

    freezer.tick(11)
    assert _ask(sim, emergency.QueryEmergencyMode(A)) == MODE_NORMAL
    assert (
        _ask(sim, emergency.QueryEmergencyStatus(A)) == STATUS_BATTERY_FULL | STATUS_FUNCTION_DONE
    )
    assert _ask(sim, emergency.QueryEmergencyFailureStatus(A)) == 0


def test_start_is_a_control_command_that_needs_two_frames() -> None:
    """A single StartFunctionTest frame (not sent twice) starts nothing."""
    sim, unit = _line()
    gear = sim.gear[0]
    gear.receive(general.EnableDeviceType(1))
    gear.receive(emergency.StartFunctionTest(A))
    assert unit.function_test == "idle"


def test_failed_lamp_then_passing_test() -> None:
    """A lamp failure sets the lamp and function-test failure bits; a passing test clears them."""
    sim, unit = _line()
    sim._deliver(emergency.StartFunctionTest(A))
    unit.finish_tests("lamp_failure")
    assert (
        _ask(sim, emergency.QueryEmergencyFailureStatus(A)) == FAILURE_LAMP | FAILURE_FUNCTION_TEST
    )

    sim._deliver(emergency.StartFunctionTest(A))
    unit.finish_tests("pass")
    assert _ask(sim, emergency.QueryEmergencyFailureStatus(A)) == 0


def test_function_test_cannot_find_a_short_battery_duration() -> None:
    """Only a duration test measures the duration; a function test leaves that bit as it was."""
    sim, unit = _line(failure_status=FAILURE_BATTERY_DURATION | FAILURE_DURATION_TEST)
    sim._deliver(emergency.StartFunctionTest(A))
    unit.finish_tests("duration_short")

    assert unit.failure_status == FAILURE_BATTERY_DURATION | FAILURE_DURATION_TEST


def test_short_duration_test() -> None:
    """A battery that runs out early fails the duration test with half the rated time."""
    sim, unit = _line(rated_duration=90, test_outcome="duration_short")
    sim._deliver(emergency.StartDurationTest(A))
    assert _ask(sim, emergency.QueryEmergencyMode(A)) == MODE_DURATION_TEST
    unit.finish_tests()

    assert _ask(sim, emergency.QueryEmergencyFailureStatus(A)) == (
        FAILURE_BATTERY_DURATION | FAILURE_DURATION_TEST
    )
    assert _ask(sim, emergency.QueryDurationTestResult(A)) == 45
    assert (
        _ask(sim, emergency.QueryEmergencyStatus(A)) == STATUS_BATTERY_FULL | STATUS_DURATION_DONE
    )


def test_passing_duration_test_counts_lamp_time(freezer: Any) -> None:
    """A passing duration test stores the rated time as its result and ends by itself."""
    sim, unit = _line(duration_test_seconds=60)
    sim._deliver(emergency.StartDurationTest(A))
    freezer.tick(61)

    assert _ask(sim, emergency.QueryDurationTestResult(A)) == 90
    assert _ask(sim, emergency.QueryLampEmergencyTime(A)) == 1
    assert unit.duration_test_done


def test_duration_test_waits_for_a_full_battery_and_becomes_overdue(freezer: Any) -> None:
    """A duration test stays pending on a low battery; past the timeout it is flagged overdue."""
    sim, unit = _line(battery_charge=120, test_execution_timeout=1)
    sim._deliver(emergency.StartDurationTest(A))
    assert _ask(sim, emergency.QueryEmergencyStatus(A)) == STATUS_DURATION_PENDING

    freezer.tick(24 * 3600)
    assert _ask(sim, emergency.QueryEmergencyFailureStatus(A)) == FAILURE_DURATION_DELAY
    unit.battery_charge = 254
    assert _ask(sim, emergency.QueryEmergencyMode(A)) == MODE_DURATION_TEST
    unit.finish_tests()
    assert _ask(sim, emergency.QueryEmergencyFailureStatus(A)) == 0  # the test ran after all


def test_duration_test_queues_behind_a_function_test() -> None:
    """Asked for both, the gear runs the function test and keeps the duration test pending."""
    sim, unit = _line()
    sim._deliver(emergency.StartFunctionTest(A))
    sim._deliver(emergency.StartDurationTest(A))
    sim._deliver(emergency.StartFunctionTest(A))  # already running: ignored
    assert (
        _ask(sim, emergency.QueryEmergencyStatus(A))
        == STATUS_BATTERY_FULL | STATUS_DURATION_PENDING
    )

    unit.finish_tests()
    assert unit.function_test_done
    assert unit.duration_test_done


def test_stop_ends_a_running_test_without_a_result() -> None:
    """StopTest stops the running test and cancels the pending one; no result is valid."""
    sim, unit = _line()
    sim._deliver(emergency.StartFunctionTest(A))
    sim._deliver(emergency.StartDurationTest(A))
    sim._deliver(emergency.StopTest(A))

    assert _ask(sim, emergency.QueryEmergencyMode(A)) == MODE_NORMAL
    assert _ask(sim, emergency.QueryEmergencyStatus(A)) == STATUS_BATTERY_FULL
    unit.finish_tests()  # nothing runs: nothing to finish
    assert not unit.function_test_done


def test_reset_done_flags() -> None:
    """The two reset commands clear the "done and result valid" flags."""
    sim, unit = _line()
    sim._deliver(emergency.StartFunctionTest(A))
    unit.finish_tests()
    sim._deliver(emergency.StartDurationTest(A))
    unit.finish_tests()
    sim._deliver(emergency.ResetFunctionTestDoneFlag(A))
    assert (
        _ask(sim, emergency.QueryEmergencyStatus(A)) == STATUS_BATTERY_FULL | STATUS_DURATION_DONE
    )
    sim._deliver(emergency.ResetDurationTestDoneFlag(A))
    assert _ask(sim, emergency.QueryEmergencyStatus(A)) == STATUS_BATTERY_FULL


def test_inhibit_holds_a_test_and_mains_failure_is_emergency_mode() -> None:
    """Inhibited, a test waits; without mains the gear is in emergency mode, and Rest rests it."""
    sim, unit = _line()
    sim._deliver(emergency.Inhibit(A))
    sim._deliver(emergency.StartFunctionTest(A))
    assert _ask(sim, emergency.QueryEmergencyStatus(A)) == (
        STATUS_BATTERY_FULL | STATUS_INHIBIT | STATUS_FUNCTION_PENDING
    )
    sim._deliver(emergency.StopTest(A))
    sim._deliver(emergency.ReLightResetInhibit(A))
    sim._deliver(emergency.Rest(A))  # in normal mode: nothing to rest
    assert _ask(sim, emergency.QueryEmergencyMode(A)) == MODE_NORMAL
    unit.mains_ok = False
    assert _ask(sim, emergency.QueryEmergencyMode(A)) == MODE_EMERGENCY
    sim._deliver(emergency.Rest(A))
    assert _ask(sim, emergency.QueryEmergencyMode(A)) == MODE_REST
    sim._deliver(emergency.ReLightResetInhibit(A))
    assert _ask(sim, emergency.QueryEmergencyMode(A)) == MODE_EMERGENCY


def test_configuration_and_timing() -> None:
    """Emergency level (clamped), execution timeout and prolong time are stored and reported."""
    sim, unit = _line(emergency_min_level=10, lamp_emergency_time=3, lamp_total_operation_time=4)
    for value, command, query in (
        (5, emergency.StoreDTRAsEmergencyLevel, emergency.QueryEmergencyLevel),
        (3, emergency.StoreTestExecutionTimeout, None),
        (8, emergency.StoreProlongTime, None),
    ):
        sim._deliver(general.DTR0(value))
        sim._deliver(command(A))
        if query is not None:
            assert _ask(sim, query(A)) == 10
    timing = []
    for selector in range(8):
        sim._deliver(general.DTR0(selector))
        timing.append(_ask(sim, emergency.QueryTestTiming(A)))
    assert timing == [255, 255, 255, 255, 0, 0, 3, 8]  # no automatic testing
    sim._deliver(general.DTR0(9))
    assert _ask(sim, emergency.QueryTestTiming(A)) is None
    assert _ask(sim, emergency.QueryEmergencyFeatures(A)) == 0b11
    assert _ask(sim, emergency.QueryEmergencyMinLevel(A)) == 10
    assert _ask(sim, emergency.QueryEmergencyMaxLevel(A)) == 254
    assert _ask(sim, emergency.QueryExtendedVersionNumber(A)) == 1
    sim._deliver(emergency.ResetLampTime(A))
    assert (unit.lamp_emergency_time, unit.lamp_total_operation_time) == (0, 0)


def test_other_gear_ignores_emergency_commands() -> None:
    """Gear that is not DT1, or DT1 gear without emergency state, stays silent."""
    sim = SimulatedBackend([SimGear(short_address=1), SimGear(short_address=2, device_types=(1,))])
    for address in (1, 2):
        sim._deliver(emergency.StartFunctionTest(GearShort(address)))
        assert _ask(sim, emergency.QueryBatteryCharge(GearShort(address))) is None


def test_battery_failure_and_unknown_outcome() -> None:
    """A battery failure sets its bit; an unknown outcome name is refused."""
    _, unit = _line()
    unit.request("function")
    unit.finish_tests("battery_failure")
    assert unit.failure_status == FAILURE_BATTERY | FAILURE_FUNCTION_TEST
    with pytest.raises(ValueError, match="unknown test outcome"):
        unit.finish_tests("melted")


def test_the_default_line_has_an_emergency_fitting_that_survives_a_restart() -> None:
    """Gear 18 of the default line is DT1 with emergency state, kept by snapshot and restore."""
    sim = SimulatedBackend(default_installation())
    unit = sim.gear[EMERGENCY_GEAR].emergency
    assert unit is not None
    unit.battery_charge = 200
    unit.request("function")

    again = SimulatedBackend([])
    assert again.restore(sim.snapshot())
    restored = again.gear[EMERGENCY_GEAR].emergency
    assert restored == unit
    assert _ask(again, emergency.QueryBatteryCharge(A)) == 200
