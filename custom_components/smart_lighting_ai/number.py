"""Group configuration numbers (contract C17): power-on level and system-failure level.

Values are DALI arc levels, 0-254 (0 = off, 254 = full; the lights' brightness maps onto the
same scale), and 255: "the last level" for the power-on level, "no change" for the
system-failure level. A value shows unknown while the members hold different ones. Setting it
writes every member that holds another value, and reads it back.
"""

from __future__ import annotations

from homeassistant.components.number import NumberEntity, NumberMode
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .dali import DaliError, UnknownGroupError
from .dali.gear_config import group_settings
from .dynamic import async_add_dynamic_entities
from .entity import GroupSettingEntity
from .exceptions import dali_error
from .runtime import SmartLightingConfigEntry

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartLightingConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the numbers of every group now and as groups appear."""
    async_add_dynamic_entities(entry, async_add_entities, group_numbers)


def group_numbers(entry: SmartLightingConfigEntry) -> list[GroupLevelSetting]:
    """A power-on and a system-failure level for every group with members."""
    return [
        kind(entry, group)
        for group in entry.runtime_data.controller.groups
        for kind in (PowerOnLevel, SystemFailureLevel)
    ]


class GroupLevelSetting(GroupSettingEntity, NumberEntity):
    """A level every member of a group stores (power-on or system-failure level)."""

    _attr_native_min_value = 0
    _attr_native_max_value = 255
    _attr_native_step = 1
    _attr_mode = NumberMode.BOX

    _setting: str

    def __init__(self, entry: SmartLightingConfigEntry, group: int) -> None:
        """Create the setting of group ``group``."""
        super().__init__(entry, group, f"-{self._setting.replace('_', '-')}")

    @property
    def native_value(self) -> int | None:
        """The level every member holds (None: they differ, or it was not read yet)."""
        info = self._data.controller.groups.get(self._group)
        if info is None:
            return None
        value: int | None = getattr(group_settings(info), self._setting)
        return value

    async def async_set_native_value(self, value: float) -> None:
        """Write the level to every member that holds another one, and read it back."""
        settings = self._data.gear_settings
        assert settings is not None  # set up with the entry
        try:
            await settings.async_configure(self._group, self._setting, int(value))
        except (DaliError, UnknownGroupError) as err:
            raise dali_error(err) from err


class PowerOnLevel(GroupLevelSetting):
    """The level the members go to when mains power returns (255: their last level)."""

    _setting = "power_on_level"
    _attr_translation_key = "power_on_level"


class SystemFailureLevel(GroupLevelSetting):
    """The level the members go to when the DALI bus fails (255: no change)."""

    _setting = "system_failure_level"
    _attr_translation_key = "system_failure_level"
