"""Schema creation and forward migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from custom_components.smart_lighting_ai.store import (
    TABLES,
    SchemaVersionError,
    Store,
    StoreError,
    StoreOperationError,
    schema,
)
from custom_components.smart_lighting_ai.store.schema import Migration

from .common import ENTRY, NOW, raw_query, store_threads


def _version(path: Path) -> int:
    return int(raw_query(path, "SELECT max(version) FROM schema_version")[0][0])


async def test_fresh_database_has_every_table_indexed_in_wal(db_path: Path) -> None:
    async with Store(db_path):
        pass
    names = {row[0] for row in raw_query(db_path, "SELECT name FROM sqlite_master")}
    for table in TABLES:
        assert table in names
        columns = {
            row[1]: row[3] for row in raw_query(db_path, f"PRAGMA table_info({table})")
        }  # name -> notnull
        assert columns["entry_id"] == 1
        assert columns["ts"] == 1
        indexed = [
            [col[2] for col in raw_query(db_path, f"PRAGMA index_info({index[1]})")]
            for index in raw_query(db_path, f"PRAGMA index_list({table})")
        ]
        assert ["entry_id", "ts"] in indexed, table
    assert _version(db_path) == schema.current_version() == 1
    assert raw_query(db_path, "PRAGMA journal_mode") == [("wal",)]


async def test_legacy_database_without_version_table_is_migrated(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE notes (text TEXT)")
    conn.execute("INSERT INTO notes VALUES ('kept')")
    conn.commit()
    conn.close()

    async with Store(db_path) as store:
        assert await store.add_features(ENTRY, NOW, [(0, {"lux": 1})], 5) == 1

    assert _version(db_path) == 1
    assert raw_query(db_path, "SELECT text FROM notes") == [("kept",)]


async def test_version_zero_row_is_migrated(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    conn.execute("INSERT INTO schema_version VALUES (0)")
    conn.commit()
    conn.close()

    async with Store(db_path) as store:
        assert await store.count_rows(ENTRY) == dict.fromkeys(TABLES, 0)
    assert _version(db_path) == 1
    assert raw_query(db_path, "SELECT count(*) FROM schema_version") == [(1,)]


async def test_older_database_gets_missing_migrations_in_order(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with Store(db_path) as store:
        await store.add_features(ENTRY, NOW, [(2, {"lux": 10})], 5)
    assert _version(db_path) == 1

    monkeypatch.setattr(
        schema,
        "MIGRATIONS",
        (
            *schema.MIGRATIONS,
            Migration(2, "add note", ("ALTER TABLE features ADD COLUMN note TEXT",)),
            Migration(3, "fill note", ("UPDATE features SET note = 'from v3'",)),
        ),
    )
    async with Store(db_path) as store:
        latest = await store.latest_features(ENTRY, 2)
        assert latest is not None
        assert latest.data == {"lux": 10}

    assert _version(db_path) == 3
    assert raw_query(db_path, "SELECT note FROM features") == [("from v3",)]


async def test_failed_migration_leaves_previous_version(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with Store(db_path):
        pass
    monkeypatch.setattr(
        schema,
        "MIGRATIONS",
        (
            *schema.MIGRATIONS,
            Migration(2, "broken", ("CREATE TABLE half_done (x)", "THIS IS NOT SQL")),
        ),
    )
    store = Store(db_path)
    with pytest.raises(StoreOperationError, match="syntax error"):
        await store.open()
    assert not store.is_open
    assert store.last_error is not None
    assert _version(db_path) == 1
    assert raw_query(db_path, "SELECT name FROM sqlite_master WHERE name = 'half_done'") == []
    assert store_threads() == []


async def test_newer_database_is_refused_and_left_alone(db_path: Path) -> None:
    async with Store(db_path):
        pass
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE schema_version SET version = 99")
    conn.commit()
    conn.close()

    store = Store(db_path)
    with pytest.raises(SchemaVersionError) as caught:
        await store.open()
    assert isinstance(caught.value, StoreError)
    assert caught.value.found == 99
    assert caught.value.supported == 1
    assert "99" in str(caught.value)
    assert not store.is_open
    assert store.recovered_from_corruption is None
    assert _version(db_path) == 99
    assert list(db_path.parent.glob("*.corrupt-*")) == []
    assert store_threads() == []


def test_migrations_must_be_numbered_in_sequence() -> None:
    conn = sqlite3.connect(":memory:")
    with pytest.raises(ValueError, match="numbered"):
        schema.migrate(conn, [Migration(2, "skips one", ())])
    conn.close()


def test_migrate_applies_only_what_is_missing() -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    steps = [
        Migration(1, "one", ("CREATE TABLE a (x)",)),
        Migration(2, "two", ("CREATE TABLE b (x)",)),
    ]
    assert schema.migrate(conn, steps[:1]) == [1]
    assert schema.migrate(conn, steps) == [2]
    assert schema.migrate(conn, steps) == []
    assert schema.read_version(conn) == 2
    assert schema.current_version([]) == 0
    conn.close()
