"""The base of every Smart Lighting AI entity: a device for the bus, per group, per fitting.

Also the shared bases of the feature entities: one emergency fitting's (DT1, C16) and one
DALI-2 input device instance's (C14). Their platform classes live in the platform modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .compat import child_device_info, device_by_identifier
from .const import CONF_BUS_TYPE, CONF_GROUP_NAME, CONF_GROUPS, DOMAIN
from .coordinator import BusStateCoordinator
from .dali import GearInfo
from .dali.backend import identity_of
from .dali.input_devices import PUSHBUTTON, InputDevice, InputEvent
from .runtime import SmartLightingConfigEntry

if TYPE_CHECKING:
    from .emergency_monitor import EmergencyMonitor, FittingRecord
    from .input_devices import InputDevices, Key

MANUFACTURER = "Smart Lighting AI"  # the maker of the simulated line, and of nothing else
# The maker of each kind of interface, for a backend that does not say (a serial interface
# of an unknown scheme has none).
BUS_TYPE_MANUFACTURERS = {
    "simulated": MANUFACTURER,
    "hid_tridonic": "Tridonic",
    "hid_hasseb": "hasseb",
}


def bus_manufacturer(entry: SmartLightingConfigEntry) -> str | None:
    """Who made the entry's interface: what it says, else what its bus type implies."""
    identity = identity_of(entry.runtime_data.bus.backend)
    return identity.manufacturer or BUS_TYPE_MANUFACTURERS.get(entry.data[CONF_BUS_TYPE])


def entry_key(entry: SmartLightingConfigEntry) -> str:
    """The stable key of a bus entry: its unique_id (the entry id when it has none)."""
    return entry.unique_id or entry.entry_id


def bus_identifier(entry: SmartLightingConfigEntry) -> tuple[str, str]:
    """The device-registry identifier of the bus interface's device."""
    return (DOMAIN, entry_key(entry))


def group_identifier(entry: SmartLightingConfigEntry, group: int) -> tuple[str, str]:
    """The device-registry identifier of group ``group``'s device."""
    return (DOMAIN, f"{entry_key(entry)}-group-{group}")


def fitting_identifier(entry: SmartLightingConfigEntry, gear: GearInfo) -> tuple[str, str]:
    """The device-registry identifier of a fitting (control gear): by GTIN and serial."""
    return (DOMAIN, f"{entry_key(entry)}-gear-{gear.key}")


def fitting_name(hass: HomeAssistant, entry: SmartLightingConfigEntry, gear: GearInfo) -> str:
    """How the user knows a fitting (in repairs): its device's name, else "DALI fitting n"."""
    device = device_by_identifier(hass, fitting_identifier(entry, gear), entry.entry_id)
    if device is not None and (device.name_by_user or device.name):
        return str(device.name_by_user or device.name)
    return f"DALI fitting {gear.short_address}"


def fitting_model(gear: GearInfo) -> str:
    """What kind of control gear it is, from its device types."""
    kinds = {1: "emergency", 6: "LED", 8: "tunable white"}
    named = [kinds[t] for t in gear.device_types if t in kinds]
    return f"DALI {' '.join(named) or 'control'} gear"


def bus_device_info(entry: SmartLightingConfigEntry) -> DeviceInfo:
    """The device that stands for the DALI bus interface: its maker, model, firmware, serial.

    A value the interface does not report is left out rather than sent as None, so it
    never wipes what the device registry already knows.
    """
    identity = identity_of(entry.runtime_data.bus.backend)
    info = DeviceInfo(
        identifiers={bus_identifier(entry)},
        model=identity.model or f"DALI interface ({entry.data[CONF_BUS_TYPE]})",
        name=entry.title,
    )
    if manufacturer := bus_manufacturer(entry):
        info["manufacturer"] = manufacturer
    if identity.firmware:
        info["sw_version"] = identity.firmware
    if identity.serial_number:
        info["serial_number"] = identity.serial_number
    return info


def group_name(entry: SmartLightingConfigEntry, group: int) -> str:
    """The room name from the options, or "DALI group n"."""
    room = entry.options.get(CONF_GROUPS, {}).get(str(group), {})
    return str(room.get(CONF_GROUP_NAME) or f"DALI group {group}")


def group_label(entry: SmartLightingConfigEntry, group: int) -> str:
    """How log lines name a group: "group 0 (Open office)", or "group 1" without a room."""
    room = entry.options.get(CONF_GROUPS, {}).get(str(group), {})
    name = room.get(CONF_GROUP_NAME)
    return f"group {group} ({name})" if name else f"group {group}"


class SmartLightingGroupEntity(Entity):
    """An entity that belongs to one DALI group's device."""

    _attr_has_entity_name = True
    _attr_should_poll = False  # every group entity is pushed by the controller or coordinator

    def __init__(self, entry: SmartLightingConfigEntry, group: int, suffix: str = "") -> None:
        """Attach the entity to group ``group`` of ``entry``'s bus."""
        self._entry = entry
        self._group = group
        self._data = entry.runtime_data
        self._attr_unique_id = f"{entry_key(entry)}-group-{group}{suffix}"
        # A group is the line's own doing: on the simulated line the simulator's maker, on
        # hardware nobody's (the fittings in it come from whoever made them).
        self._attr_device_info = child_device_info(
            bus_identifier(entry),
            self._data.bus_device_id,
            identifiers={group_identifier(entry, group)},
            manufacturer=MANUFACTURER if entry.data[CONF_BUS_TYPE] == "simulated" else None,
            model="DALI group",
            name=group_name(entry, group),
        )


class SmartLightingFittingEntity(Entity):
    """An entity that belongs to one fitting's (control gear's) device.

    The fitting is found by its key (GTIN and serial when bank 0 answers), so after
    re-addressing the same entity follows it to its new short address.
    """

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, entry: SmartLightingConfigEntry, gear: GearInfo, suffix: str = "") -> None:
        """Attach the entity to ``gear``'s device."""
        self._entry = entry
        self._data = entry.runtime_data
        self._key = gear.key
        self._attr_unique_id = f"{entry_key(entry)}-gear-{gear.key}{suffix}"
        info = child_device_info(
            bus_identifier(entry),
            self._data.bus_device_id,
            identifiers={fitting_identifier(entry, gear)},
            model=fitting_model(gear),
            name=f"DALI fitting {gear.short_address}",
        )
        if entry.data[CONF_BUS_TYPE] == "simulated":
            info["manufacturer"] = MANUFACTURER  # the simulated line's gear is ours too
        if gear.serial is not None:
            info["serial_number"] = str(gear.serial)
        if gear.gtin is not None:
            info["model_id"] = str(gear.gtin)
        self._attr_device_info = info

    @property
    def gear(self) -> GearInfo | None:
        """The fitting as the inventory knows it now (None: it left the inventory)."""
        return self._data.controller.inventory.by_key(self._key)


# emergency fittings (emergency_monitor.py) ------------------------------------------------


class EmergencyFittingEntity(CoordinatorEntity[BusStateCoordinator], SmartLightingFittingEntity):
    """An entity of one emergency fitting, written after every read-back."""

    def __init__(self, entry: SmartLightingConfigEntry, gear: GearInfo, key: str) -> None:
        """Attach the ``key`` entity to the emergency fitting ``gear``."""
        CoordinatorEntity.__init__(self, entry.runtime_data.state)
        SmartLightingFittingEntity.__init__(self, entry, gear, f"-{key}")

    @property
    def _monitor(self) -> EmergencyMonitor | None:
        return self._data.emergency

    @property
    def _record(self) -> FittingRecord | None:
        monitor = self._monitor
        return monitor.record(self._key) if monitor is not None else None

    @property
    def available(self) -> bool:
        """Available while the bus is up and the fitting answered its last read."""
        record = self._record
        return (
            self.coordinator.connected
            and self.gear is not None
            and record is not None
            and record.status is not None
            and not record.read_failed
        )


# DALI-2 input devices (input_devices.py) -------------------------------------------------


def input_unique_id(entry: SmartLightingConfigEntry, address: int, instance: int) -> str:
    """The unique_id of the entity of ``instance`` of the device at ``address``."""
    return f"{entry_key(entry)}-input-{address}-{instance}"


def input_identifier(entry: SmartLightingConfigEntry, address: int) -> tuple[str, str]:
    """The device-registry identifier of the input device at ``address``."""
    return (DOMAIN, f"{entry_key(entry)}-input-{address}")


class InputDeviceEntity(CoordinatorEntity[BusStateCoordinator], Entity):
    """An entity of one instance of a DALI-2 input device, on that device's own device."""

    _attr_has_entity_name = True

    def __init__(self, entry: SmartLightingConfigEntry, device: InputDevice, number: int) -> None:
        """Attach the entity to instance ``number`` of ``device``."""
        super().__init__(entry.runtime_data.state)
        self._entry = entry
        self._inputs: InputDevices = entry.runtime_data.inputs  # type: ignore[assignment]
        self._key: Key = (device.short_address, number)
        self._attr_unique_id = input_unique_id(entry, device.short_address, number)
        types = {i.instance_type for i in device.instances}
        model = "DALI-2 push-button panel" if types == {PUSHBUTTON} else "DALI-2 sensor"
        self._attr_device_info = child_device_info(
            bus_identifier(entry),
            entry.runtime_data.bus_device_id,
            identifiers={input_identifier(entry, device.short_address)},
            manufacturer=MANUFACTURER if entry.data.get("bus_type") == "simulated" else None,
            model=model,
            name=f"DALI input device {device.short_address}",
        )

    async def async_added_to_hass(self) -> None:
        """Follow the instance's events."""
        await super().async_added_to_hass()
        self.async_on_remove(self._inputs.add_listener(self._key, self._on_event))

    @callback
    def _on_event(self, event: InputEvent) -> None:
        self.async_write_ha_state()


class GroupSettingEntity(CoordinatorEntity[BusStateCoordinator], SmartLightingGroupEntity):
    """A group's stored gear setting: read from the inventory, shown while the group exists."""

    _attr_entity_category = EntityCategory.CONFIG

    def __init__(self, entry: SmartLightingConfigEntry, group: int, suffix: str) -> None:
        """Create the setting ``suffix`` of group ``group``."""
        CoordinatorEntity.__init__(self, entry.runtime_data.state)
        SmartLightingGroupEntity.__init__(self, entry, group, suffix)

    async def async_added_to_hass(self) -> None:
        """Follow the inventory too: that is where the stored values are kept."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self._data.controller.add_inventory_listener(self.async_write_ha_state)
        )

    @property
    def available(self) -> bool:
        """Unavailable while the bus is down or the group has no members any more."""
        return self.coordinator.connected and self._group in self._data.controller.groups
