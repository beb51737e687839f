"""Fixtures for the HA-free store tests (no Home Assistant needed)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from custom_components.smart_lighting_ai.store import Store


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Return the path of the test database file."""
    return tmp_path / "smart_lighting_ai.db"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[Store]:
    """Return an open store that is closed after the test."""
    opened = Store(db_path)
    await opened.open()
    yield opened
    await opened.close()
