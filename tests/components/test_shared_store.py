"""The one SQLite store all buses share: opened once even when they start together."""

from __future__ import annotations

import asyncio

from homeassistant.core import HomeAssistant

from custom_components.smart_lighting_ai.shared_store import (
    DATA_DATABASE,
    async_acquire_store,
    async_release_store,
)


async def test_two_buses_starting_together_share_one_store(hass: HomeAssistant) -> None:
    first, second = await asyncio.gather(
        async_acquire_store(hass, "bus-1"), async_acquire_store(hass, "bus-2")
    )
    assert first is not None
    assert first is second
    assert hass.data[DATA_DATABASE].users == {"bus-1", "bus-2"}
    assert await first.health_check()
    await async_release_store(hass, "bus-1")
    assert first.is_open  # the other bus still uses it
    await async_release_store(hass, "bus-2")
    assert not first.is_open
    assert DATA_DATABASE not in hass.data
