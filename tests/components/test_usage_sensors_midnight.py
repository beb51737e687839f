"""The AI usage sensors across local midnight: value and last_reset change together.

Long-term statistics of a ``total`` sensor start a new cycle whenever ``last_reset`` moves and
count the value it then shows as growth: a state pairing yesterday's value with today's reset
would be counted twice. The recorder's own statistics compile checks that it is not.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from itertools import pairwise
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import get_instance, history
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
    do_adhoc_statistics,
    statistics_during_period,
)

from custom_components.smart_lighting_ai.const import DOMAIN

from ..fake_openai import API_KEY, FakeOpenAI
from .common import ROOMS_OPTIONS

USAGE_KEYS = ("ai_calls_today", "ai_tokens_today")
TOKENS_PER_CALL = 321 + 45  # what the fake server reports for every answer


def _local(day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, tzinfo=dt_util.get_default_time_zone())


async def _at(hass: HomeAssistant, freezer: FrozenDateTimeFactory, when: datetime) -> None:
    """Move the clock to ``when`` and run whatever is due."""
    freezer.move_to(when)
    async_fire_time_changed(hass, when)
    await hass.async_block_till_done(wait_background_tasks=True)


async def _aggregate(hass: HomeAssistant) -> None:
    await hass.services.async_call(DOMAIN, "aggregate_now", {}, blocking=True, return_response=True)


def _usage_ids(hass: HomeAssistant) -> dict[str, str]:
    registry = er.async_get(hass)
    ids = {
        key: registry.async_get_entity_id("sensor", DOMAIN, f"simulated-{key}")
        for key in USAGE_KEYS
    }
    assert all(ids.values())
    return {key: str(entity_id) for key, entity_id in ids.items()}


def _reading(hass: HomeAssistant, entity_id: str) -> tuple[float, datetime]:
    state = hass.states.get(entity_id)
    assert state is not None
    last_reset = dt_util.parse_datetime(state.attributes["last_reset"])
    assert last_reset is not None
    return float(state.state), last_reset


@pytest.fixture
async def late_evening(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, fake_openai: FakeOpenAI
) -> MockConfigEntry:
    """The office on the OpenAI-compatible predictor, set up at 23:20 local; aggregating hourly."""
    freezer.move_to(_local(10, 23, 10))
    hass.states.async_set("binary_sensor.office_motion", "on")
    hass.states.async_set("binary_sensor.corridor_motion", "on")
    hass.states.async_set("sensor.office_lux", "40")
    await async_wait_recording_done(hass)
    freezer.move_to(_local(10, 23, 20))
    options = {
        **ROOMS_OPTIONS,
        "predictor": "openai",
        "api_key": API_KEY,
        "base_url": fake_openai.base_url,
        "feature_window_minutes": 60,  # the next scheduled cycle is at 00:20
    }
    entry = MockConfigEntry(
        domain=DOMAIN, data={"bus_type": "simulated"}, options=options, unique_id="simulated"
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert await async_setup_component(hass, "homeassistant", {})
    return entry


async def _recorded_states(hass: HomeAssistant, entity_id: str) -> list[State]:
    """Every recorded state of ``entity_id``, attribute-only changes (last_reset) included."""
    await async_wait_recording_done(hass)
    found = await get_instance(hass).async_add_executor_job(
        partial(
            history.get_significant_states,
            hass,
            _local(10, 23, 0),
            _local(11, 1, 0),
            [entity_id],
            include_start_time_state=False,
            significant_changes_only=False,
        )
    )
    return [
        s
        for s in found.get(entity_id, [])
        if isinstance(s, State) and s.state not in ("unknown", "unavailable")
    ]


def _assert_resets_restart_from_zero(states: list[State]) -> None:
    """last_reset moves only together with a value back at 0; otherwise the value never falls."""
    for before, after in pairwise(states):
        if after.attributes["last_reset"] != before.attributes["last_reset"]:
            assert float(after.state) == 0, (before, after)
        else:
            assert float(after.state) >= float(before.state), (before, after)


async def test_value_and_last_reset_change_together_at_midnight(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    late_evening: MockConfigEntry,
    fake_openai: FakeOpenAI,
) -> None:
    ids = _usage_ids(hass)
    calls = ids["ai_calls_today"]
    yesterday, today = _local(10, 0, 0), _local(11, 0, 0)

    for minute in (30, 45):
        await _at(hass, freezer, _local(10, 23, minute))
        await _aggregate(hass)
    before_midnight = len(fake_openai.requests)
    assert before_midnight >= 2

    await _at(hass, freezer, _local(10, 23, 59, 59))
    assert _reading(hass, calls) == (before_midnight, yesterday)
    assert _reading(hass, ids["ai_tokens_today"]) == (before_midnight * TOKENS_PER_CALL, yesterday)

    await _at(hass, freezer, _local(11, 0, 0, 0))
    await _at(hass, freezer, _local(11, 0, 0, 1))
    # someone refreshes the sensors from the UI: a state written now must not pair
    # yesterday's value with today's reset
    await hass.services.async_call(
        "homeassistant", "update_entity", {"entity_id": list(ids.values())}, blocking=True
    )
    assert len(fake_openai.requests) == before_midnight
    assert _reading(hass, calls) == (0, today)
    assert _reading(hass, ids["ai_tokens_today"]) == (0, today)

    await _at(hass, freezer, _local(11, 0, 20, 30))  # the scheduled cycle: the day's first call
    after_midnight = len(fake_openai.requests) - before_midnight
    assert after_midnight >= 1
    assert _reading(hass, calls) == (after_midnight, today)
    assert _reading(hass, ids["ai_tokens_today"]) == (after_midnight * TOKENS_PER_CALL, today)

    for entity_id in ids.values():
        recorded = await _recorded_states(hass, entity_id)
        assert len({s.attributes["last_reset"] for s in recorded}) == 2
        _assert_resets_restart_from_zero(recorded)

    # The real long-term statistics compile, every 5-minute period from 23:20 to 00:25.
    start = _local(10, 23, 20)
    for index in range(14):
        do_adhoc_statistics(hass, start=dt_util.as_utc(start + timedelta(minutes=5 * index)))
    await async_wait_recording_done(hass)
    stats: dict[str, list[dict[str, Any]]] = await get_instance(hass).async_add_executor_job(
        partial(
            statistics_during_period,
            hass,
            dt_util.as_utc(start),
            dt_util.as_utc(_local(11, 0, 30)),
            {calls},
            "5minute",
            None,
            {"sum", "state", "last_reset"},
        )
    )
    rows = stats[calls]
    sums = [row["sum"] for row in rows]
    assert sums == sorted(sums)  # calls are never taken back
    assert sums[-1] == before_midnight + after_midnight  # every call counted once
    at_midnight = next(row for row in rows if row["start"] == dt_util.as_timestamp(today))
    assert at_midnight["sum"] == before_midnight  # the new day starts without counting anything


async def test_a_restart_after_midnight_starts_the_day_at_zero(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    late_evening: MockConfigEntry,
    fake_openai: FakeOpenAI,
) -> None:
    calls = _usage_ids(hass)["ai_calls_today"]
    await _at(hass, freezer, _local(10, 23, 30))
    await _aggregate(hass)
    yesterday = len(fake_openai.requests)
    assert _reading(hass, calls) == (yesterday, _local(10, 0, 0))

    assert await hass.config_entries.async_unload(late_evening.entry_id)
    await _at(hass, freezer, _local(11, 0, 5))
    assert await hass.config_entries.async_setup(late_evening.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _reading(hass, calls)[1] == _local(11, 0, 0)
    await _aggregate(hass)

    assert _reading(hass, calls) == (len(fake_openai.requests) - yesterday, _local(11, 0, 0))
