"""One automatic-control switch per DALI group (contract C3)."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity
from homeassistant.const import STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from .const import CONF_GROUPS, DOMAIN
from .entity import SmartLightingGroupEntity, group_name
from .runtime import SmartLightingConfigEntry

PARALLEL_UPDATES = 0
ATTR_ROOM_CONFIGURED = "room_configured"


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartLightingConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add an automatic-control switch for every group that has members."""
    async_add_entities(AutoControlSwitch(entry, n) for n in entry.runtime_data.controller.groups)


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
