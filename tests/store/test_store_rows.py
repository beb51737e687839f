"""Round trips of every row type, and the store's calling conventions."""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from custom_components.smart_lighting_ai.store import (
    TABLES,
    DecisionRow,
    FeatureRow,
    OverrideRow,
    Store,
    StoreClosedError,
    StoreOperationError,
)

from .common import ENTRY, NOW, OTHER, raw_query, store_threads


async def test_features_round_trip(store: Store) -> None:
    created = await store.add_features(
        ENTRY, NOW, [(0, {"lux": 120.5, "occupied": True}), (1, {"lux": None})], 5
    )
    assert created == 2
    await store.add_features(OTHER, NOW + timedelta(minutes=5), [(0, {"lux": 1})], 5)

    latest = await store.latest_features(ENTRY, 0)
    assert latest is not None
    assert latest == FeatureRow(
        id=latest.id,
        entry_id=ENTRY,
        ts=NOW,
        group_id=0,
        window_minutes=5,
        data={"lux": 120.5, "occupied": True},
    )
    assert latest.ts.tzinfo is UTC
    assert (await store.latest_features(ENTRY, 1)) is not None
    assert await store.latest_features(ENTRY, 3) is None
    with pytest.raises(AttributeError):
        latest.group_id = 5  # type: ignore[misc]


async def test_latest_features_is_the_newest(store: Store) -> None:
    for minutes in (10, 0, 5):
        await store.add_features(ENTRY, NOW + timedelta(minutes=minutes), [(0, {"m": minutes})], 5)
    latest = await store.latest_features(ENTRY, 0)
    assert latest is not None
    assert latest.data == {"m": 10}


async def test_features_since_returns_newest_rows_oldest_first(store: Store) -> None:
    for step in range(5):
        await store.add_features(
            ENTRY, NOW + timedelta(minutes=5 * step), [(0, {"step": step}), (1, {"step": step})], 5
        )
    rows = await store.features_since(ENTRY, 0, NOW + timedelta(minutes=5), limit=2)
    assert [row.data["step"] for row in rows] == [3, 4]
    rows = await store.features_since(ENTRY, 0, NOW + timedelta(minutes=5))
    assert [row.data["step"] for row in rows] == [1, 2, 3, 4]
    every_group = await store.features_since(ENTRY, None, NOW + timedelta(minutes=20))
    assert sorted(row.group_id for row in every_group) == [0, 1]
    assert await store.features_since(OTHER, None, NOW) == []
    with pytest.raises(ValueError, match="limit"):
        await store.features_since(ENTRY, 0, NOW, limit=0)
    with pytest.raises(ValueError, match="limit"):
        await store.decisions_since(ENTRY, 0, NOW, limit=-1)


async def test_timestamps_are_utc_epoch_seconds(store: Store, db_path: Path) -> None:
    local = NOW.astimezone(timezone(timedelta(hours=2)))
    moment = local + timedelta(microseconds=123456)
    await store.add_features(ENTRY, moment, [(0, {})], 5)
    latest = await store.latest_features(ENTRY, 0)
    assert latest is not None
    assert latest.ts == moment
    assert latest.ts.utcoffset() == timedelta(0)
    assert latest.ts.microsecond == 123456
    assert raw_query(db_path, "SELECT typeof(ts), ts FROM features") == [
        ("real", moment.timestamp())
    ]


async def test_naive_timestamps_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        await store.add_features(ENTRY, datetime(2025, 1, 1), [(0, {})], 5)
    assert await store.count("features", ENTRY) == 0


async def test_decisions_round_trip(store: Store) -> None:
    first = await store.add_decision(
        ENTRY,
        NOW,
        2,
        brightness_pct=40.0,
        color_temp_kelvin=None,
        confidence=0.5,
        reason="dusk",
        source="local",
        applied=False,
        skip_reason="deadband",
    )
    second = await store.add_decision(
        ENTRY,
        NOW + timedelta(minutes=5),
        2,
        brightness_pct=55.5,
        color_temp_kelvin=3000,
        confidence=0.9,
        reason="occupied",
        source="openai",
        applied=True,
    )
    assert second > first
    latest = await store.latest_decision(ENTRY, 2)
    assert latest == DecisionRow(
        id=second,
        entry_id=ENTRY,
        ts=NOW + timedelta(minutes=5),
        group_id=2,
        brightness_pct=55.5,
        color_temp_kelvin=3000,
        confidence=0.9,
        reason="occupied",
        source="openai",
        applied=True,
        skip_reason=None,
    )
    history = await store.decisions_since(ENTRY, 2, NOW)
    assert [(row.id, row.applied, row.skip_reason) for row in history] == [
        (first, False, "deadband"),
        (second, True, None),
    ]
    assert await store.decisions_since(ENTRY, None, NOW, limit=1) == [latest]
    assert await store.latest_decision(ENTRY, 3) is None


async def test_overrides_active_and_cleared(store: Store) -> None:
    hour = timedelta(hours=1)
    older = await store.add_override(
        ENTRY, NOW - hour, 1, expires=NOW + hour, origin="ui", brightness_pct=20.0, is_on=True
    )
    newer = await store.add_override(
        ENTRY, NOW, 1, expires=NOW + 2 * hour, origin="wall_panel", is_on=False
    )
    await store.add_override(ENTRY, NOW - 2 * hour, 2, expires=NOW - hour, origin="ui")
    third = await store.add_override(ENTRY, NOW, 3, expires=NOW + hour, origin="automation")
    await store.add_override(OTHER, NOW, 1, expires=NOW + hour, origin="ui")

    active = await store.active_overrides(ENTRY, NOW)
    assert [(row.group_id, row.id) for row in active] == [(1, newer), (3, third)]
    assert active[0] == OverrideRow(
        id=newer,
        entry_id=ENTRY,
        ts=NOW,
        group_id=1,
        expires=NOW + 2 * hour,
        origin="wall_panel",
        brightness_pct=None,
        is_on=False,
        cleared=False,
    )
    assert older < newer
    later = await store.active_overrides(ENTRY, NOW + timedelta(minutes=90))
    assert [(row.group_id, row.id) for row in later] == [(1, newer)]
    assert await store.active_overrides(ENTRY, NOW + 3 * hour) == []

    assert await store.clear_overrides(ENTRY, 1, NOW) == 2
    assert [row.group_id for row in await store.active_overrides(ENTRY, NOW)] == [3]
    assert await store.clear_overrides(ENTRY, None, NOW) == 1
    assert await store.active_overrides(ENTRY, NOW) == []
    assert [row.group_id for row in await store.active_overrides(OTHER, NOW)] == [1]


async def test_telemetry_counters_add_up(store: Store) -> None:
    await store.add_telemetry(ENTRY, "2025-03-01", {"frames": 10, "errors": 1}, NOW)
    await store.add_telemetry(ENTRY, "2025-03-01", {"frames": 5.5}, NOW + timedelta(minutes=1))
    await store.add_telemetry(ENTRY, "2025-03-02", {"frames": 1, "ai_calls": 2}, NOW)
    await store.add_telemetry(OTHER, "2025-03-01", {"frames": 100}, NOW)

    assert await store.telemetry(ENTRY, "2025-03-01") == {"errors": 1.0, "frames": 15.5}
    assert await store.telemetry(ENTRY) == {"ai_calls": 2.0, "errors": 1.0, "frames": 16.5}
    assert await store.telemetry(ENTRY, "2024-01-01") == {}
    assert await store.telemetry(OTHER) == {"frames": 100.0}
    assert await store.count("telemetry", ENTRY) == 4


async def test_weather_round_trip(store: Store) -> None:
    assert await store.latest_weather(ENTRY) is None
    await store.add_weather(ENTRY, NOW, {"condition": "rainy", "cloud_coverage": 90})
    newest = await store.add_weather(ENTRY, NOW + timedelta(hours=1), {"condition": "sunny"})
    latest = await store.latest_weather(ENTRY)
    assert latest is not None
    assert (latest.id, latest.entry_id, latest.ts, latest.data) == (
        newest,
        ENTRY,
        NOW + timedelta(hours=1),
        {"condition": "sunny"},
    )


async def test_counts_and_delete_entry(store: Store) -> None:
    await store.add_features(ENTRY, NOW, [(0, {}), (1, {})], 5)
    await store.add_features(OTHER, NOW, [(0, {})], 5)
    await store.add_weather(ENTRY, NOW, {})
    assert await store.count_rows(ENTRY) == {
        **dict.fromkeys(TABLES, 0),
        "features": 2,
        "weather": 1,
    }
    assert await store.count("features", None) == 3
    with pytest.raises(ValueError, match="Unknown table"):
        await store.count("sqlite_master", ENTRY)

    deleted = await store.delete_entry(ENTRY)
    assert deleted == {**dict.fromkeys(TABLES, 0), "features": 2, "weather": 1}
    assert await store.count_rows(None) == {**dict.fromkeys(TABLES, 0), "features": 1}


async def test_database_errors_are_store_errors(store: Store) -> None:
    with pytest.raises(StoreOperationError, match="NOT NULL"):
        await store.add_decision(
            ENTRY,
            NOW,
            0,
            brightness_pct=None,  # type: ignore[arg-type]
            color_temp_kelvin=None,
            confidence=1.0,
            reason="",
            source="local",
            applied=True,
        )
    assert store.last_error is not None
    assert "NOT NULL" in store.last_error
    assert await store.count("decisions", ENTRY) == 0


def _is_open(store: Store) -> bool:
    return store.is_open


async def test_closed_store_refuses_work(db_path: Path) -> None:
    store = Store(db_path)
    assert not _is_open(store)
    with pytest.raises(StoreClosedError):
        await store.latest_weather(ENTRY)
    async with store:
        assert _is_open(store)
        assert store.path == db_path
        await store.open()  # already open: nothing happens
        assert len(store_threads()) == 1
    assert not _is_open(store)
    assert store_threads() == []
    with pytest.raises(StoreClosedError):
        await store.add_weather(ENTRY, NOW, {})
    with pytest.raises(StoreClosedError):
        await store.hold_writes()
    await store.close()  # closing twice is fine
    async with store:  # and it can be opened again
        assert await store.count("weather", ENTRY) == 0


async def test_supplied_executor_runs_every_call_off_the_loop(db_path: Path) -> None:
    loop_thread = threading.get_ident()
    seen: list[int] = []

    class SpyExecutor(ThreadPoolExecutor):
        def submit[T](
            self, fn: Callable[..., T], /, *args: Any, **kwargs: Any
        ) -> concurrent.futures.Future[T]:
            def wrapped() -> T:
                seen.append(threading.get_ident())
                return fn(*args, **kwargs)

            return super().submit(wrapped)

    executor = SpyExecutor(max_workers=1)
    try:
        async with Store(db_path, executor=executor) as store:
            await store.add_weather(ENTRY, NOW, {"a": 1})
            assert await store.latest_weather(ENTRY) is not None
            assert await store.health_check()
            assert store_threads() == []
        assert len(seen) >= 5
        assert loop_thread not in seen
        # The store leaves a supplied executor running.
        assert executor.submit(lambda: 42).result() == 42
    finally:
        executor.shutdown(wait=True)
