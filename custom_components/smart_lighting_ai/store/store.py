"""The async store API used by the Home Assistant side.

Timestamps are always passed in by the caller (timezone-aware; stored as UTC
epoch seconds) so that tests can freeze time; the store itself does not read the
clock except to name a corrupt file it moves aside and inside Fernet tokens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from . import profile_queries, queries
from .database import Database
from .errors import ProfileDecryptError
from .retention import prune
from .rows import DecisionRow, FeatureRow, OverrideRow, WeatherRow, dump_json, to_epoch

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from concurrent.futures import Executor
    from datetime import datetime
    from pathlib import Path
    from types import TracebackType

    from .profiles import ProfileCipher


class Store:
    """One SQLite file holding the integration's time series and profiles.

    Every sqlite3 call runs off the event loop in one serialised executor, in
    submission order. Writes wait (queued, in order) while a backup holds them.
    """

    def __init__(self, path: str | Path, *, executor: Executor | None = None) -> None:
        """Prepare the store at ``path``; call open() before use.

        By default the store runs every sqlite3 call in a dedicated single-thread
        executor that it creates on open and shuts down on close. A supplied
        ``executor`` is used instead and left running; give it one worker so that
        jobs keep their submission order (a lock keeps them apart in any case).
        """
        self._db = Database(path, executor=executor)

    # Lifecycle and state

    @property
    def path(self) -> Path:
        """Return the database file path."""
        return self._db.path

    @property
    def is_open(self) -> bool:
        """Return True between open() and close()."""
        return self._db.is_open

    @property
    def last_error(self) -> str | None:
        """Return the last failure seen; cleared by a passing health check."""
        return self._db.last_error

    @property
    def recovered_from_corruption(self) -> Path | None:
        """Return where a corrupt database file was moved aside at open, if it was."""
        return self._db.recovered_from_corruption

    @property
    def writes_held(self) -> bool:
        """Return True while writes are held for a backup."""
        return self._db.writes_held

    async def open(self) -> None:
        """Open the file: create or migrate the schema, or recover from corruption.

        A corrupt file is renamed to ``<name>.corrupt-<UTC timestamp>`` and a new
        database is created. A database newer than this code raises
        SchemaVersionError; an unusable path raises StoreOperationError.
        """
        await self._db.open()

    async def close(self) -> None:
        """Apply held writes, close the file and stop the store's executor."""
        await self._db.close()

    async def __aenter__(self) -> Self:
        """Open the store for an ``async with`` block."""
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the store at the end of an ``async with`` block."""
        await self.close()

    async def health_check(self) -> bool:
        """Run an integrity check and a write probe; log and return False on failure.

        Logs "Database health check failed: <reason>" and never raises. A database
        file deleted while open is recreated; that check reports False and the next
        one True.
        """
        return await self._db.health_check()

    async def hold_writes(self) -> None:
        """Checkpoint the WAL and hold all later writes until release_writes().

        While held, the main database file alone is consistent and can be copied;
        reads keep working and writes wait in order (never dropped).
        """
        await self._db.hold_writes()

    async def release_writes(self) -> None:
        """Let held writes run, in the order they were issued."""
        await self._db.release_writes()

    # Features

    async def add_features(
        self,
        entry_id: str,
        ts: datetime,
        rows: Sequence[tuple[int, Mapping[str, Any]]],
        window_minutes: int,
    ) -> int:
        """Store one feature row per (group_id, features) pair; return rows created."""
        epoch = to_epoch(ts)
        encoded = [(group_id, dump_json(dict(data))) for group_id, data in rows]
        return await self._db.write(
            lambda conn: queries.insert_features(conn, entry_id, epoch, window_minutes, encoded)
        )

    async def latest_features(self, entry_id: str, group_id: int) -> FeatureRow | None:
        """Return the newest feature row of a group, or None."""
        return await self._db.read(lambda conn: queries.latest_feature(conn, entry_id, group_id))

    async def features_since(
        self, entry_id: str, group_id: int | None, since: datetime, limit: int = 1000
    ) -> list[FeatureRow]:
        """Return the newest ``limit`` feature rows at or after ``since``, oldest first.

        ``group_id`` None returns rows of every group.
        """
        epoch = to_epoch(since)
        _check_limit(limit)
        return await self._db.read(
            lambda conn: queries.features_since(conn, entry_id, group_id, epoch, limit)
        )

    # Decisions

    async def add_decision(
        self,
        entry_id: str,
        ts: datetime,
        group_id: int,
        *,
        brightness_pct: float,
        color_temp_kelvin: int | None,
        confidence: float,
        reason: str,
        source: str,
        applied: bool,
        skip_reason: str | None = None,
    ) -> int:
        """Store one decision and return its id."""
        values = {
            "entry_id": entry_id,
            "ts": to_epoch(ts),
            "group_id": group_id,
            "brightness_pct": brightness_pct,
            "color_temp_kelvin": color_temp_kelvin,
            "confidence": confidence,
            "reason": reason,
            "source": source,
            "applied": int(applied),
            "skip_reason": skip_reason,
        }
        return await self._db.write(lambda conn: queries.insert_decision(conn, values))

    async def latest_decision(self, entry_id: str, group_id: int) -> DecisionRow | None:
        """Return the newest decision of a group, or None."""
        return await self._db.read(lambda conn: queries.latest_decision(conn, entry_id, group_id))

    async def decisions_since(
        self, entry_id: str, group_id: int | None, since: datetime, limit: int = 1000
    ) -> list[DecisionRow]:
        """Return the newest ``limit`` decisions at or after ``since``, oldest first."""
        epoch = to_epoch(since)
        _check_limit(limit)
        return await self._db.read(
            lambda conn: queries.decisions_since(conn, entry_id, group_id, epoch, limit)
        )

    # Overrides

    async def add_override(
        self,
        entry_id: str,
        ts: datetime,
        group_id: int,
        *,
        expires: datetime,
        origin: str,
        brightness_pct: float | None = None,
        is_on: bool | None = None,
    ) -> int:
        """Store one manual override and return its id."""
        values = {
            "entry_id": entry_id,
            "ts": to_epoch(ts),
            "group_id": group_id,
            "expires": to_epoch(expires),
            "origin": origin,
            "brightness_pct": brightness_pct,
            "is_on": None if is_on is None else int(is_on),
        }
        return await self._db.write(lambda conn: queries.insert_override(conn, values))

    async def active_overrides(self, entry_id: str, now: datetime) -> list[OverrideRow]:
        """Return the newest uncleared override of each group that expires after ``now``."""
        epoch = to_epoch(now)
        return await self._db.read(lambda conn: queries.active_overrides(conn, entry_id, epoch))

    async def clear_overrides(self, entry_id: str, group_id: int | None, now: datetime) -> int:
        """Clear the active overrides of a group (every group when None); return count."""
        epoch = to_epoch(now)
        return await self._db.write(
            lambda conn: queries.clear_overrides(conn, entry_id, group_id, epoch)
        )

    # Telemetry

    async def add_telemetry(
        self, entry_id: str, day: str, counters: Mapping[str, float], ts: datetime
    ) -> None:
        """Add ``counters`` to the counters of ``day`` (e.g. "2025-01-31")."""
        epoch = to_epoch(ts)
        items = [(str(name), float(value)) for name, value in counters.items()]
        await self._db.write(lambda conn: queries.add_telemetry(conn, entry_id, day, items, epoch))

    async def telemetry(self, entry_id: str, day: str | None = None) -> dict[str, float]:
        """Return the counters of ``day``, or the totals over all stored days."""
        return await self._db.read(lambda conn: queries.telemetry(conn, entry_id, day))

    # Weather

    async def add_weather(self, entry_id: str, ts: datetime, data: Mapping[str, Any]) -> int:
        """Store one weather snapshot and return its id."""
        epoch = to_epoch(ts)
        encoded = dump_json(dict(data))
        return await self._db.write(
            lambda conn: queries.insert_weather(conn, entry_id, epoch, encoded)
        )

    async def latest_weather(self, entry_id: str) -> WeatherRow | None:
        """Return the newest weather snapshot, or None."""
        return await self._db.read(lambda conn: queries.latest_weather(conn, entry_id))

    # Profiles

    async def put_profile(
        self,
        entry_id: str,
        group_id: int,
        profile: Mapping[str, Any],
        cipher: ProfileCipher,
        ts: datetime,
    ) -> None:
        """Encrypt ``profile`` with the cipher's primary key and store it."""
        epoch = to_epoch(ts)
        token = cipher.encrypt(profile)
        await self._db.write(
            lambda conn: profile_queries.upsert_profile(conn, entry_id, group_id, epoch, token)
        )

    async def get_profile(
        self, entry_id: str, group_id: int, cipher: ProfileCipher
    ) -> dict[str, Any] | None:
        """Return the decrypted profile of a group, or None when it has none.

        Raises ProfileDecryptError when none of the cipher's keys can read it.
        """
        token = await self._db.read(
            lambda conn: profile_queries.profile_ciphertext(conn, entry_id, group_id)
        )
        if token is None:
            return None
        try:
            return cipher.decrypt(token)
        except ProfileDecryptError as err:
            raise ProfileDecryptError(f"Profile of group {group_id}: {err}") from None

    async def all_profile_groups(self, entry_id: str) -> list[int]:
        """Return the groups that have a stored profile, ascending."""
        return await self._db.read(lambda conn: profile_queries.profile_groups(conn, entry_id))

    async def rotate_profiles(
        self, entry_id: str, old_cipher: ProfileCipher, new_cipher: ProfileCipher
    ) -> int:
        """Re-encrypt every profile of the entry with ``new_cipher``; return the count.

        Runs as one transaction, one job in the serialised executor: a profile
        written before this call is rotated, one written after it must be written
        by the caller with ``new_cipher``. Give ``old_cipher`` both the old and the
        new key so that profiles already written with the new key are read too.
        An unreadable profile raises ProfileDecryptError and nothing changes.
        """
        return await self._db.write(
            lambda conn: profile_queries.rotate(conn, entry_id, old_cipher, new_cipher)
        )

    async def delete_profiles(self, entry_id: str, group_ids: Iterable[int]) -> int:
        """Delete the profiles of the given groups; return how many were deleted."""
        groups = list(group_ids)
        return await self._db.write(
            lambda conn: profile_queries.delete_profiles(conn, entry_id, groups)
        )

    # Retention and diagnostics

    async def prune(
        self, entry_id: str | None, older_than: datetime, batch_size: int = 500
    ) -> dict[str, int]:
        """Delete rows older than ``older_than``; return the count per pruned table.

        Prunes features, decisions, telemetry, weather and overrides that are over
        (cleared or expired); profiles are settings and are kept. ``entry_id`` None
        prunes every entry. Deletes in batches, each its own short transaction, so
        other writes interleave.
        """
        return await prune(self._db, entry_id, older_than, batch_size)

    async def count(self, table: str, entry_id: str | None) -> int:
        """Return the row count of one table for an entry (every entry when None)."""
        queries.check_table(table)
        return await self._db.read(lambda conn: queries.count(conn, table, entry_id))

    async def count_rows(self, entry_id: str | None) -> dict[str, int]:
        """Return the row count of every table, for diagnostics."""
        return await self._db.read(lambda conn: queries.count_rows(conn, entry_id))

    async def delete_entry(self, entry_id: str) -> dict[str, int]:
        """Delete every row of a config entry (profiles included); return counts."""
        return await self._db.write(lambda conn: queries.delete_entry(conn, entry_id))


def _check_limit(limit: int) -> None:
    if limit < 1:
        raise ValueError("limit must be at least 1")
