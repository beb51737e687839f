"""The ``store_scene`` action (contract C13): the targeted groups' present levels into a scene.

Administrators only, since it writes the fittings' memory. Every member is read first: one that
does not answer stops the group before anything is written. Members that already hold the
level are not written again. The scene entity appears once a member stores the scene.
"""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.helpers import config_validation as cv

from .gear_settings import GearSettings
from .runtime import SmartLightingConfigEntry
from .services import ActionTable, admin_only, async_register_actions, resolve_group_lights

SERVICE_STORE_SCENE = "store_scene"
ATTR_SCENE = "scene"
STORE_SCENE_SCHEMA = cv.make_entity_service_schema(
    {vol.Required(ATTR_SCENE): vol.All(vol.Coerce(int), vol.Range(min=0, max=15))}
)


def _settings(entry: SmartLightingConfigEntry) -> GearSettings:
    settings = entry.runtime_data.gear_settings
    assert settings is not None  # set up with the entry
    return settings


async def _store_scene(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """Store every targeted group's present levels into scene ``scene``."""
    scene: int = call.data[ATTR_SCENE]
    stored: dict[str, Any] = {}
    for entity_id, entry, group in resolve_group_lights(hass, call):
        levels = await _settings(entry).async_store_scene(group, scene)
        stored[entity_id] = {"scene": scene, "levels": {str(a): v for a, v in levels.items()}}
    return {"stored": stored}


ACTIONS: ActionTable = {
    SERVICE_STORE_SCENE: (admin_only(_store_scene), STORE_SCENE_SCHEMA, SupportsResponse.OPTIONAL),
}


@callback
def async_setup_scene_services(hass: HomeAssistant) -> None:
    """Register ``store_scene``, translating bus errors."""
    async_register_actions(hass, ACTIONS)
