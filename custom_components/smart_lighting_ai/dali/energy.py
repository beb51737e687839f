"""Metered active energy and power from memory bank 202 (DiiA part 252), one transaction.

:func:`read_energy` latches the bank (lock byte 0xAA) so that energy and power are one
snapshot, reads ``ActiveEnergy`` (locations 0x04-0x0a: a signed power-of-ten scale, then six
bytes MSB first, in Wh) and ``ActivePower`` (0x0b-0x0f, in W), and releases the latch. A gear
without bank 202 does not answer its last-location byte: the reading is None. Values the
gear flags as unknown (MASK/TMASK) or invalid, or locations that do not answer, are None as
well. A garbled answer (a framing error) raises ``DaliError``: the meter is there, try again.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dali.address import GearShort
from dali.command import Command
from dali.gear import general
from dali.memory import energy
from dali.memory.location import FlagValue

from .bus import DaliBus
from .errors import DaliError

BANK = energy.BANK_202.address
LAST_LOCATION = 0x0F
FIRST_VALUE = 0x04  # ActiveEnergy's scale byte
LOCK_BYTE = 0x02
LATCH = 0xAA
UNLATCH = 0xFF
METER_PRIORITY = 5

type _Sequence[T] = Generator[Command, Any, T]


@dataclass(frozen=True, slots=True)
class EnergyReading:
    """A fitting's meter: active energy (Wh) and active power (W), None where unknown."""

    energy_wh: float | None
    power_w: float | None


def _value(memory_value: type[energy.ScaledNumericValue], raw: list[int | None]) -> float | None:
    try:
        value = memory_value.from_list(raw)
    except Exception:  # python-dali raises its own for a location that did not answer
        return None
    if isinstance(value, FlagValue) or not isinstance(value, int | Decimal):
        return None
    return float(value)


def read_energy(short_address: int) -> _Sequence[EnergyReading | None]:
    """The sequence reading bank 202 of one gear; None when it has no bank 202."""
    address = GearShort(short_address)
    yield general.DTR1(BANK)
    yield general.DTR0(0)
    last = yield general.ReadMemoryLocation(address)
    if last is None or last.raw_value is None:
        return None
    if last.raw_value.error:
        raise DaliError(f"Garbled answer reading bank {BANK} of gear {short_address}")
    if last.raw_value.as_integer < LAST_LOCATION:
        return None  # a bank 202 without active power is not one we know
    yield general.EnableWriteMemory(address)
    yield general.DTR0(LOCK_BYTE)
    yield general.WriteMemoryLocationNoReply(LATCH)
    yield general.DTR0(FIRST_VALUE)
    raw: list[int | None] = [None] * FIRST_VALUE
    for _location in range(FIRST_VALUE, LAST_LOCATION + 1):
        answer = yield general.ReadMemoryLocation(address)
        if answer is None or answer.raw_value is None:
            raw.append(None)
            continue
        if answer.raw_value.error:
            raise DaliError(f"Garbled answer reading bank {BANK} of gear {short_address}")
        raw.append(answer.raw_value.as_integer)
    yield general.EnableWriteMemory(address)  # reading ended writeEnableState
    yield general.DTR0(LOCK_BYTE)
    yield general.WriteMemoryLocationNoReply(UNLATCH)
    return EnergyReading(_value(energy.ActiveEnergy, raw), _value(energy.ActivePower, raw))


async def async_read_energy(bus: DaliBus, short_address: int) -> EnergyReading | None:
    """Read one gear's bank 202 in one transaction (raises the bus's ``DaliError``)."""
    reading: EnergyReading | None = await bus.send(
        read_energy(short_address), priority=METER_PRIORITY
    )
    return reading
