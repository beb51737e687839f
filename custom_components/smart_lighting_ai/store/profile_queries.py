"""Synchronous SQL for encrypted profiles; run only inside the store executor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import ProfileDecryptError

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


def profile_ciphertext(conn: sqlite3.Connection, entry_id: str, group_id: int) -> bytes | None:
    """Return the stored ciphertext of one group's profile."""
    row = conn.execute(
        "SELECT ciphertext FROM profiles WHERE entry_id = ? AND group_id = ?",
        (entry_id, group_id),
    ).fetchone()
    return None if row is None else bytes(row[0])


def profile_groups(conn: sqlite3.Connection, entry_id: str) -> list[int]:
    """Return the groups that have a profile, ascending."""
    cursor = conn.execute(
        "SELECT group_id FROM profiles WHERE entry_id = ? ORDER BY group_id", (entry_id,)
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
            profile = old.decrypt(bytes(ciphertext))
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
