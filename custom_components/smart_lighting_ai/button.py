"""Buttons: Identify per fitting and per group (contract C12); features add theirs here.

Pressing Identify sends DALI-2 ``IdentifyDevice`` to the fitting's short address, or one
group-addressed frame to the group: the gear then runs its identification (usually blinking)
for about 10 seconds, so an installer can see which fitting is which.

Also the test buttons of every emergency fitting (``emergency_monitor.py``).
"""

from __future__ import annotations

from homeassistant.components.button import (
    ButtonDeviceClass,
    ButtonEntity,
    ButtonEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import BusStateCoordinator
from .dali import DaliError, GearInfo
from .dali.commissioning import identify
from .dali.emergency import EmergencyTest
from .dynamic import async_add_dynamic_entities
from .emergency_monitor import emergency_fittings
from .entity import EmergencyFittingEntity, SmartLightingFittingEntity, SmartLightingGroupEntity
from .exceptions import dali_error
from .runtime import SmartLightingConfigEntry

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartLightingConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add every feature's buttons now and as the inventory changes."""
    async_add_dynamic_entities(entry, async_add_entities, identify_buttons)
    async_add_dynamic_entities(entry, async_add_entities, emergency_buttons)


IDENTIFY_SUFFIX = "-identify"


def identify_buttons(entry: SmartLightingConfigEntry) -> list[ButtonEntity]:
    """An Identify button for every group with members and every fitting."""
    controller = entry.runtime_data.controller
    return [
        *(GroupIdentifyButton(entry, n) for n in controller.groups),
        *(FittingIdentifyButton(entry, gear) for gear in controller.inventory.gear),
    ]


class _IdentifyButton(CoordinatorEntity[BusStateCoordinator], ButtonEntity):
    _attr_device_class = ButtonDeviceClass.IDENTIFY
    _attr_entity_category = EntityCategory.CONFIG
    _attr_translation_key = "identify"


class FittingIdentifyButton(_IdentifyButton, SmartLightingFittingEntity):
    """Makes one fitting identify itself."""

    def __init__(self, entry: SmartLightingConfigEntry, gear: GearInfo) -> None:
        """Create the button of ``gear``."""
        CoordinatorEntity.__init__(self, entry.runtime_data.state)
        SmartLightingFittingEntity.__init__(self, entry, gear, IDENTIFY_SUFFIX)

    @property
    def available(self) -> bool:
        """Unavailable while the bus is down or the fitting left the inventory."""
        return self.coordinator.connected and self.gear is not None

    async def async_press(self) -> None:
        """Send ``IdentifyDevice`` to the fitting's short address."""
        gear = self.gear
        if gear is None:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="fitting_not_in_inventory",
                translation_placeholders={"entity_id": self.entity_id},
            )
        try:
            await identify(self._data.bus, short_address=gear.short_address)
        except DaliError as err:
            raise dali_error(err) from err


class GroupIdentifyButton(_IdentifyButton, SmartLightingGroupEntity):
    """Makes every fitting of a group identify itself, with one group-addressed frame."""

    def __init__(self, entry: SmartLightingConfigEntry, group: int) -> None:
        """Create the button of group ``group``."""
        CoordinatorEntity.__init__(self, entry.runtime_data.state)
        SmartLightingGroupEntity.__init__(self, entry, group, IDENTIFY_SUFFIX)

    @property
    def available(self) -> bool:
        """Unavailable while the bus is down or the group has no members any more."""
        return self.coordinator.connected and self._group in self._data.controller.groups

    async def async_press(self) -> None:
        """Send one group-addressed ``IdentifyDevice``."""
        try:
            await identify(self._data.bus, group=self._group)
        except DaliError as err:
            raise dali_error(err) from err


# emergency tests (emergency_monitor.py) ---------------------------------------------------

EMERGENCY_BUTTONS = (
    ButtonEntityDescription(key="start_function_test", translation_key="start_function_test"),
    ButtonEntityDescription(key="start_duration_test", translation_key="start_duration_test"),
    ButtonEntityDescription(key="stop_test", translation_key="stop_emergency_test"),
)
_BUTTON_TESTS = {
    "start_function_test": EmergencyTest.FUNCTION,
    "start_duration_test": EmergencyTest.DURATION,
}


def emergency_buttons(entry: SmartLightingConfigEntry) -> list[ButtonEntity]:
    """The test buttons of every emergency fitting."""
    return [
        EmergencyTestButton(entry, g, d)
        for g in emergency_fittings(entry)
        for d in EMERGENCY_BUTTONS
    ]


class EmergencyTestButton(EmergencyFittingEntity, ButtonEntity):
    """Start a function or duration test, or stop a test, of one emergency fitting."""

    def __init__(
        self,
        entry: SmartLightingConfigEntry,
        gear: GearInfo,
        description: ButtonEntityDescription,
    ) -> None:
        """The ``description.key`` button of ``gear``."""
        super().__init__(entry, gear, description.key)
        self.entity_description = description

    @property
    def available(self) -> bool:
        """Pressable while the bus is up (a fitting that changed says why when pressed)."""
        return self.coordinator.connected

    async def async_press(self) -> None:
        """Send the test command; a fitting that is not DT1 gets a clear error."""
        monitor = self._monitor
        if monitor is None:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="entry_not_loaded",
                translation_placeholders={"entry_id": self._entry.entry_id},
            )
        kind = _BUTTON_TESTS.get(self.entity_description.key)
        if kind is None:
            await monitor.async_stop_test(self._key, self.entity_id)
        else:
            await monitor.async_start_test(self._key, kind, self.entity_id)
