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


class _UsageReports(logging.Handler):
    """Collects Home Assistant's reports of deprecated or wrong API use by this integration."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.reports: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("Detected that") and DOMAIN in message:
            self.reports.append(message)


@pytest.fixture(autouse=True)
def _no_deprecated_api_use() -> Iterator[None]:
    """Fail a test in which the integration calls an API the running release deprecated.

    Home Assistant only logs such calls from a custom integration, and only the first time
    (``helpers.frame.report_usage``); users then see the warning in their log, and the call
    breaks in a later release.
    """
    reports = _UsageReports()
    frame_logger = logging.getLogger("homeassistant.helpers.frame")
    frame_logger.addHandler(reports)
    try:
        yield
    finally:
        frame_logger.removeHandler(reports)
    assert not reports.reports, reports.reports


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
