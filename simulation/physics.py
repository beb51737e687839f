"""Light and power of a DALI group at an arc level, through the integration's lamp model.

The arc level (0 = off, 1-254) is what the simulated gear reports. ``predictor/lamp.py`` maps a
brightness percentage to the arc level ``pct / 100 * 254`` and the arc level to light output with
the standard logarithmic dimming curve (IEC 62386-102: 0.1 % at arc 1, 100 % at arc 254), so the
arc level is passed as ``arc / 254 * 100`` percent.

Power is ``rated watts x light output``: an LED driver's input power follows its output closely
over most of the range. Standby power of the drivers is left out (it is the same for every
strategy).
"""

from __future__ import annotations

from custom_components.smart_lighting_ai.dali.conversions import MAX_ARC_LEVEL, MIN_ARC_LEVEL
from custom_components.smart_lighting_ai.predictor.lamp import level_for_output, light_output

from .scenario import RoomSpec


def output_fraction(arc: int) -> float:
    """Light output (0-1 of full) of a group at arc level ``arc``."""
    return light_output(arc / MAX_ARC_LEVEL * 100.0) if arc > 0 else 0.0


def lamp_lux(arc: int, room: RoomSpec) -> float:
    """Illuminance the group's lamps add at the desk at arc level ``arc``."""
    return room.lamp_lux_at_full * output_fraction(arc)


def power_watts(arc: int, room: RoomSpec) -> float:
    """Electrical power of the group at arc level ``arc``."""
    return room.rated_watts * output_fraction(arc)


def arc_for_output(fraction: float) -> int:
    """The arc level that gives ``fraction`` of full output (0 for none)."""
    if fraction <= 0.0:
        return 0
    pct = level_for_output(fraction)
    return min(MAX_ARC_LEVEL, max(MIN_ARC_LEVEL, round(pct / 100.0 * MAX_ARC_LEVEL)))
