"""Smart Lighting AI: DALI group lights that adapt to the building's sensors."""

from __future__ import annotations

import asyncio

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryError, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .bus_watch import async_read_back, watch_the_bus
from .const import (
    BUS_TIMEOUT_S,
    CONF_BUS_TYPE,
    CONF_PATH,
    CONF_URL,
    CONNECT_TIMEOUT_S,
    DOMAIN,
    RECONNECT_DELAYS_S,
)
from .coordinator import SmartLightingCoordinator
from .dali import (
    DaliBus,
    DaliConfigError,
    DaliConnectionError,
    DaliError,
    GroupController,
    create_backend,
    scan_bus,
)
from .database import async_acquire_store, async_release_store
from .entity import bus_device_info, bus_identifier, group_identifier
from .http import async_register_views
from .overrides import OverrideManager
from .pipeline import DataPipeline, pipeline_state_store
from .predictor_factory import async_create_predictor
from .profiles import ProfileManager, ensure_key
from .repairs_issues import check_api_key, check_database, watch_bus_connection
from .runtime import InventoryStore, SmartLightingConfigEntry, SmartLightingData
from .services import async_setup_services
from .telemetry import Telemetry

PLATFORMS = [Platform.BINARY_SENSOR, Platform.LIGHT, Platform.SENSOR, Platform.SWITCH]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions."""
    async_setup_services(hass)
    async_register_views(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: SmartLightingConfigEntry) -> bool:
    """Connect the bus, load or scan its inventory and set up the group entities."""
    bus = await _async_connect(entry)
    try:
        entry.runtime_data = data = await _async_build_runtime(hass, entry, bus)
    except BaseException as err:
        await bus.close()
        await async_release_store(hass, entry.entry_id)
        if isinstance(err, DaliError):  # the bus failed during the scan: try again later
            raise ConfigEntryNotReady(
                translation_domain=DOMAIN, translation_key="cannot_connect"
            ) from err
        raise
    await async_read_back(data.controller, list(data.controller.groups))

    async def _after_cycle() -> None:
        await data.coordinator.async_refresh()
        await data.telemetry.async_flush()
        check_api_key(hass, entry, data.coordinator.predictor)

    data.pipeline.after_aggregation.append(_after_cycle)
    data.pipeline.health_listeners.append(lambda ok: check_database(hass, entry, ok))
    await data.pipeline.async_start()
    entry.async_on_unload(data.pipeline.async_stop)

    data.bus_device_id = (
        dr.async_get(hass)
        .async_get_or_create(config_entry_id=entry.entry_id, **bus_device_info(entry))
        .id
    )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    await data.coordinator.async_config_entry_first_refresh()
    entry.async_on_unload(watch_bus_connection(hass, entry, bus))
    for unsubscribe in watch_the_bus(hass, entry):
        entry.async_on_unload(unsubscribe)
    entry.async_on_unload(entry.add_update_listener(_async_reload))
    return True


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: SmartLightingConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Let a user delete a group's device once the bus no longer has that group.

    Not done automatically: a scan on a noisy line can miss a group that still exists, and
    removing its device would take the entities' names, areas and history with it.
    """
    groups = entry.runtime_data.controller.groups
    current = {bus_identifier(entry)} | {group_identifier(entry, n) for n in groups}
    return device.identifiers.isdisjoint(current)


async def _async_connect(entry: SmartLightingConfigEntry) -> DaliBus:
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
    return bus


async def _async_build_runtime(
    hass: HomeAssistant, entry: SmartLightingConfigEntry, bus: DaliBus
) -> SmartLightingData:
    inventory_store = InventoryStore(hass, entry.entry_id)
    inventory = await inventory_store.async_load()
    if inventory is None:
        inventory = await scan_bus(bus)
        await inventory_store.async_save(inventory)
    controller = GroupController(bus, inventory)
    ensure_key(hass, entry)
    store = await async_acquire_store(hass, entry.entry_id)
    pipeline = DataPipeline(hass, entry, controller, store)
    overrides = OverrideManager(entry, store)
    await overrides.async_load()
    profiles = ProfileManager(hass, entry, store)
    await profiles.async_load()
    auto_control: dict[int, bool] = {}
    coordinator = SmartLightingCoordinator(
        hass,
        entry,
        controller=controller,
        pipeline=pipeline,
        overrides=overrides,
        profiles=profiles,
        predictor=await async_create_predictor(hass, entry.options),
        auto_control=auto_control,
    )
    telemetry = Telemetry(hass, entry)
    data = SmartLightingData(
        bus,
        controller,
        inventory_store,
        pipeline,
        overrides,
        coordinator,
        profiles,
        telemetry,
        dict(entry.options),
        auto_control,
    )
    entry.runtime_data = data
    await telemetry.async_load()
    return data


async def async_unload_entry(hass: HomeAssistant, entry: SmartLightingConfigEntry) -> bool:
    """Unload the entities and close the bus."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        entry.runtime_data.pipeline.async_stop()  # no cycle may start on a closing bus
        await entry.runtime_data.telemetry.async_flush()
        await entry.runtime_data.bus.close()
        await async_release_store(hass, entry.entry_id)
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: SmartLightingConfigEntry) -> None:
    """Forget the saved inventory and the stored rows of a removed bus."""
    await InventoryStore(hass, entry.entry_id).async_remove()
    await pipeline_state_store(hass, entry.entry_id).async_remove()
    if (store := await async_acquire_store(hass, entry.entry_id)) is not None:
        await store.delete_entry(entry.entry_id)
    await async_release_store(hass, entry.entry_id)


async def _async_reload(hass: HomeAssistant, entry: SmartLightingConfigEntry) -> None:
    """Reload when the options changed (not when the entry data, e.g. a rotated key, did)."""
    if dict(entry.options) != entry.runtime_data.options:
        await hass.config_entries.async_reload(entry.entry_id)
