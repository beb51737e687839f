"""Smart Lighting AI: DALI group lights that adapt to the building's sensors."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from dali.address import GearBroadcast, GearGroup, GearShort
from dali.command import Command
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryError, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.typing import ConfigType

from .const import (
    BUS_TIMEOUT_S,
    CONF_BUS_TYPE,
    CONF_PATH,
    CONF_URL,
    CONNECT_TIMEOUT_S,
    DOMAIN,
    LOGGER,
    READ_BACK_INTERVAL_S,
    RECONNECT_DELAYS_S,
)
from .coordinator import SmartLightingCoordinator
from .dali import (
    DaliBus,
    DaliConfigError,
    DaliConnectionError,
    DaliError,
    GroupController,
    GroupState,
    create_backend,
    scan_bus,
)
from .database import async_acquire_store, async_release_store
from .entity import bus_device_info
from .overrides import ORIGIN_BUS, OverrideManager
from .pipeline import DataPipeline
from .predictor_factory import async_create_predictor
from .runtime import InventoryStore, SmartLightingConfigEntry, SmartLightingData
from .services import async_setup_services
from .setpoints import pct_from_level

PLATFORMS = [Platform.LIGHT, Platform.SENSOR, Platform.SWITCH]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: SmartLightingConfigEntry) -> bool:
    """Connect the bus, load or scan its inventory and set up the group entities."""
    try:
        backend = create_backend(
            entry.data[CONF_BUS_TYPE], path=entry.data.get(CONF_PATH), url=entry.data.get(CONF_URL)
        )
    except DaliConfigError as err:
        raise ConfigEntryError(
            translation_domain=DOMAIN,
            translation_key="invalid_bus_settings",
            translation_placeholders={"error": str(err)},
        ) from err
    bus = DaliBus(backend, timeout=BUS_TIMEOUT_S, reconnect_delays=RECONNECT_DELAYS_S)
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT_S):
            await bus.connect()
    except (DaliConnectionError, TimeoutError) as err:
        await bus.close()
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN, translation_key="cannot_connect"
        ) from err

    inventory_store = InventoryStore(hass, entry.entry_id)
    inventory = await inventory_store.async_load()
    if inventory is None:
        inventory = await scan_bus(bus)
        await inventory_store.async_save(inventory)
    controller = GroupController(bus, inventory)
    store = await async_acquire_store(hass, entry.entry_id)
    pipeline = DataPipeline(hass, entry, controller, store)
    overrides = OverrideManager(entry, store)
    await overrides.async_load()
    auto_control: dict[int, bool] = {}
    coordinator = SmartLightingCoordinator(
        hass,
        entry,
        controller=controller,
        pipeline=pipeline,
        overrides=overrides,
        predictor=await async_create_predictor(hass, entry.options),
        auto_control=auto_control,
    )
    entry.runtime_data = SmartLightingData(
        bus, controller, inventory_store, pipeline, overrides, coordinator, auto_control
    )
    await async_read_back(controller, list(controller.groups))

    dr.async_get(hass).async_get_or_create(config_entry_id=entry.entry_id, **bus_device_info(entry))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    await coordinator.async_config_entry_first_refresh()
    pipeline.after_aggregation.append(coordinator.async_refresh)

    async def _read_back_all(_now: object) -> None:
        await async_read_back(controller, list(controller.groups))

    @callback
    def _bus_traffic(command: Command) -> None:
        groups = _groups_addressed(controller, command)
        if groups:
            entry.async_create_task(hass, async_read_back(controller, groups), "dali read-back")

    entry.async_on_unload(
        async_track_time_interval(hass, _read_back_all, timedelta(seconds=READ_BACK_INTERVAL_S))
    )
    entry.async_on_unload(bus.add_traffic_listener(_bus_traffic))

    @callback
    def _changed_on_the_bus(group: int, state: GroupState) -> None:
        if auto_control.get(group):
            entry.async_create_task(
                hass,
                overrides.async_record(
                    group, ORIGIN_BUS, is_on=state.is_on, brightness_pct=pct_from_level(state.level)
                ),
                "dali override",
            )

    entry.async_on_unload(controller.add_external_change_listener(_changed_on_the_bus))
    entry.async_on_unload(entry.add_update_listener(_async_reload))
    await pipeline.async_start()
    entry.async_on_unload(pipeline.async_stop)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: SmartLightingConfigEntry) -> bool:
    """Unload the entities and close the bus."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await entry.runtime_data.bus.close()
        await async_release_store(hass, entry.entry_id)
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: SmartLightingConfigEntry) -> None:
    """Forget the saved inventory and the stored rows of a removed bus."""
    await InventoryStore(hass, entry.entry_id).async_remove()
    if (store := await async_acquire_store(hass, entry.entry_id)) is not None:
        await store.delete_entry(entry.entry_id)
    await async_release_store(hass, entry.entry_id)


async def _async_reload(hass: HomeAssistant, entry: SmartLightingConfigEntry) -> None:
    await hass.config_entries.async_reload(entry.entry_id)


async def async_read_back(controller: GroupController, groups: list[int]) -> None:
    """Refresh ``groups`` from the gear; a bus problem leaves the known state in place."""
    for number in groups:
        try:
            await controller.read_back(number)
        except DaliError as err:
            LOGGER.debug("Read-back of DALI group %d failed: %s", number, err)
            return


def _groups_addressed(controller: GroupController, command: Command) -> list[int]:
    destination = getattr(command, "destination", None)
    if isinstance(destination, GearGroup):
        return [destination.group] if destination.group in controller.groups else []
    if isinstance(destination, GearShort):
        return sorted(
            n
            for n, info in controller.groups.items()
            if any(g.short_address == destination.address for g in info.members)
        )
    if isinstance(destination, GearBroadcast):
        return list(controller.groups)
    return []
