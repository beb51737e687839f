"""Retention: delete old rows in small batches so other writes can interleave."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from .rows import to_epoch

if TYPE_CHECKING:
    import sqlite3
    from datetime import datetime

    from .database import Database

# What "older than the cutoff" means per table. Profiles are settings: never pruned.
# An override goes only once it is both old and over (cleared or expired).
PRUNE_RULES: dict[str, str] = {
    "features": "ts < :cutoff",
    "decisions": "ts < :cutoff",
    "overrides": "ts < :cutoff AND (cleared = 1 OR expires < :cutoff)",
    "telemetry": "ts < :cutoff",
    "weather": "ts < :cutoff",
}


def delete_batch(
    conn: sqlite3.Connection,
    table: str,
    *,
    entry_id: str | None,
    cutoff: float,
    batch_size: int,
) -> int:
    """Delete at most ``batch_size`` prunable rows of ``table``; return how many."""
    condition = PRUNE_RULES[table]
    if entry_id is not None:
        condition = f"entry_id = :entry_id AND {condition}"
    cursor = conn.execute(
        f"DELETE FROM {table} WHERE rowid IN "
        f"(SELECT rowid FROM {table} WHERE {condition} LIMIT :limit)",
        {"entry_id": entry_id, "cutoff": cutoff, "limit": batch_size},
    )
    return cursor.rowcount


async def prune(
    db: Database, entry_id: str | None, older_than: datetime, batch_size: int = 500
) -> dict[str, int]:
    """Delete rows older than ``older_than`` (all entries when ``entry_id`` is None).

    Each batch is its own short write transaction submitted separately, so writes
    issued meanwhile run between batches. Returns the rows deleted per table.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    cutoff = to_epoch(older_than)
    deleted: dict[str, int] = {}
    for table in PRUNE_RULES:
        total = 0
        while True:
            count = await db.write(
                partial(
                    delete_batch,
                    table=table,
                    entry_id=entry_id,
                    cutoff=cutoff,
                    batch_size=batch_size,
                )
            )
            total += count
            if count < batch_size:
                break
        deleted[table] = total
    return deleted
