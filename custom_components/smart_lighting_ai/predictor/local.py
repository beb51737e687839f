"""The local predictor: deterministic rules, no network.

Per group it decides, in order:

1. Presence. With an occupancy sensor the group is occupied while presence was seen in the window
   or less than ``vacancy_minutes`` ago, and vacant (off) from then on. Within the vacancy timeout
   nobody is seen *now*: a lit group is kept at its current level, one that is off stays off
   (switching on needs current presence). Without a sensor it assumes presence from 07:00 to
   19:00 local time, with lower confidence.
2. Level (closed-loop daylight harvesting). The measured illuminance includes the lamps' own
   light, so daylight = measured - lamp light at the current level (``lamp_lux_at_full`` scaled by
   the dimming curve). The chosen level's lamp light fills the gap up to ``target_lux``. When
   daylight alone is enough the group switches **off** (with a 10 % hysteresis band around the
   target, so a group that is on switches off above 110 % and one that is off switches on below
   90 %). Without an illuminance sensor the profile's ``default_level_pct`` is used.
3. Colour temperature (groups that support it, when on): from the sun's elevation and the local
   hour, see ``colour.py``.

Everything is clamped to the group's limits. Confidence drops for each missing input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .colour import choose_colour
from .lamp import level_for_output, light_output
from .types import Decision, Features, GroupLimits

if TYPE_CHECKING:
    from collections.abc import Mapping

OFFICE_HOURS = (7.0, 19.0)
"""Local hours assumed occupied when a group has no occupancy sensor."""
DAYLIGHT_HYSTERESIS = 0.1

CONFIDENCE_SENSOR = 0.95
CONFIDENCE_SCHEDULE = 0.6
FACTOR_NO_ILLUMINANCE = 0.75
FACTOR_UNKNOWN_LEVEL = 0.85
FACTOR_CLOCK_COLOUR = 0.95

_DEFAULT_LIMITS = GroupLimits()


@dataclass(frozen=True, slots=True)
class Presence:
    """Whether a group counts as occupied, why, and how sure."""

    occupied: bool
    text: str
    confidence: float
    recent: bool = False
    """Occupied only by the vacancy timeout: presence was seen before, nobody is seen now."""


@dataclass(frozen=True, slots=True)
class LevelChoice:
    """The level for an occupied group, why, and a confidence factor."""

    level: float
    text: str
    confidence_factor: float


def assess_presence(features: Features, limits: GroupLimits) -> Presence:
    """Decide whether the group is occupied (vacancy timeout, or office hours without sensor)."""
    ratio = features.occupancy_ratio
    since = features.minutes_since_occupied
    timeout = limits.vacancy_minutes
    if ratio is not None and ratio > 0.0:
        return Presence(True, "occupied", CONFIDENCE_SENSOR)
    if since is not None:
        if since < timeout:
            text = f"occupied {since:.0f} min ago (timeout {timeout:.0f} min)"
            return Presence(True, text, CONFIDENCE_SENSOR, recent=since > 0.0)
        return Presence(
            False, f"vacant for {since:.0f} min (timeout {timeout:.0f} min)", CONFIDENCE_SENSOR
        )
    if ratio is not None:
        return Presence(False, "vacant (no presence recorded)", CONFIDENCE_SENSOR)
    start, end = OFFICE_HOURS
    hours = f"{start:02.0f}:00-{end:02.0f}:00"
    if start <= features.local_hour < end:
        return Presence(True, f"no occupancy sensor, occupied assumed {hours}", CONFIDENCE_SCHEDULE)
    return Presence(
        False, f"no occupancy sensor, vacant assumed outside {hours}", CONFIDENCE_SCHEDULE
    )


def choose_level(features: Features, limits: GroupLimits) -> LevelChoice:
    """Choose the level of an occupied group by closed-loop daylight harvesting."""
    measured = features.illuminance_mean
    if measured is None:
        level = limits.clamp_brightness(limits.default_level_pct)
        return LevelChoice(
            level,
            f"no illuminance sensor → {level:.0f}% (profile default)",
            FACTOR_NO_ILLUMINANCE,
        )
    curve = limits.dimming_curve
    current = features.current_level_pct
    factor = 1.0 if current is not None else FACTOR_UNKNOWN_LEVEL
    lamp_now = limits.lamp_lux_at_full * light_output(current or 0.0, curve)
    daylight = max(0.0, measured - lamp_now)
    target = limits.target_lux
    on_now = current is not None and current > 0.0
    threshold = target * (1.0 + DAYLIGHT_HYSTERESIS if on_now else 1.0 - DAYLIGHT_HYSTERESIS)
    if daylight >= threshold:
        text = f"{daylight:.0f} lx daylight, {target:.0f} lx target → off (daylight sufficient)"
        return LevelChoice(0.0, text, factor)
    gap = target - daylight
    if gap <= 0.0:
        level = limits.clamp_brightness(1.0)
        text = f"{daylight:.0f} lx daylight near {target:.0f} lx target → {level:.0f}% (minimum)"
        return LevelChoice(level, text, factor)
    fraction = gap / limits.lamp_lux_at_full
    level = round(limits.clamp_brightness(level_for_output(fraction, curve)), 1)
    text = f"{daylight:.0f} lx daylight below {target:.0f} lx target → {level:.0f}%"
    if fraction > 1.0:
        text += " (lamps too weak for the target)"
    return LevelChoice(level, text, factor)


class LocalPredictor:
    """Rule-based predictor; see the module docstring for the rules."""

    async def predict(
        self, features: Mapping[int, Features], limits: Mapping[int, GroupLimits]
    ) -> dict[int, Decision]:
        """Return a decision for every group in ``features``."""
        return {
            group: self.decide(feat, limits.get(group, _DEFAULT_LIMITS))
            for group, feat in features.items()
        }

    def decide(self, features: Features, limits: GroupLimits) -> Decision:
        """Return the decision for one group."""
        presence = assess_presence(features, limits)
        if not presence.occupied:
            return Decision(
                group=features.group,
                brightness_pct=0.0,
                color_temp_kelvin=None,
                confidence=presence.confidence,
                reason=f"{presence.text} → off",
                source="local",
            )
        if presence.recent:
            return self._hold(features, presence)
        choice = choose_level(features, limits)
        confidence = presence.confidence * choice.confidence_factor
        reason = f"{presence.text}, {choice.text}"
        kelvin: int | None = None
        if features.supports_color_temp and choice.level > 0.0:
            colour = choose_colour(features.sun_elevation, features.local_hour)
            kelvin = limits.clamp_kelvin(round(colour.kelvin, -1))
            reason += f"; {kelvin} K ({colour.basis})"
            if not colour.from_sun:
                confidence *= FACTOR_CLOCK_COLOUR
        return Decision(
            group=features.group,
            brightness_pct=choice.level,
            color_temp_kelvin=kelvin,
            confidence=round(confidence, 2),
            reason=reason,
            source="local",
        )

    def _hold(self, features: Features, presence: Presence) -> Decision:
        """Within the vacancy timeout: keep a lit group as it is, leave one that is off off."""
        level = features.current_level_pct
        if level is None or level <= 0.0:
            reason = f"{presence.text}, nobody there now → stays off"
            return Decision(
                group=features.group,
                brightness_pct=0.0,
                color_temp_kelvin=None,
                confidence=presence.confidence,
                reason=reason,
                source="local",
            )
        kelvin = features.current_color_temp_kelvin if features.supports_color_temp else None
        return Decision(
            group=features.group,
            brightness_pct=level,
            color_temp_kelvin=kelvin,
            confidence=presence.confidence,
            reason=f"{presence.text} → kept at {level:.0f}%",
            source="local",
        )
