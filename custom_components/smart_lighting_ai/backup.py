"""Backup platform: the database is consistent in every Home Assistant backup.

Before a backup the WAL is checkpointed into the main file and writes are held
(queued, never dropped); after it they are released.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant

from .shared_store import shared_store


async def async_pre_backup(hass: HomeAssistant) -> None:
    """Checkpoint and hold writes."""
    if (store := shared_store(hass)) is not None:
        await store.hold_writes()


async def async_post_backup(hass: HomeAssistant) -> None:
    """Release the held writes."""
    if (store := shared_store(hass)) is not None:
        await store.release_writes()
