"""Shared fixtures: the real Home Assistant harness with the recorder and our integration."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

# Import before the harness puts its own custom_components first on the path.
import custom_components.smart_lighting_ai  # noqa: F401
from custom_components.smart_lighting_ai.const import DOMAIN
from custom_components.smart_lighting_ai.dali.backends.simulated import SimulatedBackend
from custom_components.smart_lighting_ai.runtime import SmartLightingData
from homeassistant.core import HomeAssistant

ENTRY_UNIQUE_ID = "simulated"


@pytest.fixture(autouse=True)
def _ha_harness(recorder_mock: Any, enable_custom_integrations: None) -> None:
    """Run every HA test with the real recorder and our custom integration enabled."""


@pytest.fixture(autouse=True)
def _own_config_dir(hass: HomeAssistant, tmp_path: Path) -> Iterator[None]:
    """Give each test its own config folder so files (SQLite, .storage) never leak."""
    hass.config.config_dir = str(tmp_path)
    yield


@pytest.fixture
def entry(hass: HomeAssistant) -> MockConfigEntry:
    """A simulated-bus entry exactly as contract C1 describes it."""
    config_entry = MockConfigEntry(
        domain=DOMAIN,
        title="DALI bus (simulated)",
        data={"bus_type": "simulated"},
        unique_id=ENTRY_UNIQUE_ID,
    )
    config_entry.add_to_hass(hass)
    return config_entry


@pytest.fixture
async def loaded_entry(hass: HomeAssistant, entry: MockConfigEntry) -> AsyncIterator[MockConfigEntry]:
    """The simulated entry, set up."""
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    yield entry


def runtime(entry: MockConfigEntry) -> SmartLightingData:
    """The entry's runtime data."""
    data: SmartLightingData = entry.runtime_data
    return data


def simulator(entry: MockConfigEntry) -> SimulatedBackend:
    """The simulated backend behind a loaded entry."""
    backend = runtime(entry).bus.backend
    assert isinstance(backend, SimulatedBackend)
    return backend
