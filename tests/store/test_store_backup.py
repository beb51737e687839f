"""Holding writes for a backup."""

from __future__ import annotations

import asyncio
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from custom_components.smart_lighting_ai.store import Store, StoreOperationError

from .common import ENTRY, NOW


async def _writer(store: Store, name: str, count: int) -> list[int]:
    ids = []
    for n in range(count):
        ids.append(await store.add_weather(ENTRY, NOW + timedelta(seconds=n), {"w": name, "n": n}))
        await asyncio.sleep(0)
    return ids


def _held(store: Store) -> bool:
    return store.writes_held


async def _rows_after_started_writes(store: Store) -> int:
    """Let the write tasks just created start, then count the rows.

    The store runs its jobs in order on one worker, so the count sees every write those tasks
    were let through: no real time has to pass to show that a write was held.
    """
    await asyncio.sleep(0)
    return await store.count("weather", ENTRY)


async def test_backup_during_concurrent_writes_loses_nothing(
    store: Store, db_path: Path, tmp_path: Path
) -> None:
    background = [asyncio.create_task(_writer(store, f"bg{i}", 30)) for i in range(3)]
    while await _rows_after_started_writes(store) == 0:
        pass  # hold while the writers are under way

    await store.hold_writes()
    assert _held(store)
    before_hold = await store.count("weather", ENTRY)  # reads work while held
    queued = asyncio.gather(*(_writer(store, f"held{i}", 5) for i in range(4)))
    assert await _rows_after_started_writes(store) == before_hold  # nothing slipped through
    assert not queued.done()
    assert await store.health_check()  # and health does not wait for the hold

    backup = tmp_path / "backup.db"
    shutil.copyfile(db_path, backup)  # the main file alone, as a backup would
    await store.release_writes()
    assert not _held(store)

    held_ids = await asyncio.wait_for(queued, timeout=10)
    await asyncio.gather(*background)
    assert all(len(ids) == 5 for ids in held_ids)

    async with Store(backup) as copy:
        assert copy.recovered_from_corruption is None
        assert await copy.health_check()
        assert await copy.count("weather", ENTRY) == before_hold
    assert await store.count("weather", ENTRY) == 3 * 30 + 4 * 5


async def test_held_writes_run_in_order_after_release(store: Store) -> None:
    await store.hold_writes()
    writes = [asyncio.create_task(store.add_weather(ENTRY, NOW, {"order": n})) for n in range(20)]
    assert await _rows_after_started_writes(store) == 0
    assert not any(task.done() for task in writes)

    await store.release_writes()
    late = await store.add_weather(ENTRY, NOW, {"order": "after release"})

    ids = [await task for task in writes]
    assert ids == sorted(ids)
    assert late > ids[-1]


async def test_holds_nest(store: Store) -> None:
    await store.hold_writes()
    await store.hold_writes()
    write = asyncio.create_task(store.add_weather(ENTRY, NOW, {}))
    await store.release_writes()
    assert await _rows_after_started_writes(store) == 0
    assert _held(store)
    assert not write.done()
    await store.release_writes()
    assert await asyncio.wait_for(write, timeout=10) > 0
    await store.release_writes()  # releasing an open gate does nothing
    assert not _held(store)


async def test_cancelled_held_write_is_skipped(store: Store) -> None:
    await store.hold_writes()
    kept = asyncio.create_task(store.add_weather(ENTRY, NOW, {"kept": True}))
    dropped = asyncio.create_task(store.add_weather(ENTRY, NOW, {"kept": False}))
    await asyncio.sleep(0)
    dropped.cancel()
    await store.release_writes()

    await kept
    with pytest.raises(asyncio.CancelledError):
        await dropped
    latest = await store.latest_weather(ENTRY)
    assert latest is not None
    assert latest.data == {"kept": True}
    assert await store.count("weather", ENTRY) == 1


async def test_held_write_that_fails_reports_to_its_caller(store: Store) -> None:
    await store.hold_writes()
    failing = asyncio.create_task(
        store.add_decision(
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
    )
    await asyncio.sleep(0)
    await store.release_writes()
    with pytest.raises(StoreOperationError):
        await failing


async def test_close_applies_held_writes(db_path: Path) -> None:
    store = Store(db_path)
    await store.open()
    await store.hold_writes()
    write = asyncio.create_task(store.add_weather(ENTRY, NOW, {"survives": "close"}))
    await asyncio.sleep(0)

    await store.close()

    assert (await write) > 0
    async with Store(db_path) as reopened:
        latest = await reopened.latest_weather(ENTRY)
        assert latest is not None
        assert latest.data == {"survives": "close"}


async def test_failed_hold_leaves_writes_flowing(store: Store, db_path: Path) -> None:
    db_path.unlink()
    db_path.mkdir()  # the checkpoint cannot reach the file

    with pytest.raises(StoreOperationError):
        await store.hold_writes()

    assert not _held(store)
    db_path.rmdir()
    assert await store.add_weather(ENTRY, NOW, {}) > 0


async def test_write_cancelled_after_release_still_lands(store: Store) -> None:
    await store.hold_writes()
    write = asyncio.create_task(store.add_weather(ENTRY, NOW, {"started": True}))
    await asyncio.sleep(0)
    await store.release_writes()  # the write is now in the executor
    write.cancel()

    with pytest.raises(asyncio.CancelledError):
        await write
    assert await store.count("weather", ENTRY) == 1
