"""The simulator's physics and scores on hand-made inputs (no Home Assistant)."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from simulation.baselines import occupancy_only, trimmed_to_target
from simulation.people import Stay, detections, pir_states
from simulation.physics import LightTimeline, output_fraction
from simulation.rooms import (
    Blinds,
    Place,
    RoomSpec,
    SensorSpot,
    Window,
    place_daylight,
    sensor_daylight,
)
from simulation.scenario import CLASSROOM, CORRIDOR, STEP_S, build_day
from simulation.scoring import score_room
from simulation.sky import (
    SkyLight,
    clear_diffuse,
    clear_direct_normal,
    overcast_diffuse,
    sky_series,
)

WINDOW = Window(facade_azimuth=180.0, sill_m=0.9, head_m=2.7, transmittance=0.6)
NEAR = Place("window desk", 1.0, 0.05, 600.0)
FAR = Place("back desk", 8.0, 0.01, 600.0)


def test_clear_sky_diffuse_light_is_well_below_20_klx() -> None:
    assert 12_000 < clear_diffuse(38.0) < 14_000
    assert clear_diffuse(90.0) < 20_000
    # the direct beam is the big part, and kept apart
    assert clear_direct_normal(38.0) > 80_000
    sky = SkyLight(clear_diffuse(60.0), clear_direct_normal(60.0), 60.0, 180.0)
    assert sky.global_horizontal > 4 * sky.diffuse_horizontal
    assert clear_diffuse(-6.0) == overcast_diffuse(-7.0, 1.0) == 0.0


def test_an_overcast_sky_has_no_direct_sun() -> None:
    series = sky_series("overcast", [30.0] * 50, [180.0] * 50, random.Random(1), STEP_S)
    assert all(light.direct_normal == 0.0 for light in series)
    assert all(6000 < light.diffuse_horizontal < 15000 for light in series)


def test_the_daylight_factor_applies_to_diffuse_light_only() -> None:
    # low winter sun from the south: its patch reaches the window desk, not the back desk
    sun = SkyLight(6000.0, 30_000.0, 20.0, 180.0)
    assert place_daylight(FAR, sun, WINDOW, None, closed=False) == pytest.approx(0.01 * 6000.0)
    near = place_daylight(NEAR, sun, WINDOW, None, closed=False)
    assert near == pytest.approx(0.05 * 6000.0 + sun.direct_horizontal * 0.6)
    assert near != pytest.approx(0.05 * sun.global_horizontal)
    # the sun behind the facade reaches nobody
    behind = replace(sun, azimuth=0.0)
    assert place_daylight(NEAR, behind, WINDOW, None, closed=False) == pytest.approx(300.0)


def test_closed_blinds_pass_only_a_small_share() -> None:
    sun = SkyLight(6000.0, 30_000.0, 20.0, 180.0)
    blinds = Blinds(diffuse_share=0.15, direct_share=0.03)
    open_lux = place_daylight(NEAR, sun, WINDOW, blinds, closed=False)
    closed_lux = place_daylight(NEAR, sun, WINDOW, blinds, closed=True)
    assert closed_lux < 0.05 * open_lux


def test_the_classroom_blinds_close_on_glare_and_the_window_row_goes_dark() -> None:
    day = build_day(CLASSROOM, 1)
    room = day.rooms[0]
    closings = [
        k for k in range(1, day.samples) if room.blinds_closed[k] and not room.blinds_closed[k - 1]
    ]
    assert closings, "the sun must reach the window row on a spring morning"
    k = closings[0]
    before, after = room.daylight[0][k - 1], room.daylight[0][k]
    assert before > 1000 > after
    assert after < 0.2 * before


def test_a_sensor_is_not_a_desk() -> None:
    room = RoomSpec(
        group=0,
        key="office",
        name="Office",
        target_lux=500.0,
        rated_watts=100.0,
        places=(NEAR, FAR),
        sensor=SensorSpot(daylight_factor=0.03, lamp_lux_at_full=300.0),
        tunable_white=False,
        vacancy_minutes=15.0,
        window=WINDOW,
    )
    overcast = SkyLight(10_000.0, 0.0, 30.0, 180.0)
    assert sensor_daylight(room, overcast, closed=False) == pytest.approx(300.0)
    assert place_daylight(FAR, overcast, WINDOW, None, closed=False) == pytest.approx(100.0)


def test_a_still_person_is_seen_far_less_often_than_a_walking_one() -> None:
    rng = random.Random(3)
    still = Stay(0, 0, 0.0, 3600.0, "still")
    walk = Stay(1, 0, 0.0, 12.0, "pass")
    seen_still = detections(still, rng)
    seen_walk = detections(walk, rng)
    assert len(seen_still) < 30  # an hour on the sofa: a handful of detections
    assert seen_walk
    assert seen_walk[0] < 1.5  # seen within a second and a half of coming in
    assert len(seen_walk) >= 4
    # with a 60 s hold the sensor goes off during the evening although the person stays
    states = pir_states([still], 60.0, rng)
    offs = [t for t, on in states if not on and t < still.end - 60.0]
    assert offs


def test_lamp_fade_reaches_its_level_at_the_end() -> None:
    light = LightTimeline()
    light.add(100.0, 254, 2.8)
    assert light.arc_at(99.9) == 0.0
    assert light.target_at(100.0) == 254
    assert output_fraction(light.arc_at(101.4)) < 0.2
    assert light.arc_at(102.8) == 254
    assert output_fraction(254) == pytest.approx(1.0)
    assert output_fraction(1) == pytest.approx(0.001)


def test_scores_of_a_pass_the_light_reaches_too_late() -> None:
    day = build_day(replace(CORRIDOR), 1)
    room = day.rooms[2]
    first = next(s for s in room.stays if s.start > day.scored_from)
    light = LightTimeline()
    light.add(first.end + 1.0, 254, 2.8)  # on after the person has gone
    scores = score_room(day, 2, light)
    assert scores.passes >= 1
    assert scores.passes_left >= 1
    # the PIR switch lights every pass within its latency, and never lit-empty
    switch = score_room(day, 2, occupancy_only(day).lights[2])
    assert switch.passes_left == 0
    assert switch.arrival_worst_s is not None
    assert switch.arrival_worst_s < 1.5
    assert switch.lit_empty_h == 0


def test_the_trimmed_reference_keeps_every_desk_at_target() -> None:
    day = build_day(CLASSROOM, 2)
    scores = score_room(day, 0, trimmed_to_target(day).lights[0])
    assert scores.below_minutes == 0
    assert scores.false_total == 0
