"""One light per DALI group (contract C3) and one per fitting (contract C11)."""

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
    GearInfo,
    GroupState,
    UnknownGroupError,
)
from .dali.conversions import (
    kelvin_limits,
    kelvin_to_mirek,
    mirek_to_kelvin,
    transition_code,
)
from .dynamic import async_add_dynamic_entities
from .entity import SmartLightingFittingEntity, SmartLightingGroupEntity
from .exceptions import dali_error
from .overrides import origin_of
from .runtime import SmartLightingConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartLightingConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a light for every group that has members and for every fitting, as they come."""
    async_add_dynamic_entities(entry, async_add_entities, _lights)


def _lights(entry: SmartLightingConfigEntry) -> list[LightEntity]:
    controller = entry.runtime_data.controller
    return [
        *(DaliGroupLight(entry, n) for n in controller.groups),
        *(DaliFittingLight(entry, gear) for gear in controller.inventory.gear),
    ]


def _fade(kwargs: dict[str, Any]) -> int | None:
    """The fade code a command asks for; None (the fade the gear holds) without a transition.

    A fade time is stored in gear memory: only an explicit transition may change it, so a
    light switched without one, like a wall panel, fades as the group is set up to.
    Transitions up to 16 minutes are real DALI fades (extended fade time).
    """
    return transition_code(kwargs[ATTR_TRANSITION]) if ATTR_TRANSITION in kwargs else None


class _DaliLight(CoordinatorEntity[BusStateCoordinator], LightEntity):
    """What a group light and a fitting light share: state shown from a level and a colour."""

    _attr_name = None
    _attr_supported_features = LightEntityFeature.TRANSITION
    _requested_brightness: int | None = None
    _requested_kelvin: int | None = None

    def _set_colour_modes(self, mirek_range: tuple[int, int] | None) -> None:
        if mirek_range:
            coolest, warmest = mirek_range
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
        raise NotImplementedError

    def _command(self, kwargs: dict[str, Any]) -> tuple[int | None, int | None]:
        """The level and mirek that ``light.turn_on`` with ``kwargs`` asks for."""
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
        return level, mirek


class DaliGroupLight(_DaliLight, SmartLightingGroupEntity):
    """A DALI group driven with group-addressed commands, showing the bus-state coordinator."""

    def __init__(self, entry: SmartLightingConfigEntry, group: int) -> None:
        """Create the light of group ``group``."""
        CoordinatorEntity.__init__(self, entry.runtime_data.state)
        SmartLightingGroupEntity.__init__(self, entry, group)
        info = self._data.controller.group(group)
        self._set_colour_modes(info.mirek_range if info.supports_colour_temperature else None)

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
        level, mirek = self._command(kwargs)
        await self._apply(level=level, mirek=mirek, fade=_fade(kwargs))

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch the group off (fading out with a transition)."""
        await self._apply(level=0, mirek=None, fade=_fade(kwargs))

    async def _apply(self, *, level: int | None, mirek: int | None, fade: int | None) -> None:
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


class DaliFittingLight(_DaliLight, SmartLightingFittingEntity):
    """One fitting (control gear), driven through its short address.

    Enabled by default for a fitting in no group; for one in a group it exists but is
    disabled, since its group's light is how it is usually switched. A person's change to a
    fitting of an automatically controlled group holds that group as a manual override, like
    a change of the group itself.
    """

    def __init__(self, entry: SmartLightingConfigEntry, gear: GearInfo) -> None:
        """Create the light of ``gear``."""
        CoordinatorEntity.__init__(self, entry.runtime_data.state)
        SmartLightingFittingEntity.__init__(self, entry, gear)
        self._attr_entity_registry_enabled_default = not gear.groups
        mirek_range = (
            (gear.tc_coolest_mirek, gear.tc_warmest_mirek)
            if gear.supports_colour_temperature and gear.tc_warmest_mirek is not None
            else None
        )
        self._set_colour_modes(mirek_range)  # type: ignore[arg-type]

    @property
    def available(self) -> bool:
        """Unavailable while the bus is down or the fitting left the inventory."""
        return self.coordinator.connected and self.gear is not None

    @property
    def _state(self) -> GroupState:
        gear = self.gear
        return GroupState() if gear is None else self.coordinator.gear_state(gear.short_address)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch on, set brightness, colour temperature and fade: frames to this gear only."""
        level, mirek = self._command(kwargs)
        await self._apply(level=level, mirek=mirek, fade=_fade(kwargs))

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch the fitting off."""
        await self._apply(level=0, mirek=None, fade=_fade(kwargs))

    async def _apply(self, *, level: int | None, mirek: int | None, fade: int | None) -> None:
        gear = self.gear
        if gear is None:
            raise dali_error(UnknownGroupError(f"DALI fitting {self._key} is not on the bus"))
        autopilot = self._data.autopilot
        origin = origin_of(self._context)
        changes = [
            (group, change)
            for group in sorted(gear.groups)
            if (change := autopilot.person_change_started(group, origin, level)) is not None
        ]
        try:
            await self._data.controller.apply_gear(gear, level=level, mirek=mirek, fade_code=fade)
        except BaseException as err:
            for _group, change in changes:
                autopilot.person_change_failed(change)
            if isinstance(err, DaliError | UnknownGroupError):
                raise dali_error(err) from err
            raise
        for _group, change in changes:
            autopilot.person_change_done(change, level)
