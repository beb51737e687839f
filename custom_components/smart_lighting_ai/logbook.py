"""Logbook entries of automatic changes: a light's change names Smart Lighting AI as its cause."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.components.logbook import (
    LOGBOOK_ENTRY_ENTITY_ID,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import Event, HomeAssistant, callback

from .const import DOMAIN, EVENT_AUTOMATIC_CHANGE

NAME = "Smart Lighting AI"


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, Any]]], None],
) -> None:
    """Describe the automatic-change event."""

    @callback
    def _describe(event: Event) -> dict[str, Any]:
        data = event.data
        level = data.get("brightness_pct", 0)
        action = f"set the light to {level} %" if level else "switched the light off"
        described: dict[str, Any] = {
            LOGBOOK_ENTRY_NAME: NAME,
            LOGBOOK_ENTRY_MESSAGE: f"{action}: {data.get('reason', '')}",
        }
        if entity_id := data.get("entity_id"):
            described[LOGBOOK_ENTRY_ENTITY_ID] = entity_id
        return described

    async_describe_event(DOMAIN, EVENT_AUTOMATIC_CHANGE, _describe)
