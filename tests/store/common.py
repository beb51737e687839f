"""Helpers shared by the store tests."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
ENTRY = "entry-1"
OTHER = "entry-2"


def store_threads() -> list[threading.Thread]:
    """Return the live executor threads of stores."""
    return [t for t in threading.enumerate() if t.name.startswith("smart_lighting_ai_store")]


def raw_query(path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run one query on the file with a separate plain sqlite3 connection."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def flip_byte_reported_by_quick_check(path: Path) -> int:
    """Find a byte whose flip makes quick_check report a problem; return its offset.

    Only a copy is damaged while searching; the caller flips the byte in the file.
    """
    data = path.read_bytes()
    probe = path.with_name("probe-copy.db")
    candidates = [
        page * 4096 + within for page in range(1, len(data) // 4096) for within in (7, 4086)
    ]
    for offset in candidates:
        damaged = bytearray(data)
        damaged[offset] ^= 0xFF
        probe.write_bytes(damaged)
        conn = sqlite3.connect(probe)
        try:
            result = conn.execute("PRAGMA quick_check").fetchall()
        except sqlite3.DatabaseError:
            continue
        finally:
            conn.close()
        if result != [("ok",)]:
            probe.unlink()
            return offset
    raise AssertionError("no damaging byte found")


def flip_byte(path: Path, offset: int) -> None:
    """Flip one byte of a file in place."""
    with path.open("r+b") as handle:
        handle.seek(offset)
        value = handle.read(1)[0]
        handle.seek(offset)
        handle.write(bytes([value ^ 0xFF]))
