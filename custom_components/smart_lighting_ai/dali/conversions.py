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


# Extended fade times (IEC 62386-102 ed2 9.5.2), used while the fade time is 0: a base of 1-16
# (bits 3-0 of the stored byte) times a multiplier (bits 6-4: 100 ms, 1 s, 10 s, 1 min). A fade
# code above MAX_FADE_CODE stands for "fade time 0 plus extended fade ``code & 0x7f``".
EXTENDED_FADE = 0x100
EXTENDED_FADE_UNITS_S: dict[int, float] = {1: 0.1, 2: 1.0, 3: 10.0, 4: 60.0}
MAX_EXTENDED_FADE_S = 16 * 60.0


def extended_fade_byte(code: int) -> int:
    """The extended fade time byte (DTR0 of SetExtendedFadeTime) a fade code needs: 0 if none."""
    return code & 0x7F if code >= EXTENDED_FADE else 0


def fade_seconds(code: int) -> float:
    """How long a fade code (standard or extended) fades."""
    if code < EXTENDED_FADE:
        return FADE_TIMES_S[code]
    value = code & 0x7F
    return ((value & 0x0F) + 1) * EXTENDED_FADE_UNITS_S.get(value >> 4, 0.0)


def transition_code(seconds: float) -> int:
    """The fade code nearest to ``seconds``: a standard one, or an extended one up to 16 min.

    Standard fade times are preferred where they are as near as an extended one (they need no
    second stored value); beyond 16 minutes the longest extended fade is used.
    """
    standard = fade_code(seconds)
    if seconds <= FADE_TIMES_S[MAX_FADE_CODE]:
        return standard
    extended = [
        EXTENDED_FADE | multiplier << 4 | base
        for multiplier in EXTENDED_FADE_UNITS_S
        for base in range(16)
    ]
    best = min(extended, key=lambda code: abs(fade_seconds(code) - seconds))
    if abs(fade_seconds(best) - seconds) < abs(FADE_TIMES_S[standard] - seconds):
        return best
    return standard
