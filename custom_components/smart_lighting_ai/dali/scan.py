"""Scan a DALI bus for control gear, and merge a scan into the inventory already known.

A scan tells three outcomes apart at each short address:

- *read*: the gear answered every query cleanly;
- *absent*: nothing answered ``QueryControlGearPresent``;
- *unreadable*: an answer arrived with a framing error (noise on the line, or two gear set to
  the same short address), or a gear that answered stopped answering part-way.

:func:`merge_scan` then decides what the new inventory is, by these rules:

1. A gear read cleanly is taken as read (it may have moved groups or changed limits).
2. A known gear at an unreadable address is kept exactly as it was known.
3. A known gear at an absent address is kept and reported *missing*. It is forgotten only once
   it has been absent from :data:`FORGET_AFTER_MISSED_SCANS` *clean* scans in a row (a clean
   scan read at least one gear and nothing garbled), so a fitting removed for real eventually
   leaves the inventory, while a fitting whose circuit is switched off, or a noisy line, never
   makes lights disappear. Its Home Assistant device stays until the user deletes it.
4. A scan that read no gear and got garbled answers is unreliable: it changes nothing and
   :class:`ScanUnreliableError` says so.
5. A gear read at a new short address with the GTIN and serial of a known gear has moved
   (re-addressed): its old address is dropped, so it is one fitting, not a new one plus a
   missing one.
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Iterable
from dataclasses import dataclass, replace
from typing import Any

from dali.address import GearShort
from dali.exceptions import DALISequenceError
from dali.gear.colour import QueryColourValueDTR
from dali.gear.general import (
    QueryControlGearPresent,
    QueryFadeTimeFadeRate,
    QueryMaxLevel,
    QueryMinLevel,
)
from dali.gear.sequences import QueryDT8ColourValue
from dali.memory.info import GTIN, IdentificationNumber
from dali.memory.location import MemoryLocationNotImplemented
from dali.sequences import QueryDeviceTypes, QueryGroups

from .bus import DaliBus
from .errors import DaliError
from .inventory import DT_COLOUR, GearInfo, Inventory

_LOGGER = logging.getLogger(__name__)
SHORT_ADDRESSES = range(64)
SCAN_PRIORITY = 5
FORGET_AFTER_MISSED_SCANS = 3


class _NoAnswer(Exception):
    """A gear that was present stopped answering part-way."""


class _Garbled(Exception):
    """An answer arrived with a framing error."""


class ScanUnreliableError(DaliError):
    """The scan read no gear at all, only garbled answers: it must not replace anything."""

    def __init__(self, unreadable: Iterable[int]) -> None:
        """Name the short addresses whose answers were garbled or partial."""
        self.unreadable = tuple(sorted(unreadable))
        super().__init__(
            f"The DALI scan read no gear: {len(self.unreadable)} addresses answered garbled"
        )


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What one scan saw: the gear it read, and the addresses it could not read."""

    inventory: Inventory
    absent: frozenset[int] = frozenset()
    unreadable: frozenset[int] = frozenset()

    @property
    def reliable(self) -> bool:
        """Whether the scan is usable: it read a gear, or nothing answered garbled."""
        return bool(self.inventory.gear) or not self.unreadable

    @property
    def clean(self) -> bool:
        """Whether the scan read at least one gear and nothing answered garbled."""
        return bool(self.inventory.gear) and not self.unreadable


@dataclass(frozen=True, slots=True)
class ScanReport:
    """How :func:`merge_scan` changed the inventory, and what it kept without seeing it."""

    added: tuple[int, ...] = ()
    missing: tuple[GearInfo, ...] = ()
    unreadable: tuple[int, ...] = ()
    forgotten: tuple[GearInfo, ...] = ()


def _garbled(answer: Any) -> bool:
    raw = getattr(answer, "raw_value", None)
    return raw is not None and bool(raw.error)


def _checked[T](sequence: Generator[Any, Any, T]) -> Generator[Any, Any, T]:
    """Run ``sequence``, raising ``_Garbled`` at the first answer with a framing error.

    python-dali's own sequences do not all look at the error flag (``QueryDeviceTypes`` takes a
    garbled device type as it comes), so every answer is checked here.
    """
    answer: Any = None
    while True:
        try:
            step = sequence.send(answer)
        except StopIteration as stop:
            result: T = stop.value
            return result
        answer = yield step
        if _garbled(answer):
            sequence.close()
            raise _Garbled


def _number(response: Any) -> int:
    if response is None or response.raw_value is None or response.raw_value.error:
        raise _NoAnswer
    return int(response.raw_value.as_integer)


def _describe_gear(address: int) -> Generator[Any, Any, GearInfo | None]:
    """Sequence that reads one gear, or returns None when nothing answers at ``address``."""
    short = GearShort(address)
    present = yield QueryControlGearPresent(short)
    if present is None or present.raw_value is None:
        return None
    device_types = tuple((yield from QueryDeviceTypes(short)))
    groups = frozenset((yield from QueryGroups(short)))
    min_level = _number((yield QueryMinLevel(short)))
    max_level = _number((yield QueryMaxLevel(short)))
    fade_time = _number((yield QueryFadeTimeFadeRate(short))) >> 4
    coolest = warmest = None
    if DT_COLOUR in device_types:
        coolest = yield from QueryDT8ColourValue(
            short, QueryColourValueDTR.ColourTemperatureTcPhysicalCoolest
        )
        warmest = yield from QueryDT8ColourValue(
            short, QueryColourValueDTR.ColourTemperatureTcPhysicalWarmest
        )
        if coolest is None or warmest is None:
            raise _NoAnswer
    gtin, serial = yield from _read_identity(short)
    return GearInfo(
        address,
        device_types,
        groups,
        min_level,
        max_level,
        fade_time,
        coolest,
        warmest,
        gtin,
        serial,
    )


def _read_identity(short: GearShort) -> Generator[Any, Any, tuple[int | None, int | None]]:
    """GTIN and identification number from memory bank 0; (None, None) when it has none.

    A GTIN of 0 or a value with every bit set (MASK/TMASK) identifies nothing, and neither
    half is kept without the other: the pair is what is unique.
    """
    try:
        gtin = yield from GTIN.read(short)
        serial = yield from IdentificationNumber.read(short)
    except MemoryLocationNotImplemented:
        return None, None
    if not isinstance(gtin, int) or not isinstance(serial, int) or not gtin:
        return None, None
    return gtin, serial


async def scan_bus_result(bus: DaliBus, addresses: Iterable[int] = SHORT_ADDRESSES) -> ScanResult:
    """Read every short address; say which were empty and which could not be read.

    One faulty gear does not hide the others: its address is listed as unreadable, with a
    warning. Each address is its own transaction, so light commands can slip in between.
    """
    found: list[GearInfo] = []
    absent: set[int] = set()
    unreadable: set[int] = set()
    for address in addresses:
        try:
            gear = await bus.send(_checked(_describe_gear(address)), priority=SCAN_PRIORITY)
        except _Garbled:
            _LOGGER.warning(
                "DALI gear %d answered with framing errors during the scan (noise on the line, "
                "or two gear at one short address); not read",
                address,
            )
            unreadable.add(address)
            continue
        except (_NoAnswer, DALISequenceError):
            _LOGGER.warning("DALI gear %d stopped answering during the scan; not read", address)
            unreadable.add(address)
            continue
        if gear is None:
            absent.add(address)
        else:
            found.append(gear)
    return ScanResult(Inventory(tuple(found)), frozenset(absent), frozenset(unreadable))


async def scan_bus(bus: DaliBus, addresses: Iterable[int] = SHORT_ADDRESSES) -> Inventory:
    """Read every short address and return the gear read cleanly.

    Raises :class:`ScanUnreliableError` (a :class:`DaliError`) when no gear could be read but
    some answered garbled, rather than return an empty inventory from a noisy line.
    """
    result = await scan_bus_result(bus, addresses)
    if not result.reliable:
        raise ScanUnreliableError(result.unreadable)
    return result.inventory


def merge_scan(
    previous: Inventory,
    scanned: ScanResult,
    *,
    forget_after: int = FORGET_AFTER_MISSED_SCANS,
) -> tuple[Inventory, ScanReport]:
    """The inventory after ``scanned``, by the rules in this module's docstring.

    Raises :class:`ScanUnreliableError` when the scan read nothing usable.
    """
    if not scanned.reliable:
        raise ScanUnreliableError(scanned.unreadable)
    gear = {g.short_address: g for g in scanned.inventory.gear}
    stored = {g.key: g.stored for g in previous.gear if g.stored is not None}
    for address, info in list(gear.items()):  # scenes and levels read once stay (gear_config)
        if info.stored is None and info.key in stored:
            gear[address] = replace(info, stored=stored[info.key])
    read_keys = {g.key: g.short_address for g in scanned.inventory.gear if g.gtin is not None}
    known = {
        g.short_address: g
        for g in previous.gear
        if read_keys.get(g.key, g.short_address) == g.short_address  # else it moved
    }
    missed: dict[int, int] = {}
    missing: list[GearInfo] = []
    forgotten: list[GearInfo] = []
    for address, info in known.items():
        if address in gear:
            continue  # read again: the new reading wins and the count starts over
        count = previous.missed_scans.get(address, 0)
        if address in scanned.absent:
            count += 1 if scanned.clean else 0
            if count >= forget_after:
                forgotten.append(info)
                continue
            missing.append(info)
        gear[address] = info
        if count:
            missed[address] = count
    merged = Inventory(tuple(gear[a] for a in sorted(gear)), missed)
    report = ScanReport(
        added=tuple(sorted(set(gear) - set(known))),
        missing=tuple(missing),
        unreadable=tuple(sorted(scanned.unreadable)),
        forgotten=tuple(forgotten),
    )
    return merged, report
