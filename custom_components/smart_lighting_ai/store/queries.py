"""Synchronous SQL for the time-series tables; run only inside the store executor."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .rows import (
    DECISION_COLUMNS,
    FEATURE_COLUMNS,
    OVERRIDE_COLUMNS,
    WEATHER_COLUMNS,
    DecisionRow,
    FeatureRow,
    OverrideRow,
    WeatherRow,
    decision_from_db,
    feature_from_db,
    override_from_db,
    weather_from_db,
)
from .schema import TABLES

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable, Sequence


def insert_features(
    conn: sqlite3.Connection,
    entry_id: str,
    ts: float,
    window_minutes: int,
    rows: Sequence[tuple[int, str]],
) -> int:
    """Insert one feature row per (group_id, JSON data); return the count."""
    conn.executemany(
        "INSERT INTO features (entry_id, ts, group_id, window_minutes, data) "
        "VALUES (?, ?, ?, ?, ?)",
        [(entry_id, ts, group_id, window_minutes, data) for group_id, data in rows],
    )
    return len(rows)


def latest_feature(conn: sqlite3.Connection, entry_id: str, group_id: int) -> FeatureRow | None:
    """Return the newest feature row of a group."""
    row = conn.execute(
        f"SELECT {FEATURE_COLUMNS} FROM features WHERE entry_id = ? AND group_id = ? "
        "ORDER BY ts DESC, id DESC LIMIT 1",
        (entry_id, group_id),
    ).fetchone()
    return None if row is None else feature_from_db(row)


def rows_since[R](
    conn: sqlite3.Connection,
    table: str,
    columns: str,
    factory: Callable[[tuple[Any, ...]], R],
    *,
    entry_id: str,
    group_id: int | None,
    since: float,
    limit: int,
) -> list[R]:
    """Return the newest ``limit`` rows at or after ``since``, oldest first."""
    group_filter = "" if group_id is None else " AND group_id = :group_id"
    cursor = conn.execute(
        f"SELECT * FROM (SELECT {columns} FROM {table} "
        f"WHERE entry_id = :entry_id AND ts >= :since{group_filter} "
        "ORDER BY ts DESC, id DESC LIMIT :limit) ORDER BY ts, id",
        {"entry_id": entry_id, "group_id": group_id, "since": since, "limit": limit},
    )
    return [factory(row) for row in cursor.fetchall()]


def features_since(
    conn: sqlite3.Connection, entry_id: str, group_id: int | None, since: float, limit: int
) -> list[FeatureRow]:
    """Return feature rows at or after ``since`` (see rows_since)."""
    return rows_since(
        conn,
        "features",
        FEATURE_COLUMNS,
        feature_from_db,
        entry_id=entry_id,
        group_id=group_id,
        since=since,
        limit=limit,
    )


def insert_decision(conn: sqlite3.Connection, values: dict[str, Any]) -> int:
    """Insert one decision and return its id."""
    cursor = conn.execute(
        "INSERT INTO decisions (entry_id, ts, group_id, brightness_pct, color_temp_kelvin, "
        "confidence, reason, source, applied, skip_reason) VALUES (:entry_id, :ts, :group_id, "
        ":brightness_pct, :color_temp_kelvin, :confidence, :reason, :source, :applied, "
        ":skip_reason)",
        values,
    )
    return int(cursor.lastrowid or 0)


def latest_decision(conn: sqlite3.Connection, entry_id: str, group_id: int) -> DecisionRow | None:
    """Return the newest decision of a group."""
    row = conn.execute(
        f"SELECT {DECISION_COLUMNS} FROM decisions WHERE entry_id = ? AND group_id = ? "
        "ORDER BY ts DESC, id DESC LIMIT 1",
        (entry_id, group_id),
    ).fetchone()
    return None if row is None else decision_from_db(row)


def decisions_since(
    conn: sqlite3.Connection, entry_id: str, group_id: int | None, since: float, limit: int
) -> list[DecisionRow]:
    """Return decisions at or after ``since`` (see rows_since)."""
    return rows_since(
        conn,
        "decisions",
        DECISION_COLUMNS,
        decision_from_db,
        entry_id=entry_id,
        group_id=group_id,
        since=since,
        limit=limit,
    )


def insert_override(conn: sqlite3.Connection, values: dict[str, Any]) -> int:
    """Insert one override and return its id."""
    cursor = conn.execute(
        "INSERT INTO overrides (entry_id, ts, group_id, expires, origin, brightness_pct, is_on) "
        "VALUES (:entry_id, :ts, :group_id, :expires, :origin, :brightness_pct, :is_on)",
        values,
    )
    return int(cursor.lastrowid or 0)


def active_overrides(conn: sqlite3.Connection, entry_id: str, now: float) -> list[OverrideRow]:
    """Return the newest uncleared, unexpired override of each group, by group."""
    cursor = conn.execute(
        f"SELECT {OVERRIDE_COLUMNS} FROM overrides "
        "WHERE entry_id = ? AND cleared = 0 AND expires > ? ORDER BY group_id, ts, id",
        (entry_id, now),
    )
    newest: dict[int, OverrideRow] = {}
    for row in cursor.fetchall():
        override = override_from_db(row)
        newest[override.group_id] = override
    return list(newest.values())


def clear_overrides(
    conn: sqlite3.Connection, entry_id: str, group_id: int | None, now: float
) -> int:
    """Mark the active overrides of one group (or all groups) cleared."""
    group_filter = "" if group_id is None else " AND group_id = :group_id"
    cursor = conn.execute(
        "UPDATE overrides SET cleared = 1 "
        f"WHERE entry_id = :entry_id AND cleared = 0 AND expires > :now{group_filter}",
        {"entry_id": entry_id, "group_id": group_id, "now": now},
    )
    return cursor.rowcount


def add_telemetry(
    conn: sqlite3.Connection,
    entry_id: str,
    day: str,
    counters: Sequence[tuple[str, float]],
    ts: float,
) -> None:
    """Add to the day's counters, creating the ones that do not exist yet."""
    conn.executemany(
        "INSERT INTO telemetry (entry_id, ts, day, counter, value) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (entry_id, day, counter) DO UPDATE SET "
        "value = telemetry.value + excluded.value, ts = max(telemetry.ts, excluded.ts)",
        [(entry_id, ts, day, counter, value) for counter, value in counters],
    )


def telemetry(conn: sqlite3.Connection, entry_id: str, day: str | None) -> dict[str, float]:
    """Return the counters of one day, or their totals over all stored days."""
    day_filter = "" if day is None else " AND day = :day"
    cursor = conn.execute(
        f"SELECT counter, sum(value) FROM telemetry WHERE entry_id = :entry_id{day_filter} "
        "GROUP BY counter ORDER BY counter",
        {"entry_id": entry_id, "day": day},
    )
    return {str(counter): float(value) for counter, value in cursor.fetchall()}


def insert_weather(conn: sqlite3.Connection, entry_id: str, ts: float, data: str) -> int:
    """Insert one weather snapshot and return its id."""
    cursor = conn.execute(
        "INSERT INTO weather (entry_id, ts, data) VALUES (?, ?, ?)", (entry_id, ts, data)
    )
    return int(cursor.lastrowid or 0)


def latest_weather(conn: sqlite3.Connection, entry_id: str) -> WeatherRow | None:
    """Return the newest weather snapshot."""
    row = conn.execute(
        f"SELECT {WEATHER_COLUMNS} FROM weather WHERE entry_id = ? ORDER BY ts DESC, id DESC "
        "LIMIT 1",
        (entry_id,),
    ).fetchone()
    return None if row is None else weather_from_db(row)


def check_table(table: str) -> str:
    """Return ``table`` when it is one of the store tables; raise ValueError otherwise."""
    if table not in TABLES:
        raise ValueError(f"Unknown table {table!r}; expected one of {', '.join(TABLES)}")
    return table


def count(conn: sqlite3.Connection, table: str, entry_id: str | None) -> int:
    """Count the rows of a table for one entry (all entries when None)."""
    if entry_id is None:
        row = conn.execute(f"SELECT count(*) FROM {check_table(table)}").fetchone()
    else:
        row = conn.execute(
            f"SELECT count(*) FROM {check_table(table)} WHERE entry_id = ?", (entry_id,)
        ).fetchone()
    return int(row[0])


def count_rows(conn: sqlite3.Connection, entry_id: str | None) -> dict[str, int]:
    """Count the rows of every table."""
    return {table: count(conn, table, entry_id) for table in TABLES}


def delete_entry(conn: sqlite3.Connection, entry_id: str) -> dict[str, int]:
    """Delete every row of one config entry, profiles included."""
    return {
        table: conn.execute(f"DELETE FROM {table} WHERE entry_id = ?", (entry_id,)).rowcount
        for table in TABLES
    }
