"""Circadian colour temperature: warm at night and in the evening, cooler under a high sun."""

from __future__ import annotations

import math
from dataclasses import dataclass

WARM_KELVIN = 2700
"""Colour temperature with the sun at or below the horizon."""
DAY_KELVIN = 5000
"""Colour temperature with the sun at or above ``FULL_DAY_ELEVATION``."""
FULL_DAY_ELEVATION = 45.0
"""Sun elevation (degrees) from which the day value applies."""
EVENING_START_HOUR = 17.0
"""Local hour from which the light warms up regardless of the sun ..."""
EVENING_END_HOUR = 21.0
"""... reaching ``WARM_KELVIN`` at this hour and staying warm until ``MORNING_HOUR``."""
MORNING_HOUR = 5.0


@dataclass(frozen=True, slots=True)
class ColourChoice:
    """A colour temperature before clamping, and what it was based on."""

    kelvin: float
    basis: str
    """Readable basis, for example "sun at 32°" or "time of day, evening"."""
    from_sun: bool
    """True when the sun's elevation was known."""


def _ease(x: float) -> float:
    """Smooth 0-1 ramp (cosine ease-in-out) over 0 <= x <= 1."""
    x = min(max(x, 0.0), 1.0)
    return (1.0 - math.cos(math.pi * x)) / 2.0


def evening_factor(local_hour: float) -> float:
    """Return 1 during the day, falling to 0 over the evening, 0 at night."""
    if local_hour < MORNING_HOUR or local_hour >= EVENING_END_HOUR:
        return 0.0
    if local_hour < EVENING_START_HOUR:
        return 1.0
    return (EVENING_END_HOUR - local_hour) / (EVENING_END_HOUR - EVENING_START_HOUR)


def daylight_factor(sun_elevation: float | None, local_hour: float) -> float:
    """Return how "daytime" it is (0-1) from the sun, or from the clock without sun data."""
    if sun_elevation is not None:
        return _ease(sun_elevation / FULL_DAY_ELEVATION)
    # Without sun data, assume a sun rising at 06:00, highest at 12:00 and setting at 18:00.
    return max(0.0, math.sin(math.pi * (local_hour - 6.0) / 12.0))


def choose_colour(sun_elevation: float | None, local_hour: float) -> ColourChoice:
    """Return the circadian colour temperature for the sun position and local hour."""
    evening = evening_factor(local_hour)
    share = daylight_factor(sun_elevation, local_hour) * evening
    kelvin = WARM_KELVIN + (DAY_KELVIN - WARM_KELVIN) * share
    basis = "time of day" if sun_elevation is None else f"sun at {sun_elevation:.0f}°"
    if evening < 1.0:
        basis += ", evening" if EVENING_START_HOUR <= local_hour < EVENING_END_HOUR else ", night"
    return ColourChoice(kelvin=kelvin, basis=basis, from_sun=sun_elevation is not None)
