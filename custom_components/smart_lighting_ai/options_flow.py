"""Options flow: room settings per group and the data pipeline settings (contract C5)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

import voluptuous as vol
from homeassistant.config_entries import ConfigEntryState, ConfigFlowResult, OptionsFlow
from homeassistant.const import CONF_API_KEY, Platform
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.selector import (
    AreaSelector,
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .const import (
    CONF_AI_CALLS_PER_HOUR,
    CONF_ANTI_FLICKER,
    CONF_BASE_URL,
    CONF_DESK_DAYLIGHT_RATIO,
    CONF_FEATURE_WINDOW,
    CONF_GROUP_NAME,
    CONF_GROUPS,
    CONF_ILLUMINANCE_ENTITIES,
    CONF_MODEL,
    CONF_OCCUPANCY_ENTITIES,
    CONF_OVERRIDE_MINUTES,
    CONF_PAYLOAD_CAP,
    CONF_PREDICTOR,
    CONF_PRICE_INPUT,
    CONF_PRICE_OUTPUT,
    CONF_RATED_WATTS,
    CONF_RETENTION_DAYS,
    CONF_SHADOW_MODE,
    CONF_WEATHER_ENTITY,
    DEFAULT_AI_CALLS_PER_HOUR,
    DEFAULT_ANTI_FLICKER,
    DEFAULT_BASE_URL,
    DEFAULT_FEATURE_WINDOW,
    DEFAULT_OVERRIDE_MINUTES,
    DEFAULT_PAYLOAD_CAP,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_WATTS_PER_GEAR,
    DOMAIN,
    PREDICTOR_LOCAL,
    PREDICTOR_OPENAI,
)
from .entity import entry_key, group_name
from .predictor import CannotConnect, InvalidAuth, validate_api_key
from .predictor_factory import async_create_client

CONF_GROUP = "group"
CONF_REMOVE = "remove"
CONF_AREA = "area"
DEFAULT_DESK_RATIO = 1.0
EXAMPLE_LOCAL_BASE_URL = "http://192.168.1.10:8080/v1"  # shown as an example of a local server
MAX_NAME_LENGTH = 50
RANGES = {CONF_FEATURE_WINDOW: (1, 60), CONF_RETENTION_DAYS: (1, 365)}
OCCUPANCY_CLASSES = ["occupancy", "motion", "presence"]
POLICY_INT_FIELDS = (CONF_ANTI_FLICKER, CONF_OVERRIDE_MINUTES)
# fields of the AI step that may be left empty (then they are removed and their default applies)
AI_OPTIONAL_FIELDS = (CONF_API_KEY, CONF_BASE_URL, CONF_MODEL, CONF_PRICE_INPUT, CONF_PRICE_OUTPUT)
AI_INT_FIELDS = (CONF_PAYLOAD_CAP, CONF_AI_CALLS_PER_HOUR)
AI_PRICE_FIELDS = (CONF_PRICE_INPUT, CONF_PRICE_OUTPUT)


def _number(low: int, high: int, unit: str) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            min=low, max=high, step=1, mode=NumberSelectorMode.BOX, unit_of_measurement=unit
        )
    )


class SmartLightingOptionsFlow(OptionsFlow):
    """Change room settings and the pipeline settings; the entry reloads afterwards."""

    def __init__(self) -> None:
        """Start with no group chosen."""
        self._group: int | None = None
        self._policy: dict[str, Any] | None = None  # the predictor step's answers, for the AI step

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Offer the three kinds of settings."""
        if self.config_entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="not_loaded")
        return self.async_show_menu(step_id="init", menu_options=["room", "settings", "predictor"])

    async def async_step_predictor(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose the predictor and how automatic control behaves; an AI predictor asks more."""
        options = self.config_entry.options
        if user_input is not None:
            policy = {**user_input, **{k: int(user_input[k]) for k in POLICY_INT_FIELDS}}
            if policy[CONF_PREDICTOR] == PREDICTOR_OPENAI:
                self._policy = policy
                return await self.async_step_ai()
            # the local predictor forgets the key; the other AI settings wait for a switch back
            new = {k: v for k, v in options.items() if k != CONF_API_KEY}
            new.update(policy)
            return self.async_create_entry(data=new)
        return self.async_show_form(step_id="predictor", data_schema=_policy_schema(options))

    async def async_step_ai(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Address, key, budget and prices of the OpenAI-compatible predictor."""
        assert self._policy is not None
        options = self.config_entry.options
        errors: dict[str, str] = {}
        if user_input is not None:
            settings = _with_stored_key({**self._policy, **user_input}, options)
            errors = await self._check_predictor(settings)
            if not errors:
                return self.async_create_entry(data=_ai_options(options, settings))
        # the API key is never sent back to the browser: its field always starts empty
        current = {k: v for k, v in {**options, **(user_input or {})}.items() if k != CONF_API_KEY}
        return self.async_show_form(
            step_id="ai",
            data_schema=_ai_schema(current, self.hass.config.currency),
            errors=errors,
            # URLs stay out of strings.json (hassfest): the texts name them by placeholder
            description_placeholders={
                "default_url": DEFAULT_BASE_URL,
                "example_url": EXAMPLE_LOCAL_BASE_URL,
                "currency": self.hass.config.currency,
            },
        )

    async def _check_predictor(self, user_input: dict[str, Any]) -> dict[str, str]:
        """Check the key with one real request under a short timeout when OpenAI is chosen."""
        if user_input.get(CONF_PREDICTOR) != PREDICTOR_OPENAI:
            return {}
        base_url = user_input.get(CONF_BASE_URL) or DEFAULT_BASE_URL
        if urlparse(base_url).scheme not in ("http", "https") or not urlparse(base_url).netloc:
            return {CONF_BASE_URL: "invalid_base_url"}
        if not user_input.get(CONF_API_KEY):
            return {CONF_API_KEY: "api_key_required"}
        client = await async_create_client(self.hass, user_input[CONF_API_KEY], base_url)
        try:
            await validate_api_key(client.with_options(max_retries=0))
        except InvalidAuth:
            return {CONF_API_KEY: "invalid_auth"}
        except CannotConnect:
            return {"base": "cannot_connect"}
        return {}

    async def async_step_settings(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Weather entity, aggregation window and retention (ranges checked by the selectors)."""
        options = self.config_entry.options
        errors: dict[str, str] = {}
        if user_input is not None:
            weather = user_input.get(CONF_WEATHER_ENTITY)
            if weather and self.hass.states.get(weather) is None:
                errors[CONF_WEATHER_ENTITY] = "unknown_entity"
            if not errors:
                new = {**options, **{k: int(user_input[k]) for k in RANGES}}
                if weather:
                    new[CONF_WEATHER_ENTITY] = weather
                else:
                    new.pop(CONF_WEATHER_ENTITY, None)
                return self.async_create_entry(data=new)
        current = user_input or options
        schema = vol.Schema(
            {
                vol.Optional(
                    CONF_WEATHER_ENTITY,
                    description={"suggested_value": current.get(CONF_WEATHER_ENTITY)},
                ): EntitySelector(EntitySelectorConfig(domain="weather")),
                vol.Required(
                    CONF_FEATURE_WINDOW,
                    default=current.get(CONF_FEATURE_WINDOW, DEFAULT_FEATURE_WINDOW),
                ): _number(*RANGES[CONF_FEATURE_WINDOW], "min"),
                vol.Required(
                    CONF_RETENTION_DAYS,
                    default=current.get(CONF_RETENTION_DAYS, DEFAULT_RETENTION_DAYS),
                ): _number(*RANGES[CONF_RETENTION_DAYS], "d"),
            }
        )
        return self.async_show_form(step_id="settings", data_schema=schema, errors=errors)

    async def async_step_room(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Choose the group whose room settings to change."""
        groups = sorted(self.config_entry.runtime_data.controller.groups)
        if user_input is not None:
            self._group = int(user_input[CONF_GROUP])
            return await self.async_step_room_settings()
        choices = [
            SelectOptionDict(value=str(n), label=_group_label(self.config_entry, n)) for n in groups
        ]
        return self.async_show_form(
            step_id="room",
            data_schema=vol.Schema(
                {vol.Required(CONF_GROUP): SelectSelector(SelectSelectorConfig(options=choices))}
            ),
        )

    async def async_step_room_settings(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Name and sensors of one room, or remove them."""
        assert self._group is not None
        key = str(self._group)
        rooms: dict[str, Any] = dict(self.config_entry.options.get(CONF_GROUPS, {}))
        default_watts = _default_watts(self.config_entry, self._group)
        errors: dict[str, str] = {}
        device = self._group_device()
        if user_input is not None and "name" in user_input:
            area_id = user_input.get(CONF_AREA) or None
            if area_id and ar.async_get(self.hass).async_get_area(area_id) is None:
                errors[CONF_AREA] = "unknown_area"
            elif user_input.get(CONF_REMOVE):
                rooms.pop(key, None)
                return self.async_create_entry(
                    data={**self.config_entry.options, CONF_GROUPS: rooms}
                )
            name = str(user_input.get(CONF_GROUP_NAME, "")).strip()
            occupancy = list(user_input.get(CONF_OCCUPANCY_ENTITIES, []))
            illuminance = list(user_input.get(CONF_ILLUMINANCE_ENTITIES, []))
            if not name or len(name) > MAX_NAME_LENGTH:
                errors[CONF_GROUP_NAME] = "invalid_name"
            if not occupancy and not illuminance:
                errors["base"] = "no_sensors"
            unknown = [e for e in occupancy + illuminance if not self._entity_exists(e)]
            if unknown:
                errors["base"] = "unknown_entity"
            if not errors:
                rooms[key] = {
                    CONF_GROUP_NAME: name,
                    CONF_OCCUPANCY_ENTITIES: occupancy,
                    CONF_ILLUMINANCE_ENTITIES: illuminance,
                }
                ratio = float(user_input.get(CONF_DESK_DAYLIGHT_RATIO, DEFAULT_DESK_RATIO))
                if ratio != DEFAULT_DESK_RATIO:  # kept only when stated (C5's room shape)
                    rooms[key][CONF_DESK_DAYLIGHT_RATIO] = ratio
                new = {**self.config_entry.options, CONF_GROUPS: rooms}
                _store_rated_watts(new, key, user_input.get(CONF_RATED_WATTS), default_watts)
                # the area lives in the device registry (the device page shows and changes it)
                if device is not None and device.area_id != area_id:
                    dr.async_get(self.hass).async_update_device(device.id, area_id=area_id)
                return self.async_create_entry(data=new)
        current = user_input or rooms.get(key, {})
        watts = self.config_entry.options.get(CONF_RATED_WATTS, {}).get(key, default_watts)
        name = current.get(CONF_GROUP_NAME) or group_name(self.config_entry, self._group)
        if user_input is not None:
            area = user_input.get(CONF_AREA)
        elif device is not None and device.area_id:
            area = device.area_id
        else:  # suggest the area named like the room ("Office" for the room "office")
            named = ar.async_get(self.hass).async_get_area_by_name(name)
            area = named.id if named else None
        fields: dict[Any, Any] = {
            vol.Required(CONF_GROUP_NAME, default=name): TextSelector(),
            vol.Optional(
                CONF_OCCUPANCY_ENTITIES, default=current.get(CONF_OCCUPANCY_ENTITIES, [])
            ): EntitySelector(
                EntitySelectorConfig(
                    domain=Platform.BINARY_SENSOR, device_class=OCCUPANCY_CLASSES, multiple=True
                )
            ),
            vol.Optional(
                CONF_ILLUMINANCE_ENTITIES, default=current.get(CONF_ILLUMINANCE_ENTITIES, [])
            ): EntitySelector(
                EntitySelectorConfig(
                    domain=Platform.SENSOR, device_class="illuminance", multiple=True
                )
            ),
            vol.Optional(
                CONF_DESK_DAYLIGHT_RATIO,
                default=current.get(CONF_DESK_DAYLIGHT_RATIO, DEFAULT_DESK_RATIO),
            ): NumberSelector(
                NumberSelectorConfig(min=0.05, max=2.0, step=0.05, mode=NumberSelectorMode.BOX)
            ),
            # the value the energy sensor uses, default included, so nobody has to guess it
            vol.Optional(CONF_RATED_WATTS, description={"suggested_value": watts}): _number(
                0, 100_000, "W"
            ),
        }
        if device is not None:  # a group's device exists once its entities were created
            fields[vol.Optional(CONF_AREA, description={"suggested_value": area})] = AreaSelector()
        if key in rooms:  # only settings that exist can be removed
            fields[vol.Optional(CONF_REMOVE, default=False)] = BooleanSelector()
        return self.async_show_form(
            step_id="room_settings",
            data_schema=vol.Schema(fields),
            errors=errors,
            description_placeholders={"group": str(self._group)},
        )

    def _group_device(self) -> dr.DeviceEntry | None:
        """The device of the chosen group (it holds the area), found through its light.

        Through the entity registry rather than by identifier: the device registry's lookup by
        identifier changed in 2026 (per config entry, with child devices apart).
        """
        assert self._group is not None
        unique_id = f"{entry_key(self.config_entry)}-group-{self._group}"
        light = er.async_get(self.hass).async_get_entity_id(Platform.LIGHT, DOMAIN, unique_id)
        entity = er.async_get(self.hass).async_get(light) if light else None
        if entity is None or entity.device_id is None:
            return None
        return dr.async_get(self.hass).async_get(entity.device_id)

    def _entity_exists(self, entity_id: str) -> bool:
        return (
            self.hass.states.get(entity_id) is not None
            or er.async_get(self.hass).async_get(entity_id) is not None
        )


def _default_watts(entry: Any, group: int) -> float:
    """The rated power the energy sensor assumes without the option: 10 W per member gear."""
    return DEFAULT_WATTS_PER_GEAR * len(entry.runtime_data.controller.groups[group].members)


def _store_rated_watts(
    options: dict[str, Any], key: str, watts: float | None, default: float
) -> None:
    """Store the group's rated power in ``options``; the default (or nothing) is not stored.

    Left at its default the group keeps following its members, should they change.
    """
    rated = dict(options.get(CONF_RATED_WATTS, {}))
    if watts is None or float(watts) == default:
        rated.pop(key, None)
    else:
        rated[key] = float(watts)
    if rated:
        options[CONF_RATED_WATTS] = rated
    else:
        options.pop(CONF_RATED_WATTS, None)


def _with_stored_key(user_input: dict[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
    """The submitted settings with the API key that applies.

    An empty key field keeps the stored key (the form never shows it); a new value replaces it.
    Choosing the local predictor forgets the key, so a stored key is always one that was checked.
    """
    settings = {k: v for k, v in user_input.items() if k != CONF_API_KEY}
    if settings.get(CONF_PREDICTOR) != PREDICTOR_OPENAI:
        return settings
    if key := user_input.get(CONF_API_KEY) or options.get(CONF_API_KEY):
        settings[CONF_API_KEY] = key
    return settings


def _ai_options(options: Mapping[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """The options after the AI step: a field emptied in the form is left out, so drop it."""
    new = {k: v for k, v in options.items() if k not in AI_OPTIONAL_FIELDS}
    new.update({k: v for k, v in settings.items() if v not in ("", None)})
    for key in AI_INT_FIELDS:
        new[key] = int(new[key])
    for key in AI_PRICE_FIELDS:
        if key in new:
            new[key] = float(new[key])
    return new


def _policy_schema(current: Mapping[str, Any]) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(
                CONF_PREDICTOR, default=current.get(CONF_PREDICTOR, PREDICTOR_LOCAL)
            ): SelectSelector(
                SelectSelectorConfig(
                    options=[PREDICTOR_LOCAL, PREDICTOR_OPENAI],
                    translation_key=CONF_PREDICTOR,
                    mode=SelectSelectorMode.LIST,
                )
            ),
            vol.Required(
                CONF_ANTI_FLICKER, default=current.get(CONF_ANTI_FLICKER, DEFAULT_ANTI_FLICKER)
            ): _number(0, 3600, "s"),
            vol.Required(
                CONF_OVERRIDE_MINUTES,
                default=current.get(CONF_OVERRIDE_MINUTES, DEFAULT_OVERRIDE_MINUTES),
            ): _number(1, 1440, "min"),
            vol.Required(
                CONF_SHADOW_MODE, default=current.get(CONF_SHADOW_MODE, False)
            ): BooleanSelector(),
        }
    )


def _price(currency: str) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            min=0,
            max=1000,
            step="any",
            mode=NumberSelectorMode.BOX,
            unit_of_measurement=f"{currency}/1M tokens",
        )
    )


def _ai_schema(current: dict[str, Any], currency: str) -> vol.Schema:
    def suggested(key: str) -> dict[str, Any]:
        return {"suggested_value": current.get(key)}

    return vol.Schema(
        {
            # no default and no suggested value: a stored key stays on the server
            vol.Optional(CONF_API_KEY): TextSelector(
                TextSelectorConfig(type=TextSelectorType.PASSWORD)
            ),
            vol.Optional(CONF_BASE_URL, description=suggested(CONF_BASE_URL)): TextSelector(
                TextSelectorConfig(type=TextSelectorType.URL)
            ),
            vol.Optional(CONF_MODEL, description=suggested(CONF_MODEL)): TextSelector(),
            vol.Required(
                CONF_PAYLOAD_CAP, default=current.get(CONF_PAYLOAD_CAP, DEFAULT_PAYLOAD_CAP)
            ): _number(1024, 1_048_576, "B"),
            vol.Required(
                CONF_AI_CALLS_PER_HOUR,
                default=current.get(CONF_AI_CALLS_PER_HOUR, DEFAULT_AI_CALLS_PER_HOUR),
            ): _number(1, 3600, "calls/h"),
            vol.Optional(CONF_PRICE_INPUT, description=suggested(CONF_PRICE_INPUT)): _price(
                currency
            ),
            vol.Optional(CONF_PRICE_OUTPUT, description=suggested(CONF_PRICE_OUTPUT)): _price(
                currency
            ),
        }
    )


def _group_label(entry: Any, group: int) -> str:
    """Label a group by its room name and number, or by its number alone."""
    name = group_name(entry, group)
    default = f"DALI group {group}"
    return default if name == default else f"{name} ({default})"
