"""A simulated DALI control gear (IEC 62386-102, with DT8 colour temperature from part 209).

The gear answers the commands this integration sends the way real gear does:
arc levels clamped to min/max, group membership, fade time, device types,
status, DTR registers, configuration commands that act only when received
twice in a row, and DT8 colour temperature that acts only after
``EnableDeviceType(8)`` and is clamped to the physical limits.

A level change takes effect at once; the fade time is stored and reported
but not played out over time.

Memory banks (part 102 section 9.10) are lists indexed by location, location 0 holding the
last accessible location, as in python-dali's fakes: ``ReadMemoryLocation`` answers location
DTR0 of bank DTR1 and moves DTR0 on. Every gear has bank 0 with its GTIN and identification
(serial) number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from dali.address import GearBroadcast, GearBroadcastUnaddressed, GearGroup, GearShort
from dali.command import Command
from dali.gear import colour, general

from .sim_addressing import ADDRESSING_HANDLERS, AddressingState
from .sim_config import CONFIG_HANDLERS, counting_nvm_writes, empty_scenes
from .sim_emergency import EMERGENCY_HANDLERS, SimEmergency
from .sim_status import DT6_HANDLERS, KEEPS_WRITE_ENABLED, STATUS_HANDLERS, lamp_failed

YES = 0xFF
MASK = 0xFF
DT_COLOUR = 8
_TC_SELECTORS = colour.QueryColourValueDTR


@dataclass
class SimGear:
    """One control gear on the simulated bus."""

    short_address: int | None
    groups: set[int] = field(default_factory=set)
    device_types: tuple[int, ...] = (6,)
    min_level: int = 1
    max_level: int = 254
    physical_minimum: int = 1
    actual_level: int = 0
    fade_time: int = 0
    fade_rate: int = 7
    tc_coolest_mirek: int = 154
    tc_warmest_mirek: int = 370
    tc_mirek: int = 370
    responding: bool = True
    lamp_failure: bool = False
    gear_failure: bool = False  # controlGearFailure (status bit 0), sim_status
    led_failure: int = 0  # DT6 QueryFailureStatus bitmap (sim_status LED_* bits)
    rated_power_w: float = 0.0  # what a bank 202 meter draws at full level
    energy_wh: float = 0.0  # the bank 202 meter's active energy
    meter_latched: bool = False  # bank 202 latched (lock byte 0xAA)
    dtr0: int = 0
    dtr1: int = 0
    dtr2: int = 0
    gtin: int | None = None
    serial: int | None = None
    memory: dict[int, list[int]] = field(default_factory=dict)
    addressing: AddressingState = field(default_factory=AddressingState)
    emergency: SimEmergency | None = None  # DT1 state (sim_emergency)
    scenes: list[int] = field(default_factory=empty_scenes)  # sim_config: 255 = not in scene
    power_on_level: int = 254
    system_failure_level: int = 254
    extended_fade: int = 0  # base bits 3-0, multiplier bits 6-4 (sim_config)
    nvm_writes: int = 0  # configuration commands that wrote non-volatile memory (sim_config)
    _temporary_tc: int | None = None
    _armed: Command | None = None
    _enabled_device_type: int = 0
    _device_type_cursor: int | None = None  # QueryNextDeviceType's place in the list
    _previous_cursor: int | None = None
    _write_enabled: bool = False  # writeEnableState (EnableWriteMemory)

    def __post_init__(self) -> None:
        """Give the gear its bank 0 when it has an identity and no bank 0 of its own."""
        if self.gtin is not None and self.serial is not None and 0 not in self.memory:
            self.memory[0] = bank_0(self.gtin, self.serial)

    @property
    def is_dt8(self) -> bool:
        """Whether the gear supports colour temperature."""
        return DT_COLOUR in self.device_types

    def addressed_by(self, command: Command) -> bool:
        """Whether ``command`` is meant for this gear."""
        destination = getattr(command, "destination", None)
        if destination is None or isinstance(destination, GearBroadcast):
            return True
        if isinstance(destination, GearBroadcastUnaddressed):
            return self.short_address is None
        if isinstance(destination, GearShort):
            return bool(destination.address == self.short_address)
        if isinstance(destination, GearGroup):
            return bool(destination.group in self.groups)
        return False

    def receive(self, command: Command) -> int | None:
        """Take one forward frame; return the backward frame (0-255) or None for no answer."""
        enabled_device_type, self._enabled_device_type = self._enabled_device_type, 0
        armed, self._armed = self._armed, None
        self._previous_cursor, self._device_type_cursor = self._device_type_cursor, None
        if not isinstance(command, KEEPS_WRITE_ENABLED):
            self._write_enabled = False
        if isinstance(command, general.EnableDeviceType):
            self._enabled_device_type = command.param
            return None
        if command.sendtwice and (armed is None or armed.frame != command.frame):
            self._armed = command  # a configuration command acts on its second copy only
            self._enabled_device_type = enabled_device_type  # which needs no EnableDeviceType
            return None
        if not self.responding or not self.addressed_by(command):
            return None
        if command.devicetype:
            if (
                command.devicetype != enabled_device_type
                or command.devicetype not in self.device_types
            ):
                return None
            handler = _DEVICE_TYPE_HANDLERS.get(command.devicetype, {}).get(type(command))
        else:
            handler = _HANDLERS.get(type(command))
        return handler(self, command) if handler else None

    # arc power -----------------------------------------------------------------
    def _set_level(self, level: int) -> None:
        if level == 0:
            self.actual_level = 0
        elif level != MASK:
            self.actual_level = min(self.max_level, max(self.min_level, level))

    def _status(self) -> int:
        bits = (
            (self.gear_failure, 0),
            (lamp_failed(self), 1),
            (self.actual_level > 0, 2),
            (self.short_address is None, 6),
        )
        return sum(1 << bit for flag, bit in bits if flag)

    def _group_bits(self, first: int) -> int:
        return sum(1 << (g - first) for g in self.groups if first <= g < first + 8)

    # configuration ---------------------------------------------------------------
    def _store_max(self) -> None:
        self.max_level = max(self.min_level, min(254, self.dtr0))
        self.actual_level = min(self.actual_level, self.max_level)

    def _store_min(self) -> None:
        self.min_level = min(self.max_level, max(self.physical_minimum, self.dtr0))
        if self.actual_level:
            self.actual_level = max(self.actual_level, self.min_level)

    # device types (a multi-type gear lists them through QueryNextDeviceType) ------------
    def _device_type(self) -> int:
        if len(self.device_types) == 1:
            return self.device_types[0]
        self._device_type_cursor = 0
        return MASK

    def _next_device_type(self) -> int | None:
        cursor = self._previous_cursor
        if cursor is None:
            return None
        types = sorted(self.device_types)
        if cursor >= len(types):
            return 254  # every type reported
        self._device_type_cursor = cursor + 1
        return types[cursor]

    # memory banks ----------------------------------------------------------------
    def _read_memory(self) -> int | None:
        bank = self.memory.get(self.dtr1)
        location = self.dtr0
        if bank is None or location > bank[0] or location >= len(bank):
            return None
        self.dtr0 = min(location + 1, 255)
        return bank[location]

    # DT8 ---------------------------------------------------------------------------
    def _colour_value(self) -> int | None:
        values = {
            _TC_SELECTORS.ColourTemperatureTC: self.tc_mirek,
            _TC_SELECTORS.ReportColourTemperatureTc: self.tc_mirek,
            _TC_SELECTORS.TemporaryColourTemperature: self._temporary_tc
            if self._temporary_tc is not None
            else 0xFFFF,
            _TC_SELECTORS.ColourTemperatureTcCoolest: self.tc_coolest_mirek,
            _TC_SELECTORS.ColourTemperatureTcPhysicalCoolest: self.tc_coolest_mirek,
            _TC_SELECTORS.ColourTemperatureTcWarmest: self.tc_warmest_mirek,
            _TC_SELECTORS.ColourTemperatureTcPhysicalWarmest: self.tc_warmest_mirek,
        }
        value = values.get(self.dtr0)  # type: ignore[call-overload,unused-ignore]
        if value is None:
            return None
        self.dtr1, self.dtr0 = value >> 8, value & 0xFF
        return self.dtr1

    def _activate(self) -> None:
        if self._temporary_tc is not None:
            self.tc_mirek = min(
                self.tc_warmest_mirek, max(self.tc_coolest_mirek, self._temporary_tc)
            )
            self._temporary_tc = None


def bank_0(gtin: int, serial: int, *, last_bank: int = 0) -> list[int]:
    """Memory bank 0 of a part 102 edition 2 gear: GTIN at 0x03-0x08, serial at 0x0b-0x12."""
    return [
        0x1A,  # last accessible location
        0xFF,  # reserved
        last_bank,
        *gtin.to_bytes(6, "big"),
        1,  # firmware 1.0
        0,
        *serial.to_bytes(8, "big"),
        1,  # hardware 1.0
        0,
        8,  # part 101 version 2.0
        8,  # part 102 version 2.0
        0xFF,  # no part 103
        0,  # no control device units
        1,  # one control gear unit
        0,  # this is unit 0
    ]


type _Handler = Callable[[SimGear, Command], int | None]


def _act(action: Callable[[SimGear, Command], object]) -> _Handler:
    def handler(gear: SimGear, command: Command) -> None:
        action(gear, command)

    return handler


def _yes_if(condition: Callable[[SimGear], bool]) -> _Handler:
    return lambda gear, _command: YES if condition(gear) else None


def _set_dtr(index: int) -> _Handler:
    def handler(gear: SimGear, command: Command) -> None:
        setattr(gear, f"dtr{index}", command.param)

    return handler


_HANDLERS: dict[type[Command], _Handler] = {
    general.DAPC: _act(lambda g, c: g._set_level(c.power)),
    general.Off: _act(lambda g, _c: g._set_level(0)),
    general.RecallMaxLevel: _act(lambda g, _c: g._set_level(g.max_level)),
    general.RecallMinLevel: _act(lambda g, _c: g._set_level(g.min_level)),
    general.DTR0: _set_dtr(0),
    general.DTR1: _set_dtr(1),
    general.DTR2: _set_dtr(2),
    general.SetFadeTime: _act(lambda g, _c: setattr(g, "fade_time", min(15, g.dtr0))),
    general.SetFadeRate: _act(lambda g, _c: setattr(g, "fade_rate", min(15, max(1, g.dtr0)))),
    general.SetMaxLevel: _act(lambda g, _c: g._store_max()),
    general.SetMinLevel: _act(lambda g, _c: g._store_min()),
    general.AddToGroup: _act(lambda g, c: g.groups.add(c.param)),
    general.RemoveFromGroup: _act(lambda g, c: g.groups.discard(c.param)),
    general.QueryControlGearPresent: _yes_if(lambda _g: True),
    general.QueryLampFailure: _yes_if(lamp_failed),
    general.QueryLampPowerOn: _yes_if(lambda g: g.actual_level > 0),
    general.QueryMissingShortAddress: _yes_if(lambda g: g.short_address is None),
    general.QueryStatus: (lambda g, _c: g._status()),
    general.QueryActualLevel: (lambda g, _c: g.actual_level),
    general.QueryMaxLevel: (lambda g, _c: g.max_level),
    general.QueryMinLevel: (lambda g, _c: g.min_level),
    general.QueryPhysicalMinimum: (lambda g, _c: g.physical_minimum),
    general.QueryFadeTimeFadeRate: (lambda g, _c: g.fade_time << 4 | g.fade_rate),
    general.QueryContentDTR0: (lambda g, _c: g.dtr0),
    general.QueryContentDTR1: (lambda g, _c: g.dtr1),
    general.QueryContentDTR2: (lambda g, _c: g.dtr2),
    general.QueryVersionNumber: (lambda _g, _c: 8),  # part 102 edition 2
    general.QueryDeviceType: (lambda g, _c: g._device_type()),
    general.QueryNextDeviceType: (lambda g, _c: g._next_device_type()),
    general.ReadMemoryLocation: (lambda g, _c: g._read_memory()),
    general.QueryGroupsZeroToSeven: (lambda g, _c: g._group_bits(0)),
    general.QueryGroupsEightToFifteen: (lambda g, _c: g._group_bits(8)),
    **ADDRESSING_HANDLERS,  # random addressing and identification (sim_addressing)
    **STATUS_HANDLERS,  # gear failure, memory writes (sim_status)
    **CONFIG_HANDLERS,  # scenes, power-on/system-failure level, extended fade (sim_config)
}
_HANDLERS = counting_nvm_writes(_HANDLERS)  # configuration commands count as NVM writes

_DT8_HANDLERS: dict[type[Command], _Handler] = {
    colour.SetTemporaryColourTemperature: _act(
        lambda g, _c: setattr(g, "_temporary_tc", g.dtr1 << 8 | g.dtr0)
    ),
    colour.Activate: _act(lambda g, _c: g._activate()),
    colour.QueryColourValue: (lambda g, _c: g._colour_value()),
    colour.QueryColourTypeFeatures: (lambda _g, _c: 0b10),  # colour temperature capable
    colour.QueryColourStatus: (lambda _g, _c: 0b10_0000),  # Tc active
}

# Device-type commands (after EnableDeviceType) by device type.
_DEVICE_TYPE_HANDLERS: dict[int, dict[type[Command], _Handler]] = {
    1: EMERGENCY_HANDLERS,  # emergency lighting (sim_emergency)
    6: DT6_HANDLERS,  # LED failure detail (sim_status)
    DT_COLOUR: _DT8_HANDLERS,
}
