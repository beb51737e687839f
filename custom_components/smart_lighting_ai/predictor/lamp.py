"""Light output model of a DALI lamp: how much light a brightness percentage gives.

``brightness_pct`` (0-100) is Home Assistant's brightness as a percentage. It maps linearly to the
DALI arc level (1-254), see DESIGN C3. With DALI's standard logarithmic dimming curve
(IEC 62386-102) the light output is ``10 ** ((arc - 254) * 3 / 253)`` of full output: arc 254 gives
100 %, arc 1 gives 0.1 %. Gear switched to the linear dimming curve gives output proportional to
the arc level.
"""

from __future__ import annotations

import math
from typing import Literal

type DimmingCurve = Literal["logarithmic", "linear"]

DIMMING_CURVES: tuple[DimmingCurve, ...] = ("logarithmic", "linear")

_ARC_MAX = 254.0
_ARC_MIN = 1.0
_DECADES = 3.0


def _arc_level(level_pct: float) -> float:
    """Return the DALI arc level (1-254) of a brightness percentage above zero."""
    return max(_ARC_MIN, min(level_pct, 100.0) / 100.0 * _ARC_MAX)


def light_output(level_pct: float, curve: DimmingCurve = "logarithmic") -> float:
    """Return the light output (0-1 of full output) at ``level_pct`` percent brightness."""
    if level_pct <= 0.0:
        return 0.0
    if curve == "linear":
        return min(level_pct, 100.0) / 100.0
    arc = _arc_level(level_pct)
    return float(10.0 ** ((arc - _ARC_MAX) * _DECADES / (_ARC_MAX - _ARC_MIN)))


def level_for_output(fraction: float, curve: DimmingCurve = "logarithmic") -> float:
    """Return the brightness percentage that gives ``fraction`` (0-1) of full light output.

    Fractions at or below zero give 0 (off); fractions above one give 100.
    """
    if fraction <= 0.0:
        return 0.0
    fraction = min(fraction, 1.0)
    if curve == "linear":
        return fraction * 100.0
    arc = _ARC_MAX + (_ARC_MAX - _ARC_MIN) / _DECADES * math.log10(fraction)
    return max(_ARC_MIN, arc) / _ARC_MAX * 100.0
