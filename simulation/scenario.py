"""The simulated days: rooms, people, sky and sensor faults (no Home Assistant here).

Every scenario is one day or evening on one sky, with its rooms on the simulated bus's DALI groups
(0-1 tunable white DT8, 2-3 dimmable DT6). Everything random comes from ``random.Random``
seeded with the scenario, the seed and what it draws (people, sky, noise), so every strategy sees
the same input and a seed always gives the same day.

Time runs in seconds from the start of the replay (``warmup_s`` before the scored span). Daylight
and sensor readings are sampled every ``STEP_S`` seconds; people, motion and the lamps' commands
have exact times.

Targets follow EN 12464-1 (desks and classrooms 500 lx, corridors 100 lx) and common home
practice (living room 200 lx, kitchen 300 lx).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from astral import Observer
from astral.sun import azimuth, elevation

from .people import Stay, pir_states
from .rooms import (
    Blinds,
    Place,
    RoomSpec,
    SensorSpot,
    Window,
    glare,
    place_daylight,
    sensor_daylight,
)
from .sky import Sky, SkyLight, sky_series

STEP_S = 5.0
"""Sampling step of daylight and of the illuminance sensors (s)."""
WEATHER_EVERY_S = 300.0
WEATHER_ENTITY = "weather.home"

type FaultKind = Literal["lux_unavailable", "lux_stuck", "motion_stuck_on"]


@dataclass(frozen=True, slots=True)
class Fault:
    """A sensor that breaks at ``start`` (local time) and stays broken."""

    group: int
    kind: FaultKind
    start: time
    value: float = 900.0
    """What a stuck illuminance sensor keeps reporting."""


type Schedule = Callable[["Scenario", random.Random], dict[int, list[Stay]]]


@dataclass(frozen=True, slots=True)
class Scenario:
    """One day or evening, where and on what sky, with its rooms and people."""

    key: str
    title: str
    day: date
    start: time
    end: time
    """Local end; ``time(0, 0)`` means midnight at the end of ``day``."""
    latitude: float
    longitude: float
    time_zone: str
    sky: Sky
    rooms: tuple[RoomSpec, ...]
    schedule: Schedule
    faults: tuple[Fault, ...] = ()
    warmup_s: float = 600.0
    """Replayed before ``start`` with empty rooms (not scored), so sensors have history."""

    @property
    def zone(self) -> ZoneInfo:
        """The local time zone."""
        return ZoneInfo(self.time_zone)

    @property
    def start_utc(self) -> datetime:
        """The first replayed moment (UTC): ``start`` minus the warm-up."""
        local = datetime.combine(self.day, self.start, tzinfo=self.zone)
        return (local - timedelta(seconds=self.warmup_s)).astimezone(UTC)

    @property
    def duration_s(self) -> float:
        """Length of the replay, warm-up included (s)."""
        end_day = self.day + timedelta(days=1) if self.end <= self.start else self.day
        end = datetime.combine(end_day, self.end, tzinfo=self.zone).astimezone(UTC)
        return (end - self.start_utc).total_seconds()

    def at(self, hour: float) -> float:
        """Seconds into the replay of local clock time ``hour`` (hours, may exceed 24)."""
        midnight = datetime.combine(self.day, time(0, 0), tzinfo=self.zone)
        moment = midnight + timedelta(hours=hour)
        return (moment.astimezone(UTC) - self.start_utc).total_seconds()

    def room(self, group: int) -> RoomSpec:
        """The room of ``group``."""
        return next(r for r in self.rooms if r.group == group)


@dataclass(slots=True)
class RoomDay:
    """One room over the replay."""

    spec: RoomSpec
    stays: list[Stay]
    """Ground truth: who is where, when."""
    motion: list[tuple[float, bool]]
    """The motion sensor's state changes (faults included)."""
    daylight: list[list[float]]
    """Daylight at each place, per sample (lx)."""
    sensor_daylight: list[float]
    """Daylight the illuminance sensor sees, per sample (lx)."""
    blinds_closed: list[bool]
    noise: list[float]
    """Multiplicative error of each illuminance reading."""
    lux_fault: Fault | None = None


@dataclass(slots=True)
class DayData:
    """One scenario on one seed: identical input for every strategy."""

    scenario: Scenario
    seed: int
    sky: list[SkyLight]
    rooms: dict[int, RoomDay] = field(default_factory=dict)

    @property
    def samples(self) -> int:
        """Number of daylight samples."""
        return len(self.sky)

    @property
    def scored_from(self) -> float:
        """First scored second."""
        return self.scenario.warmup_s

    @property
    def end(self) -> float:
        """End of the replay (s)."""
        return self.scenario.duration_s

    @staticmethod
    def index(t: float) -> int:
        """The daylight sample in force at ``t``."""
        return max(0, int(t // STEP_S))

    def utc(self, t: float) -> datetime:
        """The moment ``t`` seconds into the replay."""
        return self.scenario.start_utc + timedelta(seconds=t)

    def local_hour(self, t: float) -> float:
        """Local clock time at ``t`` in hours."""
        local = self.utc(t).astimezone(self.scenario.zone)
        return local.hour + local.minute / 60 + local.second / 3600

    def weather(self, t: float) -> tuple[str, int, float]:
        """Condition, cloud coverage and temperature the weather entity shows at ``t``."""
        light = self.sky[min(self.index(t), self.samples - 1)]
        night = light.elevation < -0.8
        sky = self.scenario.sky
        if sky == "overcast":
            condition, cover = "cloudy", 95
        elif sky == "mixed":
            condition, cover = "partlycloudy", 45
        else:
            condition, cover = ("clear-night" if night else "sunny"), 5
        return condition, cover, round(4.0 + 0.3 * max(light.elevation, 0.0), 1)


def build_day(scenario: Scenario, seed: int) -> DayData:
    """Generate ``scenario`` on ``seed``."""
    count = int(scenario.duration_s // STEP_S) + 1
    observer = Observer(scenario.latitude, scenario.longitude, 0.0)
    times = [scenario.start_utc + timedelta(seconds=k * STEP_S) for k in range(count)]
    # the sun moves slowly: compute it once a minute and hold it
    elevations, azimuths = [], []
    for k, moment in enumerate(times):
        if k % 12 == 0:
            sun_elevation, sun_azimuth = elevation(observer, moment), azimuth(observer, moment)
        elevations.append(float(sun_elevation))
        azimuths.append(float(sun_azimuth))
    sky_rng = random.Random(f"{scenario.key}-{seed}-sky")
    sky = sky_series(scenario.sky, elevations, azimuths, sky_rng, STEP_S)
    day = DayData(scenario, seed, sky)
    people = scenario.schedule(scenario, random.Random(f"{scenario.key}-{seed}-people"))
    for spec in scenario.rooms:
        stays = sorted(
            (
                s
                for s in people.get(spec.group, [])
                if scenario.warmup_s <= s.start < scenario.duration_s
            ),
            key=lambda s: s.start,
        )  # nobody in the warm-up: the rooms start empty
        pir_rng = random.Random(f"{scenario.key}-{seed}-{spec.key}-pir")
        motion = pir_states(stays, spec.pir_hold_s, pir_rng)
        faults = [f for f in scenario.faults if f.group == spec.group]
        for fault in faults:
            if fault.kind == "motion_stuck_on":
                start = scenario.at(fault.start.hour + fault.start.minute / 60)
                motion = [(t, on) for t, on in motion if t < start] + [(start, True)]
        closed = _blinds(spec, sky)
        noise_rng = random.Random(f"{scenario.key}-{seed}-{spec.key}-noise")
        day.rooms[spec.group] = RoomDay(
            spec=spec,
            stays=stays,
            motion=motion,
            daylight=[
                [
                    place_daylight(p, s, spec.window, spec.blinds, c)
                    for s, c in zip(sky, closed, strict=True)
                ]
                for p in spec.places
            ],
            sensor_daylight=[sensor_daylight(spec, s, c) for s, c in zip(sky, closed, strict=True)],
            blinds_closed=closed,
            noise=[1.0 + noise_rng.gauss(0.0, spec.sensor.noise) for _ in range(count)],
            lux_fault=next((f for f in faults if f.kind != "motion_stuck_on"), None),
        )
    return day


def _blinds(spec: RoomSpec, sky: list[SkyLight]) -> list[bool]:
    """Whether the blinds are closed, per sample: closed on lasting glare, opened after none."""
    if spec.blinds is None or spec.window is None:
        return [False] * len(sky)
    blinds = spec.blinds
    closed, glare_for, clear_for = False, 0.0, 0.0
    states: list[bool] = []
    for light in sky:
        if glare(spec, light):
            glare_for, clear_for = glare_for + STEP_S, 0.0
        else:
            glare_for, clear_for = 0.0, clear_for + STEP_S
        if not closed and glare_for >= blinds.close_after_s:
            closed = True
        elif closed and clear_for >= blinds.open_after_s:
            closed = False
        states.append(closed)
    return states


# --- people -----------------------------------------------------------------------------------


def _minutes(rng: random.Random, mean: float, sd: float, low: float, high: float) -> float:
    return min(high, max(low, rng.gauss(mean, sd)))


def _workday(
    scenario: Scenario,
    rng: random.Random,
    person: int,
    place: int,
    arrive: float,
    leave: float,
    *,
    lunch: bool = True,
) -> list[Stay]:
    """An office worker's stays at one desk: arrival, breaks, lunch, departure (hours)."""
    away: list[tuple[float, float]] = []
    if lunch and rng.random() < 0.85:
        start = _minutes(rng, 12.1, 0.25, 11.4, 13.0)
        away.append((start, start + rng.uniform(25, 50) / 60))
    for _ in range(rng.randint(1, 3)):
        start = rng.uniform(arrive + 0.3, max(arrive + 0.4, leave - 0.5))
        away.append((start, start + rng.uniform(4, 15) / 60))
    away.sort()
    stays: list[Stay] = []
    t = arrive
    for start, end in away:
        if start <= t or end >= leave:
            continue
        stays.append(Stay(person, place, scenario.at(t), scenario.at(start), "desk"))
        t = end
    stays.append(Stay(person, place, scenario.at(t), scenario.at(leave), "desk"))
    return stays


def deep_office_people(scenario: Scenario, rng: random.Random) -> dict[int, list[Stay]]:
    """Eight workers, two at each of the four desk rows."""
    stays: list[Stay] = []
    for person in range(8):
        arrive = _minutes(rng, 8.25, 0.4, 7.5, 10.0)
        leave = _minutes(rng, 16.75, 0.6, 15.0, 17.9)
        stays += _workday(scenario, rng, person, person // 2, arrive, leave)
    return {0: stays}


def classroom_people(scenario: Scenario, rng: random.Random) -> dict[int, list[Stay]]:
    """A teacher and 24 pupils through four lessons; the room is empty in the breaks."""
    lessons = ((8.5, 10.0), (10.25, 11.75), (12.5, 14.0), (14.25, 15.5))
    stays: list[Stay] = []
    for start, end in lessons:
        teacher_in = start - rng.uniform(3, 10) / 60
        stays.append(Stay(0, 1, scenario.at(teacher_in), scenario.at(end + 0.05), "active"))
        for pupil in range(1, 25):
            arrive = start - rng.uniform(0, 5) / 60
            leave = end + rng.uniform(0, 2) / 60
            stays.append(Stay(pupil, pupil % 3, scenario.at(arrive), scenario.at(leave), "desk"))
    return {0: stays}


def _pass(scenario: Scenario, rng: random.Random, person: int, hour: float) -> Stay:
    start = scenario.at(hour)
    return Stay(person, 0, start, start + rng.uniform(6, 14), "pass")


def home_people(scenario: Scenario, rng: random.Random) -> dict[int, list[Stay]]:
    """Two people home from work: cooking, then sitting still in the living room; trips out."""
    living, kitchen, hall = 0, 1, 2
    rooms: dict[int, list[Stay]] = {living: [], kitchen: [], hall: []}
    for person, (arrive, chair, usual_bed) in enumerate(((17.6, 0, 23.2), (18.4, 1, 22.8))):
        t = _minutes(rng, arrive, 0.25, 16.8, 19.0)
        rooms[hall].append(_pass(scenario, rng, person, t))
        t += 20 / 3600
        dinner = _minutes(rng, 18.5, 0.1, max(18.2, t + 0.05), 18.9)
        if dinner > t + 0.05:
            rooms[living].append(Stay(person, chair, scenario.at(t), scenario.at(dinner), "still"))
            rooms[hall].append(_pass(scenario, rng, person, dinner))
            t = dinner + 20 / 3600
        end_dinner = _minutes(rng, 19.2, 0.1, t + 0.4, 19.6)
        rooms[kitchen].append(Stay(person, 0, scenario.at(t), scenario.at(end_dinner), "active"))
        rooms[hall].append(_pass(scenario, rng, person, end_dinner))
        t = end_dinner + 20 / 3600
        bed = _minutes(rng, usual_bed, 0.25, 22.0, 23.8)
        while t < bed:
            sit = min(bed, t + rng.uniform(35, 100) / 60)
            rooms[living].append(Stay(person, chair, scenario.at(t), scenario.at(sit), "still"))
            rooms[hall].append(_pass(scenario, rng, person, sit))
            if sit >= bed:
                break
            back = sit + rng.uniform(3, 9) / 60
            rooms[kitchen].append(
                Stay(person, 0, scenario.at(sit + 20 / 3600), scenario.at(back), "active")
            )
            rooms[hall].append(_pass(scenario, rng, person, back))
            t = back + 20 / 3600
    return rooms


def corridor_people(scenario: Scenario, rng: random.Random) -> dict[int, list[Stay]]:
    """Brief passes: quiet hours, and peaks at arrival, lunch and departure."""
    peaks = ((7.9, 9.0, 1.2), (11.9, 13.1, 1.0), (16.7, 17.9, 1.2))
    passes: list[Stay] = []
    person = 0
    minute = 7 * 60
    while minute < 19 * 60:
        hour = minute / 60
        rate = 0.35 if 7.5 <= hour < 18.5 else 0.05
        rate = max([rate, *(r for a, b, r in peaks if a <= hour < b)])
        for _ in range(_poisson(rng, rate)):
            passes.append(_pass(scenario, rng, person, hour + rng.uniform(0, 1) / 60))
            person += 1
        minute += 1
    return {2: passes}


def _poisson(rng: random.Random, mean: float) -> int:
    count, t = 0, rng.expovariate(1.0)
    while t < mean:
        count += 1
        t += rng.expovariate(1.0)
    return count


def faults_people(scenario: Scenario, rng: random.Random) -> dict[int, list[Stay]]:
    """Two workers in each of four cellular offices."""
    rooms: dict[int, list[Stay]] = {}
    for group in range(4):
        stays: list[Stay] = []
        for seat in range(2):
            arrive = _minutes(rng, 8.3, 0.4, 7.6, 9.5)
            leave = _minutes(rng, 17.0, 0.5, 15.5, 18.5)
            stays += _workday(scenario, rng, seat, seat, arrive, leave)
        rooms[group] = stays
    return rooms


# --- the scenarios ----------------------------------------------------------------------------

DEEP_OFFICE = Scenario(
    key="deep_office",
    title="Deep-plan office, clear winter day at 60 N (Helsinki, 14 January)",
    day=date(2026, 1, 14),
    start=time(7, 0),
    end=time(18, 0),
    latitude=60.17,
    longitude=24.94,
    time_zone="Europe/Helsinki",
    sky="clear",
    rooms=(
        RoomSpec(
            group=0,
            key="office",
            name="Open office",
            target_lux=500.0,
            rated_watts=288.0,
            luminaires="8 x 36 W LED panels",
            places=(
                Place("window desk 1.5 m", 1.5, 0.045, 640.0),
                Place("desk 4 m", 4.0, 0.02, 700.0),
                Place("desk 7 m", 7.0, 0.009, 680.0),
                Place("inner desk 10 m", 10.0, 0.004, 600.0),
            ),
            sensor=SensorSpot(daylight_factor=0.03, lamp_lux_at_full=380.0, patch_view=0.08),
            tunable_white=True,
            vacancy_minutes=15.0,
            window=Window(facade_azimuth=180.0, sill_m=0.9, head_m=2.7),
            blinds=Blinds(
                close_after_s=300.0, open_after_s=3600.0, diffuse_share=0.3, direct_share=0.05
            ),
        ),
    ),
    schedule=deep_office_people,
)

CLASSROOM = Scenario(
    key="classroom",
    title="Classroom with automatic blinds, broken clouds in April at 52 N (Amsterdam)",
    day=date(2026, 4, 15),
    start=time(8, 0),
    end=time(16, 0),
    latitude=52.37,
    longitude=4.90,
    time_zone="Europe/Amsterdam",
    sky="mixed",
    rooms=(
        RoomSpec(
            group=0,
            key="classroom",
            name="Classroom",
            target_lux=500.0,
            rated_watts=336.0,
            luminaires="12 x 28 W LED panels",
            places=(
                Place("window row 1.2 m", 1.2, 0.06, 620.0),
                Place("middle row 3.5 m", 3.5, 0.025, 680.0),
                Place("wall row 6.5 m", 6.5, 0.01, 610.0),
            ),
            sensor=SensorSpot(daylight_factor=0.035, lamp_lux_at_full=300.0, patch_view=0.12),
            tunable_white=True,
            vacancy_minutes=15.0,
            window=Window(facade_azimuth=135.0, sill_m=0.8, head_m=3.0),
            blinds=Blinds(close_after_s=60.0, open_after_s=900.0),
        ),
    ),
    schedule=classroom_people,
)

HOME_EVENING = Scenario(
    key="home_evening",
    title="Home on a November evening at 52 N: people sitting still",
    day=date(2026, 11, 18),
    start=time(16, 30),
    end=time(0, 0),
    latitude=52.37,
    longitude=4.90,
    time_zone="Europe/Amsterdam",
    sky="overcast",
    rooms=(
        RoomSpec(
            group=0,
            key="living",
            name="Living room",
            target_lux=200.0,
            rated_watts=60.0,
            luminaires="4 x 15 W LED downlights",
            places=(
                Place("sofa 3 m", 3.0, 0.015, 300.0),
                Place("reading chair 1.5 m", 1.5, 0.03, 260.0),
            ),
            sensor=SensorSpot(daylight_factor=0.01, lamp_lux_at_full=140.0, patch_view=0.0),
            tunable_white=True,
            vacancy_minutes=15.0,
            window=Window(facade_azimuth=270.0, sill_m=0.6, head_m=2.3),
        ),
        RoomSpec(
            group=1,
            key="kitchen",
            name="Kitchen",
            target_lux=300.0,
            rated_watts=45.0,
            luminaires="3 x 15 W LED downlights",
            places=(Place("worktop", 2.0, 0.01, 420.0),),
            sensor=SensorSpot(daylight_factor=0.008, lamp_lux_at_full=250.0, patch_view=0.0),
            tunable_white=True,
            vacancy_minutes=10.0,
            window=Window(facade_azimuth=0.0, sill_m=1.0, head_m=2.2),
        ),
        RoomSpec(
            group=2,
            key="hallway",
            name="Hallway",
            target_lux=100.0,
            rated_watts=20.0,
            luminaires="2 x 10 W LED downlights",
            places=(Place("floor", 0.0, 0.0, 180.0, height_m=0.0),),
            sensor=SensorSpot(daylight_factor=0.0, lamp_lux_at_full=110.0, patch_view=0.0),
            tunable_white=False,
            vacancy_minutes=5.0,
            pir_hold_s=30.0,
        ),
    ),
    schedule=home_people,
)

CORRIDOR = Scenario(
    key="corridor",
    title="Windowless office corridor, brief passes, 5-minute timeout",
    day=date(2026, 3, 18),
    start=time(7, 0),
    end=time(19, 0),
    latitude=52.37,
    longitude=4.90,
    time_zone="Europe/Amsterdam",
    sky="overcast",
    rooms=(
        RoomSpec(
            group=2,
            key="corridor",
            name="Corridor",
            target_lux=100.0,
            rated_watts=60.0,
            luminaires="4 x 15 W LED downlights",
            places=(Place("floor", 0.0, 0.0, 200.0, height_m=0.0),),
            sensor=SensorSpot(daylight_factor=0.0, lamp_lux_at_full=120.0, patch_view=0.0),
            tunable_white=False,
            vacancy_minutes=5.0,
            pir_hold_s=30.0,
        ),
    ),
    schedule=corridor_people,
)


def _cellular(group: int, key: str, name: str, dt8: bool) -> RoomSpec:
    return RoomSpec(
        group=group,
        key=key,
        name=name,
        target_lux=500.0,
        rated_watts=72.0,
        luminaires="2 x 36 W LED panels",
        places=(Place("desk 2 m", 2.0, 0.025, 600.0), Place("desk 4 m", 4.0, 0.011, 570.0)),
        sensor=SensorSpot(daylight_factor=0.018, lamp_lux_at_full=320.0, patch_view=0.1),
        tunable_white=dt8,
        vacancy_minutes=15.0,
        window=Window(facade_azimuth=90.0, sill_m=0.9, head_m=2.6),
        blinds=Blinds(
            close_after_s=300.0, open_after_s=2400.0, diffuse_share=0.3, direct_share=0.05
        ),
    )


SENSOR_FAULTS = Scenario(
    key="sensor_faults",
    title="Four cellular offices with broken sensors, broken clouds in March, until 23:00",
    day=date(2026, 3, 18),
    start=time(7, 0),
    end=time(23, 0),
    latitude=52.37,
    longitude=4.90,
    time_zone="Europe/Amsterdam",
    sky="mixed",
    rooms=(
        _cellular(0, "office_a", "Office A (lux sensor unavailable from 09:30)", True),
        _cellular(1, "office_b", "Office B (lux sensor stuck at 900 lx from 08:45)", True),
        _cellular(2, "office_c", "Office C (motion sensor stuck on from 12:00)", False),
        _cellular(3, "office_d", "Office D (healthy sensors)", False),
    ),
    schedule=faults_people,
    faults=(
        Fault(0, "lux_unavailable", time(9, 30)),
        Fault(1, "lux_stuck", time(8, 45), 900.0),
        Fault(2, "motion_stuck_on", time(12, 0)),
    ),
)

SCENARIOS: dict[str, Scenario] = {
    s.key: s for s in (DEEP_OFFICE, CLASSROOM, HOME_EVENING, CORRIDOR, SENSOR_FAULTS)
}
