"""Retention pruning."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from custom_components.smart_lighting_ai.store import ProfileCipher, Store

from .common import ENTRY, NOW, OTHER

OLD = NOW - timedelta(days=40)
CUTOFF = NOW - timedelta(days=30)
PRUNED_TABLES = {"features", "decisions", "overrides", "telemetry", "weather"}


async def _rows_at(store: Store, entry_id: str, moment: datetime, tag: str) -> None:
    await store.add_features(entry_id, moment, [(0, {"tag": tag})], 5)
    await store.add_decision(
        entry_id,
        moment,
        0,
        brightness_pct=10,
        color_temp_kelvin=None,
        confidence=1,
        reason=tag,
        source="local",
        applied=True,
    )
    await store.add_override(
        entry_id,
        moment,
        0,
        expires=moment + timedelta(hours=1),
        origin=tag,
    )
    await store.add_telemetry(entry_id, tag, {"frames": 1}, moment)
    await store.add_weather(entry_id, moment, {"tag": tag})


async def test_prune_deletes_old_rows_and_keeps_fresh_ones(store: Store) -> None:
    cipher = ProfileCipher([ProfileCipher.generate_key()])
    await _rows_at(store, ENTRY, OLD, "old")
    await _rows_at(store, ENTRY, NOW, "fresh")
    await store.put_profile(ENTRY, 0, {"max": 80}, cipher, OLD)
    # Old but still running (expires after the cutoff): an override is kept.
    await store.add_override(ENTRY, OLD, 1, expires=NOW + timedelta(days=1), origin="long")

    deleted = await store.prune(ENTRY, CUTOFF)

    assert deleted == dict.fromkeys(PRUNED_TABLES, 1)
    counts = await store.count_rows(ENTRY)
    assert counts == {**dict.fromkeys(PRUNED_TABLES, 1), "overrides": 2, "profiles": 1}
    latest = await store.latest_features(ENTRY, 0)
    assert latest is not None
    assert latest.data == {"tag": "fresh"}
    assert await store.telemetry(ENTRY) == {"frames": 1.0}
    assert [row.origin for row in await store.active_overrides(ENTRY, NOW)] == ["fresh", "long"]
    assert await store.get_profile(ENTRY, 0, cipher) == {"max": 80}


async def test_prune_is_scoped_to_the_entry(store: Store) -> None:
    await _rows_at(store, ENTRY, OLD, "old")
    await _rows_at(store, OTHER, OLD, "old")

    assert await store.prune(ENTRY, CUTOFF) == dict.fromkeys(PRUNED_TABLES, 1)
    assert await store.count("features", OTHER) == 1

    assert await store.prune(None, CUTOFF) == dict.fromkeys(PRUNED_TABLES, 1)
    assert await store.count_rows(None) == dict.fromkeys([*PRUNED_TABLES, "profiles"], 0)


async def test_prune_removes_cleared_overrides_once_old(store: Store) -> None:
    await store.add_override(ENTRY, OLD, 1, expires=NOW + timedelta(days=1), origin="ui")
    assert await store.clear_overrides(ENTRY, 1, OLD) == 1
    assert (await store.prune(ENTRY, CUTOFF))["overrides"] == 1


async def test_prune_works_in_batches(store: Store) -> None:
    rows = [(group, {"n": group}) for group in range(1234)]
    await store.add_features(ENTRY, OLD, rows, 5)
    await store.add_features(ENTRY, NOW, [(0, {"n": "fresh"})], 5)

    deleted = await store.prune(ENTRY, CUTOFF, batch_size=500)

    assert deleted["features"] == 1234
    assert await store.count("features", ENTRY) == 1


async def test_writes_interleave_with_a_long_prune(store: Store) -> None:
    await store.add_features(ENTRY, OLD, [(group, {}) for group in range(2000)], 5)
    pruning = asyncio.create_task(store.prune(ENTRY, CUTOFF, batch_size=20))
    await asyncio.sleep(0)

    await store.add_weather(ENTRY, NOW, {"during": "prune"})

    assert not pruning.done()
    assert (await pruning)["features"] == 2000
    latest = await store.latest_weather(ENTRY)
    assert latest is not None
    assert latest.data == {"during": "prune"}


async def test_prune_rejects_an_empty_batch(store: Store) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        await store.prune(ENTRY, CUTOFF, batch_size=0)
