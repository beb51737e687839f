"""Fernet-encrypted profiles."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from custom_components.smart_lighting_ai.store import (
    ProfileCipher,
    ProfileDecryptError,
    ProfileKeyError,
    Store,
)

from .common import ENTRY, NOW, OTHER, raw_query

MARKER = "PLAINTEXT-MARKER-7f3a"


def test_cipher_round_trip_and_key_order() -> None:
    old_key, new_key = ProfileCipher.generate_key(), ProfileCipher.generate_key()
    assert old_key != new_key
    old = ProfileCipher([old_key])
    both = ProfileCipher([new_key, old_key])
    new = ProfileCipher([new_key])

    token = old.encrypt({"min": 10, "note": MARKER})
    assert MARKER.encode() not in token
    assert both.decrypt(token) == {"min": 10, "note": MARKER}
    # The first key is the primary: what "both" writes, "new" alone can read.
    assert new.decrypt(both.encrypt({"a": 1})) == {"a": 1}
    assert both.key_count == 2


def test_wrong_key_is_refused_without_leaking_secrets() -> None:
    key = ProfileCipher.generate_key()
    token = ProfileCipher([key]).encrypt({"note": MARKER})
    other_key = ProfileCipher.generate_key()

    with pytest.raises(ProfileDecryptError) as caught:
        ProfileCipher([other_key]).decrypt(token)

    message = str(caught.value)
    assert "could not be decrypted" in message
    assert key not in message
    assert other_key not in message
    assert MARKER not in message
    with pytest.raises(ProfileDecryptError):
        ProfileCipher([key]).decrypt(b"not a token")


def test_token_that_is_not_a_profile_is_refused() -> None:
    key = ProfileCipher.generate_key()
    for payload in (b"[1, 2]", b"{broken"):
        token = Fernet(key.encode()).encrypt(payload)
        with pytest.raises(ProfileDecryptError, match="not a JSON object"):
            ProfileCipher([key]).decrypt(token)


def test_bad_keys_are_refused_without_echoing_them() -> None:
    with pytest.raises(ProfileKeyError, match="At least one"):
        ProfileCipher([])
    with pytest.raises(ProfileKeyError, match="list of keys"):
        ProfileCipher(ProfileCipher.generate_key())
    with pytest.raises(ProfileKeyError, match="key 2 is not a valid") as caught:
        ProfileCipher([ProfileCipher.generate_key(), "secret-but-wrong"])
    assert "secret-but-wrong" not in str(caught.value)
    assert caught.value.__cause__ is None


def test_repr_hides_keys() -> None:
    key = ProfileCipher.generate_key()
    assert key not in repr(ProfileCipher([key]))
    assert repr(ProfileCipher([key])) == "<ProfileCipher keys=1>"


async def test_profiles_round_trip(store: Store) -> None:
    cipher = ProfileCipher([ProfileCipher.generate_key()])
    assert await store.get_profile(ENTRY, 1, cipher) is None

    await store.put_profile(ENTRY, 1, {"max_brightness": 80}, cipher, NOW)
    await store.put_profile(ENTRY, 1, {"max_brightness": 60}, cipher, NOW)
    await store.put_profile(ENTRY, 3, {"kelvin": [2700, 4000]}, cipher, NOW)
    await store.put_profile(OTHER, 2, {"x": 1}, cipher, NOW)

    assert await store.get_profile(ENTRY, 1, cipher) == {"max_brightness": 60}
    assert await store.get_profile(ENTRY, 3, cipher) == {"kelvin": [2700, 4000]}
    assert await store.all_profile_groups(ENTRY) == [1, 3]
    assert await store.count("profiles", ENTRY) == 2

    assert await store.delete_profiles(ENTRY, [1, 7]) == 1
    assert await store.all_profile_groups(ENTRY) == [3]
    assert await store.all_profile_groups(OTHER) == [2]


async def test_undecryptable_profile_raises(store: Store) -> None:
    await store.put_profile(
        ENTRY, 4, {"a": 1}, ProfileCipher([Fernet.generate_key().decode()]), NOW
    )
    with pytest.raises(ProfileDecryptError, match="group 4"):
        await store.get_profile(ENTRY, 4, ProfileCipher([ProfileCipher.generate_key()]))


async def test_sqlite_holds_ciphertext_only(store: Store, db_path: Path) -> None:
    cipher = ProfileCipher([ProfileCipher.generate_key()])
    await store.put_profile(ENTRY, 0, {"note": MARKER}, cipher, NOW)

    [(stored,)] = raw_query(db_path, "SELECT ciphertext FROM profiles")
    assert isinstance(stored, bytes)
    assert MARKER.encode() not in stored
    assert stored.startswith(b"gAAAAA")  # a Fernet token
    for path in db_path.parent.iterdir():
        assert MARKER.encode() not in path.read_bytes(), path
    await store.close()
    assert MARKER.encode() not in db_path.read_bytes()


async def test_rotation_re_encrypts_every_profile(store: Store) -> None:
    old_key, new_key = ProfileCipher.generate_key(), ProfileCipher.generate_key()
    old, new = ProfileCipher([old_key]), ProfileCipher([new_key])
    for group in range(4):
        await store.put_profile(ENTRY, group, {"group": group}, old, NOW)
    await store.put_profile(OTHER, 0, {"other": True}, old, NOW)
    # Written with the new key by a caller that switched keys before rotating.
    await store.put_profile(ENTRY, 9, {"group": 9}, new, NOW)

    rotated = await store.rotate_profiles(ENTRY, ProfileCipher([new_key, old_key]), new)

    assert rotated == 5
    for group in (0, 1, 2, 3, 9):
        assert await store.get_profile(ENTRY, group, new) == {"group": group}
        with pytest.raises(ProfileDecryptError):
            await store.get_profile(ENTRY, group, old)
    assert await store.get_profile(OTHER, 0, old) == {"other": True}


async def test_rotation_is_all_or_nothing(store: Store) -> None:
    old_key, new_key = ProfileCipher.generate_key(), ProfileCipher.generate_key()
    old = ProfileCipher([old_key])
    for group in range(3):
        await store.put_profile(ENTRY, group, {"group": group}, old, NOW)
    stranger = ProfileCipher([ProfileCipher.generate_key()])
    await store.put_profile(ENTRY, 5, {"group": 5}, stranger, NOW)

    with pytest.raises(ProfileDecryptError, match="group 5") as caught:
        await store.rotate_profiles(ENTRY, old, ProfileCipher([new_key]))

    assert old_key not in str(caught.value)
    for group in range(3):
        assert await store.get_profile(ENTRY, group, old) == {"group": group}


async def test_profile_written_during_rotation_is_readable_with_the_new_key(store: Store) -> None:
    old_key, new_key = ProfileCipher.generate_key(), ProfileCipher.generate_key()
    old, new = ProfileCipher([old_key]), ProfileCipher([new_key])
    for group in range(20):
        await store.put_profile(ENTRY, group, {"group": group}, old, NOW)

    await asyncio.gather(
        store.put_profile(ENTRY, 0, {"group": 0, "edited": True}, new, NOW),
        store.rotate_profiles(ENTRY, ProfileCipher([new_key, old_key]), new),
        store.put_profile(ENTRY, 1, {"group": 1, "edited": True}, new, NOW),
    )

    assert await store.get_profile(ENTRY, 0, new) == {"group": 0, "edited": True}
    assert await store.get_profile(ENTRY, 1, new) == {"group": 1, "edited": True}
    for group in range(2, 20):
        assert await store.get_profile(ENTRY, group, new) == {"group": group}
