"""Profile rows that something other than the store wrote: wrong SQLite type, bad group id."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from custom_components.smart_lighting_ai.store import (
    ProfileCipher,
    ProfileDecryptError,
    ProfileKeyError,
    Store,
    StoreError,
)
from custom_components.smart_lighting_ai.store.errors import ProfileRowError

from .common import ENTRY, NOW, raw_query


def _write_raw(path: Path, group_id: Any, ciphertext: Any) -> None:
    """Store a profile row with a plain sqlite3 connection, keeping the value's SQLite type."""
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute(
                "INSERT OR REPLACE INTO profiles (entry_id, group_id, ts, ciphertext) "
                "VALUES (?, ?, 0, ?)",
                (ENTRY, group_id, ciphertext),
            )
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("value", "sqlite_type"),
    [
        ("not a fernet token", "text"),
        ("profil é", "text"),
        (12345, "integer"),
        (1.5, "real"),
    ],
)
async def test_row_of_the_wrong_type_raises_a_store_error(
    store: Store, db_path: Path, value: Any, sqlite_type: str
) -> None:
    cipher = ProfileCipher([ProfileCipher.generate_key()])
    _write_raw(db_path, 3, value)
    assert raw_query(db_path, "SELECT typeof(ciphertext) FROM profiles") == [(sqlite_type,)]

    with pytest.raises(ProfileDecryptError, match="group 3") as caught:
        await store.get_profile(ENTRY, 3, cipher)

    assert isinstance(caught.value, StoreError)
    assert str(value) not in str(caught.value)  # the row's contents never reach the message


async def test_token_stored_as_text_is_still_read(store: Store, db_path: Path) -> None:
    """A Fernet token is ASCII: written as TEXT it is still authenticated and readable."""
    cipher = ProfileCipher([ProfileCipher.generate_key()])
    _write_raw(db_path, 2, cipher.encrypt({"target_lux": 300}).decode("ascii"))

    assert await store.get_profile(ENTRY, 2, cipher) == {"target_lux": 300}
    assert await store.all_profile_groups(ENTRY) == [2]


async def test_rotation_over_a_text_row(store: Store, db_path: Path) -> None:
    old_key, new_key = ProfileCipher.generate_key(), ProfileCipher.generate_key()
    old, new = ProfileCipher([old_key]), ProfileCipher([new_key])
    await store.put_profile(ENTRY, 0, {"group": 0}, old, NOW)
    _write_raw(db_path, 1, old.encrypt({"group": 1}).decode("ascii"))

    assert await store.rotate_profiles(ENTRY, old, new) == 2

    assert await store.get_profile(ENTRY, 1, new) == {"group": 1}
    # rewritten by the store: a BLOB again
    assert raw_query(db_path, "SELECT typeof(ciphertext) FROM profiles WHERE group_id = 1") == [
        ("blob",)
    ]


async def test_rotation_with_an_unreadable_row_changes_nothing(store: Store, db_path: Path) -> None:
    old, new = ProfileCipher([ProfileCipher.generate_key()]), ProfileCipher.generate_key()
    await store.put_profile(ENTRY, 0, {"group": 0}, old, NOW)
    _write_raw(db_path, 1, 4.25)

    with pytest.raises(ProfileRowError, match="group 1"):
        await store.rotate_profiles(ENTRY, old, ProfileCipher([new]))

    assert await store.get_profile(ENTRY, 0, old) == {"group": 0}
    assert raw_query(db_path, "SELECT ciphertext FROM profiles WHERE group_id = 1") == [(4.25,)]


async def test_row_with_a_group_id_that_is_not_a_number_is_left_out(
    store: Store, db_path: Path
) -> None:
    cipher = ProfileCipher([ProfileCipher.generate_key()])
    await store.put_profile(ENTRY, 1, {"group": 1}, cipher, NOW)
    _write_raw(db_path, "office", cipher.encrypt({"group": "office"}))

    assert await store.all_profile_groups(ENTRY) == [1]


@pytest.mark.parametrize("keys", [None, 42, {"a": "b"}, [None], [b"\xff" * 44]])
def test_keys_of_any_wrong_shape_raise_a_key_error(keys: Any) -> None:
    with pytest.raises(ProfileKeyError):
        ProfileCipher(keys)
