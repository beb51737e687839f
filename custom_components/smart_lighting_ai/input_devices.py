"""DALI-2 input devices in Home Assistant (contract C14).

Each push-button instance is an ``event`` entity (with device triggers, see
``device_trigger.py``), each occupancy instance a ``binary_sensor`` (occupancy) and each light
sensor instance a ``sensor`` (illuminance, lx); the entities are in those platform modules,
their base :class:`.entity.InputDeviceEntity` in ``entity.py``. The light sensor's raw value
is relative: it shows lux once calibrated with the ``calibrate_light_sensor`` action (the lux
a meter reads now, ``input_actions.py``); until then it is unavailable and a repair issue
says so.

The devices are found once by a bus sequence (:func:`.dali.input_devices.discover_input_devices`)
and remembered in ``.storage`` with the calibration; events arrive through the bus state's
frame listener and are decoded without Home Assistant (:class:`.dali.input_devices.EventDecoder`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Final

from homeassistant.core import (
    CALLBACK_TYPE,
    HomeAssistant,
    callback,
)
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store

from .const import DOMAIN
from .dali import DaliError
from .dali.input_devices import (
    DEVICE_ADDRESSES,
    LIGHT,
    OCCUPANCY,
    EventDecoder,
    InputDevice,
    InputEvent,
    discover_input_device,
    read_input_value,
)
from .entity import input_unique_id
from .runtime import SmartLightingConfigEntry

_LOGGER = logging.getLogger(__name__)

STORE_VERSION: Final = 1
ISSUE_UNCALIBRATED: Final = "light_sensor_uncalibrated"
ATTR_RAW: Final = "raw_value"
INPUT_EVENT: Final = f"{DOMAIN}_input_event"  # what device triggers listen to
DISCOVERY_PRIORITY: Final = 5
# An input value read at start-up: Part 303 says 0xAA and up is occupied.
OCCUPIED_FROM: Final = 0xAA

type Key = tuple[int, int]  # (device short address, instance number)
type Listener = Callable[[InputEvent], None]


class InputDevices:
    """The entry's input devices: what was found, the last values, the lux calibration."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: SmartLightingConfigEntry,
        store: Store[dict[str, Any]],
        devices: list[InputDevice],
        lux_per_raw: dict[str, float],
    ) -> None:
        """Hold ``devices`` of ``entry`` and their calibration (saved in ``store``)."""
        self._hass = hass
        self._entry = entry
        self._store = store
        self.decoder = EventDecoder(devices)
        self.lux_per_raw = lux_per_raw
        self.occupied: dict[Key, bool | None] = {}
        self.light: dict[Key, int | None] = {}
        self._listeners: dict[Key, list[Listener]] = {}

    @property
    def devices(self) -> list[InputDevice]:
        """The input devices found on the bus."""
        return self.decoder.devices

    def instances(self, instance_type: int) -> list[tuple[InputDevice, int]]:
        """Every (device, instance number) of ``instance_type``."""
        return [(d, i.number) for d in self.devices for i in d.of_type(instance_type)]

    def light_key(self, unique_id: str) -> Key | None:
        """The light instance whose sensor has ``unique_id`` (None: no light sensor)."""
        return next(
            (
                (d.short_address, n)
                for d, n in self.instances(LIGHT)
                if input_unique_id(self._entry, d.short_address, n) == unique_id
            ),
            None,
        )

    def lux_factor(self, key: Key) -> float | None:
        """The lux per raw unit of light instance ``key`` (None: not calibrated)."""
        return self.lux_per_raw.get(_key_text(key))

    @callback
    def add_listener(self, key: Key, listener: Listener) -> CALLBACK_TYPE:
        """Call ``listener(event)`` for each event of instance ``key``."""
        self._listeners.setdefault(key, []).append(listener)
        return lambda: self._listeners[key].remove(listener)

    @callback
    def handle_frame(self, command: Any) -> None:
        """Decode a frame seen on the bus and hand an event to its instance's entity."""
        event = self.decoder.decode(command)
        if event is None:
            return
        if event.address is None or event.instance is None:
            _LOGGER.debug("Ignoring a DALI input event without its source: %s", command)
            return
        key = (event.address, event.instance)
        if event.kind == "occupancy":
            self.occupied[key] = bool(event.value.occupied)
        elif event.kind == "light":
            self.light[key] = int(event.value)
        for listener in list(self._listeners.get(key, ())):
            listener(event)

    async def async_read_inputs(self) -> None:
        """Read each sensor's input value once, so presence is known before any event."""
        bus = self._entry.runtime_data.bus
        for kind, device, number in [
            *((OCCUPANCY, d, n) for d, n in self.instances(OCCUPANCY)),
            *((LIGHT, d, n) for d, n in self.instances(LIGHT)),
        ]:
            try:
                value = await bus.send(
                    read_input_value(device.short_address, number), priority=DISCOVERY_PRIORITY
                )
            except DaliError as err:
                _LOGGER.debug("Reading DALI input %s/%s failed: %s", device, number, err)
                continue
            if value is None:
                continue
            key = (device.short_address, number)
            if kind == OCCUPANCY:
                self.occupied[key] = value >> 8 >= OCCUPIED_FROM
            else:
                self.light[key] = value >> 6  # the 10-bit illuminance, MSB-aligned in 16 bits

    async def async_calibrate(self, key: Key, lux_per_raw: float) -> None:
        """Save ``lux_per_raw`` for light instance ``key`` and clear its repair issue."""
        self.lux_per_raw[_key_text(key)] = lux_per_raw
        await self.async_save()
        ir.async_delete_issue(self._hass, DOMAIN, uncalibrated_issue_id(self._entry, key))
        for listener in list(self._listeners.get(key, ())):
            listener(InputEvent(key[0], key[1], LIGHT, "calibrated"))

    async def async_save(self) -> None:
        """Save the devices and the calibration."""
        await self._store.async_save(
            {
                "devices": [d.to_dict() for d in self.devices],
                "lux_per_raw": self.lux_per_raw,
            }
        )


def _key_text(key: Key) -> str:
    return f"{key[0]}-{key[1]}"


def uncalibrated_issue_id(entry: SmartLightingConfigEntry, key: Key) -> str:
    """The repair issue of light instance ``key`` that needs calibrating."""
    return f"{ISSUE_UNCALIBRATED}_{entry.entry_id}_{_key_text(key)}"


async def async_setup_input_devices(
    hass: HomeAssistant, entry: SmartLightingConfigEntry
) -> InputDevices:
    """Load (or, the first time, discover) the entry's input devices and follow their events."""
    store: Store[dict[str, Any]] = Store(
        hass, STORE_VERSION, f"{DOMAIN}.input_devices.{entry.entry_id}"
    )
    data = await store.async_load() or {}
    devices: list[InputDevice] | None
    try:
        devices = [InputDevice.from_dict(d) for d in data["devices"]]
    except (KeyError, TypeError, ValueError):
        devices = None
    lux = data.get("lux_per_raw")
    lux_per_raw = {str(k): float(v) for k, v in lux.items()} if isinstance(lux, dict) else {}
    found = devices is None
    if devices is None:
        devices = await _async_discover(entry)
        found = devices is not None
    inputs = InputDevices(hass, entry, store, devices or [], lux_per_raw)
    if found:
        await inputs.async_save()
    await inputs.async_read_inputs()
    entry.async_on_unload(entry.runtime_data.state.add_frame_listener(inputs.handle_frame))
    return inputs


async def _async_discover(entry: SmartLightingConfigEntry) -> list[InputDevice] | None:
    """Search every device address, one transaction each; None when the search failed."""
    bus = entry.runtime_data.bus
    found: list[InputDevice] = []
    for short in DEVICE_ADDRESSES:
        try:
            device = await bus.send(discover_input_device(short), priority=DISCOVERY_PRIORITY)
        except DaliError as err:  # e.g. a hasseb, which cannot send 24-bit frames
            _LOGGER.warning(
                "DALI-2 input devices (buttons, occupancy and light sensors) are not "
                "available on %s: %s",
                entry.title,
                err,
            )
            return None
        if device is not None:
            found.append(device)
    return found


def input_devices_of(entry: SmartLightingConfigEntry) -> InputDevices | None:
    """The entry's input devices (None before its setup made them)."""
    return getattr(entry.runtime_data, "inputs", None)
