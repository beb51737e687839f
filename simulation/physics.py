"""Lamp light and power over time: DALI arc levels, fades and the logarithmic curve.

A group's light follows the commands its gear received (:class:`LightTimeline`): each command
starts a fade from the level the lamps show at that moment to the new arc level, linear in arc
levels over the gear's fade time (IEC 62386-102; fade time 0 is a jump). Light switched on from
off starts at the minimum level; a fade to off ends at the minimum level and then goes dark. The
gear's ``actual_level`` read back at once is the fade's target, so the light is only there at
the end of the fade.

The standard logarithmic dimming curve gives ``10 ** ((arc - 254) * 3 / 253)`` of full output
(arc 254 = 100 %, arc 1 = 0.1 %). Power is ``rated watts x light output``: an LED driver's input
follows its output closely over most of the range; standby power is left out (the same for
every strategy).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

MAX_ARC = 254
MIN_ARC = 1


def output_fraction(arc: float) -> float:
    """Light output (0-1 of full) at arc level ``arc`` (0 = off)."""
    if arc <= 0.0:
        return 0.0
    arc = min(float(MAX_ARC), max(float(MIN_ARC), arc))
    return float(10.0 ** ((arc - MAX_ARC) * 3.0 / (MAX_ARC - MIN_ARC)))


def arc_for_output(fraction: float) -> int:
    """The lowest arc level that gives at least ``fraction`` of full output (0 for none)."""
    if fraction <= 0.0:
        return 0
    for arc in range(MIN_ARC, MAX_ARC + 1):
        if output_fraction(arc) >= fraction - 1e-9:
            return arc
    return MAX_ARC


@dataclass(frozen=True, slots=True)
class Command:
    """A level (and colour) change the group's gear received at ``t``."""

    t: float
    arc: int
    fade_s: float = 0.0
    kelvin: int | None = None
    start_arc: float = 0.0
    """The level the lamps showed when it arrived."""


@dataclass(slots=True)
class LightTimeline:
    """The commands of one group, in time order, and the light they give at any moment."""

    commands: list[Command] = field(default_factory=list)
    _times: list[float] = field(default_factory=list)

    def add(self, t: float, arc: int, fade_s: float = 0.0, kelvin: int | None = None) -> bool:
        """Record a command at ``t`` (not before the last); False when nothing changes."""
        if self.commands:
            last = self.commands[-1]
            if last.arc == arc and (kelvin is None or last.kelvin == kelvin):
                return False
        elif arc == 0:
            return False
        start = self.arc_at(t)
        command = Command(t, arc, fade_s, kelvin, start)
        if self._times and t <= self._times[-1]:
            self.commands[-1] = command  # a second command in the same instant replaces it
            self._times[-1] = t
            return True
        self.commands.append(command)
        self._times.append(t)
        return True

    def command_before(self, t: float) -> Command | None:
        """The last command at or before ``t``."""
        i = bisect_right(self._times, t)
        return self.commands[i - 1] if i else None

    def arc_at(self, t: float) -> float:
        """The (fading) arc level the lamps show at ``t``; 0 = off."""
        command = self.command_before(t)
        if command is None:
            return 0.0
        if command.fade_s <= 0.0 or t >= command.t + command.fade_s:
            return float(command.arc)
        start = max(command.start_arc, float(MIN_ARC))
        end = max(float(command.arc), float(MIN_ARC))
        return start + (end - start) * (t - command.t) / command.fade_s

    def output_at(self, t: float) -> float:
        """Light output (0-1) at ``t``."""
        return output_fraction(self.arc_at(t))

    def target_at(self, t: float) -> int:
        """The level the gear reports at ``t`` (the fade's target)."""
        command = self.command_before(t)
        return command.arc if command else 0
