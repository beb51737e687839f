"""Aggregation on a database that refuses writes, and the prune at midnight, on real SQLite."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.smart_lighting_ai.const import DOMAIN
from custom_components.smart_lighting_ai.store import Store, StoreOperationError
from custom_components.smart_lighting_ai.store.connection import connect

from .common import runtime, setup_office

BUSY_TIMEOUT_MS = 50  # the store waits 10 s for a lock; a test need not


@pytest.fixture
def store_connections(monkeypatch: pytest.MonkeyPatch) -> list[sqlite3.Connection]:
    """The store's SQLite connections, opened with a short busy timeout."""
    opened: list[sqlite3.Connection] = []

    def _connect(path: Path) -> sqlite3.Connection:
        conn = connect(path)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        opened.append(conn)
        return conn

    monkeypatch.setattr("custom_components.smart_lighting_ai.store.database.connect", _connect)
    return opened


def _count_cycles(entry: MockConfigEntry) -> list[int]:
    """Count the decision cycles that follow aggregations."""
    cycles: list[int] = []

    async def _cycle() -> None:
        cycles.append(1)

    runtime(entry).pipeline.after_aggregation.append(_cycle)
    return cycles


async def _aggregate(hass: HomeAssistant) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, "aggregate_now", {}, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response)


def _store(entry: MockConfigEntry) -> Store:
    store = runtime(entry).pipeline.store
    assert store is not None
    return store


async def test_aggregate_now_on_a_locked_database_says_so(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    store_connections: list[sqlite3.Connection],
    caplog: pytest.LogCaptureFixture,
) -> None:
    office = await setup_office(hass, freezer)
    cycles = _count_cycles(office)
    holder = sqlite3.connect(hass.config.path("smart_lighting_ai.db"), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(HomeAssistantError) as err:
            await _aggregate(hass)
    finally:
        holder.close()
    assert err.value.translation_key == "database_unavailable"
    assert err.value.translation_domain == DOMAIN
    assert cycles == [1]  # the decision cycle still ran, before the action returned
    assert "feature rows not written" in caplog.text
    assert "database is locked" in caplog.text
    assert await _store(office).count("features", office.entry_id) == 0

    freezer.tick(timedelta(minutes=1))
    assert (await _aggregate(hass))["feature_rows"] == 2  # unlocked: back to normal
    assert cycles == [1, 1]


async def _fill_to_the_brim(store: Store) -> int:
    """Write tiny rows until SQLite answers that the database is full; return how many fit."""
    for written in range(100_000):
        try:
            await store.add_features("filler", dt_util.utcnow(), [(0, {})], 5)
        except StoreOperationError as err:
            if "database or disk is full" not in str(err):
                raise
            return written
    raise AssertionError("the database never filled up")


async def test_aggregate_now_on_a_full_disk_says_so(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    store_connections: list[sqlite3.Connection],
    caplog: pytest.LogCaptureFixture,
) -> None:
    office = await setup_office(hass, freezer)
    cycles = _count_cycles(office)
    store = _store(office)
    conn = store_connections[-1]  # the store's live connection; the store is idle now
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own SQLITE_FULL from here
    assert await _fill_to_the_brim(store) > 0

    with pytest.raises(HomeAssistantError) as err:
        await _aggregate(hass)

    assert err.value.translation_key == "database_unavailable"
    assert cycles == [1]
    assert "database or disk is full" in caplog.text
    conn.execute("PRAGMA max_page_count = 1073741823")  # space freed
    freezer.tick(timedelta(minutes=1))
    assert (await _aggregate(hass))["feature_rows"] == 2


async def test_no_rooms_is_zero_rows_not_an_error(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    store_connections: list[sqlite3.Connection],
) -> None:
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    cycles = _count_cycles(entry)
    holder = sqlite3.connect(hass.config.path("smart_lighting_ai.db"), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        assert (await _aggregate(hass))["feature_rows"] == 0  # nothing to write, nothing failed
    finally:
        holder.close()
    assert cycles == [1]


async def test_scheduled_aggregation_keeps_going_on_a_locked_database(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    store_connections: list[sqlite3.Connection],
    caplog: pytest.LogCaptureFixture,
) -> None:
    office = await setup_office(hass, freezer)
    cycles = _count_cycles(office)
    holder = sqlite3.connect(hass.config.path("smart_lighting_ai.db"), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        freezer.tick(timedelta(minutes=5, seconds=1))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
    finally:
        holder.close()
    assert cycles == [1]
    assert "feature rows not written" in caplog.text
    assert "Traceback" not in caplog.text  # handled, not an error escaping a timer job

    freezer.tick(timedelta(minutes=5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert cycles == [1, 1]
    assert await _store(office).count("features", office.entry_id) == 2


def _prunes(caplog: pytest.LogCaptureFixture) -> int:
    return sum(r.getMessage().startswith("Retention prune") for r in caplog.records)


@pytest.fixture
async def before_midnight(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> MockConfigEntry:
    """An entry set up at 23:55 local time (pruned at start), with a row due for pruning."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(datetime(2026, 3, 10, 23, 55, 0, tzinfo=dt_util.get_time_zone("Europe/Berlin")))
    entry = MockConfigEntry(domain=DOMAIN, data={"bus_type": "simulated"}, unique_id="simulated")
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    store = _store(entry)
    await store.add_features(entry.entry_id, dt_util.utcnow() - timedelta(days=40), [(0, {})], 5)
    return entry


async def test_two_callers_at_midnight_prune_once(
    hass: HomeAssistant,
    before_midnight: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    pipeline = runtime(before_midnight).pipeline
    midnight = datetime(2026, 3, 11, 0, 0, 0, tzinfo=dt_util.get_time_zone("Europe/Berlin"))
    freezer.move_to(midnight)
    caplog.set_level(logging.INFO)
    caplog.clear()

    async with asyncio.timeout(30):  # and no deadlock
        await asyncio.gather(
            pipeline._async_prune_if_due(midnight), pipeline._async_prune_if_due(midnight)
        )

    assert _prunes(caplog) == 1
    assert await _store(before_midnight).count("features", before_midnight.entry_id) == 0


async def test_midnight_trigger_and_aggregation_at_the_same_instant_prune_once(
    hass: HomeAssistant,
    before_midnight: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cycles = _count_cycles(before_midnight)
    caplog.set_level(logging.INFO)
    caplog.clear()
    # 23:55 + one 5-minute window: the aggregation timer and the 00:00 trigger fire together
    freezer.move_to(datetime(2026, 3, 11, 0, 0, 0, tzinfo=dt_util.get_time_zone("Europe/Berlin")))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert cycles == [1]
    assert _prunes(caplog) == 1
    assert await _store(before_midnight).count("features", before_midnight.entry_id) == 0
