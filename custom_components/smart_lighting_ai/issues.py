"""Raising and clearing this integration's repair issues (one place for their ids)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later

from .const import DB_FILENAME, DOMAIN
from .dali import DaliBus
from .predictor import OpenAIPredictor
from .predictor.openai_predictor import AUTH_FAILED
from .runtime import SmartLightingConfigEntry

ISSUE_BUS_DISCONNECTED = "bus_disconnected"
ISSUE_API_KEY_REJECTED = "api_key_rejected"
ISSUE_DATABASE_UNHEALTHY = "database_unhealthy"
ISSUE_UNDECRYPTABLE = "undecryptable_profiles"
ISSUE_INVALID_KEY = "invalid_profile_key"
BUS_DOWN_GRACE_S = 180


def issue_id(kind: str, entry: SmartLightingConfigEntry) -> str:
    """The id of ``kind`` for ``entry``."""
    return f"{kind}_{entry.entry_id}"


def async_raise_issue(
    hass: HomeAssistant,
    entry: SmartLightingConfigEntry,
    kind: str,
    *,
    fixable: bool = False,
    severity: ir.IssueSeverity = ir.IssueSeverity.ERROR,
    **placeholders: str,
) -> None:
    """Show ``kind`` in Settings -> Repairs for ``entry``."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(kind, entry),
        is_fixable=fixable,
        is_persistent=False,
        severity=severity,
        translation_key=kind,
        translation_placeholders={"title": entry.title, **placeholders},
        data={"entry_id": entry.entry_id, "kind": kind},
    )


def async_clear_issue(hass: HomeAssistant, entry: SmartLightingConfigEntry, kind: str) -> None:
    """Remove ``kind`` for ``entry`` once the cause is gone."""
    ir.async_delete_issue(hass, DOMAIN, issue_id(kind, entry))


def check_api_key(hass: HomeAssistant, entry: SmartLightingConfigEntry, predictor: object) -> None:
    """Raise the fixable "API key rejected" issue while the model rejects the key."""
    if isinstance(predictor, OpenAIPredictor) and predictor.last_error == AUTH_FAILED:
        async_raise_issue(hass, entry, ISSUE_API_KEY_REJECTED, fixable=True)
    else:
        async_clear_issue(hass, entry, ISSUE_API_KEY_REJECTED)


def check_database(hass: HomeAssistant, entry: SmartLightingConfigEntry, healthy: bool) -> None:
    """Raise or clear the "database unhealthy" issue after a health check."""
    if healthy:
        async_clear_issue(hass, entry, ISSUE_DATABASE_UNHEALTHY)
    else:
        async_raise_issue(hass, entry, ISSUE_DATABASE_UNHEALTHY, path=hass.config.path(DB_FILENAME))


def watch_bus_connection(
    hass: HomeAssistant, entry: SmartLightingConfigEntry, bus: DaliBus
) -> Callable[[], None]:
    """Raise "bus disconnected" when the interface stays down for a few minutes."""
    pending: list[Callable[[], None]] = []

    @callback
    def _raise(_now: datetime) -> None:
        pending.clear()
        async_raise_issue(hass, entry, ISSUE_BUS_DISCONNECTED, bus_type=bus.kind)

    @callback
    def _changed(connected: bool) -> None:
        while pending:
            pending.pop()()
        if connected:
            async_clear_issue(hass, entry, ISSUE_BUS_DISCONNECTED)
        else:
            pending.append(async_call_later(hass, BUS_DOWN_GRACE_S, _raise))

    unsubscribe = bus.add_connection_listener(_changed)

    def _stop() -> None:
        unsubscribe()
        while pending:
            pending.pop()()

    return _stop
