"""Weekly schedules and learned offsets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.smart_lighting_ai.predictor.schedule import (
    LEARN_RATE,
    MAX_OFFSET_PCT,
    MAX_STEP_PCT,
    decayed_offset,
    in_schedule,
    learn_offset,
    validate_schedule,
)

OFFICE = {"mon": ["07:00-12:00", "13:00-19:00"], "sat": ["09:00-13:00"]}


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (datetime(2026, 11, 23, 6, 59), False),  # Monday
        (datetime(2026, 11, 23, 7, 0), True),
        (datetime(2026, 11, 23, 12, 30), False),
        (datetime(2026, 11, 23, 18, 59), True),
        (datetime(2026, 11, 23, 19, 0), False),
        (datetime(2026, 11, 24, 10, 0), False),  # Tuesday: not in the schedule
        (datetime(2026, 11, 28, 10, 0), True),  # Saturday
    ],
)
def test_in_schedule(when: datetime, expected: bool) -> None:
    assert in_schedule(OFFICE, when) is expected


def test_no_schedule_means_always() -> None:
    assert in_schedule(None, datetime(2026, 11, 24, 3, 0))
    assert in_schedule({}, datetime(2026, 11, 24, 3, 0))


@pytest.mark.parametrize(
    "bad",
    [
        {"monday": ["07:00-19:00"]},
        {"mon": ["7-19"]},
        {"mon": ["19:00-07:00"]},
        {"mon": ["07:00-25:00"]},
    ],
)
def test_bad_schedules_are_refused(bad: dict[str, list[str]]) -> None:
    with pytest.raises(ValueError):
        validate_schedule(bad)


def test_learned_offset_moves_toward_the_choice_and_is_bounded() -> None:
    offset = 0.0
    for _ in range(3):
        offset = learn_offset(offset, chosen_pct=70, decided_pct=50)
    assert 0 < offset < 20
    for _ in range(50):
        offset = learn_offset(offset, chosen_pct=100, decided_pct=10)
    assert offset == MAX_OFFSET_PCT


def test_one_learning_step_is_small() -> None:
    """One lesson (one override) moves the offset at most 5 points, however far the slider went."""
    assert learn_offset(0.0, chosen_pct=5, decided_pct=90) == -MAX_STEP_PCT
    assert learn_offset(-18.0, chosen_pct=5, decided_pct=90) == -MAX_OFFSET_PCT
    assert learn_offset(0.0, chosen_pct=60, decided_pct=50) == pytest.approx(LEARN_RATE * 10)
    assert MAX_OFFSET_PCT <= 20.0


def test_learned_offset_decays() -> None:
    learned = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    assert decayed_offset(10.0, learned, learned + timedelta(days=7)) == 5.0
    assert decayed_offset(-10.0, learned, learned + timedelta(days=14)) == -2.5
    assert decayed_offset(10.0, learned, learned + timedelta(days=1), half_life_days=1) == 5.0
    assert decayed_offset(10.0, learned, learned + timedelta(days=365)) == 0.0
    assert decayed_offset(10.0, None, learned) == 10.0
    assert decayed_offset(10.0, learned, learned - timedelta(hours=1)) == 10.0
    with pytest.raises(ValueError):
        decayed_offset(10.0, learned, learned, half_life_days=0)
