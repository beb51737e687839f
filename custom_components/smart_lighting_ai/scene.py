"""DALI scenes as scene entities (contract C13): one per group and scene a member stores.

Activating one sends a single group-addressed ``GoToScene`` and reads the group back, so its
light shows the scene's levels; under automatic control it counts as a person's change (a
manual override), like a scene recalled from a wall panel.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.scene import Scene
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .coordinator import BusStateCoordinator
from .dali import DaliError
from .dynamic import async_add_dynamic_entities
from .entity import SmartLightingGroupEntity
from .exceptions import dali_error
from .runtime import SmartLightingConfigEntry

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartLightingConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the scenes known now, and those that appear as the inventory learns them."""
    async_add_dynamic_entities(entry, async_add_entities, group_scenes)


def group_scenes(entry: SmartLightingConfigEntry) -> list[DaliScene]:
    """A scene entity for every group and scene number that any member stores."""
    settings = entry.runtime_data.gear_settings
    if settings is None:
        return []
    return [
        DaliScene(entry, group, scene)
        for group in entry.runtime_data.controller.groups
        for scene in settings.scenes(group)
    ]


class DaliScene(CoordinatorEntity[BusStateCoordinator], SmartLightingGroupEntity, Scene):
    """DALI scene ``scene`` of one group."""

    _attr_translation_key = "group_scene"

    def __init__(self, entry: SmartLightingConfigEntry, group: int, scene: int) -> None:
        """Create scene ``scene`` of group ``group``."""
        CoordinatorEntity.__init__(self, entry.runtime_data.state)
        SmartLightingGroupEntity.__init__(self, entry, group, f"-scene-{scene}")
        self._scene = scene
        self._attr_translation_placeholders = {"scene": str(scene)}

    async def async_added_to_hass(self) -> None:
        """Follow the inventory too: that is where the stored scenes are kept."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self._data.controller.add_inventory_listener(self.async_write_ha_state)
        )

    @property
    def available(self) -> bool:
        """Unavailable while the bus is down or no member stores the scene any more."""
        settings = self._data.gear_settings
        return (
            self.coordinator.connected
            and settings is not None
            and self._scene in settings.scenes(self._group)
        )

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The DALI scene number and each member's stored level (arc level, 0 = off)."""
        settings = self._data.gear_settings
        levels = settings.scenes(self._group).get(self._scene, {}) if settings else {}
        return {
            "dali_scene": self._scene,
            "levels": {str(address): level for address, level in levels.items()},
        }

    async def async_activate(self, **kwargs: Any) -> None:
        """Recall the scene with one group-addressed frame."""
        settings = self._data.gear_settings
        assert settings is not None  # set up with the entry
        try:
            await settings.async_recall(self._group, self._scene, self._context)
        except DaliError as err:
            raise dali_error(err) from err
