"""The scores and baselines of the simulation, on hand-made minutes (no Home Assistant)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest

from simulation.baselines import always_on, circadian_only, occupancy_only
from simulation.physics import arc_for_output, output_fraction, power_watts
from simulation.scenario import DEFAULT_ROOMS, DayData, RoomDay, Scenario, WeatherState, build_day
from simulation.scoring import comfort_detail, score_room
from simulation.trace import RoomTrace, StrategyRun, trace_from_levels

OFFICE = DEFAULT_ROOMS[0]  # target 500 lx, 160 W, 650 lx at full


def _day(occupied: list[bool], daylight: float = 100.0) -> DayData:
    count = len(occupied)
    start = datetime(2026, 3, 18, 11, 0, tzinfo=UTC)
    day = DayData(
        scenario=replace(Scenario(), rooms=(OFFICE,), warmup_minutes=1),
        sky="overcast",
        minutes=[start + timedelta(minutes=i) for i in range(count)],
        scored_from=1,
        sun_elevation=[30.0] * count,
        weather=[WeatherState("cloudy", 95, 8.0)] * count,
    )
    day.rooms[0] = RoomDay(OFFICE, occupied, occupied, [daylight] * count, [1.0] * count)
    return day


def test_lamp_model_follows_the_logarithmic_curve() -> None:
    assert output_fraction(0) == 0
    assert output_fraction(254) == pytest.approx(1.0)
    assert output_fraction(1) == pytest.approx(0.001)
    assert power_watts(254, OFFICE) == pytest.approx(160.0)
    assert arc_for_output(1.0) == 254
    assert arc_for_output(0.0) == 0
    assert output_fraction(arc_for_output(0.25)) == pytest.approx(0.25, rel=0.02)


def test_energy_comfort_and_changes() -> None:
    occupied = [False, True, True, True, True, True, False]
    day = _day(occupied)
    levels = [0, 254, 254, 100, 100, 254, 254]
    kelvins: list[int | None] = [4000] * len(levels)
    trace = trace_from_levels(day, 0, levels, kelvins)
    scores = score_room(day, 0, trace)
    # minute 0 is warm-up; six scored minutes at 254, 254, 100, 100, 254, 254
    watt_minutes = 4 * 160.0 + 2 * power_watts(100, OFFICE)
    assert scores.energy_kwh == pytest.approx(watt_minutes / 60 / 1000)
    # 100 gives 650 * 2.8 % = 18 lx + 100 lx daylight: below 90 % of 500 lx while occupied
    assert scores.below_target_minutes == 2
    # switching on at the arrival (minute 1) is not counted; 254 -> 100 and back are
    assert scores.changes_while_occupied == 2
    assert scores.undone_changes == 1  # the drop leaves the desk in the dark
    detail = comfort_detail(day, StrategyRun("test", {0: trace}))
    assert (detail.dark_arrivals, detail.arrivals_left_in_the_dark) == (1, 0)
    assert (detail.below_while_on, detail.below_while_off) == (2, 0)


def test_manual_and_colour_changes() -> None:
    occupied = [True] * 5
    day = _day(occupied)
    trace = RoomTrace(
        level=[200, 200, 200, 0, 0],
        kelvin=[3000, 3000, 3500, 3500, 4000],
        lux=[600.0, 600.0, 600.0, 100.0, 100.0],
        manual={3},
    )
    scores = score_room(day, 0, trace)
    assert scores.changes_while_occupied == 1  # the colour change while lit; not the person's off
    assert scores.undone_changes == 0
    assert scores.below_target_minutes == 2


def test_baselines_on_a_generated_day() -> None:
    scenario = replace(Scenario(), start=time(7, 0), end=time(8, 0))
    day = build_day(scenario, "clear")
    on = always_on(day)
    for trace in on.rooms.values():
        assert trace.level[: day.scored_from] == [0] * day.scored_from
        assert set(trace.level[day.scored_from :]) == {254}
    presence = occupancy_only(day)
    for group, trace in presence.rooms.items():
        motion = day.rooms[group].motion
        for i, level in enumerate(trace.level):
            recent = any(motion[max(0, i - int(scenario.vacancy_minutes) + 1) : i + 1])
            assert (level > 0) == recent
    circadian = circadian_only(day)
    office = circadian.rooms[0]
    assert all(level > 0 for level in office.level[day.scored_from :])
    assert all(2700 <= (k or 0) <= 6500 for k in office.kelvin[day.scored_from :])
    assert circadian.rooms[2].kelvin == [None] * len(day.minutes)  # dimmable only
