"""Integrity and write probes used by the health check and at open."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .transaction import transaction

if TYPE_CHECKING:
    import sqlite3


def integrity_problems(conn: sqlite3.Connection) -> list[str]:
    """Run ``PRAGMA quick_check`` and return the problems found (empty when ok)."""
    rows = conn.execute("PRAGMA quick_check").fetchall()
    messages = [str(row[0]) for row in rows]
    return [] if messages == ["ok"] else messages


def write_probe(conn: sqlite3.Connection) -> None:
    """Prove that the database accepts writes: insert and delete one probe row."""
    with transaction(conn):
        cursor = conn.execute("INSERT INTO health_probe (note) VALUES ('probe')")
        conn.execute("DELETE FROM health_probe WHERE id = ?", (cursor.lastrowid,))
