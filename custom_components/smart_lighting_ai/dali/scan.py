"""Scan a DALI bus for control gear and build an :class:`Inventory`."""

from __future__ import annotations

import logging
from collections.abc import Generator, Iterable
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
from dali.sequences import QueryDeviceTypes, QueryGroups

from .bus import DaliBus
from .inventory import DT_COLOUR, GearInfo, Inventory

_LOGGER = logging.getLogger(__name__)
SHORT_ADDRESSES = range(64)
SCAN_PRIORITY = 5


class _NoAnswer(Exception):
    """A gear that was present stopped answering part-way."""


def _number(response: Any) -> int:
    if response is None or response.raw_value is None or response.raw_value.error:
        raise _NoAnswer
    return int(response.raw_value.as_integer)


def _describe_gear(address: int) -> Generator[Any, Any, GearInfo | None]:
    """Sequence that reads one gear, or returns None when nothing answers at ``address``."""
    short = GearShort(address)
    present = yield QueryControlGearPresent(short)
    if not present.value:
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
    return GearInfo(
        address, device_types, groups, min_level, max_level, fade_time, coolest, warmest
    )


async def scan_bus(bus: DaliBus, addresses: Iterable[int] = SHORT_ADDRESSES) -> Inventory:
    """Read every short address and return what answered.

    A gear that answers the presence query but then stops answering is left
    out with a warning, so one faulty gear does not hide the others. Each
    address is its own transaction, so light commands can slip in between.
    """
    found: list[GearInfo] = []
    for address in addresses:
        try:
            gear = await bus.send(_describe_gear(address), priority=SCAN_PRIORITY)
        except (_NoAnswer, DALISequenceError):
            _LOGGER.warning("DALI gear %d stopped answering during the scan; skipped", address)
            continue
        if gear is not None:
            found.append(gear)
    return Inventory(tuple(found))
