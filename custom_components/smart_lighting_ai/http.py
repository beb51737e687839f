"""``GET /api/smart_lighting_ai/health`` for monitoring tools (contract C7)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aiohttp import web
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView

from .const import DOMAIN
from .health import async_health

SEVERITY = {"ok": 0, "degraded": 1, "error": 2}


class HealthView(HomeAssistantView):
    """The health report as JSON; 401 without a valid token."""

    url = f"/api/{DOMAIN}/health"
    name = f"api:{DOMAIN}:health"
    requires_auth = True

    async def get(self, request: web.Request) -> web.Response:
        """One bus: its report. Several: the worst status and a report per entry."""
        hass = request.app[KEY_HASS]
        wanted = request.query.get("config_entry_id")
        entries = [
            e
            for e in hass.config_entries.async_entries(DOMAIN)
            if e.state is ConfigEntryState.LOADED and wanted in (None, e.entry_id)
        ]
        if not entries:
            return self.json_message("No Smart Lighting AI bus is loaded", HTTPStatus.NOT_FOUND)
        reports = {e.entry_id: await async_health(e) for e in entries}
        if len(reports) == 1:
            return self.json(next(iter(reports.values())))
        worst = max(reports.values(), key=lambda r: SEVERITY[r["status"]])
        body: dict[str, Any] = {**worst, "entries": reports}  # the worst bus on top
        return self.json(body)


@callback
def async_register_views(hass: HomeAssistant) -> None:
    """Register the health endpoint."""
    hass.http.register_view(HealthView())
