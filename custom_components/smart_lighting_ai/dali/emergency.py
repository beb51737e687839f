"""Emergency lighting (DT1, IEC 62386-202): read a fitting's state, start and stop its tests.

Every read is one bus transaction (python-dali's ``QueryEmergencyInformation`` sequence), so no
other command interleaves with it. A start or stop sends the command (twice, as part 202 asks)
and reads the status back in the same transaction, so the caller learns whether the gear took
it. A gear that is not DT1 is refused before anything is sent.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from dali.address import GearShort
from dali.command import Command, Response
from dali.exceptions import DALISequenceError
from dali.gear import emergency
from dali.gear.sequences import QueryEmergencyInformation

from .bus import DaliBus
from .errors import DaliError
from .inventory import GearInfo, Inventory

DT_EMERGENCY = 1
POLL_PRIORITY = 5  # status reads yield to everything else
COMMAND_PRIORITY = 3  # a person pressed a button: ahead of polls, behind light changes
MASK = "MASK"

# failure status bits, as python-dali names them, and the names used here
_FAILURES = (
    ("circuit_failure", "circuit_failure"),
    ("battery_duration_failure", "battery_duration_failure"),
    ("battery_failure", "battery_failure"),
    ("emergency_lamp_failure", "lamp_failure"),
)


class NotEmergencyGearError(DaliError):
    """The fitting is not emergency (DT1) control gear."""


class EmergencyNoAnswerError(DaliError):
    """The emergency gear did not answer (or its answer was garbled)."""


class EmergencyTestNotStartedError(DaliError):
    """The gear answered but neither runs nor keeps pending the test it was asked for."""


class EmergencyTest(StrEnum):
    """The two tests of part 202."""

    FUNCTION = "function"
    DURATION = "duration"


class EmergencyMode(StrEnum):
    """The operating mode the mode byte reports (bits 0-5: one at a time)."""

    REST = "rest"
    NORMAL = "normal"
    EMERGENCY = "emergency"
    EXTENDED_EMERGENCY = "extended_emergency"
    FUNCTION_TEST = "function_test"
    DURATION_TEST = "duration_test"


_MODES = (
    EmergencyMode.REST,
    EmergencyMode.NORMAL,
    EmergencyMode.EMERGENCY,
    EmergencyMode.EXTENDED_EMERGENCY,
    EmergencyMode.FUNCTION_TEST,
    EmergencyMode.DURATION_TEST,
)
_TESTS = (EmergencyTest.FUNCTION, EmergencyTest.DURATION)


@dataclass(frozen=True, slots=True)
class EmergencyStatus:
    """What one DT1 gear reported in one read (bytes as received, decoded by properties)."""

    short_address: int
    mode_bits: int
    features_bits: int
    failure_bits: int
    status_bits: int
    battery_charge: int | None  # 0 (deep discharge) - 254 (full); None: unknown (MASK)
    duration_test_result: int  # 2-minute units (255: 510 min or more)
    rated_duration: int  # 2-minute units
    emergency_level: int | None
    lamp_emergency_time_h: int

    @property
    def mode(self) -> EmergencyMode | None:
        """The operating mode (None when the gear reports none or several)."""
        set_bits = [m for bit, m in enumerate(_MODES) if self.mode_bits >> bit & 1]
        return set_bits[0] if len(set_bits) == 1 else None

    @property
    def battery_percent(self) -> int | None:
        """The battery charge in percent (None: unknown)."""
        if self.battery_charge is None:
            return None
        return round(self.battery_charge * 100 / 254)

    def _status(self, bit: int) -> bool:
        return bool(self.status_bits >> bit & 1)

    def _failure(self, bit: int) -> bool:
        return bool(self.failure_bits >> bit & 1)

    @property
    def inhibited(self) -> bool:
        """Inhibit mode (status bit 0)."""
        return self._status(0)

    @property
    def battery_full(self) -> bool:
        """Battery fully charged (status bit 3)."""
        return self._status(3)

    def done(self, kind: EmergencyTest) -> bool:
        """Whether a ``kind`` test finished and its result is valid (status bit 1 / 2)."""
        return self._status(1 if kind is EmergencyTest.FUNCTION else 2)

    def pending(self, kind: EmergencyTest) -> bool:
        """Whether a ``kind`` test waits to start (status bit 4 / 5)."""
        return self._status(4 if kind is EmergencyTest.FUNCTION else 5)

    def running(self, kind: EmergencyTest) -> bool:
        """Whether a ``kind`` test runs now (mode bit 4 / 5)."""
        return bool(self.mode_bits >> (4 if kind is EmergencyTest.FUNCTION else 5) & 1)

    def active(self, kind: EmergencyTest | None = None) -> bool:
        """Whether a test (of ``kind``, or any) is pending or running."""
        kinds = (kind,) if kind is not None else _TESTS
        return any(self.pending(k) or self.running(k) for k in kinds)

    def failed(self, kind: EmergencyTest) -> bool:
        """Whether the last ``kind`` test failed (failure bit 6 / 7)."""
        return self._failure(6 if kind is EmergencyTest.FUNCTION else 7)

    def overdue(self, kind: EmergencyTest) -> bool:
        """Whether a ``kind`` test waited longer than its maximum delay (failure bit 4 / 5)."""
        return self._failure(4 if kind is EmergencyTest.FUNCTION else 5)

    @property
    def failures(self) -> tuple[str, ...]:
        """The faults found (circuit, battery duration, battery, lamp), by name."""
        return tuple(name for bit, (_, name) in enumerate(_FAILURES) if self._failure(bit))

    def outcome(self, kind: EmergencyTest) -> str:
        """The last ``kind`` test's result: ``passed`` or the fault it found (``failed``)."""
        if not self.failed(kind):
            return "passed"
        found = [
            f
            for f in self.failures
            if kind is EmergencyTest.DURATION or f != "battery_duration_failure"
        ]
        return found[0] if found else "failed"

    @property
    def duration_test_minutes(self) -> int:
        """How long the battery lasted in the last duration test, in minutes."""
        return self.duration_test_result * 2

    @property
    def rated_duration_minutes(self) -> int:
        """The rated emergency duration, in minutes."""
        return self.rated_duration * 2


def is_emergency(gear: GearInfo) -> bool:
    """Whether ``gear`` is emergency (DT1) control gear."""
    return DT_EMERGENCY in gear.device_types


def emergency_gear(inventory: Inventory) -> tuple[GearInfo, ...]:
    """Every DT1 gear of ``inventory``."""
    return tuple(g for g in inventory.gear if is_emergency(g))


def _require_dt1(gear: GearInfo) -> GearShort:
    if not is_emergency(gear):
        raise NotEmergencyGearError(f"DALI gear {gear.short_address} is not emergency (DT1) gear")
    return GearShort(gear.short_address)


def _value(response: Response) -> int | None:
    value = response.value
    return None if value == MASK else int(value)


def _read(address: GearShort) -> Generator[Command, Any, EmergencyStatus]:
    try:
        info = yield from QueryEmergencyInformation(address)
    except DALISequenceError as err:
        raise EmergencyNoAnswerError(f"DALI gear {address.address}: {err}") from err
    return EmergencyStatus(
        short_address=address.address,
        mode_bits=info.emergency_mode.raw_value.as_integer,
        features_bits=info.emergency_features.raw_value.as_integer,
        failure_bits=info.emergency_failure_status.raw_value.as_integer,
        status_bits=info.emergency_status.raw_value.as_integer,
        battery_charge=_value(info.battery_charge),
        duration_test_result=int(info.duration_test_result.value),
        rated_duration=int(info.rated_duration.value),
        emergency_level=_value(info.emergency_level),
        lamp_emergency_time_h=int(info.lamp_emergency_time.value),
    )


async def read_emergency(bus: DaliBus, gear: GearInfo) -> EmergencyStatus:
    """Read ``gear``'s emergency state in one transaction.

    Raises :class:`NotEmergencyGearError` (nothing sent) for a gear that is not DT1,
    :class:`EmergencyNoAnswerError` when it does not answer, or a bus error.
    """
    address = _require_dt1(gear)
    status: EmergencyStatus = await bus.send(_read(address), priority=POLL_PRIORITY)
    return status


def _start(address: GearShort, kind: EmergencyTest) -> Generator[Command, Any, EmergencyStatus]:
    command = (
        emergency.StartFunctionTest
        if kind is EmergencyTest.FUNCTION
        else emergency.StartDurationTest
    )
    yield command(address)
    status = yield from _read(address)
    if not status.active(kind):
        raise EmergencyTestNotStartedError(
            f"DALI gear {address.address} did not start its {kind} test"
        )
    return status


async def start_test(bus: DaliBus, gear: GearInfo, kind: EmergencyTest) -> EmergencyStatus:
    """Start (or queue) a ``kind`` test on ``gear``; return the state read right after.

    Raises :class:`NotEmergencyGearError` (nothing sent), :class:`EmergencyNoAnswerError`,
    :class:`EmergencyTestNotStartedError` or a bus error.
    """
    address = _require_dt1(gear)
    status: EmergencyStatus = await bus.send(_start(address, kind), priority=COMMAND_PRIORITY)
    return status


def _stop(address: GearShort) -> Generator[Command, Any, EmergencyStatus]:
    yield emergency.StopTest(address)
    return (yield from _read(address))


async def stop_test(bus: DaliBus, gear: GearInfo) -> EmergencyStatus:
    """Stop a running test and cancel pending ones on ``gear``; return the state after."""
    address = _require_dt1(gear)
    status: EmergencyStatus = await bus.send(_stop(address), priority=COMMAND_PRIORITY)
    return status


async def acknowledge_result(bus: DaliBus, gear: GearInfo, kind: EmergencyTest) -> None:
    """Clear ``gear``'s "test done" flag of ``kind`` once its result was taken.

    The failure bits stay; the next "done" flag then means a new result.
    """
    address = _require_dt1(gear)
    command = (
        emergency.ResetFunctionTestDoneFlag
        if kind is EmergencyTest.FUNCTION
        else emergency.ResetDurationTestDoneFlag
    )
    await bus.send(command(address), priority=POLL_PRIORITY)
