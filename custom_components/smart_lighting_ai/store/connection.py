"""Opening the SQLite file, and the file-level chores around it.

Moving a corrupt file aside reads the wall clock to name the copy
(``<name>.corrupt-<UTC timestamp>``); nothing else here does.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import time
from typing import TYPE_CHECKING

from .errors import StoreError, StoreOperationError
from .health import integrity_problems
from .schema import migrate

if TYPE_CHECKING:
    from pathlib import Path

_LOGGER = logging.getLogger(__package__)

type FileIdentity = tuple[int, int]

_SQLITE_MAGIC = b"SQLite format 3\x00"
_CORRUPTION_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})


class CorruptDatabaseError(StoreError):
    """The database file is not a usable SQLite database."""


def is_corruption(err: sqlite3.Error) -> bool:
    """Return True when an sqlite3 error means the file itself is damaged."""
    code = getattr(err, "sqlite_errorcode", None)
    return code is not None and (code & 0xFF) in _CORRUPTION_CODES


def connect(path: Path) -> sqlite3.Connection:
    """Open ``path`` in WAL mode, verify it and bring its schema up to date.

    Raises CorruptDatabaseError for a damaged file, SchemaVersionError for a
    database newer than this code, StoreOperationError for anything else.
    """
    if not _has_sqlite_header(path):
        # Caught before SQLite opens it, so a stale -wal file is kept, not deleted.
        raise CorruptDatabaseError("file is not a database")
    conn: sqlite3.Connection | None = None
    try:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            _LOGGER.warning("Database %s does not support WAL; journal mode is %s", path, mode)
        conn.execute("PRAGMA synchronous=NORMAL")
        problems = integrity_problems(conn)
        if problems:
            raise CorruptDatabaseError("; ".join(problems[:3]))
        migrate(conn)
    except BaseException as err:
        if conn is not None:
            conn.close()
        if isinstance(err, sqlite3.Error):
            if is_corruption(err):
                raise CorruptDatabaseError(str(err)) from err
            raise StoreOperationError(f"Cannot open database {path}: {err}") from err
        raise
    return conn


def _has_sqlite_header(path: Path) -> bool:
    """Return False for an existing, non-empty file that is not an SQLite database."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(_SQLITE_MAGIC))
    except FileNotFoundError:
        return True
    return not head or head == _SQLITE_MAGIC


def file_identity(path: Path) -> FileIdentity | None:
    """Return (device, inode) of the file at ``path``, or None when it is missing."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return (stat.st_dev, stat.st_ino)


def discard_sidecars(path: Path) -> None:
    """Remove the ``-wal`` and ``-shm`` files left by a database that is gone."""
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(f"{path}{suffix}")


def move_aside(path: Path) -> Path:
    """Rename a corrupt database (and its journal files) to ``<name>.corrupt-<stamp>``."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while target.exists():
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
        counter += 1
    os.replace(path, target)
    for suffix in ("-wal", "-journal"):
        if os.path.exists(f"{path}{suffix}"):
            os.replace(f"{path}{suffix}", f"{target}{suffix}")
    with contextlib.suppress(FileNotFoundError):
        os.remove(f"{path}-shm")
    return target
