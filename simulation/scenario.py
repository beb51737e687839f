"""The simulated day: rooms, people, daylight and weather, minute by minute (no Home Assistant).

Everything random comes from seeded ``random.Random`` instances: the people from the scenario's
seed (the same on every sky, so that skies compare), the sky and the sensor noise from the seed
and the sky's name.

Default building: an office with four rooms on the simulated bus's four DALI groups.

====  ============  ======  ==========  ============  ==========  ==================
group room          gear    target lx   lamps at      rated W     daylight factor
                                        100 % (lx)    (group)     (desk / outdoor)
====  ============  ======  ==========  ============  ==========  ==================
0     open office   DT8     500         650           160         2.5 %
1     meeting room  DT8     500         600           120         1.8 %
2     corridor      DT6     100         200           60          0.4 %
3     lobby         DT6     200         350           100         4.0 %
====  ============  ======  ==========  ============  ==========  ==================

Targets follow EN 12464-1 (office desks and meeting tables 500 lx, corridors 100 lx, an entrance
hall 200 lx). Rated watts are those of the group's four luminaires together (4 x 40 W LED panels in
the open office, 4 x 30 W in the meeting room, 4 x 15 W downlights in the corridor, 4 x 25 W in
the lobby); power follows light output (see :mod:`simulation.physics`).

Outdoor illuminance on a horizontal plane is modelled from the sun's elevation ``h``: under a clear
sky about ``400 + 115000 * sin(h) ** 1.3`` lx with a little haze, under an overcast sky
``(300 + 21000 * sin(h))`` lx times a slowly drifting cloud density (0.6-1.3); both fall linearly to
0 through civil twilight (sun 0 to -6 degrees). The desk gets the room's daylight factor of it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from astral import LocationInfo
from astral.location import Location

type Sky = Literal["clear", "overcast"]
SKIES: tuple[Sky, ...] = ("clear", "overcast")


@dataclass(frozen=True, slots=True)
class RoomSpec:
    """One room, lit by one DALI group."""

    group: int
    key: str
    """Short name used in entity ids (``binary_sensor.{key}_motion``, ``sensor.{key}_lux``)."""
    name: str
    target_lux: float
    lamp_lux_at_full: float
    """Illuminance the group's lamps alone give at the desk at 100 %."""
    rated_watts: float
    """Power of the whole group at 100 %."""
    daylight_factor: float
    """Share of the outdoor horizontal illuminance that reaches the desk."""
    detection: float
    """Chance that the motion sensor sees someone present in a given minute."""
    tunable_white: bool

    @property
    def motion_entity(self) -> str:
        """The room's motion sensor."""
        return f"binary_sensor.{self.key}_motion"

    @property
    def lux_entity(self) -> str:
        """The room's illuminance sensor (at the desk)."""
        return f"sensor.{self.key}_lux"


DEFAULT_ROOMS: tuple[RoomSpec, ...] = (
    RoomSpec(0, "office", "Open office", 500.0, 650.0, 160.0, 0.025, 0.85, True),
    RoomSpec(1, "meeting", "Meeting room", 500.0, 600.0, 120.0, 0.018, 0.8, True),
    RoomSpec(2, "corridor", "Corridor", 100.0, 200.0, 60.0, 0.004, 0.97, False),
    RoomSpec(3, "lobby", "Lobby", 200.0, 350.0, 100.0, 0.04, 0.95, False),
)
WEATHER_ENTITY = "weather.home"


@dataclass(frozen=True, slots=True)
class Scenario:
    """What day is replayed, where, and how."""

    day: date = date(2026, 3, 18)  # a Wednesday near the equinox
    latitude: float = 52.37
    longitude: float = 4.90
    time_zone: str = "Europe/Amsterdam"
    start: time = time(7, 0)
    """Local start of the scored day (and of the always-on baseline's day)."""
    end: time = time(19, 0)
    step_minutes: int = 5
    """Aggregation window of the integration and step of the replay."""
    warmup_minutes: int = 15
    """Replayed before ``start`` (not scored) so the integration has history at ``start``."""
    seed: int = 2026
    vacancy_minutes: float = 15.0
    """Vacancy timeout of the integration's profiles and of the occupancy-only baseline."""
    comfort_tolerance: float = 0.9
    """Lux below ``comfort_tolerance * target`` counts as below target."""
    undo_drop: float = 0.3
    """A decrease of more than this share of the level, leaving the desk below target, is undone."""
    rooms: tuple[RoomSpec, ...] = DEFAULT_ROOMS

    @property
    def zone(self) -> ZoneInfo:
        """The local time zone."""
        return ZoneInfo(self.time_zone)

    def local(self, at: time) -> datetime:
        """``at`` on the scenario's day, local time."""
        return datetime.combine(self.day, at, tzinfo=self.zone)

    @property
    def sim_start(self) -> datetime:
        """First replayed minute (UTC): ``start`` minus the warm-up."""
        return (self.local(self.start) - timedelta(minutes=self.warmup_minutes)).astimezone(UTC)

    @property
    def sim_end(self) -> datetime:
        """End of the replay (UTC, exclusive)."""
        return self.local(self.end).astimezone(UTC)

    def room(self, group: int) -> RoomSpec:
        """The room of ``group``."""
        return next(r for r in self.rooms if r.group == group)


@dataclass(frozen=True, slots=True)
class WeatherState:
    """What the weather entity shows."""

    condition: str
    cloud_coverage: int
    temperature: float


@dataclass(slots=True)
class RoomDay:
    """One room over the replay, one value per minute."""

    spec: RoomSpec
    occupied: list[bool]
    """Ground truth: someone is in the room."""
    motion: list[bool]
    """What the motion sensor reports."""
    daylight: list[float]
    """Daylight at the desk (lx)."""
    noise: list[float]
    """Multiplicative error of the illuminance sensor."""


@dataclass(slots=True)
class DayData:
    """The replayed day on one sky: identical input for every strategy."""

    scenario: Scenario
    sky: Sky
    minutes: list[datetime]
    """UTC start of each replayed minute."""
    scored_from: int
    """Index of the first scored minute (``scenario.start``)."""
    sun_elevation: list[float]
    weather: list[WeatherState]
    rooms: dict[int, RoomDay] = field(default_factory=dict)

    @property
    def scored(self) -> range:
        """Indices of the scored minutes."""
        return range(self.scored_from, len(self.minutes))

    def local_minute(self, index: int) -> int:
        """Local time of minute ``index`` as minutes after midnight."""
        local = self.minutes[index].astimezone(self.scenario.zone)
        return local.hour * 60 + local.minute


def outdoor_lux(sky: Sky, elevation: float, density: float) -> float:
    """Outdoor horizontal illuminance (lx) for a sun ``elevation`` (degrees).

    ``density`` scales it: haze under a clear sky, cloud thickness under an overcast one.
    """
    if elevation <= -6.0:
        return 0.0
    if sky == "clear":
        dawn, daytime = 400.0, 115000.0 * float(math.sin(math.radians(max(elevation, 0.0))) ** 1.3)
    else:
        dawn, daytime = 300.0, 21000.0 * math.sin(math.radians(max(elevation, 0.0)))
    if elevation < 0.0:
        return density * dawn * (elevation + 6.0) / 6.0
    return density * (dawn + daytime)


def _drift(rng: random.Random, count: int, low: float, high: float, step: float) -> list[float]:
    """A slow mean-reverting random walk inside ``low..high``."""
    mean = (low + high) / 2
    value, values = mean, []
    for _ in range(count):
        value += rng.gauss(0.0, step) + (mean - value) * 0.02
        value = min(high, max(low, value))
        values.append(value)
    return values


def _mark(slots: list[bool], first: int, last: int, value: bool) -> None:
    for minute in range(max(first, 0), min(last, len(slots))):
        slots[minute] = value


type Schedule = Callable[[random.Random], list[bool]]
"""Presence per minute of the day (1440 values, local time)."""

DAY = 24 * 60


def _hm(hour: float) -> int:
    return round(hour * 60)


def open_office(rng: random.Random, workers: int = 6) -> list[bool]:
    """Workers arriving around 08:15, leaving around 17:15, with lunch and short breaks."""
    room = [False] * DAY
    for _ in range(workers):
        arrive = min(max(round(rng.gauss(_hm(8.25), 20)), _hm(7.2)), _hm(10))
        leave = min(max(round(rng.gauss(_hm(17.25), 35)), _hm(15.5)), _hm(18.8))
        person = [False] * DAY
        _mark(person, arrive, leave, True)
        if rng.random() < 0.85:
            lunch = round(rng.gauss(_hm(12.2), 12))
            _mark(person, lunch, lunch + rng.randint(25, 50), False)
        for _ in range(rng.randint(1, 3)):
            pause = rng.randint(arrive, max(arrive, leave - 15))
            _mark(person, pause, pause + rng.randint(5, 15), False)
        room = [a or b for a, b in zip(room, person, strict=True)]
    return room


def meeting_room(rng: random.Random) -> list[bool]:
    """Booked meetings, starting late or early, some cut short, some not held."""
    room = [False] * DAY
    for start, length in ((9.0, 60), (10.5, 30), (11.25, 45), (13.5, 90), (15.5, 45), (16.5, 30)):
        if rng.random() < 0.15:
            continue  # nobody came
        first = _hm(start) + rng.randint(-5, 10)
        _mark(room, first, first + length + rng.randint(-10, 5), True)
    return room


def _rate(minute: int, base: float, peaks: tuple[tuple[float, float, float], ...]) -> float:
    hour = minute / 60
    if not 7.2 <= hour < 18.8:
        return base / 5
    return max([base, *(rate for start, end, rate in peaks if start <= hour < end)])


def corridor(rng: random.Random) -> list[bool]:
    """People passing by: a minute or two each, more often at arrival, lunch and departure."""
    room = [False] * DAY
    peaks = ((7.9, 9.0, 0.3), (12.0, 13.2, 0.25), (16.8, 18.0, 0.3))
    for minute in range(DAY):
        if rng.random() < _rate(minute, 0.06, peaks):
            _mark(room, minute, minute + (2 if rng.random() < 0.3 else 1), True)
    return room


def lobby(rng: random.Random) -> list[bool]:
    """Visitors and staff walking through, staying a few minutes."""
    room = [False] * DAY
    peaks = ((8.0, 9.25, 0.25), (12.0, 13.25, 0.12), (17.0, 18.0, 0.25))
    for minute in range(DAY):
        if rng.random() < _rate(minute, 0.04, peaks):
            _mark(room, minute, minute + rng.randint(1, 6), True)
    return room


SCHEDULES: dict[str, Schedule] = {
    "office": open_office,
    "meeting": meeting_room,
    "corridor": corridor,
    "lobby": lobby,
}


def _motion(rng: random.Random, occupied: list[bool], detection: float) -> list[bool]:
    """A PIR sensor: sees a present person with ``detection`` each minute, holds for 2 min."""
    seen = [present and rng.random() < detection for present in occupied]
    return [seen[i] or (i > 0 and seen[i - 1]) for i in range(len(seen))]


def build_day(scenario: Scenario, sky: Sky) -> DayData:
    """Generate the replayed day of ``scenario`` on ``sky``."""
    count = int((scenario.sim_end - scenario.sim_start).total_seconds() // 60)
    minutes = [scenario.sim_start + timedelta(minutes=i) for i in range(count)]
    location = Location(
        LocationInfo("", "", scenario.time_zone, scenario.latitude, scenario.longitude)
    )
    elevations = [float(location.solar_elevation(m)) for m in minutes]
    sky_rng = random.Random(f"{scenario.seed}-{sky}")
    if sky == "clear":
        density = _drift(sky_rng, count, 0.92, 1.05, 0.004)
    else:
        density = _drift(sky_rng, count, 0.6, 1.3, 0.02)
    outdoor = [outdoor_lux(sky, h, d) for h, d in zip(elevations, density, strict=True)]
    day = DayData(
        scenario=scenario,
        sky=sky,
        minutes=minutes,
        scored_from=scenario.warmup_minutes,
        sun_elevation=elevations,
        weather=_weather(sky_rng, scenario, sky, count),
    )
    first = day.local_minute(0)
    for spec in scenario.rooms:
        people_rng = random.Random(f"{scenario.seed}-{spec.key}")
        presence = SCHEDULES[spec.key](people_rng)
        occupied = [presence[(first + i) % DAY] for i in range(count)]
        noise_rng = random.Random(f"{scenario.seed}-{sky}-{spec.key}")
        day.rooms[spec.group] = RoomDay(
            spec=spec,
            occupied=occupied,
            motion=_motion(people_rng, occupied, spec.detection),
            daylight=[spec.daylight_factor * lux for lux in outdoor],
            noise=[max(0.5, noise_rng.gauss(1.0, 0.03)) for _ in range(count)],
        )
    return day


def _weather(rng: random.Random, scenario: Scenario, sky: Sky, count: int) -> list[WeatherState]:
    """The weather entity, updated every step."""
    states: list[WeatherState] = []
    state = WeatherState("sunny", 5, 6.0)
    for i in range(count):
        if i % scenario.step_minutes == 0:
            hours = i / 60
            if sky == "clear":
                state = WeatherState("sunny", rng.randint(0, 12), round(5.0 + 0.7 * hours, 1))
            else:
                state = WeatherState("cloudy", rng.randint(88, 100), round(6.0 + 0.25 * hours, 1))
        states.append(state)
    return states
