"""Scenes and stored configuration of the groups' gear (contracts C13 and C17), HA side.

:class:`GearSettings` (``entry.runtime_data.gear_settings``) reads the stored settings of
every grouped gear once (scenes, power-on and system-failure level, extended fade: about 20
queries per gear, at the lowest bus priority) and keeps them in the saved inventory, so a
restart reads nothing; after a rescan it takes what it knew by fitting key. A scene stored
or removed by another master on the bus makes it read that gear again.

The ``store_scene`` action (``scene_actions``), the scene entities and the configuration
entities call :meth:`GearSettings.async_store_scene`, :meth:`GearSettings.async_recall` and
:meth:`GearSettings.async_configure`.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from dali.address import GearBroadcast, GearGroup, GearShort
from dali.command import Command
from dali.gear.general import RemoveFromScene, SetScene
from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError

from .const import DOMAIN, LOGGER
from .dali import DaliError, GearInfo, Inventory
from .dali.gear_config import (
    GearNotAnswering,
    GearWriteFailed,
    complete_inventory,
    configure_group,
    read_stored,
)
from .dali.inventory import StoredSettings
from .dali.scenes import group_scenes, recall_scene, store_scene
from .overrides import origin_of
from .runtime import SmartLightingConfigEntry

_SCENE_WRITES = (SetScene, RemoveFromScene)


def gear_error(err: GearNotAnswering | GearWriteFailed) -> HomeAssistantError:
    """The translated error for a gear that did not answer or did not keep a value."""
    if isinstance(err, GearNotAnswering):
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="gear_not_answering",
            translation_placeholders={"address": str(err.short_address)},
        )
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="gear_write_failed",
        translation_placeholders={"address": str(err.short_address), "what": err.what},
    )


def _merged(current: Inventory, changed: list[GearInfo]) -> Inventory:
    """``current`` with stored settings and fade time from ``changed`` (same gear, same place).

    A gear that moved or left meanwhile (a rescan while this ran) keeps what ``current`` says.
    """
    by_address = {g.short_address: g for g in changed}
    gear = []
    for info in current.gear:
        new = by_address.get(info.short_address)
        if new is not None and new.key == info.key:
            gear.append(replace(info, stored=new.stored, fade_time=new.fade_time))
        else:
            gear.append(info)
    return replace(current, gear=tuple(gear))


class GearSettings:
    """Keeps the grouped gear's stored settings in the inventory and writes them."""

    def __init__(self, hass: HomeAssistant, entry: SmartLightingConfigEntry) -> None:
        """Work on ``entry``'s bus and inventory."""
        self._hass = hass
        self._entry = entry
        self._data = entry.runtime_data
        self._known: dict[str, StoredSettings] = {}
        self._task: asyncio.Task[None] | None = None
        self._stale: set[int] = set()  # short addresses another master wrote scenes to

    @property
    def _missing(self) -> bool:
        return any(g.stored is None and g.groups for g in self._data.controller.inventory.gear)

    async def async_complete(self) -> None:
        """Read the stored settings the inventory lacks (and the gear marked stale)."""
        controller = self._data.controller
        self._remember(controller.inventory)
        try:
            inventory = await complete_inventory(self._data.bus, controller.inventory, self._known)
            reread = []
            for address in sorted(self._stale):
                self._stale.discard(address)
                gear = next((g for g in inventory.gear if g.short_address == address), None)
                if gear is not None:
                    reread.append(await read_stored(self._data.bus, gear))
        except DaliError as err:
            LOGGER.debug("Reading the stored settings of DALI gear failed: %s", err)
            return
        await self.async_take([*inventory.gear, *reread])

    async def async_take(self, changed: list[GearInfo]) -> None:
        """Save the stored settings of ``changed`` in the inventory and tell the entities."""
        controller = self._data.controller
        inventory = _merged(controller.inventory, changed)
        if inventory == controller.inventory:
            return
        self._remember(inventory)
        await self._data.inventory_store.async_save(inventory)
        controller.set_inventory(inventory)

    def _remember(self, inventory: Inventory) -> None:
        self._known.update({g.key: g.stored for g in inventory.gear if g.stored is not None})

    @callback
    def schedule(self) -> None:
        """Read what is missing in the background, unless a read already runs."""
        if self._task is not None and not self._task.done():
            return
        if not self._missing and not self._stale:
            return
        self._task = self._entry.async_create_task(
            self._hass, self.async_complete(), f"{DOMAIN} read stored gear settings"
        )

    @callback
    def frame_seen(self, command: Command) -> None:
        """A scene written by another master: read the gear it reached again."""
        if not isinstance(command, _SCENE_WRITES):
            return
        destination = getattr(command, "destination", None)
        gear = self._data.controller.inventory.gear
        if isinstance(destination, GearShort):
            self._stale.update(
                g.short_address for g in gear if g.short_address == destination.address
            )
        elif isinstance(destination, GearGroup):
            self._stale.update(g.short_address for g in gear if destination.group in g.groups)
        elif isinstance(destination, GearBroadcast):
            self._stale.update(g.short_address for g in gear if g.groups)
        self.schedule()

    def scenes(self, group: int) -> dict[int, dict[int, int]]:
        """The scenes the members of ``group`` store: scene -> {short address: level}."""
        info = self._data.controller.groups.get(group)
        return {} if info is None else group_scenes(info)

    async def async_recall(self, group: int, scene: int, context: Context | None) -> None:
        """Recall ``scene`` in ``group`` with one frame, as a person's change; then read back."""
        autopilot = self._data.autopilot
        levels = self.scenes(group).get(scene, {})
        change = autopilot.person_change_started(
            group, origin_of(context), max(levels.values()) if levels else None
        )
        try:
            await recall_scene(self._data.bus, group, scene)
        except BaseException:
            if change is not None:
                autopilot.person_change_failed(change)
            raise
        if change is not None:
            autopilot.person_change_done(change, None)
        await self._data.state.async_read_back([group], while_fading=True)

    async def async_store_scene(self, group: int, scene: int) -> dict[int, int]:
        """Store the members' present levels into ``scene``; returns {short address: level}."""
        await self._ensure_read(group)
        info = self._data.controller.group(group)
        try:
            updated = await store_scene(self._data.bus, info, scene)
        except GearWriteFailed as err:
            await self.async_take(err.updated)
            raise gear_error(err) from err
        except GearNotAnswering as err:
            raise gear_error(err) from err
        await self.async_take(updated)
        return {g.short_address: g.stored.scenes[scene] for g in updated if g.stored is not None}

    async def async_configure(self, group: int, setting: str, value: int) -> None:
        """Write ``setting`` to every member of ``group`` that holds another value."""
        await self._ensure_read(group)
        info = self._data.controller.group(group)
        try:
            updated = await configure_group(self._data.bus, info, setting, value)
        except GearWriteFailed as err:
            await self.async_take(err.updated)
            raise gear_error(err) from err
        except GearNotAnswering as err:
            raise gear_error(err) from err
        await self.async_take(updated)

    async def _ensure_read(self, group: int) -> None:
        info = self._data.controller.group(group)
        missing = [g for g in info.members if g.stored is None]
        read = []
        for gear in missing:
            try:
                read.append(await read_stored(self._data.bus, gear))
            except GearNotAnswering as err:
                raise gear_error(err) from err
        if read:
            await self.async_take(read)


async def async_setup_gear_settings(
    hass: HomeAssistant, entry: SmartLightingConfigEntry
) -> GearSettings:
    """Create the entry's :class:`GearSettings`: read what is missing, follow the inventory."""
    settings = GearSettings(hass, entry)
    data = entry.runtime_data
    entry.async_on_unload(data.controller.add_inventory_listener(settings.schedule))
    entry.async_on_unload(data.state.add_frame_listener(settings.frame_seen))

    @callback
    def _stop() -> None:
        if settings._task is not None:
            settings._task.cancel()

    entry.async_on_unload(_stop)
    settings.schedule()
    return settings
