"""Rooms: window, blinds, scored places (desks) and the sensor, each at its own spot.

Daylight at a point is ``daylight_factor x diffuse sky light`` plus, only where a sun patch
reaches the point, ``direct horizontal sun x glazing transmittance``. Closed blinds pass
``diffuse_share`` of the diffuse part and ``direct_share`` of the beam.

Sun patches use a ribbon window along the whole facade (so only depth matters): the sun enters
when it stands in front of the facade; in the vertical plane through the window normal its
profile angle ``p`` has ``tan p = tan(elevation) / cos(azimuth - facade)``, and the patch on a
plane at height ``z`` covers depths from ``(sill - z) / tan p`` to ``(head - z) / tan p``. A
ceiling-mounted sensor sees no patch itself but a share (``patch_view``) of the light a patch on
the floor reflects, which fools it whenever the sun is in the room.

Lamp light is stated per place and at the sensor (lx at 100 %), with the group's rated watts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .sky import SkyLight

DESK_HEIGHT_M = 0.75
FLOOR_HEIGHT_M = 0.0
GLARE_LUX = 1000.0
"""Direct sun on a place above this (horizontal lx) is glare: blinds close on it."""


@dataclass(frozen=True, slots=True)
class Window:
    """A ribbon window along one facade."""

    facade_azimuth: float
    """Direction the window faces (degrees clockwise from north; 180 = south)."""
    sill_m: float = 0.9
    head_m: float = 2.7
    transmittance: float = 0.6


@dataclass(frozen=True, slots=True)
class Blinds:
    """Blinds that close on glare and open again once the sun has left the places."""

    close_after_s: float = 60.0
    """Glare this long closes them (automatic blinds: a minute; people: longer)."""
    open_after_s: float = 900.0
    """No glare this long opens them again."""
    diffuse_share: float = 0.15
    direct_share: float = 0.03


@dataclass(frozen=True, slots=True)
class Place:
    """A scored spot: a desk, a sofa, a corridor floor."""

    name: str
    depth_m: float
    """Distance from the window (irrelevant without one)."""
    daylight_factor: float
    """Share of the outdoor diffuse horizontal illuminance that reaches the place."""
    lamp_lux_at_full: float
    """Illuminance of the group's lamps alone at the place, at 100 %."""
    height_m: float = DESK_HEIGHT_M


@dataclass(frozen=True, slots=True)
class SensorSpot:
    """Where the room's illuminance sensor sits and what it sees."""

    daylight_factor: float
    lamp_lux_at_full: float
    """What the lamps alone make the sensor read at 100 %."""
    patch_view: float = 0.1
    """Share of a floor sun patch's illuminance that reaches the (ceiling) sensor."""
    report_change: float = 0.08
    """A reading differing by more than this share from the last report is reported."""
    report_every_s: float = 300.0
    """A report at least this often, even without change."""
    noise: float = 0.02
    """Relative noise of one reading (standard deviation)."""


@dataclass(frozen=True, slots=True)
class RoomSpec:
    """One room, lit by one DALI group."""

    group: int
    key: str
    """Short name used in entity ids (``binary_sensor.{key}_motion``, ``sensor.{key}_lux``)."""
    name: str
    target_lux: float
    rated_watts: float
    """Power of the whole group at 100 %."""
    places: tuple[Place, ...]
    sensor: SensorSpot
    tunable_white: bool
    vacancy_minutes: float
    window: Window | None = None
    blinds: Blinds | None = None
    pir_hold_s: float = 60.0
    """The motion sensor stays on this long after its last detection."""
    luminaires: str = ""
    """What the rated watts are made of, for the record."""

    @property
    def motion_entity(self) -> str:
        """The room's motion sensor."""
        return f"binary_sensor.{self.key}_motion"

    @property
    def lux_entity(self) -> str:
        """The room's illuminance sensor."""
        return f"sensor.{self.key}_lux"

    @property
    def design_lamp_lux(self) -> float:
        """The lamps' light at full at the darkest place: what the lighting plan states."""
        return min(place.lamp_lux_at_full for place in self.places)


def patch_depths(sun: SkyLight, window: Window, height_m: float) -> tuple[float, float] | None:
    """The depths a sun patch covers on a plane at ``height_m``, or None without sun."""
    if sun.direct_normal <= 0.0 or sun.elevation <= 0.5:
        return None
    facing = math.cos(math.radians(sun.azimuth - window.facade_azimuth))
    if facing <= 0.05:
        return None
    tan_profile = math.tan(math.radians(sun.elevation)) / facing
    near = max(0.0, (window.sill_m - height_m) / tan_profile)
    far = (window.head_m - height_m) / tan_profile
    return (near, far) if far > near else None


def direct_at(sun: SkyLight, window: Window | None, depth_m: float, height_m: float) -> float:
    """The sun's beam reaching a point behind open blinds (lx), 0 outside any sun patch."""
    if window is None:
        return 0.0
    depths = patch_depths(sun, window, height_m)
    if depths is None or not depths[0] <= depth_m <= depths[1]:
        return 0.0
    return sun.direct_horizontal * window.transmittance


def floor_patch(sun: SkyLight, window: Window | None) -> float:
    """The sun patch's illuminance on the floor, if the sun reaches the floor at all (lx)."""
    if window is None or patch_depths(sun, window, FLOOR_HEIGHT_M) is None:
        return 0.0
    return sun.direct_horizontal * window.transmittance


def place_daylight(
    place: Place, sun: SkyLight, window: Window | None, blinds: Blinds | None, closed: bool
) -> float:
    """Daylight at ``place`` (lx)."""
    if window is None:
        return place.daylight_factor * sun.diffuse_horizontal
    diffuse = place.daylight_factor * sun.diffuse_horizontal
    direct = direct_at(sun, window, place.depth_m, place.height_m)
    if closed and blinds is not None:
        return diffuse * blinds.diffuse_share + direct * blinds.direct_share
    return diffuse + direct


def sensor_daylight(room: RoomSpec, sun: SkyLight, closed: bool) -> float:
    """Daylight the room's sensor reads (lx)."""
    spot = room.sensor
    diffuse = spot.daylight_factor * sun.diffuse_horizontal
    reflected = spot.patch_view * floor_patch(sun, room.window)
    if closed and room.blinds is not None:
        return diffuse * room.blinds.diffuse_share + reflected * room.blinds.direct_share
    return diffuse + reflected


def glare(room: RoomSpec, sun: SkyLight) -> bool:
    """Whether direct sun on any place (behind open blinds) is glare."""
    return any(
        direct_at(sun, room.window, place.depth_m, place.height_m) > GLARE_LUX
        for place in room.places
    )
