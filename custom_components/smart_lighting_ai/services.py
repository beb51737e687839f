"""Actions of the integration (contract C6)."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any

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
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.translation import async_get_translations
from homeassistant.helpers.typing import VolSchemaType
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .brightness import pct_from_level
from .compat import referenced_entity_ids
from .const import CONF_CONFIG_ENTRY_ID, DOMAIN, LOGGER
from .dali import (
    FORGET_AFTER_MISSED_SCANS,
    Inventory,
    ScanUnreliableError,
    merge_scan,
    scan_bus_result,
)
from .exceptions import database_unavailable, translate_errors
from .health import async_health
from .overrides import origin_of
from .pipeline import DataPipeline
from .predictor import GroupLimits, TokenBucket
from .predictor.schedule import WEEKDAYS, validate_schedule
from .profiles import LEARNED_OFFSET, PROFILE_FIELDS, SCHEDULE
from .runtime import SmartLightingConfigEntry
from .store import ProfileDecryptError

SERVICE_SCAN_BUS = "scan_bus"
SERVICE_AGGREGATE_NOW = "aggregate_now"
SERVICE_PRUNE_NOW = "prune_now"
SERVICE_HEALTH = "health"
SERVICE_PREDICT = "predict"
SERVICE_SET_OVERRIDE = "set_override"
SERVICE_CLEAR_OVERRIDE = "clear_override"
SERVICE_SET_PROFILE = "set_profile"
SERVICE_GET_PROFILE = "get_profile"
SERVICE_ROTATE_KEY = "rotate_key"
SERVICE_TELEMETRY = "telemetry"
ATTR_MINUTES = "minutes"


def finite_float(value: Any) -> float:
    """Coerce ``value`` to a float, refusing nan, infinities and numbers beyond a float.

    ``vol.Coerce`` lets ``OverflowError`` through (``int(inf)``, ``float(10**400)``) and lets nan
    reach ``vol.Range`` (whose message then says "at least ..."): one clear error instead.
    """
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError) as err:
        raise vol.Invalid("expected a finite number") from err
    if not math.isfinite(number):
        raise vol.Invalid("expected a finite number")
    return number


def number_in(low: float, high: float) -> vol.All:
    """A finite float from ``low`` to ``high``."""
    return vol.All(finite_float, vol.Range(low, high))


def whole_number_in(low: int, high: int) -> vol.All:
    """A finite number from ``low`` to ``high``, as an int (decimals are cut off)."""
    return vol.All(finite_float, vol.Coerce(int), vol.Range(low, high))


ENTRY_SCHEMA = vol.Schema({vol.Optional(CONF_CONFIG_ENTRY_ID): cv.string})
LIGHTS_SCHEMA = cv.make_entity_service_schema({})
PROFILE_SCHEMA = cv.make_entity_service_schema(
    {
        vol.Optional("min_brightness_pct"): number_in(0, 100),
        vol.Optional("max_brightness_pct"): number_in(1, 100),
        vol.Optional("min_kelvin"): whole_number_in(1000, 20000),
        vol.Optional("max_kelvin"): whole_number_in(1000, 20000),
        vol.Optional("target_lux"): number_in(0, 5000),
        vol.Optional("vacancy_minutes"): number_in(0, 1440),
        vol.Optional("grace_minutes"): number_in(0, 60),
        vol.Optional("lamp_lux_at_full"): number_in(1, 20000),
        vol.Optional("default_level_pct"): number_in(1, 100),
        vol.Optional("dimming_curve"): vol.In(["logarithmic", "linear"]),
        vol.Optional("schedule"): {cv.string: [cv.string]},
        vol.Optional("learned_offset_pct"): number_in(-30, 30),
    }
)
OVERRIDE_SCHEMA = cv.make_entity_service_schema(
    {vol.Required(ATTR_MINUTES): number_in(1, 7 * 24 * 60)}
)

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


async def async_apply_inventory(
    hass: HomeAssistant, entry: SmartLightingConfigEntry, inventory: Inventory
) -> bool:
    """Save and use ``inventory``; reload the entry when its groups changed. True if changed.

    New fittings get their entities at once (``dynamic``); a change of groups reloads, since
    group entities follow the groups and their abilities.
    """
    data = entry.runtime_data
    if inventory == data.controller.inventory:
        return False
    groups_before = dict(data.controller.groups)
    await data.inventory_store.async_save(inventory)
    data.controller.set_inventory(inventory)
    if data.controller.groups != groups_before:
        hass.config_entries.async_schedule_reload(entry.entry_id)
    return True


async def _scan_bus(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """Rescan the bus and merge the result: what the scan could not see is kept (dali.scan)."""
    entry = resolve_entry(hass, call)
    data = entry.runtime_data
    previous = data.controller.inventory
    try:
        inventory, report = merge_scan(previous, await scan_bus_result(data.bus))
    except ScanUnreliableError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="scan_unreliable",
            translation_placeholders={
                "count": str(len(err.unreadable)),
                "addresses": ", ".join(map(str, err.unreadable)),
            },
        ) from err
    for gear in report.missing:
        LOGGER.warning(
            "DALI gear %d (groups %s) did not answer the scan; kept as missing (silent in %d of "
            "%d clean scans in a row before it is forgotten)",
            gear.short_address,
            sorted(gear.groups),
            inventory.missed_scans.get(gear.short_address, 0),
            FORGET_AFTER_MISSED_SCANS,
        )
    for gear in report.forgotten:
        LOGGER.warning(
            "DALI gear %d (groups %s) did not answer %d clean scans in a row; forgotten",
            gear.short_address,
            sorted(gear.groups),
            FORGET_AFTER_MISSED_SCANS,
        )
    changed = await async_apply_inventory(hass, entry, inventory)
    return {
        "gear": [g.to_dict() for g in inventory.gear],
        "groups": list(sorted(data.controller.groups)),
        "changed": changed,
        "added": list(report.added),
        "missing": [g.short_address for g in report.missing],
        "unreadable": list(report.unreadable),
        "forgotten": [g.short_address for g in report.forgotten],
    }


def _pipeline_with_database(hass: HomeAssistant, call: ServiceCall) -> DataPipeline:
    pipeline = resolve_entry(hass, call).runtime_data.pipeline
    if pipeline.store is None:
        raise database_unavailable()
    return pipeline


async def _aggregate_now(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """Aggregate now; the answer also says what the decision cycle that followed decided."""
    pipeline = _pipeline_with_database(hass, call)
    entry = resolve_entry(hass, call)
    autopilot = entry.runtime_data.autopilot
    before = dict(autopilot.records)
    # a StoreError (translated by translate_errors) comes after the decision cycle has run
    rows = await pipeline.async_aggregate(raise_store_error=True)
    # the decision cycle that followed: a record that is not the one from before is new
    decided = {g: r for g, r in autopilot.records.items() if before.get(g) is not r}
    return {
        "feature_rows": rows,
        "decisions": {
            autopilot.light_entity(group) or f"DALI group {group}": {
                "brightness_pct": round(record.decision.brightness_pct, 1),
                "color_temp_kelvin": record.decision.color_temp_kelvin,
                "applied": record.applied,
                "reason": record.decision.reason,
                "not_applied_because": record.skip_reason,
                "source": record.decision.source,
            }
            for group, record in sorted(decided.items())
        },
    }


async def _prune_now(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    pipeline = _pipeline_with_database(hass, call)
    return {"deleted": dict(await pipeline.async_prune())}


async def _health(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    return await async_health(resolve_entry(hass, call))


def resolve_group_lights(
    hass: HomeAssistant, call: ServiceCall
) -> list[tuple[str, SmartLightingConfigEntry, int]]:
    """(entity id, entry, group) of every targeted group light of a loaded entry.

    Targets may be entities, devices, areas, floors or labels; lights of other
    integrations reached through an area are left out, but a named entity that is
    not one of our group lights is an error.
    """
    registry = er.async_get(hass)
    selected = referenced_entity_ids(hass, call)
    named = set(selected.referenced)
    found = []
    for entity_id in sorted(named | selected.indirectly_referenced):
        entity = registry.async_get(entity_id)
        if entity_id not in named and (
            entity is None or entity.platform != DOMAIN or entity.domain != "light"
        ):
            continue
        entry = (
            hass.config_entries.async_get_entry(entity.config_entry_id)
            if entity
            and entity.platform == DOMAIN
            and entity.domain == "light"
            and entity.config_entry_id
            else None
        )
        if entity is None or entry is None or entry.state is not ConfigEntryState.LOADED:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="not_a_group_light",
                translation_placeholders={"entity_id": entity_id},
            )
        found.append((entity_id, entry, int(str(entity.unique_id).rsplit("-", 1)[1])))
    if not found:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="no_group_lights")
    return found


async def _predict(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """Predict for every targeted group that has a feature row.

    A light without one is an error (``no_features``, naming every such light and how to give
    it features) when the call names it, or when no target has features. A light reached only
    through an area, device, floor or label is left out of the answer instead and listed under
    ``without_features``, so that "predict the office" answers for the rooms it can.
    """
    named = set(referenced_entity_ids(hass, call).referenced)
    predictions: dict[str, Any] = {}
    missing: list[tuple[str, SmartLightingConfigEntry]] = []
    for entity_id, entry, group in resolve_group_lights(hass, call):
        autopilot = entry.runtime_data.autopilot
        features = await autopilot.async_latest_features([group], fresh_only=False)
        if group not in features:
            missing.append((entity_id, entry))
            continue
        decision = (await autopilot.async_predict(features))[group]
        predictions[entity_id] = {
            "brightness_pct": round(decision.brightness_pct, 1),
            "color_temp_kelvin": decision.color_temp_kelvin,
            "confidence": round(decision.confidence, 2),
            "reason": decision.reason,
            "source": decision.source,
        }
    if missing and (not predictions or any(e in named for e, _ in missing)):
        window = missing[0][1].runtime_data.pipeline.window
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="no_features",
            translation_placeholders={
                "lights": ", ".join(_light_label(hass, e) for e, _ in missing),
                "window": f"{window.total_seconds() / 60:g}",
            },
        )
    response: dict[str, Any] = {"predictions": predictions}
    if missing:
        response["without_features"] = [e for e, _ in missing]
    return response


def _light_label(hass: HomeAssistant, entity_id: str) -> str:
    """How a message names a light: "Office (light.office)", or its entity id alone."""
    state = hass.states.get(entity_id)
    return f"{state.name} ({entity_id})" if state is not None else entity_id


async def _set_override(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    overrides: dict[str, Any] = {}
    for entity_id, entry, group in resolve_group_lights(hass, call):
        state = entry.runtime_data.controller.states[group]
        expires = await entry.runtime_data.overrides.async_record(
            group,
            origin_of(call.context),
            is_on=state.is_on,
            brightness_pct=pct_from_level(state.level),
            minutes=call.data[ATTR_MINUTES],
        )
        overrides[entity_id] = {"expires": expires.isoformat()}
    return {"overrides": overrides}


async def _clear_override(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    for _entity_id, entry, group in resolve_group_lights(hass, call):
        await entry.runtime_data.overrides.async_clear(group)
        entry.runtime_data.autopilot.forget_last_change(group)
    return None


async def _set_profile(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    changes = {k: v for k, v in call.data.items() if k in PROFILE_FIELDS}
    targets = resolve_group_lights(hass, call)
    for entity_id, entry, group in targets:  # every target is checked before any is changed
        data = entry.runtime_data
        current = data.profiles.limits(group, data.autopilot.limits(group))
        check_profile(_light_label(hass, entity_id), current, changes)
    for entity_id, entry, group in targets:
        data = entry.runtime_data
        try:
            await data.profiles.async_set(group, changes, data.autopilot.limits(group))
        except ValueError as err:  # anything check_profile does not phrase itself
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="invalid_profile",
                translation_placeholders={"entity_id": entity_id, "error": str(err)},
            ) from err
    return None


def check_profile(light: str, current: GroupLimits, changes: dict[str, Any]) -> None:
    """Refuse ``changes`` that leave ``light``'s profile inconsistent, in a user's words.

    Each message names the light and the fields as the form shows them.
    """
    merged = {**current.to_dict(), **changes}
    if merged["min_brightness_pct"] > merged["max_brightness_pct"]:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="profile_brightness_range",
            translation_placeholders={
                "light": light,
                "low": f"{merged['min_brightness_pct']:g}",
                "high": f"{merged['max_brightness_pct']:g}",
            },
        )
    if merged["min_kelvin"] > merged["max_kelvin"]:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="profile_kelvin_range",
            translation_placeholders={
                "light": light,
                "low": str(merged["min_kelvin"]),
                "high": str(merged["max_kelvin"]),
            },
        )
    for day, periods in changes.get(SCHEDULE, {}).items():
        if day not in WEEKDAYS:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="profile_schedule_day",
                translation_placeholders={"light": light, "day": day, "days": ", ".join(WEEKDAYS)},
            )
        for period in periods:
            try:
                validate_schedule({day: [period]})
            except ValueError as err:
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="profile_schedule_period",
                    translation_placeholders={"light": light, "day": day, "period": period},
                ) from err


async def _get_profile(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """The limits the predictor keeps for each targeted group, its schedule and learned offset.

    Admins only, like ``set_profile``: a profile is encrypted at rest, and no key is ever shown.
    """
    profiles: dict[str, Any] = {}
    for entity_id, entry, group in resolve_group_lights(hass, call):
        data = entry.runtime_data
        profiles[entity_id] = {
            **data.autopilot.limits(group).to_dict(),
            SCHEDULE: data.profiles.schedule(group),
            LEARNED_OFFSET: data.profiles.learned_offset(group),
            "custom": data.profiles.has_profile(group),
        }
    return {"profiles": profiles}


async def _rotate_key(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(hass, call)
    try:
        rotated = await entry.runtime_data.profiles.async_rotate_key()
    except ProfileDecryptError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN, translation_key="undecryptable_profiles"
        ) from err
    return {"profiles_rotated": rotated}


async def _telemetry(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    return await resolve_entry(hass, call).runtime_data.telemetry.async_report()


# Actions that cost bus time or AI calls: (calls, per seconds) for each user.
ACTION_RATE_LIMITS: dict[str, tuple[int, float]] = {
    SERVICE_PREDICT: (20, 60.0),
    SERVICE_AGGREGATE_NOW: (6, 60.0),
    SERVICE_SCAN_BUS: (2, 600.0),
}
DATA_RATE_LIMITS: HassKey[dict[tuple[str, str], TokenBucket]] = HassKey(f"{DOMAIN}_rate_limits")


def rate_limited(name: str, handler: Handler) -> Handler:
    """Wrap ``handler`` so that each user may call it only so often (a clear error beyond)."""
    calls, seconds = ACTION_RATE_LIMITS[name]

    async def limited(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
        if call.context.user_id is None:  # Home Assistant itself (automations, scripts)
            return await handler(hass, call)
        buckets = hass.data.setdefault(DATA_RATE_LIMITS, {})
        key = (call.context.user_id, name)
        if key not in buckets:
            buckets[key] = TokenBucket(calls, calls / seconds, lambda: dt_util.utcnow().timestamp())
        bucket = buckets[key]
        if not bucket.try_acquire():
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="rate_limited",
                translation_placeholders={
                    "action": await _action_name(hass, name),
                    "calls": str(calls),
                    "period": _per_period(seconds),
                    "wait": _duration(bucket.seconds_until_available()),
                },
            )
        return await handler(hass, call)

    return limited


async def _action_name(hass: HomeAssistant, service: str) -> str:
    """The action's name as the Actions page shows it ("Aggregate now")."""
    strings = await async_get_translations(hass, hass.config.language, "services", {DOMAIN})
    return strings.get(f"component.{DOMAIN}.services.{service}.name", service)


def _per_period(seconds: float) -> str:
    """The period after "at most N times": "a minute", "in 10 minutes"."""
    minutes = seconds / 60
    return "a minute" if minutes == 1 else f"in {minutes:g} minutes"


def _duration(seconds: float) -> str:
    """A wait in whole seconds, or minutes from two minutes on: "1 second", "5 minutes"."""
    whole = max(1, math.ceil(seconds))
    if whole >= 120:
        whole, unit = math.ceil(whole / 60), "minute"
    else:
        unit = "second"
    return f"{whole} {unit}" if whole == 1 else f"{whole} {unit}s"


def admin_only(handler: Handler) -> Handler:
    """Wrap ``handler`` so that a non-admin user gets ``Unauthorized``."""

    async def guarded(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
        await async_require_admin(hass, call)
        return await handler(hass, call)

    return guarded


type ActionTable = dict[str, tuple[Handler, VolSchemaType, SupportsResponse]]

ACTIONS: ActionTable = {
    SERVICE_SCAN_BUS: (
        admin_only(rate_limited(SERVICE_SCAN_BUS, _scan_bus)),
        ENTRY_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
    SERVICE_AGGREGATE_NOW: (
        admin_only(rate_limited(SERVICE_AGGREGATE_NOW, _aggregate_now)),
        ENTRY_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
    SERVICE_PRUNE_NOW: (admin_only(_prune_now), ENTRY_SCHEMA, SupportsResponse.OPTIONAL),
    SERVICE_HEALTH: (_health, ENTRY_SCHEMA, SupportsResponse.ONLY),
    SERVICE_PREDICT: (
        rate_limited(SERVICE_PREDICT, _predict),
        LIGHTS_SCHEMA,
        SupportsResponse.ONLY,
    ),
    SERVICE_SET_OVERRIDE: (_set_override, OVERRIDE_SCHEMA, SupportsResponse.OPTIONAL),
    SERVICE_CLEAR_OVERRIDE: (_clear_override, LIGHTS_SCHEMA, SupportsResponse.NONE),
    SERVICE_SET_PROFILE: (admin_only(_set_profile), PROFILE_SCHEMA, SupportsResponse.NONE),
    SERVICE_GET_PROFILE: (admin_only(_get_profile), LIGHTS_SCHEMA, SupportsResponse.ONLY),
    SERVICE_ROTATE_KEY: (admin_only(_rotate_key), ENTRY_SCHEMA, SupportsResponse.OPTIONAL),
    SERVICE_TELEMETRY: (_telemetry, ENTRY_SCHEMA, SupportsResponse.ONLY),
}


@callback
def async_register_actions(hass: HomeAssistant, actions: ActionTable) -> None:
    """Register ``actions``, each translating bus and database errors."""
    for name, (handler, schema, supports_response) in actions.items():

        @translate_errors
        async def _call(call: ServiceCall, handler: Handler = handler) -> ServiceResponse:
            return await handler(hass, call)

        hass.services.async_register(
            DOMAIN, name, _call, schema=schema, supports_response=supports_response
        )


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's core actions (the features register their own)."""
    async_register_actions(hass, ACTIONS)


__all__ = [
    "ACTIONS",
    "ActionTable",
    "admin_only",
    "async_apply_inventory",
    "async_register_actions",
    "async_require_admin",
    "resolve_entry",
]
