"""Health check, and a database file that disappears while running."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

import pytest

from custom_components.smart_lighting_ai.store import Store, StoreOperationError

from .common import ENTRY, NOW, flip_byte, flip_byte_reported_by_quick_check, raw_query

FAILED = "Database health check failed"
LOGGER = "custom_components.smart_lighting_ai.store"


def _failures(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if FAILED in record.getMessage()]


async def test_healthy_database(store: Store, caplog: pytest.LogCaptureFixture) -> None:
    assert await store.health_check()
    assert await store.health_check()
    assert store.last_error is None
    assert _failures(caplog) == []
    # The write probe leaves nothing behind.
    assert await store.count_rows(ENTRY) == dict.fromkeys(await store.count_rows(None), 0)


async def test_closed_store_is_unhealthy(db_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = Store(db_path)
    await store.open()
    await store.close()

    assert not await store.health_check()

    [record] = _failures(caplog)
    assert record.name == LOGGER
    assert record.levelno == logging.ERROR
    assert store.last_error == "the database is not open"


async def test_deleted_file_is_recreated(
    store: Store, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await store.add_weather(ENTRY, NOW, {"before": "delete"})
    for name in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        name.unlink(missing_ok=True)

    assert not await store.health_check()
    assert db_path.exists()
    assert len(_failures(caplog)) == 1
    assert "recreated" in (store.last_error or "")

    assert await store.health_check()
    assert store.last_error is None
    assert "passed again" in caplog.text
    await store.add_weather(ENTRY, NOW, {"after": "delete"})
    latest = await store.latest_weather(ENTRY)
    assert latest is not None
    assert latest.data == {"after": "delete"}
    assert await store.count("weather", ENTRY) == 1


async def test_write_after_deletion_is_not_lost(db_path: Path) -> None:
    store = Store(db_path)
    await store.open()
    await store.add_features(ENTRY, NOW, [(0, {"n": 1})], 5)
    db_path.unlink()

    await store.add_features(ENTRY, NOW, [(0, {"n": 2})], 5)

    assert db_path.exists()
    assert not await store.health_check()  # the recreation is reported once
    assert await store.health_check()
    await store.close()
    assert raw_query(db_path, "SELECT data FROM features") == [('{"n":2}',)]
    async with Store(db_path) as reopened:
        latest = await reopened.latest_features(ENTRY, 0)
        assert latest is not None
        assert latest.data == {"n": 2}


async def test_unusable_path_is_reported_until_fixed(
    store: Store, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db_path.unlink()
    db_path.mkdir()  # something that cannot be opened as a database

    assert not await store.health_check()
    assert not await store.health_check()
    first, second = _failures(caplog)
    assert first.levelno == logging.ERROR
    assert second.levelno == logging.WARNING
    assert "Cannot open database" in (store.last_error or "")
    with pytest.raises(StoreOperationError):
        await store.add_weather(ENTRY, NOW, {})

    db_path.rmdir()
    assert not await store.health_check()
    assert await store.health_check()
    await store.add_weather(ENTRY, NOW, {})
    assert await store.count("weather", ENTRY) == 1


async def test_failing_write_probe_is_unhealthy(
    store: Store, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute("DROP TABLE health_probe")
    conn.commit()
    conn.close()

    assert not await store.health_check()

    assert len(_failures(caplog)) == 1
    assert "health_probe" in (store.last_error or "")


async def test_damaged_pages_are_unhealthy(
    store: Store, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await store.add_features(ENTRY, NOW, [(group, {"pad": "x" * 300}) for group in range(400)], 5)
    await store.hold_writes()  # checkpoint: every page now lives in the main file
    await store.release_writes()
    offset = flip_byte_reported_by_quick_check(db_path)
    flip_byte(db_path, offset)
    # Another writer makes the store drop its page cache and read the file again.
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE poke (x)")
    conn.commit()
    conn.close()

    assert not await store.health_check()

    assert len(_failures(caplog)) == 1
    assert (store.last_error or "").startswith("integrity check reported")
    assert os.path.exists(db_path)


async def test_close_after_deletion_leaves_no_stale_journal(db_path: Path) -> None:
    store = Store(db_path)
    await store.open()
    await store.add_weather(ENTRY, NOW, {"gone": True})
    db_path.unlink()

    await store.close()

    assert not Path(f"{db_path}-wal").exists()
    assert not Path(f"{db_path}-shm").exists()
    async with Store(db_path) as reopened:
        assert reopened.recovered_from_corruption is None
        assert await reopened.latest_weather(ENTRY) is None
        assert await reopened.health_check()


async def test_close_after_a_failed_reopen(store: Store, db_path: Path) -> None:
    db_path.unlink()
    db_path.mkdir()
    assert not await store.health_check()

    await store.close()

    assert not store.is_open
