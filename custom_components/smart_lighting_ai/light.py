"""One light per DALI group (contract C3)."""

from __future__ import annotations

from typing import Any

from homeassistant.components.light import (
    ATTR_BRIGHTNESS,
    ATTR_COLOR_TEMP_KELVIN,
    ATTR_TRANSITION,
    ColorMode,
    LightEntity,
    LightEntityFeature,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .brightness import brightness_to_level, level_to_brightness
from .coordinator import BusStateCoordinator
from .dali import (
    DaliError,
    GroupState,
    UnknownGroupError,
)
from .dali.conversions import (
    fade_code,
    kelvin_limits,
    kelvin_to_mirek,
    mirek_to_kelvin,
)
from .entity import SmartLightingGroupEntity
from .exceptions import dali_error
from .overrides import origin_of
from .runtime import SmartLightingConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartLightingConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a light for every group that has members."""
    async_add_entities(DaliGroupLight(entry, n) for n in entry.runtime_data.controller.groups)


class DaliGroupLight(CoordinatorEntity[BusStateCoordinator], SmartLightingGroupEntity, LightEntity):
    """A DALI group driven with group-addressed commands, showing the bus-state coordinator."""

    _attr_name = None
    _attr_supported_features = LightEntityFeature.TRANSITION

    def __init__(self, entry: SmartLightingConfigEntry, group: int) -> None:
        """Create the light of group ``group``."""
        CoordinatorEntity.__init__(self, entry.runtime_data.state)
        SmartLightingGroupEntity.__init__(self, entry, group)
        info = self._data.controller.group(group)
        self._requested_brightness: int | None = None
        self._requested_kelvin: int | None = None
        if info.supports_colour_temperature and info.mirek_range:
            coolest, warmest = info.mirek_range
            self._attr_min_color_temp_kelvin, self._attr_max_color_temp_kelvin = kelvin_limits(
                coolest, warmest
            )
            self._attr_supported_color_modes = {ColorMode.COLOR_TEMP}
            self._attr_color_mode = ColorMode.COLOR_TEMP
        else:
            self._attr_supported_color_modes = {ColorMode.BRIGHTNESS}
            self._attr_color_mode = ColorMode.BRIGHTNESS

    @property
    def available(self) -> bool:
        """Unavailable while the bus is disconnected."""
        return self.coordinator.connected

    @property
    def is_on(self) -> bool:
        """Whether any member is lit."""
        return self._state.is_on

    @property
    def brightness(self) -> int | None:
        """The group level as Home Assistant brightness (the requested value while it holds)."""
        state = self._state
        if not state.is_on:
            return None
        requested = self._requested_brightness
        if requested and brightness_to_level(requested) == state.level:
            return requested
        return level_to_brightness(state.level)

    @property
    def color_temp_kelvin(self) -> int | None:
        """The colour temperature read from (or last sent to) the members."""
        mirek = self._state.mirek
        if ColorMode.COLOR_TEMP not in self.supported_color_modes or mirek is None:  # type: ignore[operator]
            return None
        if self._requested_kelvin and kelvin_to_mirek(self._requested_kelvin) == mirek:
            return self._requested_kelvin
        return mirek_to_kelvin(mirek)

    @property
    def _state(self) -> GroupState:
        return self.coordinator.state(self._group)

    @callback
    def _handle_coordinator_update(self) -> None:
        """Write the new state; an automatic change carries Smart Lighting AI's context."""
        if (context := self._data.autopilot.take_context(self._group)) is not None:
            self.async_set_context(context)
        super()._handle_coordinator_update()

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch on, set brightness, colour temperature and fade in one transaction."""
        level: int | None = None
        if ATTR_BRIGHTNESS in kwargs:
            self._requested_brightness = kwargs[ATTR_BRIGHTNESS]
            level = brightness_to_level(kwargs[ATTR_BRIGHTNESS])
        elif not self.is_on:
            level = self._state.last_on_level
        mirek = None
        if (
            (kelvin := kwargs.get(ATTR_COLOR_TEMP_KELVIN)) is not None
            and self.supported_color_modes
            and ColorMode.COLOR_TEMP in self.supported_color_modes
        ):
            kelvin = min(self.max_color_temp_kelvin, max(self.min_color_temp_kelvin, kelvin))
            self._requested_kelvin = kelvin
            mirek = kelvin_to_mirek(kelvin)
        await self._apply(level=level, mirek=mirek, fade=fade_code(kwargs.get(ATTR_TRANSITION, 0)))

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch the group off (fading out with a transition)."""
        await self._apply(level=0, mirek=None, fade=fade_code(kwargs.get(ATTR_TRANSITION, 0)))

    async def _apply(self, *, level: int | None, mirek: int | None, fade: int) -> None:
        """Send a person's (or automation's) change: to the bus first, stored after.

        Under automatic control the change holds the group as an override at once (no
        await), so an automatic command already waiting for the bus withdraws itself;
        the override is stored and learned from only once the gear took the command.
        """
        autopilot = self._data.autopilot
        change = autopilot.person_change_started(self._group, origin_of(self._context), level)
        try:
            await self._data.controller.apply(self._group, level=level, mirek=mirek, fade_code=fade)
        except BaseException as err:  # cancelled too: the gear may not have taken it
            if change is not None:
                autopilot.person_change_failed(change)
            if isinstance(err, DaliError | UnknownGroupError):
                raise dali_error(err) from err
            raise
        if change is not None:
            autopilot.person_change_done(change, level)
