"""Lamp output over time: readings are paired with the output in force when they were taken."""

from __future__ import annotations

from datetime import timedelta

from custom_components.smart_lighting_ai.predictor.lamp_history import SETTLE_S, LampHistory

from .common import NOON

S = timedelta(seconds=1)


def test_unknown_group() -> None:
    history = LampHistory()
    assert history.output_at(0, NOON) is None
    assert history.latest(0) is None
    assert history.changes(0, NOON) == []


def test_output_in_force_and_fades() -> None:
    history = LampHistory()
    history.record(1, NOON, 1.0)
    history.record(1, NOON + 60 * S, 0.0, fade_s=2.0)
    assert history.output_at(1, NOON - timedelta(days=1)) == 1.0  # first value: since forever
    assert history.output_at(1, NOON + 30 * S) == 1.0
    # a reading dated the instant of the change was taken before it: the change answered it
    assert history.output_at(1, NOON + 60 * S) == 1.0
    assert history.output_at(1, NOON + 61 * S) is None  # fading
    assert history.output_at(1, NOON + (60 + 2 + SETTLE_S - 0.5) * S) is None  # settling
    assert history.output_at(1, NOON + (60 + 2 + SETTLE_S) * S) == 0.0
    assert history.latest(1) == 0.0
    assert history.output_at(2, NOON) is None


def test_only_changes_are_recorded() -> None:
    history = LampHistory()
    history.record(0, NOON, 0.5)
    history.record(0, NOON + 10 * S, 0.5)
    history.record(0, NOON + 20 * S, 0.8, fade_s=1.0)
    history.record(0, NOON + 30 * S, 0.8)
    history.record(0, NOON + 40 * S, 0.1)
    assert history.changes(0, NOON - S) == [(NOON + 20 * S, 0.5, 0.8), (NOON + 40 * S, 0.8, 0.1)]
    assert history.changes(0, NOON + 25 * S) == [(NOON + 40 * S, 0.8, 0.1)]
    # A repeated value does not restart a fade: 0.8 is settled at +30 s.
    assert history.output_at(0, NOON + 30 * S) == 0.8


def test_bounded_to_three_hours_plus_the_value_in_force() -> None:
    history = LampHistory()
    for minute in range(0, 600, 10):
        history.record(0, NOON + timedelta(minutes=minute), (minute % 20) / 20 + 0.1)
    last = NOON + timedelta(minutes=590)
    changes = history.changes(0, NOON - timedelta(days=1))
    assert len(changes) <= 3 * 6 + 1
    assert changes[0][0] >= last - timedelta(hours=3)
    # Three hours back, the value in force then is still known.
    three_hours_back = last - timedelta(hours=3) + timedelta(minutes=1)
    assert history.output_at(0, three_hours_back) is not None


def test_late_records_are_kept_in_order() -> None:
    history = LampHistory()
    history.record(0, NOON + 60 * S, 0.6)
    history.record(0, NOON, 0.2)
    assert history.output_at(0, NOON + 30 * S) == 0.2
    assert history.output_at(0, NOON + 120 * S) == 0.6
