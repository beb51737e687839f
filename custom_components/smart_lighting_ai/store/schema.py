"""Schema (DDL) and forward migrations.

``schema_version`` holds one row with the version of the newest migration
applied. A database without that table is version 0. Each migration runs in its
own transaction together with the version bump, so a crash leaves the database
at the previous version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import SchemaVersionError
from .transaction import transaction

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Sequence

TABLES: tuple[str, ...] = ("features", "decisions", "overrides", "telemetry", "weather", "profiles")


@dataclass(frozen=True, slots=True)
class Migration:
    """One forward step of the schema."""

    version: int
    description: str
    statements: tuple[str, ...]


_INITIAL: tuple[str, ...] = (
    """CREATE TABLE features (
        id INTEGER PRIMARY KEY,
        entry_id TEXT NOT NULL,
        ts REAL NOT NULL,
        group_id INTEGER NOT NULL,
        window_minutes INTEGER NOT NULL,
        data TEXT NOT NULL
    )""",
    "CREATE INDEX ix_features_entry_ts ON features (entry_id, ts)",
    "CREATE INDEX ix_features_entry_group_ts ON features (entry_id, group_id, ts)",
    """CREATE TABLE decisions (
        id INTEGER PRIMARY KEY,
        entry_id TEXT NOT NULL,
        ts REAL NOT NULL,
        group_id INTEGER NOT NULL,
        brightness_pct REAL NOT NULL,
        color_temp_kelvin INTEGER,
        confidence REAL NOT NULL,
        reason TEXT NOT NULL,
        source TEXT NOT NULL,
        applied INTEGER NOT NULL,
        skip_reason TEXT
    )""",
    "CREATE INDEX ix_decisions_entry_ts ON decisions (entry_id, ts)",
    "CREATE INDEX ix_decisions_entry_group_ts ON decisions (entry_id, group_id, ts)",
    """CREATE TABLE overrides (
        id INTEGER PRIMARY KEY,
        entry_id TEXT NOT NULL,
        ts REAL NOT NULL,
        group_id INTEGER NOT NULL,
        expires REAL NOT NULL,
        origin TEXT NOT NULL,
        brightness_pct REAL,
        is_on INTEGER,
        cleared INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX ix_overrides_entry_ts ON overrides (entry_id, ts)",
    "CREATE INDEX ix_overrides_entry_expires ON overrides (entry_id, expires)",
    """CREATE TABLE telemetry (
        entry_id TEXT NOT NULL,
        ts REAL NOT NULL,
        day TEXT NOT NULL,
        counter TEXT NOT NULL,
        value REAL NOT NULL,
        UNIQUE (entry_id, day, counter)
    )""",
    "CREATE INDEX ix_telemetry_entry_ts ON telemetry (entry_id, ts)",
    """CREATE TABLE weather (
        id INTEGER PRIMARY KEY,
        entry_id TEXT NOT NULL,
        ts REAL NOT NULL,
        data TEXT NOT NULL
    )""",
    "CREATE INDEX ix_weather_entry_ts ON weather (entry_id, ts)",
    """CREATE TABLE profiles (
        entry_id TEXT NOT NULL,
        group_id INTEGER NOT NULL,
        ts REAL NOT NULL,
        ciphertext BLOB NOT NULL,
        UNIQUE (entry_id, group_id)
    )""",
    "CREATE INDEX ix_profiles_entry_ts ON profiles (entry_id, ts)",
    "CREATE TABLE health_probe (id INTEGER PRIMARY KEY, note TEXT NOT NULL)",
)

MIGRATIONS: tuple[Migration, ...] = (Migration(1, "initial schema", _INITIAL),)


def current_version(migrations: Sequence[Migration] | None = None) -> int:
    """Return the schema version that the given (default: shipped) migrations produce."""
    steps = MIGRATIONS if migrations is None else migrations
    return steps[-1].version if steps else 0


def read_version(conn: sqlite3.Connection) -> int:
    """Return the schema version recorded in the database (0 when none)."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if exists is None:
        return 0
    row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration] | None = None) -> list[int]:
    """Apply the missing migrations in order and return the versions applied.

    Raises SchemaVersionError, without touching the database, when the database is
    newer than the last migration known here.
    """
    steps = MIGRATIONS if migrations is None else migrations
    for expected, step in enumerate(steps, start=1):
        if step.version != expected:
            raise ValueError(f"Migrations must be numbered 1, 2, 3...; found {step.version}")
    found = read_version(conn)
    newest = current_version(steps)
    if found > newest:
        raise SchemaVersionError(found, newest)
    applied: list[int] = []
    for step in steps[found:]:
        with transaction(conn):
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            for statement in step.statements:
                conn.execute(statement)
            conn.execute("DELETE FROM schema_version")
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (step.version,))
        applied.append(step.version)
    return applied
