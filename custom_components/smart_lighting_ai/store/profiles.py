"""Fernet encryption of group profiles.

``ProfileCipher`` wraps MultiFernet: the first key encrypts, every key decrypts.
Errors and ``repr`` never contain key material or profile contents. Fernet
stamps each token with the current time (the only clock read on this path).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from .errors import ProfileDecryptError, ProfileKeyError
from .rows import dump_json

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


class ProfileCipher:
    """Encrypts profiles with the primary (first) key; decrypts with any key."""

    def __init__(self, keys: Sequence[str] | object) -> None:
        """Build the cipher from url-safe base64 Fernet keys, primary first.

        Anything else (as a damaged config entry may hold) raises ProfileKeyError.
        """
        if not isinstance(keys, list | tuple):  # a key, or whatever a damaged entry holds
            raise ProfileKeyError("Profile keys must be given as a list of keys")
        if not keys:
            raise ProfileKeyError("At least one profile key is required")
        fernets: list[Fernet] = []
        for number, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key))
            except (ValueError, TypeError):
                raise ProfileKeyError(f"Profile key {number} is not a valid Fernet key") from None
        self._fernet = MultiFernet(fernets)
        self._key_count = len(fernets)

    @staticmethod
    def generate_key() -> str:
        """Return a new random Fernet key as text."""
        return Fernet.generate_key().decode("ascii")

    @property
    def key_count(self) -> int:
        """Return how many keys the cipher holds."""
        return self._key_count

    def encrypt(self, profile: Mapping[str, Any]) -> bytes:
        """Return the Fernet token of a JSON-serialisable profile."""
        return self._fernet.encrypt(dump_json(dict(profile)).encode("utf-8"))

    def decrypt(self, token: bytes) -> dict[str, Any]:
        """Return the profile in ``token``; raise ProfileDecryptError when unreadable."""
        try:
            plaintext = self._fernet.decrypt(token)
        except (InvalidToken, TypeError):
            raise ProfileDecryptError(
                "Profile could not be decrypted with the configured keys"
            ) from None
        try:
            profile = json.loads(plaintext)
        except ValueError:
            profile = None
        if not isinstance(profile, dict):
            raise ProfileDecryptError("Decrypted profile is not a JSON object")
        return profile

    def __repr__(self) -> str:
        """Describe the cipher without revealing its keys."""
        return f"<ProfileCipher keys={self._key_count}>"
