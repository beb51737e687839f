"""HA-free SQLite store of Smart Lighting AI.

One SQLite file (WAL) with the tables ``features``, ``decisions``, ``overrides``,
``telemetry``, ``weather`` and ``profiles``. Every row carries its config entry id
and a UTC timestamp stored as REAL epoch seconds. Profiles are Fernet ciphertext.
"""

from __future__ import annotations

from .errors import (
    ProfileDecryptError,
    ProfileKeyError,
    SchemaVersionError,
    StoreClosedError,
    StoreError,
    StoreOperationError,
)
from .profiles import ProfileCipher
from .rows import DecisionRow, FeatureRow, OverrideRow, WeatherRow
from .schema import TABLES
from .store import Store

__all__ = [
    "TABLES",
    "DecisionRow",
    "FeatureRow",
    "OverrideRow",
    "ProfileCipher",
    "ProfileDecryptError",
    "ProfileKeyError",
    "SchemaVersionError",
    "Store",
    "StoreClosedError",
    "StoreError",
    "StoreOperationError",
    "WeatherRow",
]
