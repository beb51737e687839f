"""What a strategy did over the replayed day: the level of every group, minute by minute."""

from __future__ import annotations

from dataclasses import dataclass, field

from .physics import lamp_lux
from .scenario import DayData


@dataclass(slots=True)
class RoomTrace:
    """One group over the replay, one value per minute."""

    level: list[int] = field(default_factory=list)
    """DALI arc level (0 = off) during the minute."""
    kelvin: list[int | None] = field(default_factory=list)
    """Colour temperature of tunable-white groups (None for dimmable-only ones)."""
    lux: list[float] = field(default_factory=list)
    """True illuminance at the desk: daylight plus the lamps' contribution."""
    manual: set[int] = field(default_factory=set)
    """Minutes in which a person changed the group (not counted as automatic changes)."""


@dataclass(slots=True)
class StrategyRun:
    """The result of one strategy on one day."""

    name: str
    rooms: dict[int, RoomTrace]
    ai_calls: int = 0
    tokens: int = 0
    through_home_assistant: bool = False


def trace_from_levels(
    day: DayData, group: int, levels: list[int], kelvins: list[int | None]
) -> RoomTrace:
    """A trace for ``group`` from its levels, with the desk illuminance they give."""
    room = day.rooms[group]
    lux = [d + lamp_lux(level, room.spec) for d, level in zip(room.daylight, levels, strict=True)]
    return RoomTrace(level=levels, kelvin=kelvins, lux=lux)
