"""Actions of the integration (contract C6)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import voluptuous as vol
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError, Unauthorized
from homeassistant.helpers import config_validation as cv

from .const import CONF_CONFIG_ENTRY_ID, DOMAIN
from .dali import DaliError, scan_bus
from .health import async_health
from .pipeline import DataPipeline
from .runtime import SmartLightingConfigEntry

SERVICE_SCAN_BUS = "scan_bus"
SERVICE_AGGREGATE_NOW = "aggregate_now"
SERVICE_PRUNE_NOW = "prune_now"
SERVICE_HEALTH = "health"

ENTRY_SCHEMA = vol.Schema({vol.Optional(CONF_CONFIG_ENTRY_ID): cv.string})

type Handler = Callable[[HomeAssistant, ServiceCall], Awaitable[ServiceResponse]]


async def async_require_admin(hass: HomeAssistant, call: ServiceCall) -> None:
    """Raise ``Unauthorized`` unless an admin (or Home Assistant itself) made the call."""
    if call.context.user_id is None:
        return
    user = await hass.auth.async_get_user(call.context.user_id)
    if user is None or not user.is_admin:
        raise Unauthorized(context=call.context)


def resolve_entry(hass: HomeAssistant, call: ServiceCall) -> SmartLightingConfigEntry:
    """The loaded entry the call names, or the only loaded one."""
    entries: list[SmartLightingConfigEntry] = [
        e for e in hass.config_entries.async_entries(DOMAIN) if e.state is ConfigEntryState.LOADED
    ]
    wanted = call.data.get(CONF_CONFIG_ENTRY_ID)
    if wanted is not None:
        entries = [e for e in entries if e.entry_id == wanted]
        if not entries:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="entry_not_loaded",
                translation_placeholders={"entry_id": wanted},
            )
    if not entries:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="no_entry")
    if len(entries) > 1:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="several_entries")
    return entries[0]


async def _scan_bus(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(hass, call)
    data = entry.runtime_data
    try:
        inventory = await scan_bus(data.bus)
    except DaliError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="bus_error",
            translation_placeholders={"error": str(err)},
        ) from err
    groups_before = set(data.controller.groups)
    await data.inventory_store.async_save(inventory)
    data.controller.set_inventory(inventory)
    if set(data.controller.groups) != groups_before:
        hass.config_entries.async_schedule_reload(entry.entry_id)
    return {
        "gear": [g.to_dict() for g in inventory.gear],
        "groups": list(sorted(data.controller.groups)),
    }


def _pipeline_with_database(hass: HomeAssistant, call: ServiceCall) -> DataPipeline:
    pipeline = resolve_entry(hass, call).runtime_data.pipeline
    if pipeline.store is None:
        raise HomeAssistantError(translation_domain=DOMAIN, translation_key="database_unavailable")
    return pipeline


async def _aggregate_now(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    pipeline = _pipeline_with_database(hass, call)
    return {"feature_rows": await pipeline.async_aggregate()}


async def _prune_now(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    pipeline = _pipeline_with_database(hass, call)
    return {"deleted": dict(await pipeline.async_prune())}


async def _health(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    return await async_health(resolve_entry(hass, call))


def admin_only(handler: Handler) -> Handler:
    """Wrap ``handler`` so that a non-admin user gets ``Unauthorized``."""

    async def guarded(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
        await async_require_admin(hass, call)
        return await handler(hass, call)

    return guarded


ACTIONS: dict[str, tuple[Handler, vol.Schema, SupportsResponse]] = {
    SERVICE_SCAN_BUS: (admin_only(_scan_bus), ENTRY_SCHEMA, SupportsResponse.OPTIONAL),
    SERVICE_AGGREGATE_NOW: (admin_only(_aggregate_now), ENTRY_SCHEMA, SupportsResponse.OPTIONAL),
    SERVICE_PRUNE_NOW: (admin_only(_prune_now), ENTRY_SCHEMA, SupportsResponse.OPTIONAL),
    SERVICE_HEALTH: (_health, ENTRY_SCHEMA, SupportsResponse.ONLY),
}


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register every action of the integration."""
    for name, (handler, schema, supports_response) in ACTIONS.items():

        async def _call(call: ServiceCall, handler: Handler = handler) -> ServiceResponse:
            return await handler(hass, call)

        hass.services.async_register(
            DOMAIN, name, _call, schema=schema, supports_response=supports_response
        )


__all__ = ["ACTIONS", "admin_only", "async_require_admin", "resolve_entry"]
