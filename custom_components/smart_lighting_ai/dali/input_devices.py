"""DALI-2 input devices (IEC 62386-103, parts 301/303/304): finding them and decoding events.

:func:`discover_input_devices` is a bus sequence that lists the control devices and their
instances and makes every instance report events in the "device/instance" scheme (short
address and instance number in each frame), so a frame names the button that sent it.
:class:`EventDecoder` turns a 24-bit event frame into an :class:`InputEvent` (device address,
instance, kind, value) with python-dali's event classes; an event code python-dali does not
know decodes to kind ``"unknown"`` (logged once per source and code, never raised).
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from dali import address
from dali.command import Command, Response
from dali.device import general, light, occupancy, pushbutton
from dali.device.helpers import DeviceInstanceTypeMapper

_LOGGER = logging.getLogger(__name__)

PUSHBUTTON: Final = pushbutton.instance_type
OCCUPANCY: Final = occupancy.instance_type
LIGHT: Final = light.instance_type
SCHEME_DEVICE_INSTANCE: Final = 2
MAX_INSTANCES: Final = 32
DEVICE_ADDRESSES: Final = range(64)
UNKNOWN: Final = "unknown"

# python-dali's push-button event classes, by the name Home Assistant's event entity uses.
BUTTON_KINDS: Final[dict[type[Command], str]] = {
    pushbutton.ButtonPressed: "button_pressed",
    pushbutton.ButtonReleased: "button_released",
    pushbutton.ShortPress: "short_press",
    pushbutton.DoublePress: "double_press",
    pushbutton.LongPressStart: "long_press_start",
    pushbutton.LongPressRepeat: "long_press_repeat",
    pushbutton.LongPressStop: "long_press_stop",
    pushbutton.ButtonStuck: "button_stuck",
    pushbutton.ButtonFree: "button_free",
}
# The button events an automation can use (contract C14), in this order.
BUTTON_EVENT_TYPES: Final = (
    "short_press",
    "double_press",
    "long_press_start",
    "long_press_repeat",
    "long_press_stop",
)

type Sequence_ = Generator[Any, Any, list["InputDevice"]]


@dataclass(frozen=True, slots=True)
class InputInstance:
    """One instance of a control device: its number and type (1 button, 3 occupancy, 4 light)."""

    number: int
    instance_type: int


@dataclass(slots=True)
class InputDevice:
    """A control device found on the bus."""

    short_address: int
    instances: list[InputInstance] = field(default_factory=list)

    def of_type(self, instance_type: int) -> list[InputInstance]:
        """The instances of ``instance_type``."""
        return [i for i in self.instances if i.instance_type == instance_type]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly form (for a store)."""
        return {
            "short_address": self.short_address,
            "instances": [[i.number, i.instance_type] for i in self.instances],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InputDevice:
        """The device :meth:`to_dict` gave; raises KeyError/TypeError/ValueError if broken."""
        return cls(
            int(data["short_address"]),
            [InputInstance(int(n), int(t)) for n, t in data["instances"]],
        )


@dataclass(frozen=True, slots=True)
class InputEvent:
    """A decoded event: who sent it and what happened.

    ``kind`` is a ``BUTTON_KINDS`` name for a button, ``"occupancy"`` (``value``: python-dali's
    ``OccupancyEvent.EventData``), ``"light"`` (``value``: the raw 10-bit illuminance) or
    ``"unknown"`` (``value``: the raw event information). ``address`` or ``instance`` is None
    when the event scheme leaves it out.
    """

    address: int | None
    instance: int | None
    instance_type: int | None
    kind: str
    value: Any = None


def _answered(response: Response | None) -> bool:
    return response is not None and response.raw_value is not None and not response.raw_value.error


def discover_input_device(
    short: int, *, set_scheme: bool = True
) -> Generator[Any, Any, InputDevice | None]:
    """A sequence returning the control device at ``short`` with its instances, or None.

    Instances that are disabled are left out. With ``set_scheme`` an instance not reporting
    in the device/instance scheme is switched to it (written only when different: NVM).
    """
    device = address.DeviceShort(short)
    status = yield general.QueryDeviceStatus(device)
    if not _answered(status):
        return None
    count = yield general.QueryNumberOfInstances(device)
    if not _answered(count):
        return None
    unit = InputDevice(short)
    for number in range(min(count.value, MAX_INSTANCES)):
        instance = address.InstanceNumber(number)
        enabled = yield general.QueryInstanceEnabled(device, instance)
        if not _answered(enabled):
            continue
        kind = yield general.QueryInstanceType(device, instance)
        if not _answered(kind):
            continue
        unit.instances.append(InputInstance(number, kind.value))
        if set_scheme:
            scheme = yield general.QueryEventScheme(device, instance)
            if _answered(scheme) and scheme.raw_value.as_integer != SCHEME_DEVICE_INSTANCE:
                yield general.DTR0(SCHEME_DEVICE_INSTANCE)
                yield general.SetEventScheme(device, instance)
    return unit


def discover_input_devices(
    addresses: Iterable[int] = DEVICE_ADDRESSES, *, set_scheme: bool = True
) -> Sequence_:
    """One sequence running :func:`discover_input_device` for every address in turn.

    A controller that must not hold the bus that long runs one transaction per address.
    """
    found: list[InputDevice] = []
    for short in addresses:
        unit = yield from discover_input_device(short, set_scheme=set_scheme)
        if unit is not None:
            found.append(unit)
    return found


def read_input_value(short: int, number: int) -> Generator[Any, Any, int | None]:
    """A sequence reading instance ``number``'s input value: 16 bits, MSB first, or None.

    ``QueryInputValue`` answers the top byte and latches the rest; ``QueryInputValueLatch``
    gives the next byte (0 for a value of 8 bits or fewer).
    """
    target, instance = address.DeviceShort(short), address.InstanceNumber(number)
    high = yield general.QueryInputValue(target, instance)
    if not _answered(high):
        return None
    low = yield general.QueryInputValueLatch(target, instance)
    return int(high.value) << 8 | (int(low.value) if _answered(low) else 0)


class EventDecoder:
    """Decodes event frames of the devices it knows (device/instance events need the map)."""

    def __init__(self, devices: Iterable[InputDevice] = ()) -> None:
        """Know ``devices`` (their instance types decode device/instance events)."""
        self._devices: dict[int, InputDevice] = {}
        self._map = DeviceInstanceTypeMapper()
        self._logged: set[tuple[int | None, int | None, int | None, int]] = set()
        self.set_devices(devices)

    @property
    def devices(self) -> list[InputDevice]:
        """The known devices, by short address."""
        return [self._devices[a] for a in sorted(self._devices)]

    def set_devices(self, devices: Iterable[InputDevice]) -> None:
        """Replace the known devices."""
        self._devices = {d.short_address: d for d in devices}
        self._map.clear()
        for device in self._devices.values():
            for inst in device.instances:
                self._map.add_type(
                    short_address=device.short_address,
                    instance_number=inst.number,
                    instance_type=inst.instance_type,
                )

    def decode(self, command: Command) -> InputEvent | None:
        """The event in ``command``'s frame, or None when it is no 24-bit event frame."""
        frame = command.frame
        if len(frame) != 24 or frame[16]:
            return None  # a 16-bit frame, or a command to devices (bit 16 set)
        event = Command.from_frame(frame, dev_inst_map=self._map)
        if not isinstance(event, general._Event):
            return None  # reserved source scheme: not an event
        short = event.short_address.address if event.short_address is not None else None
        number = event.instance_number
        ambiguous = isinstance(event, general.AmbiguousInstanceType)
        kind_type = None if ambiguous else event.instance_type
        if number is None and short is not None and kind_type is not None:
            number = self._only_instance(short, kind_type)  # the "device" scheme
        if isinstance(event, general.UnknownEvent | general.AmbiguousInstanceType):
            return self._unknown(short, number, kind_type, int(frame[9:0]))
        if isinstance(event, occupancy.OccupancyEvent):
            return InputEvent(short, number, OCCUPANCY, "occupancy", event.event_data)
        if isinstance(event, light.LightEvent):
            return InputEvent(short, number, LIGHT, "light", event.illuminance)
        kind = BUTTON_KINDS.get(type(event))
        if kind is None:  # an instance type python-dali knows that we do not use
            return self._unknown(short, number, kind_type, int(frame[9:0]))
        return InputEvent(short, number, PUSHBUTTON, kind)

    def _only_instance(self, short: int, instance_type: int) -> int | None:
        device = self._devices.get(short)
        matches = device.of_type(instance_type) if device else []
        return matches[0].number if len(matches) == 1 else None

    def _unknown(
        self, short: int | None, number: int | None, instance_type: int | None, code: int
    ) -> InputEvent:
        source = (short, number, instance_type, code)
        level = logging.DEBUG if source in self._logged else logging.WARNING
        self._logged.add(source)
        _LOGGER.log(
            level,
            "Ignoring unknown DALI input event %#05x from device %s instance %s (type %s)",
            code,
            short,
            number,
            instance_type,
        )
        return InputEvent(short, number, instance_type, UNKNOWN, code)
