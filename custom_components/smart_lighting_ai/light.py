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
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DOMAIN, LOGGER
from .dali import (
    DaliError,
    DaliNotConnectedError,
    DaliTimeoutError,
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
from .exceptions import bus_error
from .overrides import origin_of
from .runtime import SmartLightingConfigEntry
from .setpoints import brightness_to_level, level_to_brightness, pct_from_level
from .store import StoreError

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartLightingConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a light for every group that has members."""
    async_add_entities(DaliGroupLight(entry, n) for n in entry.runtime_data.controller.groups)


class DaliGroupLight(SmartLightingGroupEntity, LightEntity):
    """A DALI group driven with group-addressed commands."""

    _attr_name = None
    _attr_supported_features = LightEntityFeature.TRANSITION

    def __init__(self, entry: SmartLightingConfigEntry, group: int) -> None:
        """Create the light of group ``group``."""
        super().__init__(entry, group)
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

    async def async_added_to_hass(self) -> None:
        """Follow group state and bus connection changes."""
        await super().async_added_to_hass()
        self.async_on_remove(self._data.controller.add_listener(self._group_changed))
        self.async_on_remove(self._data.bus.add_connection_listener(self._connection_changed))

    @callback
    def _group_changed(self, group: int) -> None:
        if group == self._group:
            self.async_write_ha_state()

    @callback
    def _connection_changed(self, _connected: bool) -> None:
        self.async_write_ha_state()

    @property
    def available(self) -> bool:
        """Unavailable while the bus is disconnected."""
        return self._data.bus.connected

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
        return self._data.controller.states[self._group]

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
        if self._data.auto_control.get(self._group):
            # Not the coordinator (it drives the bus directly): a person, automation or script.
            # Recorded before the command goes out, so a decision cycle running meanwhile
            # cannot undo it.
            await self._data.overrides.async_record(
                self._group,
                origin_of(self._context),
                is_on=level is None or level > 0,
                brightness_pct=pct_from_level(level) if level is not None else None,
            )
            await self._learn(level)
        try:
            await self._data.controller.apply(self._group, level=level, mirek=mirek, fade_code=fade)
        except DaliNotConnectedError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN, translation_key="not_connected"
            ) from err
        except DaliTimeoutError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN, translation_key="bus_timeout"
            ) from err
        except (DaliError, UnknownGroupError) as err:
            raise bus_error(err) from err

    async def _learn(self, level: int | None) -> None:
        """A person dimming a light the coordinator had set teaches the room's offset."""
        decided = self._data.coordinator.last_decided_pct(self._group)
        if not level or not decided:
            return
        try:
            await self._data.profiles.async_learn(
                self._group,
                pct_from_level(level),
                decided,
                self._data.coordinator.limits(self._group),
            )
        except (StoreError, ValueError) as err:
            LOGGER.debug("Offset of group %d not learned: %s", self._group, err)
