"""Unit conversions between Home Assistant terms and DALI values.

Brightness to arc level uses Home Assistant's range maths in the integration
shell; this module holds what the DALI side needs: level clamping, Kelvin and
mirek (the DALI colour temperature unit, 10^6 / K) and fade-time codes.
"""

from __future__ import annotations

import math

MIN_ARC_LEVEL = 1
MAX_ARC_LEVEL = 254
MAX_FADE_CODE = 15
KELVIN_LIMIT_STEP = 50

# IEC 62386-102 fade times: code 0 is no fade, code n is 0.5 * sqrt(2 ** n) seconds.
FADE_TIMES_S: tuple[float, ...] = (
    0.0,
    *(0.5 * math.sqrt(2**code) for code in range(1, MAX_FADE_CODE + 1)),
)


def clamp_level(level: int, min_level: int = MIN_ARC_LEVEL, max_level: int = MAX_ARC_LEVEL) -> int:
    """Clamp an arc level that is on (> 0) into ``min_level..max_level``."""
    return min(max_level, max(min_level, level))


def kelvin_to_mirek(kelvin: float) -> int:
    """Convert a colour temperature in Kelvin to the nearest mirek."""
    if kelvin <= 0:
        raise ValueError("colour temperature must be positive")
    return round(1_000_000 / kelvin)


def mirek_to_kelvin(mirek: int) -> int:
    """Convert mirek to the nearest Kelvin."""
    if mirek <= 0:
        raise ValueError("mirek must be positive")
    return round(1_000_000 / mirek)


def kelvin_limits(coolest_mirek: int, warmest_mirek: int) -> tuple[int, int]:
    """Return (warmest, coolest) Kelvin as a datasheet states them, from the gear's mirek limits.

    A limit is rounded to 50 K where the rounded value still maps back into the
    gear's mirek range (154..370 mirek reads as 2700..6500 K, not 2703..6494 K);
    otherwise the exact conversion is kept.
    """

    def datasheet(mirek: int) -> int:
        exact = mirek_to_kelvin(mirek)
        rounded = KELVIN_LIMIT_STEP * round(exact / KELVIN_LIMIT_STEP)
        inside = rounded > 0 and coolest_mirek <= kelvin_to_mirek(rounded) <= warmest_mirek
        return rounded if inside else exact

    return datasheet(warmest_mirek), datasheet(coolest_mirek)


def fade_code(seconds: float) -> int:
    """Return the DALI fade-time code whose duration is nearest to ``seconds``.

    Longer than the longest fade (90.5 s) gives the longest; negative gives none.
    """
    if seconds <= 0:
        return 0
    return min(range(len(FADE_TIMES_S)), key=lambda code: abs(FADE_TIMES_S[code] - seconds))
