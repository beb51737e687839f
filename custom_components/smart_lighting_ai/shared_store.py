"""The one SQLite store all bus entries share (contract C8), opened and closed with them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from homeassistant.const import EVENT_HOMEASSISTANT_CLOSE
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant
from homeassistant.util.hass_dict import HassKey

from .const import DB_FILENAME, DOMAIN, LOGGER
from .store import Store, StoreError

DATA_DATABASE: HassKey[SharedDatabase] = HassKey(f"{DOMAIN}_database")
DATA_LOCK: HassKey[asyncio.Lock] = HassKey(f"{DOMAIN}_database_lock")


@dataclass
class SharedDatabase:
    """The open store and the entries using it."""

    store: Store
    users: set[str] = field(default_factory=set)
    stop_listener: CALLBACK_TYPE | None = None


def _lock(hass: HomeAssistant) -> asyncio.Lock:
    """Opening and closing never interleave: two buses set up at once share one store."""
    return hass.data.setdefault(DATA_LOCK, asyncio.Lock())


async def async_acquire_store(hass: HomeAssistant, entry_id: str) -> Store | None:
    """Open (once) and return the store; None when it cannot be opened.

    A store that cannot be opened is logged and left out: the lights keep
    working, only history and decisions are not kept.
    """
    async with _lock(hass):
        return await _async_acquire(hass, entry_id)


async def _async_acquire(hass: HomeAssistant, entry_id: str) -> Store | None:
    shared = hass.data.get(DATA_DATABASE)
    if shared is None:
        store = Store(hass.config.path(DB_FILENAME))
        try:
            await store.open()
        except StoreError as err:
            LOGGER.error("Database health check failed: cannot open %s: %s", store.path, err)
            return None
        if store.recovered_from_corruption:
            LOGGER.error(
                "The database was corrupt; it was kept as %s and a new one was created",
                store.recovered_from_corruption,
            )
        shared = hass.data[DATA_DATABASE] = SharedDatabase(store)

        async def _close_at_stop(_event: Event) -> None:
            if hass.data.get(DATA_DATABASE) is shared:
                hass.data.pop(DATA_DATABASE)
                await store.close()

        shared.stop_listener = hass.bus.async_listen_once(EVENT_HOMEASSISTANT_CLOSE, _close_at_stop)
    shared.users.add(entry_id)
    return shared.store


async def async_release_store(hass: HomeAssistant, entry_id: str) -> None:
    """Close the store once no entry uses it."""
    async with _lock(hass):
        await _async_release(hass, entry_id)


async def _async_release(hass: HomeAssistant, entry_id: str) -> None:
    shared = hass.data.get(DATA_DATABASE)
    if shared is None:
        return
    shared.users.discard(entry_id)
    if not shared.users:
        hass.data.pop(DATA_DATABASE)
        if shared.stop_listener is not None:
            shared.stop_listener()
        await shared.store.close()


def shared_store(hass: HomeAssistant) -> Store | None:
    """The open store, if any."""
    shared = hass.data.get(DATA_DATABASE)
    return shared.store if shared else None
