"""The ``calibrate_light_sensor`` action: lux for a DALI-2 light sensor's relative reading.

Hold a lux meter next to the sensor and give the value it shows: the factor lux per raw unit
is stored with the input devices and the sensor shows lux from then on (contract C14).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Final

import voluptuous as vol
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import entity_registry as er

from .compat import referenced_entity_ids
from .const import DOMAIN
from .input_devices import InputDevices, Key
from .services import ActionTable, admin_only, async_register_actions, number_in

type Handler = Callable[[HomeAssistant, ServiceCall], Awaitable[ServiceResponse]]

SERVICE_CALIBRATE: Final = "calibrate_light_sensor"
ATTR_LUX: Final = "lux"
MAX_LUX: Final = 200_000  # brighter than direct sunlight

CALIBRATE_SCHEMA: Final = cv.make_entity_service_schema(
    {vol.Required(ATTR_LUX): number_in(0.1, MAX_LUX)}
)


def _not_a_light_sensor(entity_id: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="not_a_light_sensor",
        translation_placeholders={"entity_id": entity_id},
    )


def _light_sensor(hass: HomeAssistant, entity_id: str) -> tuple[InputDevices, Key] | None:
    """The input devices and light instance behind ``entity_id`` (None: not a light sensor)."""
    entity = er.async_get(hass).async_get(entity_id)
    if entity is None or entity.platform != DOMAIN or entity.domain != "sensor":
        return None
    entry = hass.config_entries.async_get_entry(entity.config_entry_id or "")
    if entry is None or entry.state is not ConfigEntryState.LOADED:
        return None
    inputs = getattr(entry.runtime_data, "inputs", None)
    if not isinstance(inputs, InputDevices):
        return None
    key = inputs.light_key(str(entity.unique_id))
    return None if key is None else (inputs, key)


async def _calibrate(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """Take the lux a meter reads now at each targeted light sensor: lux per raw unit.

    A named entity that is no DALI light sensor is an error; other entities reached through a
    device, area, floor or label are left out.
    """
    selected = referenced_entity_ids(hass, call)
    named = set(selected.referenced)
    sensors: list[tuple[str, InputDevices, Key, int]] = []
    for entity_id in sorted(named | selected.indirectly_referenced):
        found = _light_sensor(hass, entity_id)
        if found is None:
            if entity_id in named:
                raise _not_a_light_sensor(entity_id)
            continue
        inputs, key = found
        raw = inputs.light.get(key)
        if not raw:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="light_sensor_no_reading",
                translation_placeholders={"entity_id": entity_id},
            )
        sensors.append((entity_id, inputs, key, raw))
    if not sensors:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="no_light_sensors")
    lux = float(call.data[ATTR_LUX])
    calibrated: dict[str, Any] = {}
    for entity_id, inputs, key, raw in sensors:
        await inputs.async_calibrate(key, lux / raw)
        calibrated[entity_id] = {"raw_value": raw, "lux_per_raw": lux / raw}
    return {"sensors": calibrated}


ACTIONS: ActionTable = {
    SERVICE_CALIBRATE: (admin_only(_calibrate), CALIBRATE_SCHEMA, SupportsResponse.OPTIONAL),
}


@callback
def async_setup_input_services(hass: HomeAssistant) -> None:
    """Register the input-device actions (administrators only), translating bus errors."""
    async_register_actions(hass, ACTIONS)
