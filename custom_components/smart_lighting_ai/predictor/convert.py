"""Strict conversions from JSON-like values, shared by the dataclasses' ``from_dict``."""

from __future__ import annotations

import math
from datetime import UTC, datetime


def finite_or_none(value: float | None) -> float | None:
    """Return ``value`` as a float, or None when it is None, NaN or infinite."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def to_float(value: object, name: str) -> float:
    """Return a JSON number as a float; booleans and strings are rejected."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    return float(value)


def to_opt_float(value: object, name: str) -> float | None:
    """Return a JSON number or null as ``float | None``."""
    return None if value is None else to_float(value, name)


def to_int(value: object, name: str) -> int:
    """Return a JSON number with an integral value as an int."""
    number = to_float(value, name)
    if not number.is_integer():
        raise ValueError(f"{name} must be a whole number, not {value!r}")
    return int(number)


def to_opt_int(value: object, name: str) -> int | None:
    """Return a JSON integer or null as ``int | None``."""
    return None if value is None else to_int(value, name)


def to_opt_str(value: object, name: str) -> str | None:
    """Return a JSON string or null as ``str | None``."""
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"{name} must be a string, not {type(value).__name__}")


def to_bool(value: object, name: str) -> bool:
    """Return a JSON boolean (or SQLite's 0/1) as a bool."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise TypeError(f"{name} must be a boolean, not {value!r}")


def to_utc(value: object, name: str) -> datetime:
    """Return an ISO 8601 string or a datetime as an aware UTC datetime (naive means UTC)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be an ISO 8601 string, not {type(value).__name__}")
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def iso_utc(value: datetime) -> str:
    """Return an aware datetime as a compact ISO 8601 UTC string ending in ``Z``."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
