"""The local predictor: deterministic rules, no network.

Per group it decides, in order:

1. Presence (:func:`assess_presence`).
   - An occupancy sensor with a fault (``occupancy_fault``: unavailable, or stuck on for hours)
     counts as no sensor: presence is assumed from 07:00 to 19:00 local time, with lower
     confidence, and the reason names the fault. An *unavailable* sensor says nothing about the
     person who was there at 18:59: until ``LATE_HOUR`` (22:00) a lit group is kept lit (one that
     is off stays off). A sensor stuck on is no such evidence: off after 19:00.
   - Otherwise the group is occupied while presence was seen in the window
     (``occupancy_ratio > 0``) or is reported now (``occupied_now``).
   - Nobody now, presence seen less than ``vacancy_minutes`` ago: a lit group is kept as it is,
     one that is off stays off (switching on needs current presence).
   - From ``vacancy_minutes`` to ``vacancy_minutes + grace_minutes``: a lit group is dimmed to a
     warning level (``WARNING_SHARE`` of its current light output, within its limits and never
     brighter than now) so a person sitting still notices and moves; one that is off stays off.
   - After that, or with no presence time at all (right after setup or a restart the history is
     unknown, which is not "occupied a while ago"): off.
2. Level, for an occupied group (closed-loop daylight harvesting on :func:`estimate_daylight`).
   - The daylight at the sensor is the newest reading taken outside a fade minus the lamp light
     at the light output in force *when it was taken* (``lamp_lux_at_sensor``, learned from the
     lamps' own steps, else ``lamp_lux_at_full``). When another reading of the last 15 minutes
     (``illuminance_floor``, paired the same way) leaves less daylight (a cloud, blinds that
     closed and opened again, a sun patch that came and went), that least daylight counts: light
     that may leave again within minutes does not dim or switch the lamps off. The desks get
     ``desk_daylight_ratio`` of it.
     Without such a pair the older estimate is used (window mean minus lamp light at the current
     level) with a lower confidence.
   - The lamps fill the gap: light output ``(target_lux - desk daylight) / lamp_lux_at_full``,
     turned into a brightness on the gear's dimming curve. When daylight alone is enough the group
     switches **off** (10 % hysteresis: a group that is on switches off above 110 % of the target,
     one that is off switches on below 90 %).
   - A faulty illuminance sensor (unavailable, stuck, implausible) is ignored: daylight counts as
     0 and the lamps alone give the target by the lamp model (fail safe, never a fixed percentage).
   - No illuminance sensor at all: the profile's ``default_level_pct``.
3. Colour temperature (groups that support it, when on): from the sun's elevation and the local
   hour, see ``colour.py``.

Everything is clamped to the group's limits. Confidence drops for each missing input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from .colour import choose_colour
from .lamp import level_for_output, light_output
from .types import Decision, Features, GroupLimits

if TYPE_CHECKING:
    from collections.abc import Mapping

OFFICE_HOURS = (7.0, 19.0)
"""Local hours assumed occupied when a group has no (usable) occupancy sensor."""
LATE_HOUR = 22.0
"""With an unavailable occupancy sensor a lit room is kept lit until this local hour."""
DAYLIGHT_HYSTERESIS = 0.1
WARNING_SHARE = 0.25
"""Light output of the vacancy warning dim, as a share of the output before it."""

CONFIDENCE_SENSOR = 0.95
CONFIDENCE_SCHEDULE = 0.6
FACTOR_NO_ILLUMINANCE = 0.75
FACTOR_UNKNOWN_LEVEL = 0.85
FACTOR_WINDOW_MEAN = 0.85
"""The daylight estimate comes from the window mean, not from a reading paired with its level."""
FACTOR_ILLUMINANCE_FAULT = 0.7
FACTOR_CLOCK_COLOUR = 0.95

_DEFAULT_LIMITS = GroupLimits()

_OCCUPANCY_FAULT_TEXT = {
    "unavailable": "occupancy sensor unavailable",
    "stuck_on": "occupancy sensor stuck on",
}

type PresenceState = Literal["occupied", "recent", "warning", "vacant"]


@dataclass(frozen=True, slots=True)
class Presence:
    """Whether a group counts as occupied, why, and how sure."""

    occupied: bool
    text: str
    confidence: float
    recent: bool = False
    """Occupied only by the vacancy timeout: presence was seen before, nobody is seen now."""
    warning: bool = False
    """Vacant past the timeout but inside the grace period: a lit group gets the warning dim."""
    minutes_left: float | None = None
    """While ``warning``: minutes until the switch-off."""
    assumed: bool = False
    """No usable occupancy sensor: presence comes from the office-hours assumption."""

    @property
    def state(self) -> PresenceState:
        """One word for the presence state (what the OpenAI payload and attributes show)."""
        if self.warning:
            return "warning"
        if self.recent:
            return "recent"
        return "occupied" if self.occupied else "vacant"


@dataclass(frozen=True, slots=True)
class DaylightEstimate:
    """Daylight at the desks, how it was found, and how much to trust it."""

    desk_lux: float | None
    """Estimated daylight at the desks (lx); None without any illuminance sensor."""
    basis: str
    """Readable basis, for example "reading paired with 100% lamp output"."""
    confidence_factor: float
    sensor_lux: float | None = None
    """Estimated daylight at the sensor (lx) before ``desk_daylight_ratio``."""
    fault: str | None = None
    """The illuminance sensor's fault; then ``desk_lux`` is 0 (fail safe)."""


@dataclass(frozen=True, slots=True)
class LevelChoice:
    """The level for an occupied group, why, and a confidence factor."""

    level: float
    text: str
    confidence_factor: float


def _office_hours(features: Features, why: str, *, late: bool = False) -> Presence:
    start, end = OFFICE_HOURS
    hours = f"{start:02.0f}:00-{end:02.0f}:00"
    if start <= features.local_hour < end:
        return Presence(True, f"{why}, occupied assumed {hours}", CONFIDENCE_SCHEDULE, assumed=True)
    if late and end <= features.local_hour < LATE_HOUR:
        text = f"{why}, a lit room kept lit until {LATE_HOUR:02.0f}:00"
        return Presence(True, text, CONFIDENCE_SCHEDULE, recent=True, assumed=True)
    return Presence(
        False, f"{why}, vacant assumed outside {hours}", CONFIDENCE_SCHEDULE, assumed=True
    )


def assess_presence(features: Features, limits: GroupLimits) -> Presence:
    """Decide whether the group is occupied (see the module docstring, rule 1)."""
    fault = features.occupancy_fault
    if fault is not None:
        why = _OCCUPANCY_FAULT_TEXT.get(fault, f"occupancy {fault}")
        return _office_hours(features, why, late=fault == "unavailable")
    ratio = features.occupancy_ratio
    since = features.minutes_since_occupied
    timeout = limits.vacancy_minutes
    if (ratio is not None and ratio > 0.0) or features.occupied_now:
        return Presence(True, "occupied", CONFIDENCE_SENSOR)
    if since is not None:
        if since < timeout:
            text = f"occupied {since:.0f} min ago (timeout {timeout:.0f} min)"
            return Presence(True, text, CONFIDENCE_SENSOR, recent=since > 0.0)
        text = f"vacant for {since:.0f} min (timeout {timeout:.0f} min)"
        left = timeout + limits.grace_minutes - since
        if left > 0.0:
            return Presence(False, text, CONFIDENCE_SENSOR, warning=True, minutes_left=left)
        return Presence(False, text, CONFIDENCE_SENSOR)
    if ratio is not None or features.occupied_now is not None:
        return Presence(False, "vacant (no presence recorded)", CONFIDENCE_SENSOR)
    return _office_hours(features, "no occupancy sensor")


def sensor_daylight(lux: float, lamp_output: float, limits: GroupLimits) -> float:
    """Daylight at the sensor in one reading taken at ``lamp_output`` (0-1) of the lamps."""
    return max(0.0, lux - limits.lamp_at_sensor * lamp_output)


def desk_daylight(lux: float, lamp_output: float, limits: GroupLimits) -> float:
    """Daylight at the desks from that reading (``desk_daylight_ratio`` of the sensor's)."""
    return limits.desk_daylight_ratio * sensor_daylight(lux, lamp_output, limits)


def estimate_daylight(features: Features, limits: GroupLimits) -> DaylightEstimate:
    """Estimate the daylight at the desks (see the module docstring, rule 2)."""
    fault = features.illuminance_fault
    if fault is not None:
        return DaylightEstimate(
            0.0,
            f"illuminance sensor {fault}, daylight ignored",
            FACTOR_ILLUMINANCE_FAULT,
            fault=fault,
        )
    ratio = limits.desk_daylight_ratio
    latest = features.illuminance_latest
    output = features.lamp_output_at_reading
    if latest is not None and output is not None:
        sensor = sensor_daylight(latest, output, limits)
        basis = f"reading {latest:.0f} lx at {output:.0%} lamp output"
        floor, floor_output = features.illuminance_floor, features.lamp_output_at_floor
        if floor is not None and floor_output is not None:
            least = sensor_daylight(floor, floor_output, limits)
            if least < sensor:  # daylight that came and went inside the window is not relied on
                sensor = least
                basis = f"least daylight of 15 min: {floor:.0f} lx at {floor_output:.0%} lamps"
        return DaylightEstimate(ratio * sensor, basis, 1.0, sensor_lux=sensor)
    measured = features.illuminance_mean
    if measured is None:
        measured = latest
    if measured is None:
        return DaylightEstimate(None, "no illuminance sensor", FACTOR_NO_ILLUMINANCE)
    current = features.current_level_pct
    factor = FACTOR_WINDOW_MEAN if current is not None else FACTOR_UNKNOWN_LEVEL
    lamp_now = limits.lamp_at_sensor * light_output(current or 0.0, limits.dimming_curve)
    sensor = max(0.0, measured - lamp_now)
    return DaylightEstimate(
        ratio * sensor, "window mean minus the lamps now", factor, sensor_lux=sensor
    )


def level_for_lux(lux: float, limits: GroupLimits) -> float:
    """Return the brightness giving ``lux`` of lamp light at the desks, within the limits.

    The light output ``lux / lamp_lux_at_full`` is turned into a brightness on the dimming
    curve; 0 lx or less gives 0 (off).
    """
    fraction = lux / limits.lamp_lux_at_full
    return round(limits.clamp_brightness(level_for_output(fraction, limits.dimming_curve)), 1)


def choose_level(features: Features, limits: GroupLimits) -> LevelChoice:
    """Choose the level of an occupied group by closed-loop daylight harvesting."""
    estimate = estimate_daylight(features, limits)
    target = limits.target_lux
    if estimate.fault is not None:
        level = level_for_lux(target, limits)
        text = (
            f"{estimate.basis}, lamps alone for the {target:.0f} lx target → {level:.0f}%"
            " (fail safe)"
        )
        return LevelChoice(level, text, estimate.confidence_factor)
    daylight = estimate.desk_lux
    if daylight is None:
        level = limits.clamp_brightness(limits.default_level_pct)
        return LevelChoice(
            level,
            f"no illuminance sensor → {level:.0f}% (profile default)",
            FACTOR_NO_ILLUMINANCE,
        )
    factor = estimate.confidence_factor
    current = features.current_level_pct
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
    level = level_for_lux(gap, limits)
    text = f"{daylight:.0f} lx daylight below {target:.0f} lx target → {level:.0f}%"
    if gap > limits.lamp_lux_at_full:
        text += " (lamps too weak for the target)"
    return LevelChoice(level, text, factor)


def warning_level(current_pct: float, limits: GroupLimits) -> float:
    """Return the vacancy warning level of a group lit at ``current_pct`` (see rule 1)."""
    curve = limits.dimming_curve
    share = WARNING_SHARE * light_output(current_pct, curve)
    level = max(level_for_output(share, curve), limits.min_brightness_pct)
    return round(min(level, current_pct), 1)


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
        if presence.warning:
            return self._warn(features, limits, presence)
        if not presence.occupied:
            return _off(features, presence.confidence, f"{presence.text} → off")
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
            return _off(features, presence.confidence, reason)
        kelvin = features.current_color_temp_kelvin if features.supports_color_temp else None
        return Decision(
            group=features.group,
            brightness_pct=level,
            color_temp_kelvin=kelvin,
            confidence=presence.confidence,
            reason=f"{presence.text} → kept at {level:.0f}%",
            source="local",
        )

    def _warn(self, features: Features, limits: GroupLimits, presence: Presence) -> Decision:
        """Past the timeout, inside the grace period: dim a lit group, leave one that is off."""
        level = features.current_level_pct
        if level is None or level <= 0.0:
            return _off(features, presence.confidence, f"{presence.text} → off")
        dimmed = warning_level(level, limits)
        left = presence.minutes_left or 0.0
        kelvin = features.current_color_temp_kelvin if features.supports_color_temp else None
        return Decision(
            group=features.group,
            brightness_pct=dimmed,
            color_temp_kelvin=kelvin,
            confidence=presence.confidence,
            reason=(
                f"{presence.text} → warning dim to {dimmed:.0f}% before switching off"
                f" in {max(1.0, left):.0f} min"
            ),
            source="local",
        )


def _off(features: Features, confidence: float, reason: str) -> Decision:
    return Decision(
        group=features.group,
        brightness_pct=0.0,
        color_temp_kelvin=None,
        confidence=confidence,
        reason=reason,
        source="local",
    )
