"""Faults and energy metering of a simulated control gear.

- Control gear failure (IEC 62386-102 ed2 ``QueryControlGearFailure``, status bit 0) from the
  gear's ``gear_failure`` field.
- The LED failure detail of DT6 gear (IEC 62386-207): ``QueryFailureStatus`` answers the gear's
  ``led_failure`` bitmap (bit 0 short circuit, 1 open circuit, 2 load decrease, 3 load increase,
  4 current protector active, 5 thermal shutdown, 6 thermal overload with light level
  reduction, 7 reference measurement failed), and each single-bit query answers YES for its bit.
  A short or an open circuit is a lamp failure, as part 207 says.
- Memory writes (part 102 section 9.10): ``EnableWriteMemory`` then ``WriteMemoryLocation`` /
  ``WriteMemoryLocationNoReply`` to a writable location; the only writable locations here are the
  lock bytes (location 2 of every bank but bank 0).
- Active energy and power in bank 202 (DiiA part 252): the gear meters ``rated_power_w`` at its
  arc level (the standard logarithmic dimming curve) into ``energy_wh``. Time moves only when
  :func:`advance_meters` is called (the simulated backend calls it with its clock before every
  frame), so tests move it deterministically. Writing 0xAA to the lock byte latches the bank: the
  readable bytes are a snapshot (taken at that moment) until 0xFF is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from dali.command import Command
from dali.gear import general, led

if TYPE_CHECKING:
    from .sim_gear import SimGear

YES = 0xFF
BANK_ENERGY = 202
LOCK_BYTE = 2
LATCH = 0xAA
UNLATCH = 0xFF
ENERGY_SCALE = -1  # ActiveEnergy in 0.1 Wh
POWER_SCALE = -1  # ActivePower in 0.1 W

# LED failure status bits (part 207, QUERY FAILURE STATUS)
LED_SHORT_CIRCUIT = 1 << 0
LED_OPEN_CIRCUIT = 1 << 1
LED_LOAD_DECREASE = 1 << 2
LED_LOAD_INCREASE = 1 << 3
LED_CURRENT_PROTECTOR = 1 << 4
LED_THERMAL_SHUTDOWN = 1 << 5
LED_THERMAL_OVERLOAD = 1 << 6
LED_REFERENCE_FAILED = 1 << 7
LED_LAMP_FAILURES = LED_SHORT_CIRCUIT | LED_OPEN_CIRCUIT
# QUERY FEATURES: every failure above can be queried (bits 0-5), no reference measurement.
LED_FEATURES = 0b0011_1111

type _Handler = Callable[[SimGear, Command], int | None]

# Commands that leave writeEnableState ENABLED (part 102: every other command disables it).
KEEPS_WRITE_ENABLED: tuple[type[Command], ...] = (
    general.EnableWriteMemory,
    general.WriteMemoryLocation,
    general.WriteMemoryLocationNoReply,
    general.DTR0,
    general.DTR1,
    general.DTR2,
    general.QueryContentDTR0,
    general.QueryContentDTR1,
    general.QueryContentDTR2,
)


def lamp_failed(gear: SimGear) -> bool:
    """Whether the gear reports a lamp failure (its field, or an LED short/open circuit)."""
    return gear.lamp_failure or bool(gear.led_failure & LED_LAMP_FAILURES)


def arc_power_fraction(level: int) -> float:
    """The share of full power at arc level ``level`` (logarithmic curve, part 102 annex)."""
    if level <= 0:
        return 0.0
    return float(10 ** ((min(level, 254) - 1) / (253 / 3) - 1) / 100)


def active_power_w(gear: SimGear) -> float:
    """What the gear draws now, in W."""
    if not gear.responding:
        return 0.0
    return gear.rated_power_w * arc_power_fraction(gear.actual_level)


def energy_bank(energy_wh: float, power_w: float) -> list[int]:
    """Bank 202 (version 1) holding ``energy_wh`` and ``power_w`` in 0.1 units."""
    energy = min(int(energy_wh * 10**-ENERGY_SCALE), 0xFFFF_FFFF_FFFD)
    power = min(round(power_w * 10**-POWER_SCALE), 0xFFFF_FFFD)
    return [
        0x0F,  # last accessible location
        0xFF,  # reserved (not implemented)
        UNLATCH,  # lock byte
        0x01,  # bank version 1
        ENERGY_SCALE & 0xFF,
        *energy.to_bytes(6, "big"),
        POWER_SCALE & 0xFF,
        *power.to_bytes(4, "big"),
    ]


def add_energy_meter(gear: SimGear, rated_power_w: float, energy_wh: float = 0.0) -> None:
    """Give ``gear`` a bank 202 meter of ``rated_power_w`` starting at ``energy_wh``."""
    gear.rated_power_w = rated_power_w
    gear.energy_wh = energy_wh
    gear.memory[BANK_ENERGY] = energy_bank(energy_wh, active_power_w(gear))


def has_energy_meter(gear: SimGear) -> bool:
    """Whether the gear answers bank 202."""
    return BANK_ENERGY in gear.memory


def advance_meters(gear: SimGear, seconds: float) -> None:
    """Let ``seconds`` pass at the gear's present level; refresh bank 202 unless latched."""
    if not has_energy_meter(gear):
        return
    gear.energy_wh += active_power_w(gear) * max(0.0, seconds) / 3600
    if not gear.meter_latched:
        _refresh_bank(gear)


def _refresh_bank(gear: SimGear) -> None:
    bank = energy_bank(gear.energy_wh, active_power_w(gear))
    bank[LOCK_BYTE] = gear.memory[BANK_ENERGY][LOCK_BYTE]
    gear.memory[BANK_ENERGY] = bank


# memory writes -----------------------------------------------------------------------


def _enable_write(gear: SimGear, _command: Command) -> None:
    gear._write_enabled = True


def _write_memory(gear: SimGear, command: Command) -> int | None:
    bank = gear.memory.get(gear.dtr1)
    location = gear.dtr0
    if not gear._write_enabled or bank is None:
        return None
    gear.dtr0 = min(location + 1, 255)
    if gear.dtr1 == 0 or location != LOCK_BYTE or location > bank[0]:
        return None  # not writeable: answer NO, write nothing
    bank[LOCK_BYTE] = command.param
    if gear.dtr1 == BANK_ENERGY:
        if command.param == LATCH:
            _refresh_bank(gear)  # the snapshot is taken now
            gear.meter_latched = True
        else:
            gear.meter_latched = False
            _refresh_bank(gear)
    return int(command.param) if isinstance(command, general.WriteMemoryLocation) else None


def _yes_if(condition: Callable[[SimGear], bool]) -> _Handler:
    return lambda gear, _command: YES if condition(gear) else None


def _act(action: Callable[[SimGear, Command], object]) -> _Handler:
    def handler(gear: SimGear, command: Command) -> None:
        action(gear, command)

    return handler


def _led_bit(mask: int) -> _Handler:
    return _yes_if(lambda gear: bool(gear.led_failure & mask))


STATUS_HANDLERS: dict[type[Command], _Handler] = {
    general.QueryControlGearFailure: _yes_if(lambda g: g.gear_failure),
    general.EnableWriteMemory: _act(_enable_write),
    general.WriteMemoryLocation: _write_memory,
    general.WriteMemoryLocationNoReply: _write_memory,
}

DT6_HANDLERS: dict[type[Command], _Handler] = {
    led.QueryFeatures: (lambda _g, _c: LED_FEATURES),
    led.QueryFailureStatus: (lambda g, _c: g.led_failure & 0xFF),
    led.QueryShortCircuit: _led_bit(LED_SHORT_CIRCUIT),
    led.QueryOpenCircuit: _led_bit(LED_OPEN_CIRCUIT),
    led.QueryLoadDecrease: _led_bit(LED_LOAD_DECREASE),
    led.QueryLoadIncrease: _led_bit(LED_LOAD_INCREASE),
    led.QueryCurrentProtectorActive: _led_bit(LED_CURRENT_PROTECTOR),
    led.QueryThermalShutDown: _led_bit(LED_THERMAL_SHUTDOWN),
    led.QueryThermalOverload: _led_bit(LED_THERMAL_OVERLOAD),
    led.QueryReferenceMeasurementFailed: _led_bit(LED_REFERENCE_FAILED),
}
