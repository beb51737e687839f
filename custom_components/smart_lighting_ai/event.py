"""Event entities: one per DALI-2 push button (contract C14)."""

from __future__ import annotations

import logging

from homeassistant.components.event import EventEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .compat import device_by_identifier
from .dali.input_devices import BUTTON_EVENT_TYPES, PUSHBUTTON, InputDevice, InputEvent
from .dynamic import async_add_dynamic_entities
from .entity import InputDeviceEntity, input_identifier
from .input_devices import INPUT_EVENT, input_devices_of
from .runtime import SmartLightingConfigEntry

PARALLEL_UPDATES = 0
_LOGGER = logging.getLogger(__name__)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartLightingConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add an event entity for every push-button instance on the bus."""
    async_add_dynamic_entities(entry, async_add_entities, button_events)


class InputButtonEvent(InputDeviceEntity, EventEntity):
    """One push button: fires short, double and long press events."""

    _attr_translation_key = "input_button"

    def __init__(self, entry: SmartLightingConfigEntry, device: InputDevice, number: int) -> None:
        """The event entity of button ``number`` of ``device``."""
        super().__init__(entry, device, number)
        self._attr_event_types = list(BUTTON_EVENT_TYPES)
        self._attr_translation_placeholders = {"number": str(number + 1)}
        self._device_id: str | None = None

    @callback
    def _on_event(self, event: InputEvent) -> None:
        if event.kind not in BUTTON_EVENT_TYPES:
            _LOGGER.debug("DALI button %s sent %s: not an event type", self._key, event.kind)
            return
        self._trigger_event(event.kind)
        self.async_write_ha_state()
        if self._device_id is None:
            device = device_by_identifier(
                self.hass, input_identifier(self._entry, self._key[0]), self._entry.entry_id
            )
            self._device_id = device.id if device else None
        self.hass.bus.async_fire(
            INPUT_EVENT,
            {
                "device_id": self._device_id,
                "type": event.kind,
                "subtype": f"button_{self._key[1] + 1}",
            },
        )


def button_events(entry: SmartLightingConfigEntry) -> list[InputButtonEvent]:
    """An event entity per push-button instance."""
    inputs = input_devices_of(entry)
    return (
        [InputButtonEvent(entry, d, n) for d, n in inputs.instances(PUSHBUTTON)] if inputs else []
    )
