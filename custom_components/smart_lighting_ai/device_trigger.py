"""Device triggers of DALI-2 push buttons: "Button 2 short press" in the automation editor.

A button's event entity fires ``smart_lighting_ai_input_event`` with the device, the event
type and the button (``button_<n>``); a trigger listens for exactly that.
"""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.components.homeassistant.triggers import event as event_trigger
from homeassistant.const import CONF_DEVICE_ID, CONF_DOMAIN, CONF_PLATFORM, CONF_TYPE
from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
from homeassistant.helpers.typing import ConfigType

from .const import DOMAIN
from .dali.input_devices import BUTTON_EVENT_TYPES
from .input_devices import INPUT_EVENT

CONF_SUBTYPE = "subtype"
MAX_BUTTONS = 32  # instance numbers 0-31 (IEC 62386-103)
SUBTYPES = [f"button_{n}" for n in range(1, MAX_BUTTONS + 1)]

TRIGGER_SCHEMA = DEVICE_TRIGGER_BASE_SCHEMA.extend(
    {
        vol.Required(CONF_TYPE): vol.In(BUTTON_EVENT_TYPES),
        vol.Required(CONF_SUBTYPE): vol.In(SUBTYPES),
    }
)


async def async_get_triggers(hass: HomeAssistant, device_id: str) -> list[dict[str, Any]]:
    """Every button event of the device's push buttons."""
    triggers: list[dict[str, Any]] = []
    registry = er.async_get(hass)
    for entity in er.async_entries_for_device(registry, device_id):
        if entity.platform != DOMAIN or entity.domain != "event":
            continue  # only push buttons have event entities
        button = int(entity.unique_id.rsplit("-", 1)[1]) + 1
        triggers.extend(
            {
                CONF_PLATFORM: "device",
                CONF_DOMAIN: DOMAIN,
                CONF_DEVICE_ID: device_id,
                CONF_TYPE: event_type,
                CONF_SUBTYPE: f"button_{button}",
            }
            for event_type in BUTTON_EVENT_TYPES
        )
    return triggers


async def async_attach_trigger(
    hass: HomeAssistant,
    config: ConfigType,
    action: TriggerActionType,
    trigger_info: TriggerInfo,
) -> CALLBACK_TYPE:
    """Run ``action`` when the button does the event of ``config``."""
    event_config = event_trigger.TRIGGER_SCHEMA(
        {
            event_trigger.CONF_PLATFORM: "event",
            event_trigger.CONF_EVENT_TYPE: INPUT_EVENT,
            event_trigger.CONF_EVENT_DATA: {
                CONF_DEVICE_ID: config[CONF_DEVICE_ID],
                CONF_TYPE: config[CONF_TYPE],
                CONF_SUBTYPE: config[CONF_SUBTYPE],
            },
        }
    )
    return await event_trigger.async_attach_trigger(
        hass, event_config, action, trigger_info, platform_type="device"
    )
