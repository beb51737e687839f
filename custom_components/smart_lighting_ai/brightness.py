"""Brightness percent <-> DALI arc level, through Home Assistant's brightness maths (C3)."""

from __future__ import annotations

import math

from homeassistant.util.color import brightness_to_value, value_to_brightness

from .dali.conversions import MAX_ARC_LEVEL, MIN_ARC_LEVEL

LEVEL_RANGE = (MIN_ARC_LEVEL, MAX_ARC_LEVEL)


def brightness_to_level(brightness: int) -> int:
    """Home Assistant brightness (1-255) to a DALI arc level (1-254), as contract C3 states."""
    return math.ceil(brightness_to_value(LEVEL_RANGE, brightness))


def level_to_brightness(level: int) -> int:
    """A DALI arc level (1-254) to Home Assistant brightness (1-255)."""
    return value_to_brightness(LEVEL_RANGE, level)


def level_from_pct(pct: float) -> int:
    """A brightness percentage (0 = off) to the arc level the light would get from HA."""
    if pct <= 0:
        return 0
    return brightness_to_level(min(255, max(1, round(pct * 255 / 100))))


def pct_from_level(level: int) -> float:
    """An arc level (0 = off) to the brightness percentage Home Assistant shows."""
    return 0.0 if level <= 0 else round(level_to_brightness(level) * 100 / 255, 1)
