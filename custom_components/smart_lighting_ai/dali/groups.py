"""Group-addressed control and read-back of DALI groups."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Generator
from dataclasses import dataclass, replace
from typing import Any

from dali.address import GearGroup, GearShort
from dali.command import Command
from dali.gear.colour import QueryColourValueDTR
from dali.gear.general import DAPC, Off, QueryActualLevel
from dali.gear.sequences import QueryDT8ColourValue, SetDT8ColourValueTc

from .bus import DaliBus, Unsubscribe
from .conversions import MAX_ARC_LEVEL, clamp_level, fade_seconds
from .gear_config import fade_frames, group_fade, held_fade
from .inventory import GearInfo, GroupInfo, Inventory

SETTLE_MARGIN_S = 1.0  # after a fade, the time a read-back waits before it believes the gear
COMMAND_PRIORITY = 2  # user-facing light changes go ahead of scans and polls (priority 5)
READ_PRIORITY = 4
MASK = 255


@dataclass(frozen=True, slots=True)
class GroupState:
    """What a group shows: arc level (0 = off) and colour temperature in mirek."""

    level: int = 0
    mirek: int | None = None
    last_on_level: int = MAX_ARC_LEVEL

    @property
    def is_on(self) -> bool:
        """Whether any member is lit."""
        return self.level > 0


@dataclass(frozen=True, slots=True)
class GearReading:
    """One gear's level and colour temperature as read from the bus (None: no answer)."""

    short_address: int
    level: int | None
    mirek: int | None


class UnknownGroupError(ValueError):
    """The group has no members on this bus."""


class ChangeWithdrawn(Exception):
    """A change's guard said no once the bus was free: nothing was sent."""


class _Change:
    """One group change waiting for the bus, which later changes of the group may join."""

    def __init__(
        self,
        level: int | None,
        mirek: int | None,
        fade_code: int | None,
        guard: Callable[[], bool] | None,
    ) -> None:
        self.level, self.mirek, self.fade_code, self.guard = level, mirek, fade_code, guard
        self.done: asyncio.Future[GroupState] = asyncio.get_running_loop().create_future()
        self._joined = 0

    def join(self, level: int | None, mirek: int | None, fade_code: int | None) -> None:
        """A later change of the same group: what it sets replaces what this one would."""
        self._joined += 1
        self.level = self.level if level is None else level
        self.mirek = self.mirek if mirek is None else mirek
        self.fade_code = self.fade_code if fade_code is None else fade_code

    def fail(self, err: BaseException) -> None:
        """Pass the sender's failure on to the changes that joined it."""
        if self._joined and not self.done.done():
            self.done.set_exception(err)


class GroupController:
    """Sends one group-addressed transaction per change and keeps each group's state."""

    def __init__(self, bus: DaliBus, inventory: Inventory) -> None:
        """Control the groups ``inventory`` describes over ``bus``."""
        self._bus = bus
        self._listeners: list[Callable[[int], None]] = []
        self._inventory_listeners: list[Callable[[], None]] = []
        self._gear_listeners: list[Callable[[int], None]] = []
        self.gear_states: dict[int, GroupState] = {}  # by short address, grouped or not
        self._gear_fade: dict[int, int] = {}
        self._external_listeners: list[Callable[[int, GroupState], None]] = []
        self._known: set[int] = set()
        self._settled_at: dict[int, float] = {}
        self.inventory = inventory
        self.groups: dict[int, GroupInfo] = {}
        self.states: dict[int, GroupState] = {}
        self._fade: dict[int, int | None] = {}
        self._queued: dict[int, _Change] = {}
        self.set_inventory(inventory)

    def set_inventory(self, inventory: Inventory) -> None:
        """Take a new scan result, keeping known state for groups that remain.

        A fade this controller sent since stays known unless the new inventory reads another.
        """
        before_gear = {g.short_address: held_fade(g) for g in self.inventory.gear}
        before_groups = {n: (_addresses(i), group_fade(i)) for n, i in self.groups.items()}
        self.inventory = inventory
        self.groups = inventory.groups()
        self.states = {n: self.states.get(n, GroupState()) for n in self.groups}
        self.gear_states = {
            g.short_address: self.gear_states.get(g.short_address, GroupState())
            for g in inventory.gear
        }
        self._gear_fade = {
            g.short_address: self._gear_fade[g.short_address]
            if g.short_address in self._gear_fade
            and before_gear.get(g.short_address) == held_fade(g)
            else held_fade(g)
            for g in inventory.gear
        }
        self._fade = {
            n: self._fade[n]
            if n in self._fade and before_groups.get(n) == (_addresses(info), group_fade(info))
            else group_fade(info)
            for n, info in self.groups.items()
        }
        for listener in list(self._inventory_listeners):
            listener()

    def add_inventory_listener(self, listener: Callable[[], None]) -> Unsubscribe:
        """Call ``listener()`` after every new inventory (gear or groups may have come)."""
        self._inventory_listeners.append(listener)
        return lambda: self._inventory_listeners.remove(listener)

    def add_listener(self, listener: Callable[[int], None]) -> Unsubscribe:
        """Call ``listener(group)`` whenever a group's state changes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def add_gear_listener(self, listener: Callable[[int], None]) -> Unsubscribe:
        """Call ``listener(short_address)`` whenever a single gear's state changes."""
        self._gear_listeners.append(listener)
        return lambda: self._gear_listeners.remove(listener)

    def add_external_change_listener(
        self, listener: Callable[[int, GroupState], None]
    ) -> Unsubscribe:
        """Call ``listener(group, state)`` when a read-back finds a level nobody here set.

        That is a wall panel or another DALI master. Only groups whose state was
        known (set or read before) report, so the first read after start-up does not.
        """
        self._external_listeners.append(listener)
        return lambda: self._external_listeners.remove(listener)

    def held_fade(self, number: int) -> int | None:
        """The fade code group ``number``'s members hold (None: they differ), as last sent."""
        return self._fade.get(number)

    def group(self, number: int) -> GroupInfo:
        """The group ``number``; raises :class:`UnknownGroupError` when it has no members."""
        try:
            return self.groups[number]
        except KeyError:
            raise UnknownGroupError(f"DALI group {number} has no members") from None

    async def apply(
        self,
        number: int,
        *,
        level: int | None = None,
        mirek: int | None = None,
        fade_code: int | None = None,
        guard: Callable[[], bool] | None = None,
    ) -> GroupState:
        """Change a group in one transaction; ``level`` 0 switches it off.

        The level is clamped to the members' min/max and the colour temperature
        to the range every member shares. The fade time is only sent when it
        differs from what the members already hold.

        Latest wins: a change for a group whose earlier change is still waiting
        for the bus joins that one (its level, colour and fade replace the
        earlier ones), so a dragged slider never queues a backlog. ``guard`` is
        asked inside the transaction, right before the first frame: when it
        answers False (someone else changed the group while this change waited)
        nothing is sent and :class:`ChangeWithdrawn` is raised. Guarded changes
        are never joined.
        """
        info = self.group(number)
        if mirek is not None:
            mirek = self._clamp_mirek(info, mirek)
        queued = self._queued.get(number)
        if guard is None and queued is not None:
            queued.join(level, mirek, fade_code)
            return await asyncio.shield(queued.done)
        change = _Change(level, mirek, fade_code, guard)
        if guard is None:
            self._queued[number] = change
        try:
            state = await self._send(number, info, change)
        except BaseException as err:
            change.fail(err)
            raise
        finally:
            if self._queued.get(number) is change:
                del self._queued[number]
        change.done.set_result(state)
        return state

    async def _send(self, number: int, info: GroupInfo, change: _Change) -> GroupState:
        sent: tuple[int | None, int | None, int | None] | None = await self._bus.send(
            self._transaction(number, info, change), priority=COMMAND_PRIORITY
        )
        if sent is None:
            raise ChangeWithdrawn(f"DALI group {number} changed meanwhile; nothing sent")
        shown, mirek, fade_code = sent
        if fade_code is not None:
            self._fade[number] = fade_code
        self._known.add(number)
        self._settled_at[number] = (
            asyncio.get_running_loop().time()
            + SETTLE_MARGIN_S
            + fade_seconds(self._fade.get(number) or 0)
        )
        state = self.states[number]
        new_state = replace(
            state,
            level=state.level if shown is None else shown,
            mirek=state.mirek if mirek is None else mirek,
            last_on_level=shown if shown else state.last_on_level,
        )
        for gear in info.members:
            self._set_gear(gear, shown=shown, mirek=mirek, fade_code=fade_code)
        self._update(number, new_state)
        return new_state

    def _set_gear(
        self, gear: GearInfo, *, shown: int | None, mirek: int | None, fade_code: int | None
    ) -> bool:
        """Take what a gear shows after a command or a reading; True when that changed it."""
        state = self.gear_states.get(gear.short_address, GroupState())
        level = state.level
        if shown is not None:
            level = clamp_level(shown, gear.min_level, gear.max_level) if shown else 0
        if fade_code is not None:
            self._gear_fade[gear.short_address] = fade_code
        new = replace(
            state,
            level=level,
            mirek=mirek if mirek is not None and gear.supports_colour_temperature else state.mirek,
            last_on_level=level or state.last_on_level,
        )
        self.gear_states[gear.short_address] = new
        return new != state

    def _gear_changed(self, short_address: int) -> None:
        for listener in list(self._gear_listeners):
            listener(short_address)

    async def apply_gear(
        self,
        gear: GearInfo,
        *,
        level: int | None = None,
        mirek: int | None = None,
        fade_code: int | None = None,
    ) -> GroupState:
        """Change one fitting with frames to its short address (one DAPC for a level).

        The groups it belongs to then show the highest level of their members.
        """
        if level is not None and level > 0:
            level = clamp_level(level, gear.min_level, gear.max_level)
        if mirek is not None:
            if not gear.supports_colour_temperature:
                raise UnknownGroupError(f"DALI gear {gear.short_address} has no colour temperature")
            coolest, warmest = gear.tc_coolest_mirek or mirek, gear.tc_warmest_mirek or mirek
            mirek = min(warmest, max(coolest, mirek))
        held = self._gear_fade.get(gear.short_address)
        instant_off = level == 0 and fade_code == 0  # Off: instant without writing gear memory
        if fade_code is not None and (fade_code == held or instant_off):
            fade_code = None
        fading = not instant_off and bool(held if fade_code is None else fade_code)
        await self._bus.send(
            _group_change(
                GearShort(gear.short_address), level, mirek, fade_code, fading=fading, held=held
            ),
            priority=COMMAND_PRIORITY,
        )
        changed = self._set_gear(gear, shown=level, mirek=mirek, fade_code=fade_code)
        for number in sorted(gear.groups & set(self.groups)):
            if fade_code is not None:
                self._fade[number] = None  # the members now hold different fade times
            self._update(number, self._from_members(number))
        if changed:
            self._gear_changed(gear.short_address)
        return self.gear_states[gear.short_address]

    def _from_members(self, number: int) -> GroupState:
        """A group's state from what its members show (the highest level, the usual colour)."""
        state = self.states[number]
        members = [self.gear_states.get(g.short_address) for g in self.groups[number].members]
        known = [m for m in members if m is not None]
        if not known:
            return state
        level = max(m.level for m in known)
        mireks = [m.mirek for m in known if m.mirek is not None]
        return replace(
            state,
            level=level,
            mirek=max(set(mireks), key=mireks.count) if mireks else state.mirek,
            last_on_level=level or state.last_on_level,
        )

    async def read_gears(self, gear: tuple[GearInfo, ...]) -> None:
        """Read single gear (fittings in no group) back in one transaction."""
        if not gear:
            return
        readings: list[GearReading] = await self._bus.send(
            _read_members(gear), priority=READ_PRIORITY
        )
        changed = [self._take_reading(info, r) for info, r in zip(gear, readings, strict=True)]
        if any(changed):
            self._gear_changed(gear[changed.index(True)].short_address)

    def _take_reading(self, gear: GearInfo, reading: GearReading) -> bool:
        if reading.level is None:
            return False
        return self._set_gear(gear, shown=reading.level, mirek=reading.mirek, fade_code=None)

    def _transaction(
        self, number: int, info: GroupInfo, change: _Change
    ) -> Generator[Command, Any, tuple[int | None, int | None, int | None] | None]:
        """The frames of ``change``, decided when the bus is ours (nothing can join after)."""
        if self._queued.get(number) is change:
            del self._queued[number]
        if change.guard is not None and not change.guard():
            return None
        level, mirek, fade_code = change.level, change.mirek, change.fade_code
        shown = level  # what the members will show: each clamps to its own limits
        if level is not None and level > 0:
            level = clamp_level(level, info.min_level, info.max_level)
            shown = max(clamp_level(level, g.min_level, g.max_level) for g in info.members)
        held = self._fade.get(number)
        instant_off = level == 0 and fade_code == 0  # Off: instant without writing gear memory
        if fade_code is not None and (
            fade_code == held
            or instant_off
            or (change.guard is not None and held)  # automatic: the group's own fade (NVM wear)
        ):
            fade_code = None
        fading = not instant_off and bool(held if fade_code is None else fade_code)
        yield from _group_change(
            GearGroup(number), level, mirek, fade_code, fading=fading, held=held
        )
        return shown, mirek, fade_code

    async def read_gear(self, gear: GearInfo, *, counted: bool = True) -> GearReading:
        """Query one gear's actual level and (DT8) colour temperature."""
        readings: list[GearReading] = await self._bus.send(
            _read_members((gear,)), priority=READ_PRIORITY, counted=counted
        )
        return readings[0]

    async def read_back(self, number: int, *, while_fading: bool = False) -> GroupState:
        """Read every member and take the group's state from what they answer.

        All members are read in one transaction, so no change of this group can
        slip in between the queries and be mistaken for a wall panel. While a fade
        this controller started is still running the answers are in-between
        levels and are ignored, unless ``while_fading`` (another master just
        addressed the group, so whatever it reads is not ours).
        """
        info = self.group(number)
        readings: list[GearReading] = await self._bus.send(
            _read_members(info.members), priority=READ_PRIORITY
        )
        fading = asyncio.get_running_loop().time() < self._settled_at.get(number, 0.0)
        if fading and not while_fading:
            return self.states[number]  # still fading to what we set: the levels are in between
        members_changed = [
            self._take_reading(g, r) for g, r in zip(info.members, readings, strict=True)
        ]
        levels = [r.level for r in readings if r.level is not None]
        mireks = [r.mirek for r in readings if r.mirek is not None]
        state = self.states[number]
        known_level = state.level
        if levels:
            level = max(levels)
            state = replace(
                state, level=level, last_on_level=level if level else state.last_on_level
            )
        if mireks:
            state = replace(state, mirek=max(set(mireks), key=mireks.count))
        if state == self.states[number] and any(members_changed):
            self._gear_changed(info.members[members_changed.index(True)].short_address)
        self._update(number, state)
        if levels and number in self._known and state.level != known_level:
            for listener in list(self._external_listeners):
                listener(number, state)
        if levels:
            self._known.add(number)
        return state

    def _update(self, number: int, state: GroupState) -> None:
        if self.states.get(number) == state:
            return
        self.states[number] = state
        for listener in list(self._listeners):
            listener(number)

    @staticmethod
    def _clamp_mirek(info: GroupInfo, mirek: int) -> int:
        limits = info.mirek_range
        if limits is None or not info.supports_colour_temperature:
            raise UnknownGroupError(f"DALI group {info.number} has no colour temperature")
        return min(limits[1], max(limits[0], mirek))


def _addresses(info: GroupInfo) -> tuple[int, ...]:
    return tuple(g.short_address for g in info.members)


def _group_change(
    address: GearGroup | GearShort,
    level: int | None,
    mirek: int | None,
    fade_code: int | None,
    *,
    fading: bool,
    held: int | None = None,
) -> Generator[Command, Any]:
    """The frames of one group change: fade time, then colour, then arc level.

    Off is instant; with a fade time set, level 0 is sent as DAPC so the group fades out.
    Only the stored fade value that differs from ``held`` is written (``gear_config``).
    """
    if fade_code is not None:
        yield from fade_frames(address, fade_code, held)
    if mirek is not None:
        yield from SetDT8ColourValueTc(address, mirek)
    if level == 0 and not fading:
        yield Off(address)
    elif level is not None:
        yield DAPC(address, level)


def _read_members(
    members: tuple[GearInfo, ...],
) -> Generator[Any, Any, list[GearReading]]:
    """Actual level and (DT8) colour temperature of each gear, as one sequence."""
    readings = []
    for gear in members:
        short = GearShort(gear.short_address)
        response = yield QueryActualLevel(short)
        raw = response.raw_value if response is not None else None
        level = None if raw is None or raw.error or raw.as_integer == MASK else raw.as_integer
        mirek = None
        if gear.supports_colour_temperature:
            mirek = yield from QueryDT8ColourValue(
                short, QueryColourValueDTR.ReportColourTemperatureTc
            )
        readings.append(GearReading(gear.short_address, level, mirek))
    return readings
