"""A simulated self-contained emergency fitting (DT1, IEC 62386-202).

The state lives in :class:`SimEmergency`, a field of the gear (``SimGear.emergency``), and the
handlers in :data:`EMERGENCY_HANDLERS` answer the ``dali.gear.emergency`` commands after
``EnableDeviceType(1)``:

- ``StartFunctionTest`` / ``StartDurationTest`` make a test pending; it starts at once unless
  another test runs, the gear is inhibited, or (duration test) the battery is not fully
  charged. While it runs, the emergency mode byte says "function test" / "duration test".
- A running test finishes by itself once ``function_test_seconds`` / ``duration_test_seconds``
  of wall-clock time have passed (checked on every DT1 command the gear receives), or at once
  through :meth:`SimEmergency.finish_tests`. Its outcome is ``test_outcome`` (one of
  :data:`OUTCOMES`): the failure status bits and the "test done and result valid" status flag
  are set as part 202 describes, and a duration test stores its result in 2-minute units.
- A test that stays pending longer than the test execution timeout (days; 0 means 15 minutes)
  sets the "max delay exceeded" failure bit, and stays pending.
- ``StopTest`` stops a running test and cancels pending ones; the reset commands clear the
  "done" flags; ``Inhibit`` / ``ReLightResetInhibit`` set and clear inhibit mode; ``Rest``
  puts a gear in emergency mode (``mains_ok`` False) to rest.

The gear has no automatic testing (the features byte says so), so ``QueryTestTiming`` answers
MASK for the times to the next tests and 0 for the intervals: the integration schedules and
checks the tests itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dali.command import Command
from dali.gear import emergency

if TYPE_CHECKING:
    from .sim_gear import SimGear

MASK = 0xFF

# Emergency mode byte (QueryEmergencyMode)
MODE_REST = 1 << 0
MODE_NORMAL = 1 << 1
MODE_EMERGENCY = 1 << 2
MODE_EXTENDED_EMERGENCY = 1 << 3
MODE_FUNCTION_TEST = 1 << 4
MODE_DURATION_TEST = 1 << 5

# Features byte (QueryEmergencyFeatures): integral, maintained, no automatic testing.
FEATURES = 0b0000_0011

# Failure status byte (QueryEmergencyFailureStatus)
FAILURE_CIRCUIT = 1 << 0
FAILURE_BATTERY_DURATION = 1 << 1
FAILURE_BATTERY = 1 << 2
FAILURE_LAMP = 1 << 3
FAILURE_FUNCTION_DELAY = 1 << 4
FAILURE_DURATION_DELAY = 1 << 5
FAILURE_FUNCTION_TEST = 1 << 6
FAILURE_DURATION_TEST = 1 << 7

# Emergency status byte (QueryEmergencyStatus)
STATUS_INHIBIT = 1 << 0
STATUS_FUNCTION_DONE = 1 << 1
STATUS_DURATION_DONE = 1 << 2
STATUS_BATTERY_FULL = 1 << 3
STATUS_FUNCTION_PENDING = 1 << 4
STATUS_DURATION_PENDING = 1 << 5

FULL_CHARGE = 254
IDLE, PENDING, RUNNING = "idle", "pending", "running"
FUNCTION, DURATION = "function", "duration"
# What a finishing test finds, and the failure bits it leaves (with the test's own bit).
OUTCOMES: dict[str, int] = {
    "pass": 0,
    "lamp_failure": FAILURE_LAMP,
    "battery_failure": FAILURE_BATTERY,
    "circuit_failure": FAILURE_CIRCUIT,
    "duration_short": FAILURE_BATTERY_DURATION,  # the battery ran out before the rated time
}
_RESULT_BITS = FAILURE_CIRCUIT | FAILURE_BATTERY_DURATION | FAILURE_BATTERY | FAILURE_LAMP
FIFTEEN_MINUTES_S = 15 * 60
DAY_S = 24 * 3600


@dataclass
class SimEmergency:
    """The emergency part of one simulated DT1 gear (every field JSON-friendly).

    Test controls: ``test_outcome`` (what the next finishing test finds), :meth:`finish_tests`
    (finish a running test now), ``function_test_seconds`` / ``duration_test_seconds`` (how
    long a test runs by itself), ``battery_charge`` (0-254, 255 unknown; a duration test waits
    for a full battery), ``mains_ok`` (False: the gear is in emergency mode) and
    ``failure_status`` (set any bit directly).
    """

    battery_charge: int = FULL_CHARGE
    rated_duration: int = 90  # 2-minute units: 3 h
    emergency_level: int = 254
    emergency_min_level: int = 1
    emergency_max_level: int = 254
    failure_status: int = 0
    inhibit: bool = False
    rest: bool = False
    mains_ok: bool = True
    function_test: str = IDLE  # idle / pending / running
    duration_test: str = IDLE
    function_test_done: bool = False  # "function test done and result valid"
    duration_test_done: bool = False
    function_pending_since: float | None = None
    duration_pending_since: float | None = None
    test_started_at: float | None = None  # when the running test started (time.time())
    duration_test_result: int = 0  # 2-minute units
    lamp_emergency_time: int = 0  # hours
    lamp_total_operation_time: int = 0  # 4-hour units
    test_execution_timeout: int = 7  # days; 0 means 15 minutes
    prolong_time: int = 0  # 30 s units
    test_outcome: str = "pass"
    function_test_seconds: float = 10.0
    duration_test_seconds: float = 60.0  # a real one lasts the rated duration

    # reading --------------------------------------------------------------------------
    def mode(self) -> int:
        """The emergency mode byte."""
        if self.function_test == RUNNING:
            return MODE_FUNCTION_TEST
        if self.duration_test == RUNNING:
            return MODE_DURATION_TEST
        if not self.mains_ok:
            return MODE_REST if self.rest else MODE_EMERGENCY
        return MODE_NORMAL

    def status(self) -> int:
        """The emergency status byte."""
        flags = (
            (self.inhibit, STATUS_INHIBIT),
            (self.function_test_done, STATUS_FUNCTION_DONE),
            (self.duration_test_done, STATUS_DURATION_DONE),
            (self.battery_charge == FULL_CHARGE, STATUS_BATTERY_FULL),
            (self.function_test == PENDING, STATUS_FUNCTION_PENDING),
            (self.duration_test == PENDING, STATUS_DURATION_PENDING),
        )
        return sum(bit for flag, bit in flags if flag)

    def test_timing(self, selector: int) -> int | None:
        """What ``QueryTestTiming`` answers for DTR0 ``selector`` (no automatic testing)."""
        answers = {0: MASK, 1: MASK, 2: MASK, 3: MASK, 4: 0, 5: 0}
        answers[6] = self.test_execution_timeout
        answers[7] = self.prolong_time
        return answers.get(selector)

    # tests ----------------------------------------------------------------------------
    def request(self, kind: str, now: float | None = None) -> None:
        """A start command for ``kind`` (function / duration): pending, started when it can."""
        now = time.time() if now is None else now
        self.advance(now)
        if getattr(self, f"{kind}_test") != IDLE:
            return  # already pending or running: ignored
        setattr(self, f"{kind}_test", PENDING)
        setattr(self, f"{kind}_pending_since", now)
        self.advance(now)

    def stop(self, now: float | None = None) -> None:
        """StopTest: a running test stops (no result), pending ones are cancelled."""
        self.advance(time.time() if now is None else now)
        for kind in (FUNCTION, DURATION):
            setattr(self, f"{kind}_test", IDLE)
            setattr(self, f"{kind}_pending_since", None)
        self.test_started_at = None

    def finish_tests(self, outcome: str | None = None, now: float | None = None) -> None:
        """Test control: finish the running test now (and any pending one that can start).

        ``outcome`` (default ``test_outcome``) is one of :data:`OUTCOMES`.
        """
        now = time.time() if now is None else now
        if outcome is not None:
            if outcome not in OUTCOMES:
                raise ValueError(f"unknown test outcome {outcome!r}")
            self.test_outcome = outcome
        for _ in range(2):  # a function test, then a duration test waiting behind it
            self.advance(now)
            running = self._running()
            if running is None:
                return
            self._finish(running)

    def advance(self, now: float) -> None:
        """Let time pass to ``now``: start what can start, finish what is due, flag delays."""
        running = self._running()
        if running is not None and self.test_started_at is not None:
            length = getattr(self, f"{running}_test_seconds")
            if now - self.test_started_at >= length:
                self._finish(running)
        if self._running() is None:
            for kind in (FUNCTION, DURATION):
                if getattr(self, f"{kind}_test") == PENDING and self._can_start(kind):
                    setattr(self, f"{kind}_test", RUNNING)
                    setattr(self, f"{kind}_pending_since", None)
                    self.test_started_at = now
                    break
        timeout = self.test_execution_timeout * DAY_S or FIFTEEN_MINUTES_S
        for kind, bit in ((FUNCTION, FAILURE_FUNCTION_DELAY), (DURATION, FAILURE_DURATION_DELAY)):
            since = getattr(self, f"{kind}_pending_since")
            if since is not None and now - since >= timeout:
                self.failure_status |= bit

    def _running(self) -> str | None:
        return next(
            (k for k in (FUNCTION, DURATION) if getattr(self, f"{k}_test") == RUNNING), None
        )

    def _can_start(self, kind: str) -> bool:
        if self.inhibit or not self.mains_ok:
            return False
        return kind == FUNCTION or self.battery_charge == FULL_CHARGE

    def _finish(self, kind: str) -> None:
        found = OUTCOMES[self.test_outcome]
        test_bit = FAILURE_FUNCTION_TEST if kind == FUNCTION else FAILURE_DURATION_TEST
        delay_bit = FAILURE_FUNCTION_DELAY if kind == FUNCTION else FAILURE_DURATION_DELAY
        if kind == FUNCTION:
            found &= ~FAILURE_BATTERY_DURATION  # only a duration test measures the duration
        measured = _RESULT_BITS if kind == DURATION else _RESULT_BITS & ~FAILURE_BATTERY_DURATION
        self.failure_status &= ~(measured | test_bit | delay_bit)
        self.failure_status |= found | (test_bit if found else 0)
        setattr(self, f"{kind}_test", IDLE)
        setattr(self, f"{kind}_test_done", True)
        self.test_started_at = None
        if kind == DURATION:
            short = found & FAILURE_BATTERY_DURATION
            self.duration_test_result = self.rated_duration // 2 if short else self.rated_duration
            if not found:
                self.lamp_emergency_time = min(255, self.lamp_emergency_time + 1)


type _Handler = Callable[[SimGear, Command], int | None]


def _on(action: Callable[[SimEmergency, SimGear], object]) -> _Handler:
    """A command that acts on the gear's emergency state (no answer)."""

    def handler(gear: SimGear, _command: Command) -> None:
        if gear.emergency is not None:
            gear.emergency.advance(time.time())
            action(gear.emergency, gear)

    return handler


def _answer(value: Callable[[SimEmergency, SimGear], int | None]) -> _Handler:
    """A query answered from the gear's emergency state (after time moved on)."""

    def handler(gear: SimGear, _command: Command) -> int | None:
        if gear.emergency is None:
            return None
        gear.emergency.advance(time.time())
        return value(gear.emergency, gear)

    return handler


def _rest(state: SimEmergency) -> None:
    if not state.mains_ok:
        state.rest = True


def _reset_lamp_time(state: SimEmergency) -> None:
    state.lamp_emergency_time = 0
    state.lamp_total_operation_time = 0


def _relight(state: SimEmergency) -> None:
    state.inhibit = False
    state.rest = False


EMERGENCY_HANDLERS: dict[type[Command], _Handler] = {
    emergency.Rest: _on(lambda s, _g: _rest(s)),
    emergency.Inhibit: _on(lambda s, _g: setattr(s, "inhibit", True)),
    emergency.ReLightResetInhibit: _on(lambda s, _g: _relight(s)),
    emergency.StartFunctionTest: _on(lambda s, _g: s.request(FUNCTION)),
    emergency.StartDurationTest: _on(lambda s, _g: s.request(DURATION)),
    emergency.StopTest: _on(lambda s, _g: s.stop()),
    emergency.ResetFunctionTestDoneFlag: _on(lambda s, _g: setattr(s, "function_test_done", False)),
    emergency.ResetDurationTestDoneFlag: _on(lambda s, _g: setattr(s, "duration_test_done", False)),
    emergency.ResetLampTime: _on(lambda s, _g: _reset_lamp_time(s)),
    emergency.StoreDTRAsEmergencyLevel: _on(
        lambda s, g: setattr(
            s, "emergency_level", min(s.emergency_max_level, max(s.emergency_min_level, g.dtr0))
        )
    ),
    emergency.StoreTestExecutionTimeout: _on(
        lambda s, g: setattr(s, "test_execution_timeout", g.dtr0)
    ),
    emergency.StoreProlongTime: _on(lambda s, g: setattr(s, "prolong_time", g.dtr0)),
    emergency.QueryBatteryCharge: _answer(lambda s, _g: s.battery_charge),
    emergency.QueryTestTiming: _answer(lambda s, g: s.test_timing(g.dtr0)),
    emergency.QueryDurationTestResult: _answer(lambda s, _g: s.duration_test_result),
    emergency.QueryLampEmergencyTime: _answer(lambda s, _g: s.lamp_emergency_time),
    emergency.QueryLampTotalOperationTime: _answer(lambda s, _g: s.lamp_total_operation_time),
    emergency.QueryEmergencyLevel: _answer(lambda s, _g: s.emergency_level),
    emergency.QueryEmergencyMinLevel: _answer(lambda s, _g: s.emergency_min_level),
    emergency.QueryEmergencyMaxLevel: _answer(lambda s, _g: s.emergency_max_level),
    emergency.QueryRatedDuration: _answer(lambda s, _g: s.rated_duration),
    emergency.QueryEmergencyMode: _answer(lambda s, _g: s.mode()),
    emergency.QueryEmergencyFeatures: _answer(lambda _s, _g: FEATURES),
    emergency.QueryEmergencyFailureStatus: _answer(lambda s, _g: s.failure_status),
    emergency.QueryEmergencyStatus: _answer(lambda s, _g: s.status()),
    emergency.QueryExtendedVersionNumber: _answer(lambda _s, _g: 1),  # part 202 edition 1
}
