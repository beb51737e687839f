"""Smart Lighting AI: DALI group lights that adapt to the building's sensors."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryError, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.storage import Store
from homeassistant.helpers.typing import ConfigType

from .autopilot import Autopilot
from .commissioning_actions import async_setup_commissioning_services
from .const import (
    BUS_TIMEOUT_S,
    CONF_ANTI_FLICKER,
    CONF_BUS_TYPE,
    CONF_OVERRIDE_MINUTES,
    CONF_PATH,
    CONF_PRICE_INPUT,
    CONF_PRICE_OUTPUT,
    CONF_RETENTION_DAYS,
    CONF_SHADOW_MODE,
    CONF_URL,
    CONF_WEATHER_ENTITY,
    CONNECT_TIMEOUT_S,
    DOMAIN,
    RECONNECT_DELAYS_S,
)
from .coordinator import BusStateCoordinator
from .dali import (
    DaliBus,
    DaliConfigError,
    DaliConnectionError,
    DaliError,
    GroupController,
    Inventory,
    create_backend,
    scan_bus,
)
from .emergency_monitor import async_setup_emergency
from .energy_meters import async_setup_meters
from .entity import bus_device_info, bus_identifier, fitting_identifier, group_identifier
from .faults import async_setup_faults
from .gear_settings import async_setup_gear_settings
from .http import async_register_views
from .input_actions import async_setup_input_services
from .input_devices import async_setup_input_devices
from .issues import check_api_key, check_database, watch_bus_connection
from .overrides import OverrideManager, override_state_store
from .pipeline import DataPipeline, pipeline_state_store
from .predictor_factory import async_create_predictor
from .profiles import ProfileManager, ensure_key
from .room_learning import RoomLearning, room_learning_store
from .room_sensing import RoomSensing
from .runtime import InventoryStore, SmartLightingConfigEntry, SmartLightingData
from .scene_actions import async_setup_scene_services
from .services import async_setup_services
from .shared_store import async_acquire_store, async_release_store
from .simulated_line import async_keep_simulated_line, simulated_line_store
from .telemetry import Telemetry

LIVE_OPTIONS = frozenset(
    {
        CONF_ANTI_FLICKER,
        CONF_OVERRIDE_MINUTES,
        CONF_SHADOW_MODE,
        CONF_RETENTION_DAYS,
        CONF_WEATHER_ENTITY,
        CONF_PRICE_INPUT,
        CONF_PRICE_OUTPUT,
    }
)
PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.LIGHT,
    Platform.NUMBER,
    Platform.SCENE,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions."""
    async_setup_services(hass)
    async_setup_commissioning_services(hass)
    async_setup_input_services(hass)
    async_setup_scene_services(hass)
    async_register_views(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: SmartLightingConfigEntry) -> bool:
    """Set up the bus entry; an unexpected error still releases what was opened.

    Home Assistant runs the ``async_on_unload`` callbacks of a setup that raised one of its
    ``ConfigEntry...`` errors, not of one that raised anything else: hence the translation.
    """
    try:
        return await _async_setup_entry(hass, entry)
    except (ConfigEntryError, ConfigEntryNotReady):
        raise
    except Exception as err:
        raise ConfigEntryError(
            translation_domain=DOMAIN,
            translation_key="setup_failed",
            translation_placeholders={"error": str(err) or type(err).__name__},
        ) from err


async def _async_setup_entry(hass: HomeAssistant, entry: SmartLightingConfigEntry) -> bool:
    """Connect the bus, load or scan its inventory and set up the group entities.

    Every resource is released through ``entry.async_on_unload`` as soon as it exists, so a
    setup that fails half-way (and is retried) leaves nothing open behind it. The state of
    every group is read before any entity exists; the first decision cycle runs after the
    entities are set up and cannot fail the setup.
    """
    bus = await _async_connect(hass, entry)
    closing: list[Callable[[], Awaitable[None]]] = [bus.close]

    async def _close() -> None:
        for step in reversed(closing):
            await step()

    entry.async_on_unload(_close)
    inventory_store = InventoryStore(hass, entry.entry_id)
    controller = GroupController(bus, await _async_inventory(bus, inventory_store))
    ensure_key(hass, entry)
    store = await async_acquire_store(hass, entry.entry_id)
    closing.append(lambda: async_release_store(hass, entry.entry_id))
    state = BusStateCoordinator(hass, entry, bus, controller)
    learning = RoomLearning(hass, entry.entry_id)
    await learning.async_load()
    closing.append(learning.async_save)
    sensing = RoomSensing(hass, entry, learning)

    async def _clear_sensor_issues() -> None:
        sensing.clear_all()

    closing.append(_clear_sensor_issues)
    pipeline = DataPipeline(hass, entry, controller, store, sensing)
    overrides = OverrideManager(hass, entry, store)
    await overrides.async_load()
    profiles = ProfileManager(hass, entry, store)
    await profiles.async_load()
    autopilot = Autopilot(
        hass,
        entry,
        controller=controller,
        state=state,
        pipeline=pipeline,
        overrides=overrides,
        profiles=profiles,
        sensing=sensing,
        predictor=await async_create_predictor(hass, entry.options),
    )
    await autopilot.async_load()
    telemetry = Telemetry(hass, entry)
    entry.runtime_data = SmartLightingData(
        bus, controller, inventory_store, state, pipeline, autopilot, telemetry, dict(entry.options)
    )
    await telemetry.async_load()
    closing.append(telemetry.async_flush)

    await state.async_config_entry_first_refresh()
    for unsubscribe in (
        *state.async_follow_the_bus(),
        *autopilot.async_start(),
        telemetry.async_start(),
    ):
        entry.async_on_unload(unsubscribe)

    async def _after_cycle() -> None:
        await telemetry.async_flush()
        check_api_key(hass, entry, autopilot.predictor)

    autopilot.after_cycle.append(_after_cycle)
    pipeline.health_listeners.append(lambda ok: check_database(hass, entry, ok))
    await pipeline.async_start()
    entry.async_on_unload(pipeline.async_stop)

    entry.runtime_data.bus_device_id = (
        dr.async_get(hass)
        .async_get_or_create(config_entry_id=entry.entry_id, **bus_device_info(entry))
        .id
    )
    entry.runtime_data.faults = await async_setup_faults(hass, entry)
    entry.runtime_data.meters = await async_setup_meters(hass, entry)
    entry.runtime_data.emergency = await async_setup_emergency(hass, entry)
    entry.runtime_data.inputs = await async_setup_input_devices(hass, entry)
    entry.runtime_data.gear_settings = await async_setup_gear_settings(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    entry.async_create_task(hass, autopilot.async_run_cycle(), f"{DOMAIN} first decision cycle")
    entry.async_on_unload(watch_bus_connection(hass, entry, bus))
    entry.async_on_unload(entry.add_update_listener(_async_reload))
    return True


async def _async_inventory(bus: DaliBus, inventory_store: InventoryStore) -> Inventory:
    """The saved inventory, or a scan when there is none (a bus error: try again later)."""
    if (inventory := await inventory_store.async_load()) is not None:
        return inventory
    try:
        inventory = await scan_bus(bus)
    except DaliError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN, translation_key="cannot_connect"
        ) from err
    await inventory_store.async_save(inventory)
    return inventory


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: SmartLightingConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Let a user delete the device of a group or a fitting the bus no longer has.

    A group's once the bus no longer has that group; a fitting's once its gear left the
    inventory or is missing (did not answer the last scan). Not done automatically: a scan
    on a noisy line can miss a group that still exists, and removing its device would take
    the entities' names, areas and history with it.
    """
    controller = entry.runtime_data.controller
    inventory = controller.inventory
    current = {bus_identifier(entry)} | {group_identifier(entry, n) for n in controller.groups}
    current |= {
        fitting_identifier(entry, gear)
        for gear in inventory.gear
        if gear.short_address not in inventory.missed_scans
    }
    return device.identifiers.isdisjoint(current)


async def _async_connect(hass: HomeAssistant, entry: SmartLightingConfigEntry) -> DaliBus:
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
    await async_keep_simulated_line(hass, entry, backend)
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


async def async_unload_entry(hass: HomeAssistant, entry: SmartLightingConfigEntry) -> bool:
    """Unload the entities; the rest is released through ``async_on_unload``."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: SmartLightingConfigEntry) -> None:
    """Forget the saved inventory and the stored rows of a removed bus."""
    await InventoryStore(hass, entry.entry_id).async_remove()
    await pipeline_state_store(hass, entry.entry_id).async_remove()
    await override_state_store(hass, entry.entry_id).async_remove()
    await room_learning_store(hass, entry.entry_id).async_remove()
    await simulated_line_store(hass, entry.entry_id).async_remove()
    for kind in ("emergency", "input_devices"):  # the emergency test results, the input devices
        await Store[dict[str, Any]](hass, 1, f"{DOMAIN}.{kind}.{entry.entry_id}").async_remove()
    if (store := await async_acquire_store(hass, entry.entry_id)) is not None:
        await store.delete_entry(entry.entry_id)
    await async_release_store(hass, entry.entry_id)


async def _async_reload(hass: HomeAssistant, entry: SmartLightingConfigEntry) -> None:
    """Reload only for options that shape the entities, the schedule or the predictor.

    The policy (anti-flicker, override length, shadow mode), retention, the weather entity
    and the AI prices are read where they are used, so they apply at once without taking
    the lights away. A change of the entry data (a rotated key) reloads nothing.
    """
    data = entry.runtime_data
    changed = {
        key
        for key in set(data.options) | set(entry.options)
        if data.options.get(key) != entry.options.get(key)
    }
    data.options = dict(entry.options)
    if changed - LIVE_OPTIONS:
        await hass.config_entries.async_reload(entry.entry_id)


async def async_migrate_entry(hass: HomeAssistant, entry: SmartLightingConfigEntry) -> bool:
    """Bring an entry made by an older config flow up to date; its unique_id never changes.

    Since 1.2 a new hardware entry is known by its interface's serial number or udev by-id
    link. An older entry keeps its unique_id, because every entity unique_id and device
    identifier is built from it: changing it would need every one of them rewritten in both
    registries, and a half-done rewrite (or a downgrade) would orphan lights, their names,
    areas and history. It only records the by-id link of its port, so the config flow can
    tell the same interface on another port; a serial number reaches the bus device at
    setup. A newer minor version loads as it is; a newer major version is refused.
    """
    from .config_flow import SmartLightingConfigFlow, async_migrate_data

    if entry.version > SmartLightingConfigFlow.VERSION:
        return False
    if entry.version == 1 and entry.minor_version < 2:
        hass.config_entries.async_update_entry(
            entry, data=await async_migrate_data(hass, entry.data), minor_version=2
        )
    return True
