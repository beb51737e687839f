"""Synchronous SQL for encrypted profiles; run only inside the store executor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import ProfileDecryptError, ProfileRowError

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Sequence

    from .profiles import ProfileCipher


def upsert_profile(
    conn: sqlite3.Connection, entry_id: str, group_id: int, ts: float, ciphertext: bytes
) -> None:
    """Store (or replace) the ciphertext of one group's profile."""
    conn.execute(
        "INSERT INTO profiles (entry_id, group_id, ts, ciphertext) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (entry_id, group_id) DO UPDATE SET "
        "ts = excluded.ts, ciphertext = excluded.ciphertext",
        (entry_id, group_id, ts, ciphertext),
    )


def as_token(group_id: int, value: object) -> bytes:
    """The Fernet token in a stored ``ciphertext`` value.

    The store writes BLOBs. A token written as TEXT by another tool is still read
    (a Fernet token is ASCII, and decryption authenticates it); any other value
    raises ProfileRowError, never TypeError, and never with the value in the message.
    """
    if isinstance(value, bytes):
        return value
    if isinstance(value, str) and value.isascii():
        return value.encode("ascii")
    raise ProfileRowError(
        f"Profile of group {group_id} is not a Fernet token "
        f"(stored as {type(value).__name__}, not as bytes)"
    )


def profile_ciphertext(conn: sqlite3.Connection, entry_id: str, group_id: int) -> bytes | None:
    """Return the stored ciphertext of one group's profile; ProfileRowError if it is none."""
    row = conn.execute(
        "SELECT ciphertext FROM profiles WHERE entry_id = ? AND group_id = ?",
        (entry_id, group_id),
    ).fetchone()
    return None if row is None else as_token(group_id, row[0])


def profile_groups(conn: sqlite3.Connection, entry_id: str) -> list[int]:
    """Return the groups that have a profile, ascending (rows without a numeric group left out)."""
    cursor = conn.execute(
        "SELECT group_id FROM profiles WHERE entry_id = ? AND typeof(group_id) = 'integer' "
        "ORDER BY group_id",
        (entry_id,),
    )
    return [int(row[0]) for row in cursor.fetchall()]


def rotate(conn: sqlite3.Connection, entry_id: str, old: ProfileCipher, new: ProfileCipher) -> int:
    """Re-encrypt every profile of an entry from ``old`` to ``new``; return the count.

    Runs inside the caller's transaction: one unreadable profile aborts the whole
    rotation and nothing changes.
    """
    rows = conn.execute(
        "SELECT group_id, ciphertext FROM profiles WHERE entry_id = ? ORDER BY group_id",
        (entry_id,),
    ).fetchall()
    for group_id, ciphertext in rows:
        try:
            profile = old.decrypt(as_token(group_id, ciphertext))
        except ProfileRowError:
            raise ProfileRowError(
                f"Profile of group {group_id} is not a Fernet token; no profile was re-encrypted"
            ) from None
        except ProfileDecryptError:
            raise ProfileDecryptError(
                f"Profile of group {group_id} could not be decrypted with the old keys; "
                "no profile was re-encrypted"
            ) from None
        conn.execute(
            "UPDATE profiles SET ciphertext = ? WHERE entry_id = ? AND group_id = ?",
            (new.encrypt(profile), entry_id, group_id),
        )
    return len(rows)


def delete_profiles(conn: sqlite3.Connection, entry_id: str, group_ids: Sequence[int]) -> int:
    """Delete the profiles of the given groups; return how many existed."""
    cursor = conn.executemany(
        "DELETE FROM profiles WHERE entry_id = ? AND group_id = ?",
        [(entry_id, group_id) for group_id in group_ids],
    )
    return cursor.rowcount
