"""What control gear keeps in memory: reading it once, and writing it only when it changes.

Gear memory (NVM) wears out, so every write here is read first and skipped where the gear
already holds the value, then read back. Stored settings (scenes, power-on and system-failure
level, extended fade) are read once per gear and kept in the inventory (:class:`StoredSettings`),
so a restart reads nothing.

Fade codes: 0-15 are the standard fade times; a code with :data:`EXTENDED_FADE` set is fade time
0 plus an extended fade (IEC 62386-102 ed2 9.5.2), so transitions up to 16 minutes fade in the
gear. :func:`fade_frames` writes only the half (fade time, extended fade) that differs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator, Iterable
from dataclasses import dataclass, replace
from typing import Any

from dali.address import GearGroup, GearShort
from dali.command import Command
from dali.gear.general import (
    DTR0,
    QueryExtendedFadeTime,
    QueryFadeTimeFadeRate,
    QueryPowerOnLevel,
    QuerySceneLevel,
    QuerySystemFailureLevel,
    SetExtendedFadeTime,
    SetFadeTime,
    SetPowerOnLevel,
    SetSystemFailureLevel,
)

from .bus import DaliBus
from .conversions import EXTENDED_FADE, MAX_FADE_CODE, extended_fade_byte
from .errors import DaliError
from .inventory import GearInfo, GroupInfo, Inventory, StoredSettings

SCENE_COUNT = 16
MASK = 255
CONFIG_PRIORITY = 3  # after a person's light command, before polls and scans
READ_PRIORITY = 5  # the one-off read of stored settings waits for everything else


class GearNotAnswering(DaliError):
    """A gear did not answer, so nothing was written."""

    def __init__(self, short_address: int) -> None:
        """Name the gear at ``short_address``."""
        super().__init__(f"DALI gear {short_address} does not answer")
        self.short_address = short_address


class GearWriteFailed(DaliError):
    """A gear read back something other than what was written to it."""

    def __init__(self, short_address: int, what: str, updated: list[GearInfo]) -> None:
        """Name the gear at ``short_address``, the setting ``what`` and all members as now."""
        super().__init__(f"DALI gear {short_address} did not keep its {what}")
        self.short_address = short_address
        self.what = what
        self.updated = updated  # every member as read back (the others were written)


# fade codes -------------------------------------------------------------------------------
def held_fade(gear: GearInfo) -> int:
    """The fade code ``gear`` holds: its fade time, or its extended fade while that is 0."""
    extended = gear.stored.extended_fade if gear.stored is not None else 0
    if gear.fade_time == 0 and extended >> 4:
        return EXTENDED_FADE | extended
    return gear.fade_time


def group_fade(info: GroupInfo) -> int | None:
    """The fade code every member of ``info`` holds, or None when they differ."""
    codes = {held_fade(g) for g in info.members}
    return codes.pop() if len(codes) == 1 else None


def fade_frames(
    address: GearGroup | GearShort, code: int, held: int | None
) -> Generator[Command, Any]:
    """The frames that make gear holding fade code ``held`` (None: unknown) hold ``code``.

    Only the stored value that differs is written: the extended fade (which acts only while the
    fade time is 0) and then the fade time. A standard code leaves the extended fade at 0, so a
    later code 0 is instant.
    """
    if code == held:
        return
    extended, held_extended = (
        extended_fade_byte(code),
        None if held is None else extended_fade_byte(held),
    )
    if extended != held_extended:
        yield DTR0(extended)
        yield SetExtendedFadeTime(address)
    fade_time = 0 if code >= EXTENDED_FADE else min(code, MAX_FADE_CODE)
    held_time = None if held is None else (0 if held >= EXTENDED_FADE else held)
    if fade_time != held_time:
        yield DTR0(fade_time)
        yield SetFadeTime(address)


# reading ----------------------------------------------------------------------------------
def _value(response: Any) -> int | None:
    raw = None if response is None else response.raw_value
    return None if raw is None or raw.error else int(raw.as_integer)


def _read_stored(short: GearShort) -> Generator[Any, Any, tuple[int, StoredSettings] | None]:
    scenes = []
    for scene in range(SCENE_COUNT):
        level = _value((yield QuerySceneLevel(short, scene)))
        if level is None:
            return None
        scenes.append(level)
    power_on = _value((yield QueryPowerOnLevel(short)))
    failure = _value((yield QuerySystemFailureLevel(short)))
    extended = _value((yield QueryExtendedFadeTime(short)))
    fade = _value((yield QueryFadeTimeFadeRate(short)))
    if power_on is None or failure is None or fade is None:
        return None
    return fade >> 4, StoredSettings(tuple(scenes), power_on, failure, extended or 0)


async def read_stored(bus: DaliBus, gear: GearInfo) -> GearInfo:
    """``gear`` with its stored settings and fade time as read now (one transaction)."""
    found = await bus.send(_read_stored(GearShort(gear.short_address)), priority=READ_PRIORITY)
    if found is None:
        raise GearNotAnswering(gear.short_address)
    fade_time, stored = found
    return replace(gear, fade_time=fade_time, stored=stored)


async def complete_inventory(
    bus: DaliBus, inventory: Inventory, known: dict[str, StoredSettings] | None = None
) -> Inventory:
    """``inventory`` with stored settings for every grouped gear that lacks them.

    A gear whose key is in ``known`` takes that (read before, e.g. before a rescan); others are
    read, one transaction each; a gear that does not answer is left as it is.
    """
    gear = []
    for info in inventory.gear:
        found = info
        if info.stored is None and info.groups:
            if known and info.key in known:
                found = replace(info, stored=known[info.key])
            else:
                with contextlib.suppress(GearNotAnswering):  # left for a later read
                    found = await read_stored(bus, info)
        gear.append(found)
    return replace(inventory, gear=tuple(gear))


def with_gear(inventory: Inventory, changed: Iterable[GearInfo]) -> Inventory:
    """``inventory`` with the gear in ``changed`` replacing those at the same short address."""
    by_address = {g.short_address: g for g in changed}
    gear = tuple(by_address.get(g.short_address, g) for g in inventory.gear)
    return replace(inventory, gear=gear)


# group configuration ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class GroupSettings:
    """A group's stored settings; a value is None when the members differ or are unknown."""

    power_on_level: int | None
    system_failure_level: int | None
    fade: int | None


def _common(values: Iterable[int | None]) -> int | None:
    found = set(values)
    return found.pop() if len(found) == 1 else None


def group_settings(info: GroupInfo) -> GroupSettings:
    """What the members of ``info`` hold, as the inventory knows it."""
    stored = [g.stored for g in info.members]
    return GroupSettings(
        power_on_level=_common(s.power_on_level if s else None for s in stored),
        system_failure_level=_common(s.system_failure_level if s else None for s in stored),
        fade=group_fade(info) if all(stored) else None,
    )


LEVEL_SETTINGS = {
    "power_on_level": (QueryPowerOnLevel, SetPowerOnLevel),
    "system_failure_level": (QuerySystemFailureLevel, SetSystemFailureLevel),
}


def _current(gear: GearInfo, setting: str) -> Generator[Any, Any, int | None]:
    short = GearShort(gear.short_address)
    if setting == "fade":
        fade = _value((yield QueryFadeTimeFadeRate(short)))
        extended = _value((yield QueryExtendedFadeTime(short)))
        if fade is None:
            return None
        if fade >> 4 == 0 and extended and extended >> 4:
            return EXTENDED_FADE | extended
        return fade >> 4
    query, _store = LEVEL_SETTINGS[setting]
    return _value((yield query(short)))


def _configure(
    info: GroupInfo, setting: str, value: int
) -> Generator[Any, Any, dict[int, int | None]]:
    """Read every member, write those that differ (one group frame if all do), read back."""
    before: dict[int, int | None] = {}
    for gear in info.members:
        before[gear.short_address] = yield from _current(gear, setting)
    silent = [a for a, v in before.items() if v is None]
    if silent:
        raise GearNotAnswering(silent[0])
    stale = [a for a, v in before.items() if v != value]
    targets: list[tuple[GearGroup | GearShort, int | None]] = (
        [(GearGroup(info.number), None)]
        if len(stale) == len(info.members) and len(stale) > 1 and len(set(before.values())) == 1
        else [(GearShort(a), before[a]) for a in stale]
    )
    for address, held in targets:
        if setting == "fade":
            yield from fade_frames(address, value, before[stale[0]] if held is None else held)
        else:
            yield DTR0(value)
            yield LEVEL_SETTINGS[setting][1](address)
    after: dict[int, int | None] = dict(before)
    for gear in info.members:
        if gear.short_address in stale:
            after[gear.short_address] = yield from _current(gear, setting)
    return after


async def configure_group(
    bus: DaliBus, info: GroupInfo, setting: str, value: int
) -> list[GearInfo]:
    """Set ``setting`` ("power_on_level", "system_failure_level" or "fade") on every member.

    Each member is read first; only those holding another value are written, then read back.
    A member that does not answer stops it before anything is written (:class:`GearNotAnswering`);
    one that reads back wrong raises :class:`GearWriteFailed`. Returns the members as they are
    now (stored settings and fade time), for the inventory.
    """
    if setting not in (*LEVEL_SETTINGS, "fade"):
        raise ValueError(f"unknown gear setting {setting!r}")
    after = await bus.send(_configure(info, setting, value), priority=CONFIG_PRIORITY)
    wrong = [a for a, v in after.items() if v != value]
    updated = [_updated(g, setting, after[g.short_address]) for g in info.members]
    if wrong:
        raise GearWriteFailed(wrong[0], setting.replace("_", " "), updated)
    return updated


def _updated(gear: GearInfo, setting: str, value: int | None) -> GearInfo:
    if value is None:
        return gear
    stored = gear.stored
    if setting == "fade":
        gear = replace(gear, fade_time=0 if value >= EXTENDED_FADE else value)
        if stored is not None:
            gear = replace(gear, stored=replace(stored, extended_fade=extended_fade_byte(value)))
        return gear
    if stored is None:
        return gear
    if setting == "power_on_level":
        return replace(gear, stored=replace(stored, power_on_level=value))
    return replace(gear, stored=replace(stored, system_failure_level=value))
