"""A corrupt or unusable database file at open."""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from custom_components.smart_lighting_ai.store import TABLES, Store, StoreOperationError

from .common import (
    ENTRY,
    NOW,
    flip_byte,
    flip_byte_reported_by_quick_check,
    raw_query,
    store_threads,
)


async def test_random_bytes_are_kept_aside_and_a_fresh_database_is_created(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    garbage = os.urandom(16384)
    db_path.write_bytes(garbage)
    Path(f"{db_path}-wal").write_bytes(b"stale wal")
    Path(f"{db_path}-shm").write_bytes(b"stale shm")

    async with Store(db_path) as store:
        moved = store.recovered_from_corruption
        assert moved is not None
        assert moved.parent == db_path.parent
        assert moved.name.startswith("smart_lighting_ai.db.corrupt-")
        assert moved.read_bytes() == garbage
        assert Path(f"{moved}-wal").read_bytes() == b"stale wal"
        assert await store.count_rows(ENTRY) == dict.fromkeys(TABLES, 0)
        await store.add_weather(ENTRY, NOW, {"fresh": True})
        assert await store.health_check()

    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "corrupt" in errors[0].getMessage()
    assert str(moved) in errors[0].getMessage()

    async with Store(db_path) as again:
        assert again.recovered_from_corruption is None
        assert await again.count("weather", ENTRY) == 1


async def test_damaged_pages_are_kept_aside(db_path: Path) -> None:
    async with Store(db_path) as store:
        await store.add_features(
            ENTRY, NOW, [(group, {"pad": "y" * 300}) for group in range(400)], 5
        )
    flip_byte(db_path, flip_byte_reported_by_quick_check(db_path))
    damaged = db_path.read_bytes()

    async with Store(db_path) as store:
        moved = store.recovered_from_corruption
        assert moved is not None
        assert moved.read_bytes() == damaged
        assert await store.count("features", ENTRY) == 0


async def test_two_recoveries_in_the_same_second_keep_both_files(db_path: Path) -> None:
    moved: list[Path] = []
    for _ in range(2):
        db_path.write_bytes(b"not a database at all, just text" * 200)
        async with Store(db_path) as store:
            assert store.recovered_from_corruption is not None
            moved.append(store.recovered_from_corruption)
    assert len(set(moved)) == 2
    assert all(path.exists() for path in moved)


async def test_unopenable_path_raises_and_leaves_no_thread(tmp_path: Path) -> None:
    path = tmp_path / "a-directory.db"
    path.mkdir()
    store = Store(path)

    with pytest.raises(StoreOperationError, match="Cannot open database"):
        await store.open()

    assert not store.is_open
    assert store.last_error is not None
    assert store_threads() == []
    assert not await store.health_check()


async def test_missing_parent_folder_is_created(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "folder" / "smart_lighting_ai.db"
    async with Store(path) as store:
        assert await store.health_check()
    assert path.exists()


async def test_malformed_table_root_is_kept_aside(db_path: Path) -> None:
    async with Store(db_path) as store:
        await store.add_features(ENTRY, NOW, [(0, {"lost": True})], 5)
    [(root,)] = raw_query(db_path, "SELECT rootpage FROM sqlite_master WHERE name = 'features'")
    [(page_size,)] = raw_query(db_path, "PRAGMA page_size")
    assert isinstance(root, int)
    assert isinstance(page_size, int)
    data = bytearray(db_path.read_bytes())
    data[(root - 1) * page_size : root * page_size] = bytes(page_size)
    db_path.write_bytes(data)

    async with Store(db_path) as store:
        assert store.recovered_from_corruption is not None
        assert store.recovered_from_corruption.read_bytes() == bytes(data)
        assert await store.latest_features(ENTRY, 0) is None
        assert await store.health_check()


async def test_failed_open_leaves_a_supplied_executor_running(tmp_path: Path) -> None:
    path = tmp_path / "a-directory.db"
    path.mkdir()
    executor = ThreadPoolExecutor(max_workers=1)
    try:
        with pytest.raises(StoreOperationError):
            await Store(path, executor=executor).open()
        assert executor.submit(lambda: "still running").result() == "still running"
    finally:
        executor.shutdown(wait=True)
