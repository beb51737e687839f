"""One automatic-control switch per DALI group (contract C3), exposed to Assist.

"Turn off office automatic control" is the main voice use of the integration, so the switch has
no entity category (Home Assistant exposes such a switch to Assist by default). Earlier releases
gave it the config category, and Home Assistant remembers the "not exposed" it worked out then.
Rule, applied once: when the registry entry still carries a category at setup (it was made by
such a release; Home Assistant drops the category when the entity is added), a stored "not
exposed" for Assist is turned into "exposed", unless Assist is set not to expose new entities.
Later choices in Settings -> Voice assistants are never touched again.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity
from homeassistant.const import STATE_ON
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from .const import CONF_GROUPS, DOMAIN, LOGGER
from .entity import SmartLightingGroupEntity, entry_key, group_name
from .runtime import SmartLightingConfigEntry

PARALLEL_UPDATES = 0
ATTR_ROOM_CONFIGURED = "room_configured"
ASSIST = "conversation"  # Home Assistant's own voice assistant in the exposure settings


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartLightingConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add an automatic-control switch for every group that has members."""
    groups = entry.runtime_data.controller.groups
    registry = er.async_get(hass)
    for group in groups:  # before the entities are added: that drops the old category
        unique_id = f"{entry_key(entry)}-group-{group}-auto"
        if (entity_id := registry.async_get_entity_id("switch", DOMAIN, unique_id)) is not None:
            registry_entry = registry.async_get(entity_id)
            if registry_entry is not None and registry_entry.entity_category is not None:
                async_expose_to_assist(hass, entity_id, only_if_hidden=True)
    async_add_entities(AutoControlSwitch(entry, n) for n in groups)


@callback
def async_expose_to_assist(hass: HomeAssistant, entity_id: str, *, only_if_hidden: bool) -> None:
    """Expose ``entity_id`` to Assist, as a person would in Settings -> Voice assistants.

    With ``only_if_hidden`` only a stored "not exposed" is changed (a missing choice already
    defaults to exposed). Nothing changes while Assist is set not to expose new entities.
    """
    from homeassistant.components.homeassistant import exposed_entities

    registry = er.async_get(hass)
    if (registry_entry := registry.async_get(entity_id)) is None:
        return
    assist_options = registry_entry.options.get(ASSIST)
    stored = assist_options.get("should_expose") if assist_options else None
    if stored is True or (only_if_hidden and stored is None):
        return
    if (settings := hass.data.get(exposed_entities.DATA_EXPOSED_ENTITIES)) is None:
        return  # the homeassistant integration is not set up (only ever in bare tests)
    if not settings.async_get_expose_new_entities(ASSIST):
        return
    exposed_entities.async_expose_entity(hass, ASSIST, entity_id, True)
    LOGGER.info("%s is exposed to Assist", entity_id)


class AutoControlSwitch(SmartLightingGroupEntity, SwitchEntity, RestoreEntity):
    """Whether the predictor may drive this group.

    On by default for a group that has room settings (sensors) and always off
    for one that has none; the last state is restored across restarts, and a
    group whose room was just configured starts on.
    """

    # no entity category: a primary entity, so Assist exposes it by default
    # ("turn off office automatic control" is the main voice use of the integration)
    _attr_translation_key = "auto_control"

    def __init__(self, entry: SmartLightingConfigEntry, group: int) -> None:
        """Create the switch of group ``group``."""
        super().__init__(entry, group, "-auto")
        self._has_room = str(group) in entry.options.get(CONF_GROUPS, {})

    async def async_added_to_hass(self) -> None:
        """Restore the last state; a group without room settings stays off."""
        await super().async_added_to_hass()
        last = await self.async_get_last_state()
        if last is None or not last.attributes.get(ATTR_ROOM_CONFIGURED):
            enabled = self._has_room  # new, or the room was only just configured
        else:
            enabled = last.state == STATE_ON
        self._set(enabled and self._has_room)

    @property
    def extra_state_attributes(self) -> dict[str, bool]:
        """Whether the group has room settings (sensors)."""
        return {ATTR_ROOM_CONFIGURED: self._has_room}

    @property
    def is_on(self) -> bool:
        """Whether automatic control is on."""
        return self._data.autopilot.auto_control.get(self._group, False)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Allow automatic control; refused for a group without room settings."""
        if not self._has_room:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="no_room_settings",
                translation_placeholders={"group": group_name(self._entry, self._group)},
            )
        # switching automatic control back on hands the group back to the decision loop
        await self._data.overrides.async_clear(self._group)
        self._set(True)
        self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Stop automatic control of this group."""
        self._set(False)
        self.async_write_ha_state()

    def _set(self, enabled: bool) -> None:
        self._data.autopilot.set_auto_control(self._group, enabled)
