"""Group fade time (contract C17): the fade every member holds, chosen from DALI's fade times.

The options are the 15 standard fade times (0.7 s to 90.5 s), "no fade", and extended fades
(IEC 62386-102 ed2: fade time 0 plus an extended fade) of 2 to 16 minutes. Wall panels, scenes
and light commands without a transition fade at it; automatic changes use it too, so they write
no gear memory. It shows unknown while the members hold different fades (or one not listed).
"""

from __future__ import annotations

from homeassistant.components.select import SelectEntity
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DOMAIN
from .dali import DaliError, UnknownGroupError
from .dali.conversions import FADE_TIMES_S, transition_code
from .dynamic import async_add_dynamic_entities
from .entity import GroupSettingEntity
from .exceptions import dali_error
from .runtime import SmartLightingConfigEntry

PARALLEL_UPDATES = 1
EXTENDED_MINUTES = (2, 3, 5, 10, 16)
NO_FADE = "no fade"


def _label(seconds: float) -> str:
    return NO_FADE if seconds == 0 else f"{seconds:.1f} s"


FADE_OPTIONS: dict[str, int] = {
    **{_label(seconds): code for code, seconds in enumerate(FADE_TIMES_S)},
    **{f"{minutes} min": transition_code(minutes * 60) for minutes in EXTENDED_MINUTES},
}
OPTION_OF_CODE = {code: option for option, code in FADE_OPTIONS.items()}


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartLightingConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the fade time of every group now and as groups appear."""
    async_add_dynamic_entities(
        entry,
        async_add_entities,
        lambda e: [GroupFadeTime(e, n) for n in e.runtime_data.controller.groups],
    )


class GroupFadeTime(GroupSettingEntity, SelectEntity):
    """The fade time every member of a group holds."""

    _attr_translation_key = "fade_time"

    def __init__(self, entry: SmartLightingConfigEntry, group: int) -> None:
        """Create the fade time of group ``group``."""
        super().__init__(entry, group, "-fade-time")
        self._attr_options = list(FADE_OPTIONS)

    @property
    def current_option(self) -> str | None:
        """The fade the members hold now (None: they differ)."""
        code = self._data.controller.held_fade(self._group)
        return None if code is None else OPTION_OF_CODE.get(code)

    async def async_select_option(self, option: str) -> None:
        """Write the fade to every member that holds another one, and read it back."""
        if option not in FADE_OPTIONS:  # the select action checks it first; a direct call may not
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="invalid_fade_time",
                translation_placeholders={"option": option},
            )
        settings = self._data.gear_settings
        assert settings is not None  # set up with the entry
        try:
            await settings.async_configure(self._group, "fade", FADE_OPTIONS[option])
        except (DaliError, UnknownGroupError) as err:
            raise dali_error(err) from err
