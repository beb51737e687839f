"""Fixtures of the Home Assistant tests: the real harness with the recorder and our integration."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_lighting_ai.const import DOMAIN

ENTRY_UNIQUE_ID = "simulated"
logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)


@pytest.fixture(autouse=True)
def _ha_harness(recorder_mock: Any, enable_custom_integrations: None) -> None:
    """Run every HA test with the real recorder and our custom integration enabled."""


@pytest.fixture(autouse=True)
def _own_config_dir(hass: HomeAssistant, tmp_path: Path) -> Iterator[None]:
    """Give each test its own config folder so files (SQLite, .storage) never leak."""
    hass.config.config_dir = str(tmp_path)
    return


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
async def loaded_entry(
    hass: HomeAssistant, entry: MockConfigEntry
) -> AsyncIterator[MockConfigEntry]:
    """The simulated entry, set up."""
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry
