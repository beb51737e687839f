"""Data types of the predictor: features in, limits alongside, decisions out."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from .convert import (
    finite_or_none,
    iso_utc,
    to_bool,
    to_float,
    to_int,
    to_opt_float,
    to_opt_int,
    to_opt_str,
    to_utc,
)
from .lamp import DIMMING_CURVES, DimmingCurve

if TYPE_CHECKING:
    from collections.abc import Mapping

type Source = Literal["local", "openai", "fallback"]
SOURCES: tuple[Source, ...] = ("local", "openai", "fallback")

ILLUMINANCE_FAULTS: tuple[str, ...] = ("unavailable", "stuck", "implausible")
"""Values of ``Features.illuminance_fault`` (None: no fault)."""
OCCUPANCY_FAULTS: tuple[str, ...] = ("unavailable", "stuck_on")
"""Values of ``Features.occupancy_fault`` (None: no fault)."""


DESK_DAYLIGHT_RATIO_RANGE = (0.05, 2.0)
MAX_GRACE_MINUTES = 60.0


def _to_opt_bool(value: object, name: str) -> bool | None:
    return None if value is None else to_bool(value, name)


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


@dataclass(frozen=True, slots=True, kw_only=True)
class Features:
    """What the sensors said about one group over the last aggregation window.

    Optional values are None when the group has no such sensor or it reported nothing usable.
    Construction normalises values: NaN and infinities become None, ``occupancy_ratio`` is clamped
    to 0-1, ``current_level_pct`` to 0-100 and ``minutes_since_occupied`` to >= 0; ``ts`` must be
    timezone-aware and is stored in UTC.
    """

    group: int
    ts: datetime
    """End of the aggregation window (UTC)."""
    local_hour: float
    """Local time of day as hours, 0 <= h < 24 (14.5 is 14:30)."""
    weekday: int
    """Local day of the week, 0 = Monday ... 6 = Sunday."""
    occupancy_ratio: float | None = None
    """Share of the window during which an occupancy sensor reported presence (0-1)."""
    minutes_since_occupied: float | None = None
    """Minutes since presence was last reported (0 while occupied)."""
    illuminance_mean: float | None = None
    """Mean illuminance at the sensor over the window (lx), lamps included."""
    illuminance_min: float | None = None
    illuminance_max: float | None = None
    weather_condition: str | None = None
    cloud_coverage: float | None = None
    """Cloud coverage in percent (0-100)."""
    outdoor_temperature: float | None = None
    """Outdoor temperature in degrees Celsius."""
    sun_elevation: float | None = None
    """Sun elevation in degrees (negative below the horizon)."""
    current_level_pct: float | None = None
    """Group brightness at the end of the window, 0-100 (0 = off)."""
    current_color_temp_kelvin: int | None = None
    override_active: bool = False
    """A manual override holds this group."""
    supports_color_temp: bool = False
    """Every member of the group is DT8 tunable white."""
    illuminance_latest: float | None = None
    """Newest illuminance reading (lx, at the sensor) not taken during a fade of the lamps."""
    lamp_output_at_reading: float | None = None
    """The group's light output (0-1 of full) when ``illuminance_latest`` was taken."""
    illuminance_floor: float | None = None
    """Of the last 15 minutes' readings (not during a fade), the one leaving the least daylight."""
    lamp_output_at_floor: float | None = None
    """The group's light output (0-1) when ``illuminance_floor`` was taken."""
    occupied_now: bool | None = None
    """An occupancy sensor reports presence at the window end (None: unknown or no sensor)."""
    illuminance_fault: str | None = None
    """None, or why the illuminance sensor is not trusted: see ``ILLUMINANCE_FAULTS``."""
    occupancy_fault: str | None = None
    """None, or why the occupancy sensor is not trusted: see ``OCCUPANCY_FAULTS``."""

    def __post_init__(self) -> None:
        """Validate and normalise the values."""
        if self.ts.tzinfo is None:
            raise ValueError("Features.ts must be timezone-aware")
        if not 0.0 <= self.local_hour <= 24.0:
            raise ValueError(f"local_hour must be within 0-24, not {self.local_hour}")
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be within 0-6, not {self.weekday}")
        set_ = object.__setattr__
        set_(self, "ts", self.ts.astimezone(UTC))
        for name in (
            "minutes_since_occupied",
            "illuminance_mean",
            "illuminance_min",
            "illuminance_max",
            "cloud_coverage",
            "outdoor_temperature",
            "sun_elevation",
            "illuminance_latest",
            "illuminance_floor",
        ):
            set_(self, name, finite_or_none(getattr(self, name)))
        for name in ("lamp_output_at_reading", "lamp_output_at_floor"):
            output = finite_or_none(getattr(self, name))
            set_(self, name, None if output is None else _clamp(output, 0.0, 1.0))
        if self.illuminance_fault is not None and self.illuminance_fault not in ILLUMINANCE_FAULTS:
            raise ValueError(f"illuminance_fault must be one of {ILLUMINANCE_FAULTS} or None")
        if self.occupancy_fault is not None and self.occupancy_fault not in OCCUPANCY_FAULTS:
            raise ValueError(f"occupancy_fault must be one of {OCCUPANCY_FAULTS} or None")
        ratio = finite_or_none(self.occupancy_ratio)
        set_(self, "occupancy_ratio", None if ratio is None else _clamp(ratio, 0.0, 1.0))
        level = finite_or_none(self.current_level_pct)
        set_(self, "current_level_pct", None if level is None else _clamp(level, 0.0, 100.0))
        if self.minutes_since_occupied is not None:
            set_(self, "minutes_since_occupied", max(0.0, self.minutes_since_occupied))

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict (``ts`` as an ISO 8601 UTC string)."""
        data = asdict(self)
        data["ts"] = iso_utc(self.ts)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Features:
        """Rebuild features from :meth:`to_dict` output.

        Missing optional keys take their defaults and unknown keys are ignored, so rows written by
        another version still load. Wrong types raise TypeError or ValueError.
        """
        get = data.get
        return cls(
            group=to_int(data["group"], "group"),
            ts=to_utc(data["ts"], "ts"),
            local_hour=to_float(data["local_hour"], "local_hour"),
            weekday=to_int(data["weekday"], "weekday"),
            occupancy_ratio=to_opt_float(get("occupancy_ratio"), "occupancy_ratio"),
            minutes_since_occupied=to_opt_float(
                get("minutes_since_occupied"), "minutes_since_occupied"
            ),
            illuminance_mean=to_opt_float(get("illuminance_mean"), "illuminance_mean"),
            illuminance_min=to_opt_float(get("illuminance_min"), "illuminance_min"),
            illuminance_max=to_opt_float(get("illuminance_max"), "illuminance_max"),
            weather_condition=to_opt_str(get("weather_condition"), "weather_condition"),
            cloud_coverage=to_opt_float(get("cloud_coverage"), "cloud_coverage"),
            outdoor_temperature=to_opt_float(get("outdoor_temperature"), "outdoor_temperature"),
            sun_elevation=to_opt_float(get("sun_elevation"), "sun_elevation"),
            current_level_pct=to_opt_float(get("current_level_pct"), "current_level_pct"),
            current_color_temp_kelvin=to_opt_int(
                get("current_color_temp_kelvin"), "current_color_temp_kelvin"
            ),
            override_active=to_bool(get("override_active", False), "override_active"),
            supports_color_temp=to_bool(get("supports_color_temp", False), "supports_color_temp"),
            illuminance_latest=to_opt_float(get("illuminance_latest"), "illuminance_latest"),
            illuminance_floor=to_opt_float(get("illuminance_floor"), "illuminance_floor"),
            lamp_output_at_floor=to_opt_float(get("lamp_output_at_floor"), "lamp_output_at_floor"),
            lamp_output_at_reading=to_opt_float(
                get("lamp_output_at_reading"), "lamp_output_at_reading"
            ),
            occupied_now=_to_opt_bool(get("occupied_now"), "occupied_now"),
            illuminance_fault=to_opt_str(get("illuminance_fault"), "illuminance_fault"),
            occupancy_fault=to_opt_str(get("occupancy_fault"), "occupancy_fault"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupLimits:
    """Bounds and preferences of one group (its profile). Every field has a default.

    - ``min_brightness_pct`` (1.0) / ``max_brightness_pct`` (100.0): range of an *on* decision;
      0 (off) is always allowed.
    - ``min_kelvin`` (2700) / ``max_kelvin`` (6500): colour temperature range.
    - ``target_lux`` (500.0): illuminance to reach at the work plane (EN 12464-1 office desk).
    - ``vacancy_minutes`` (15.0): minutes without presence after which a lit group is dimmed to a
      warning level (the room's current, possibly adapted, vacancy timeout).
    - ``grace_minutes`` (2.0): minutes of that warning dim before the group switches off.
    - ``lamp_lux_at_full`` (500.0): illuminance the group's lamps alone give at the desks at
      100 %; the lamp model that turns a lux gap into a light output.
    - ``lamp_lux_at_sensor`` (None): lamp light the illuminance *sensor* sees at 100 %, learned
      from the group's own level steps (see ``calibration.py``); None uses ``lamp_lux_at_full``.
    - ``desk_daylight_ratio`` (1.0, 0.05-2.0): daylight at the desks / daylight at the sensor,
      as the user states it (a sensor by the window sees more daylight than deep desks).
    - ``default_level_pct`` (80.0): level used while occupied when there is no illuminance sensor.
    - ``dimming_curve`` ("logarithmic"): the gear's DALI dimming curve, see ``lamp.py``.
    """

    min_brightness_pct: float = 1.0
    max_brightness_pct: float = 100.0
    min_kelvin: int = 2700
    max_kelvin: int = 6500
    target_lux: float = 500.0
    vacancy_minutes: float = 15.0
    lamp_lux_at_full: float = 500.0
    default_level_pct: float = 80.0
    dimming_curve: DimmingCurve = "logarithmic"
    lamp_lux_at_sensor: float | None = None
    desk_daylight_ratio: float = 1.0
    grace_minutes: float = 2.0

    def __post_init__(self) -> None:
        """Reject inconsistent limits."""
        if not 0.0 <= self.min_brightness_pct <= self.max_brightness_pct <= 100.0:
            raise ValueError("need 0 <= min_brightness_pct <= max_brightness_pct <= 100")
        if self.max_brightness_pct <= 0.0:
            raise ValueError("max_brightness_pct must be above 0")
        if not 0 < self.min_kelvin <= self.max_kelvin:
            raise ValueError("need 0 < min_kelvin <= max_kelvin")
        if self.target_lux < 0.0 or self.vacancy_minutes < 0.0:
            raise ValueError("target_lux and vacancy_minutes must not be negative")
        if self.lamp_lux_at_full <= 0.0:
            raise ValueError("lamp_lux_at_full must be above 0")
        if not 0.0 <= self.default_level_pct <= 100.0:
            raise ValueError("default_level_pct must be within 0-100")
        if self.dimming_curve not in DIMMING_CURVES:
            raise ValueError(f"dimming_curve must be one of {DIMMING_CURVES}")
        sensor_lux = self.lamp_lux_at_sensor
        if sensor_lux is not None and not (math.isfinite(sensor_lux) and sensor_lux > 0.0):
            raise ValueError("lamp_lux_at_sensor must be above 0 (or None)")
        low, high = DESK_DAYLIGHT_RATIO_RANGE
        if not low <= self.desk_daylight_ratio <= high:
            raise ValueError(f"desk_daylight_ratio must be within {low}-{high}")
        if not 0.0 <= self.grace_minutes <= MAX_GRACE_MINUTES:
            raise ValueError(f"grace_minutes must be within 0-{MAX_GRACE_MINUTES:.0f}")

    @property
    def lamp_at_sensor(self) -> float:
        """Lamp light at the sensor at 100 %: the learned value, else ``lamp_lux_at_full``."""
        return self.lamp_lux_at_sensor or self.lamp_lux_at_full

    def clamp_brightness(self, brightness_pct: float) -> float:
        """Clamp an on-level into the range; 0 or less stays off (0)."""
        if brightness_pct <= 0.0:
            return 0.0
        return _clamp(brightness_pct, self.min_brightness_pct, self.max_brightness_pct)

    def clamp_kelvin(self, kelvin: float) -> int:
        """Clamp a colour temperature into the range."""
        return round(_clamp(kelvin, self.min_kelvin, self.max_kelvin))

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GroupLimits:
        """Build limits from a dict; missing keys take defaults, unknown keys are ignored."""
        kwargs: dict[str, Any] = {}
        for field in fields(cls):
            if field.name not in data:
                continue
            value = data[field.name]
            if field.name == "dimming_curve":
                kwargs[field.name] = value
            elif field.name == "lamp_lux_at_sensor":
                kwargs[field.name] = to_opt_float(value, field.name)
            elif field.name.endswith("kelvin"):
                kwargs[field.name] = to_int(value, field.name)
            else:
                kwargs[field.name] = to_float(value, field.name)
        return cls(**kwargs)


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    """What a predictor wants one group to do."""

    group: int
    brightness_pct: float
    """0-100; 0 means off."""
    color_temp_kelvin: int | None
    """None for groups without colour temperature, and when off."""
    confidence: float
    """0-1: how much data backed the decision."""
    reason: str
    """Readable English explanation."""
    source: Source

    def __post_init__(self) -> None:
        """Reject out-of-range values."""
        if not 0.0 <= self.brightness_pct <= 100.0:
            raise ValueError(f"brightness_pct must be within 0-100, not {self.brightness_pct}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence must be within 0-1, not {self.confidence}")
        if self.source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES}, not {self.source!r}")

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Decision:
        """Rebuild a decision from :meth:`to_dict` output."""
        source = data["source"]
        if source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES}, not {source!r}")
        reason = to_opt_str(data["reason"], "reason")
        return cls(
            group=to_int(data["group"], "group"),
            brightness_pct=to_float(data["brightness_pct"], "brightness_pct"),
            color_temp_kelvin=to_opt_int(data.get("color_temp_kelvin"), "color_temp_kelvin"),
            confidence=to_float(data["confidence"], "confidence"),
            reason=reason or "",
            source=source,
        )


class Predictor(Protocol):
    """Anything that turns features into decisions, one per group."""

    async def predict(
        self, features: Mapping[int, Features], limits: Mapping[int, GroupLimits]
    ) -> dict[int, Decision]:
        """Return a decision for every group in ``features``.

        A group missing from ``limits`` uses ``GroupLimits()``.
        """
        ...
