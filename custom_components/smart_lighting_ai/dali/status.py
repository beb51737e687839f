"""A fitting's health, read cheaply: status byte, and for DT6 the LED failure detail.

One ``QueryStatus`` per fitting (IEC 62386-102: bit 0 control gear failure, bit 1 lamp
failure, bit 2 lamp on, bit 3 limit error, bit 4 fade running, bit 5 reset state, bit 6
missing short address, bit 7 power failure) tells whether it is there at all, whether its
lamp failed and whether the gear itself did. The LED detail of DT6 gear (part 207
``QueryFailureStatus``) costs two frames more; :class:`StatusSweep` asks it only when the
status shows a failure, or for each DT6 fitting on a slower cadence.

:class:`StatusSweep` spreads the queries over time: every fitting once per ``sweep_s``, a few
at each poll, however often it is polled, so the bus share stays small (see
``benchmarks/fault_polling.py``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

from dali.address import GearShort
from dali.command import Command
from dali.gear import general, led

from .bus import DaliBus
from .inventory import GearInfo

DT_LED = 6
STATUS_PRIORITY = 5  # the least urgent: a person's command always goes first
DEFAULT_SWEEP_S = 300.0  # every fitting's status once per 5 minutes
DEFAULT_LED_EVERY_S = 3600.0  # every DT6 fitting's LED detail once an hour
MISSES_FOR_MISSING = 2  # no answer this many times in a row: the fitting is missing

type _Sequence[T] = Generator[Command, Any, T]


@dataclass(frozen=True, slots=True)
class LedFailure:
    """The LED failure detail of a DT6 gear (part 207 QUERY FAILURE STATUS)."""

    short_circuit: bool = False
    open_circuit: bool = False
    load_decrease: bool = False
    load_increase: bool = False
    current_protector_active: bool = False
    thermal_shutdown: bool = False
    thermal_overload: bool = False
    reference_measurement_failed: bool = False

    @classmethod
    def from_byte(cls, value: int) -> LedFailure:
        """Decode the answer byte (bit 0 short circuit ... bit 7 reference failed)."""
        return cls(*(bool(value >> bit & 1) for bit in range(8)))

    @property
    def active(self) -> tuple[str, ...]:
        """The names of the failures present."""
        return tuple(f.name for f in fields(self) if getattr(self, f.name))

    def as_dict(self) -> dict[str, bool]:
        """Every failure by name."""
        return {f.name: bool(getattr(self, f.name)) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class GearStatus:
    """What one ``QueryStatus`` (and maybe ``QueryFailureStatus``) said about a fitting."""

    short_address: int
    present: bool
    gear_failure: bool = False
    lamp_failure: bool = False
    lamp_on: bool = False
    limit_error: bool = False
    fade_running: bool = False
    reset_state: bool = False
    missing_short_address: bool = False
    power_failure: bool = False
    led: LedFailure | None = None

    @classmethod
    def from_byte(cls, short_address: int, value: int, led: LedFailure | None = None) -> GearStatus:
        """Decode a status byte."""
        names = (
            "gear_failure",
            "lamp_failure",
            "lamp_on",
            "limit_error",
            "fade_running",
            "reset_state",
            "missing_short_address",
            "power_failure",
        )
        bits = {name: bool(value >> bit & 1) for bit, name in enumerate(names)}
        return cls(short_address, True, led=led, **bits)

    @property
    def failed(self) -> bool:
        """Whether the lamp or the gear failed."""
        return self.present and (self.gear_failure or self.lamp_failure)


def read_status(short_address: int) -> _Sequence[GearStatus | None]:
    """One ``QueryStatus``; not present when nothing answers, None on a garbled answer."""
    response = yield general.QueryStatus(GearShort(short_address))
    if response is None or response.raw_value is None:
        return GearStatus(short_address, present=False)
    if response.raw_value.error:
        return None  # something answered, but what it said is unknown
    return GearStatus.from_byte(short_address, response.raw_value.as_integer)


def read_led_failure(short_address: int) -> _Sequence[LedFailure | None]:
    """The DT6 failure detail (``QueryFailureStatus``); None without a clean answer."""
    response = yield led.QueryFailureStatus(GearShort(short_address))
    if response is None or response.raw_value is None or response.raw_value.error:
        return None
    return LedFailure.from_byte(response.raw_value.as_integer)


def read_fitting_status(short_address: int, *, dt6: bool) -> _Sequence[GearStatus | None]:
    """Status, and for a DT6 fitting whose status shows a failure, its LED detail too."""
    status = yield from read_status(short_address)
    if status is None or not (dt6 and status.failed):
        return status
    detail = yield from read_led_failure(short_address)
    return _with_led(status, detail)


def _with_led(status: GearStatus, detail: LedFailure | None) -> GearStatus:
    return GearStatus(
        **{f.name: getattr(status, f.name) for f in fields(status) if f.name != "led"},
        led=detail,
    )


class StatusSweep:
    """Round-robin status polling of every fitting, at a bounded bus share.

    ``poll(now)`` reads as many fittings as the time since the last poll calls for (every
    fitting once per ``sweep_s``); a DT6 fitting's LED detail is read along with its status
    when that shows a failure, and otherwise once per ``led_every_s``. ``read_now`` reads
    given fittings at once (a state change was seen). Results are kept by fitting key.
    """

    def __init__(
        self,
        bus: DaliBus,
        gear: Callable[[], Sequence[GearInfo]],
        *,
        sweep_s: float = DEFAULT_SWEEP_S,
        led_every_s: float = DEFAULT_LED_EVERY_S,
    ) -> None:
        """Poll the fittings ``gear()`` lists on ``bus``."""
        self._bus = bus
        self._gear = gear
        self.sweep_s = sweep_s
        self.led_every_s = led_every_s
        self.statuses: dict[str, GearStatus] = {}
        self.misses: dict[str, int] = {}
        self._led_read_at: dict[str, float] = {}
        self._cursor = 0
        self._credit = 0.0
        self._last_poll: float | None = None

    def missing(self, key: str) -> bool:
        """Whether the fitting stopped answering (``MISSES_FOR_MISSING`` times in a row)."""
        return self.misses.get(key, 0) >= MISSES_FOR_MISSING

    def due(self, now: float) -> list[GearInfo]:
        """The fittings whose turn it is at ``now`` (moves the round-robin on)."""
        gear = list(self._gear())
        if self._last_poll is None or not gear:
            self._last_poll = now
            return []
        elapsed = max(0.0, now - self._last_poll)
        self._last_poll = now
        self._credit = min(self._credit + len(gear) * elapsed / self.sweep_s, len(gear))
        count = math.floor(self._credit + 1e-9)
        self._credit -= count
        start = self._cursor % len(gear)
        self._cursor = (start + count) % len(gear)
        return [gear[(start + i) % len(gear)] for i in range(count)]

    async def poll(self, now: float) -> list[GearStatus]:
        """Read the fittings that are due at ``now``; return what changed."""
        return await self.read(self.due(now), now)

    async def read_now(self, keys: Iterable[str], now: float) -> list[GearStatus]:
        """Read the fittings ``keys`` at once; return what changed."""
        wanted = set(keys)
        return await self.read([g for g in self._gear() if g.key in wanted], now)

    async def read(self, gear: Iterable[GearInfo], now: float) -> list[GearStatus]:
        """Read ``gear`` one transaction each; return the statuses that changed.

        Raises the bus's ``DaliError`` (what was read before it is kept).
        """
        changed = []
        for info in gear:
            status = await self._read_one(info, now)
            if status is not None and status != self.statuses.get(info.key):
                changed.append(status)
            if status is not None:
                self.statuses[info.key] = status
        return changed

    async def _read_one(self, info: GearInfo, now: float) -> GearStatus | None:
        dt6 = DT_LED in info.device_types
        status: GearStatus | None = await self._bus.send(
            read_fitting_status(info.short_address, dt6=dt6), priority=STATUS_PRIORITY
        )
        if status is None:
            return None
        if not status.present:
            self.misses[info.key] = self.misses.get(info.key, 0) + 1
            return status
        self.misses.pop(info.key, None)
        if not dt6 or status.led is not None:
            if status.led is not None:
                self._led_read_at[info.key] = now
            return status
        known = self.statuses.get(info.key)
        known_led = known.led if known is not None else None
        cleared = known_led is not None and bool(known_led.active) and not status.failed
        if cleared or now - self._led_read_at.get(info.key, -math.inf) >= self.led_every_s:
            known_led = await self._bus.send(
                read_led_failure(info.short_address), priority=STATUS_PRIORITY
            )
            self._led_read_at[info.key] = now
        return _with_led(status, known_led)
