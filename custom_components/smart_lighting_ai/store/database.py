"""The connection owner: one SQLite connection behind one serialised executor.

Every sqlite3 call runs in the executor under a lock, never on the event loop.
Before each job the file's identity (device, inode) is compared with the one
opened; a file that was deleted or replaced is closed and opened again (created
with the schema when missing), so a write issued after a deletion lands in the
new file instead of being lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from functools import partial
from pathlib import Path

from .connection import (
    CorruptDatabaseError,
    FileIdentity,
    connect,
    discard_sidecars,
    file_identity,
    move_aside,
)
from .errors import StoreClosedError, StoreOperationError
from .gate import WriteGate
from .health import integrity_problems, write_probe
from .transaction import transaction

_LOGGER = logging.getLogger(__package__)

type Job[T] = Callable[[sqlite3.Connection], T]


class Database:
    """An SQLite file used from asyncio through one serialised executor."""

    def __init__(self, path: str | Path, *, executor: Executor | None = None) -> None:
        """Prepare (but do not open) the database at ``path``.

        Without ``executor`` a dedicated single-thread executor is created on open
        and shut down on close. A supplied executor is used as is (one worker keeps
        jobs in submission order) and is left running on close.
        """
        self._path = Path(path)
        self._supplied_executor = executor
        self._executor: Executor | None = None
        self._lock = threading.Lock()
        self._gate = WriteGate()
        self._is_open = False
        # Touched only inside executor jobs, under the lock.
        self._conn: sqlite3.Connection | None = None
        self._identity: FileIdentity | None = None
        self._notice: str | None = None
        # Touched on the event loop.
        self._last_error: str | None = None
        self._failing = False
        self._recovered: Path | None = None

    @property
    def path(self) -> Path:
        """Return the database file path."""
        return self._path

    @property
    def is_open(self) -> bool:
        """Return True between open() and close()."""
        return self._is_open

    @property
    def last_error(self) -> str | None:
        """Return the last failure seen (open, operation or health check).

        A passing health check clears it.
        """
        return self._last_error

    @property
    def recovered_from_corruption(self) -> Path | None:
        """Return where a corrupt file was moved aside, if that happened."""
        return self._recovered

    @property
    def writes_held(self) -> bool:
        """Return True while writes are held for a backup."""
        return self._gate.held

    async def open(self) -> None:
        """Open (creating, migrating or recovering) the database file."""
        if self._is_open:
            return
        owned = self._supplied_executor is None
        executor = self._supplied_executor or ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="smart_lighting_ai_store"
        )
        self._executor = executor
        try:
            await self._submit(self._open_job)
        except BaseException as err:
            self._last_error = str(err) or type(err).__name__
            self._executor = None
            if owned:
                executor.shutdown(wait=True)
            raise
        self._is_open = True

    async def close(self) -> None:
        """Apply any held writes, close the connection and stop the own executor."""
        executor = self._executor
        if not self._is_open or executor is None:
            return
        self._is_open = False
        self._gate.release_all()
        try:
            await self._submit(self._close_job)
        finally:
            self._executor = None
            if self._supplied_executor is None:
                executor.shutdown(wait=True)

    async def read[T](self, job: Job[T]) -> T:
        """Run ``job(conn)`` in the executor; reads pass while writes are held."""
        self._require_open()
        return await self._tracked(self._submit(partial(self._run_job, job, write=False)))

    async def write[T](self, job: Job[T]) -> T:
        """Run ``job(conn)`` in one transaction, after any hold is released."""
        self._require_open()
        starter = partial(self._submit, partial(self._run_job, job, write=True))
        return await self._tracked(self._gate.run(starter))

    async def hold_writes(self) -> None:
        """Checkpoint the WAL into the main file and hold every later write.

        Writes already submitted finish first (the executor runs jobs in order).
        After this returns the main file alone is a consistent copy of the data.
        """
        self._require_open()
        self._gate.hold()
        try:
            await self._tracked(self._submit(self._checkpoint_job))
        except BaseException:
            self._gate.release()
            raise

    async def release_writes(self) -> None:
        """Undo hold_writes(); queued writes are applied in arrival order."""
        self._gate.release()

    async def health_check(self) -> bool:
        """Return True when the database passes an integrity check and a write probe.

        The write probe is skipped while writes are held. A file found missing or
        replaced is recreated and reported as a failure for this one check. Never
        raises (except cancellation); failures are logged and kept in last_error.
        """
        reason: str | None
        if not self._is_open:
            reason = "the database is not open"
        else:
            try:
                reason = await self._submit(
                    partial(self._health_job, probe_write=not self._gate.held)
                )
            except Exception as err:
                reason = str(err) or type(err).__name__
        if reason is None:
            if self._failing:
                _LOGGER.info("Database health check passed again")
            self._failing = False
            self._last_error = None
            return True
        level = logging.WARNING if self._failing else logging.ERROR
        _LOGGER.log(level, "Database health check failed: %s", reason)
        self._failing = True
        self._last_error = reason
        return False

    # Event loop helpers

    def _require_open(self) -> None:
        if not self._is_open:
            raise StoreClosedError(f"The database {self._path} is not open")

    def _submit[T](self, job: Callable[[], T]) -> asyncio.Future[T]:
        assert self._executor is not None, "callers check that the database is open"
        return asyncio.get_running_loop().run_in_executor(self._executor, job)

    async def _tracked[T](self, awaitable: Awaitable[T]) -> T:
        try:
            return await awaitable
        except StoreOperationError as err:
            self._last_error = str(err)
            raise

    # Executor jobs

    def _open_job(self) -> None:
        with self._lock:
            self._conn, self._identity = self._open_file()

    def _close_job(self) -> None:
        with self._lock:
            conn, self._conn = self._conn, None
            if conn is not None:
                conn.close()
            if file_identity(self._path) != self._identity:
                discard_sidecars(self._path)
            self._identity = None

    def _run_job[T](self, job: Job[T], *, write: bool) -> T:
        with self._lock:
            try:
                conn = self._connection()
                if not write:
                    return job(conn)
                with transaction(conn):
                    return job(conn)
            except sqlite3.Error as err:
                raise StoreOperationError(f"Database operation failed: {err}") from err

    def _checkpoint_job(self) -> None:
        def _checkpoint(conn: sqlite3.Connection) -> None:
            busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy:
                _LOGGER.warning("Database checkpoint before backup could not finish")

        self._run_job(_checkpoint, write=False)

    def _health_job(self, *, probe_write: bool) -> str | None:
        with self._lock:
            try:
                conn = self._connection()
                problems = integrity_problems(conn)
                if problems:
                    return "integrity check reported: " + "; ".join(problems[:3])
                if probe_write:
                    write_probe(conn)
            except sqlite3.Error as err:
                return f"{type(err).__name__}: {err}"
            notice, self._notice = self._notice, None
            return notice

    def _connection(self) -> sqlite3.Connection:
        """Return the live connection, reopening when the file went away."""
        if self._conn is not None:
            if file_identity(self._path) == self._identity:
                return self._conn
            _LOGGER.warning(
                "Database file %s was deleted or replaced while open; opening it again",
                self._path,
            )
            self._notice = "the database file was deleted or replaced and has been recreated"
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None
            discard_sidecars(self._path)
        self._conn, self._identity = self._open_file()
        return self._conn

    def _open_file(self) -> tuple[sqlite3.Connection, FileIdentity | None]:
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            try:
                conn = connect(self._path)
            except CorruptDatabaseError as err:
                moved = move_aside(self._path)
                _LOGGER.error(
                    "Database file %s is corrupt (%s); kept it as %s and created a new database",
                    self._path,
                    err,
                    moved,
                )
                self._recovered = moved
                conn = connect(self._path)
        except OSError as err:
            raise StoreOperationError(f"Cannot open database {self._path}: {err}") from err
        return conn, file_identity(self._path)
