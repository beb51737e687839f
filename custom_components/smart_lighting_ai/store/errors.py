"""Errors raised by the store."""

from __future__ import annotations


class StoreError(Exception):
    """Base class of every error raised by the store."""


class StoreClosedError(StoreError):
    """The store is not open (never opened, or already closed)."""


class StoreOperationError(StoreError):
    """A database operation failed (I/O error, unusable path, locked file...)."""


class SchemaVersionError(StoreError):
    """The database was written by a newer version of the integration."""

    def __init__(self, found: int, supported: int) -> None:
        """Describe the version found on disk and the newest one this code knows."""
        super().__init__(
            f"Database schema version {found} is newer than the newest version this "
            f"integration supports ({supported}); update the integration or restore "
            "an older database"
        )
        self.found = found
        self.supported = supported


class ProfileKeyError(StoreError):
    """A profile encryption key is missing or is not a valid Fernet key."""


class ProfileDecryptError(StoreError):
    """A stored profile cannot be decrypted with the keys at hand."""


class ProfileRowError(ProfileDecryptError):
    """A stored profile row does not hold a Fernet token (a value of the wrong SQLite type)."""
