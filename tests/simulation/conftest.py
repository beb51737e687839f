"""Fixtures of the simulation test: the real harness with the recorder and our integration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from homeassistant.core import HomeAssistant


@pytest.fixture(autouse=True)
def _ha_harness(recorder_mock: Any, enable_custom_integrations: None) -> None:
    """Run with the real recorder (requested before ``hass``) and custom integrations enabled."""


@pytest.fixture(autouse=True)
def _own_config_dir(hass: HomeAssistant, tmp_path: Path) -> None:
    """Keep the integration's SQLite file and .storage in this test's own folder."""
    hass.config.config_dir = str(tmp_path)
