"""Simulated DALI-2 control devices (IEC 62386-103): push buttons, occupancy and light sensors.

A :class:`SimDevice` takes 24-bit forward frames (python-dali ``dali.device`` commands) and
answers the queries a controller needs to find and decode it: device status, number of
instances, instance type, enabled, event scheme and filter, input value. It also SENDS
events: the test controls :meth:`SimDevice.press`, :meth:`SimDevice.set_occupancy`,
:meth:`SimDevice.movement`, :meth:`SimDevice.set_light` and :meth:`SimDevice.send_event_code`
build the python-dali event frame (``dali.device.pushbutton``, ``occupancy``, ``light``) in the
instance's event scheme and hand it to the bus the device is attached to, exactly as a real
device puts it on the line for every master (and the interface) to hear.

Not modelled: timers (T_short, T_double, ...: a test says which event happens), event
priorities, instance groups, memory banks and addressing of devices.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from dali import address
from dali.command import Command
from dali.device import general, light, occupancy, pushbutton

PUSHBUTTON: Final = pushbutton.instance_type  # 1, part 301
OCCUPANCY: Final = occupancy.instance_type  # 3, part 303
LIGHT: Final = light.instance_type  # 4, part 304

# Event schemes of Part 103 Table 8 (python-dali's ``general.EventScheme``).
SCHEME_INSTANCE: Final = 0
SCHEME_DEVICE: Final = 1
SCHEME_DEVICE_INSTANCE: Final = 2
SCHEME_DEVICE_GROUP: Final = 3
SCHEME_INSTANCE_GROUP: Final = 4

# The push-button events a test can ask for, by the name Home Assistant's event entity uses.
BUTTON_EVENTS: Final[dict[str, type[general._Event]]] = {
    "button_pressed": pushbutton.ButtonPressed,
    "button_released": pushbutton.ButtonReleased,
    "short_press": pushbutton.ShortPress,
    "double_press": pushbutton.DoublePress,
    "long_press_start": pushbutton.LongPressStart,
    "long_press_repeat": pushbutton.LongPressRepeat,
    "long_press_stop": pushbutton.LongPressStop,
}
# What a push-button instance reports after a reset (Part 301 Table 3): the press events.
DEFAULT_BUTTON_FILTER: Final = int(
    pushbutton.InstanceEventFilter.short_press
    | pushbutton.InstanceEventFilter.double_press
    | pushbutton.InstanceEventFilter.long_press_start
    | pushbutton.InstanceEventFilter.long_press_repeat
    | pushbutton.InstanceEventFilter.long_press_stop
)
LIGHT_MAX: Final = 0x3FF  # 10-bit illuminance
_YES: Final = 0xFF
_STATUS_QUIESCENT: Final = 0b0000_0010

type Emit = Callable[[Command], Any]


@dataclass
class SimInstance:
    """One input instance of a control device."""

    instance_type: int
    scheme: int = SCHEME_DEVICE_INSTANCE  # as a commissioning tool leaves it
    event_filter: int = 0xFF
    enabled: bool = True
    resolution: int = 1  # bits of the input value
    value: int = 0  # the input value (0..2**resolution-1)


@dataclass
class SimDevice:
    """A DALI-2 control device with input instances, answering like a real one.

    Test controls: ``responding`` (False: a device that fell off the line), the event
    senders above, and ``quiescent`` (set by ``StartQuiescentMode``: no events are sent).
    """

    short_address: int | None
    instances: list[SimInstance]
    groups: set[int] = field(default_factory=set)
    responding: bool = True
    quiescent: bool = False
    dtr0: int = 0
    dtr1: int = 0
    dtr2: int = 0
    _sent: list[Command] = field(default_factory=list, repr=False, compare=False)
    _emit: Emit | None = field(default=None, repr=False, compare=False)

    @property
    def sent(self) -> list[Command]:
        """Every event this device sent (not saved with the line's state)."""
        return self._sent

    # the bus side ------------------------------------------------------------------
    def attach(self, emit: Emit | None) -> None:
        """Send future events through ``emit`` (the backend's traffic path); None detaches."""
        self._emit = emit

    def receive(self, command: Command) -> int | None:
        """Take one forward frame; return the backward frame (0-255) or None for no answer."""
        if len(command.frame) != 24 or not self.responding or not self._addressed(command):
            return None
        if isinstance(command, general._StandardInstanceCommand):
            return self._instance_command(command)
        handler = _DEVICE_HANDLERS.get(type(command))
        return handler(self, command) if handler else None

    def _addressed(self, command: Command) -> bool:
        destination = getattr(command, "destination", None)
        if destination is None or isinstance(destination, address.DeviceBroadcast):
            return not isinstance(command, general._Event)  # events are for masters
        if isinstance(destination, address.DeviceBroadcastUnaddressed):
            return self.short_address is None
        if isinstance(destination, address.DeviceShort):
            return bool(destination.address == self.short_address)
        if isinstance(destination, address.DeviceGroup):
            return bool(destination.group in self.groups)
        return False

    def _selected(self, instance: Any) -> list[tuple[int, SimInstance]]:
        numbered = list(enumerate(self.instances))
        if isinstance(instance, address.InstanceNumber):
            return [p for p in numbered if p[0] == instance.value]
        if isinstance(instance, address.InstanceType):
            return [p for p in numbered if p[1].instance_type == instance.value]
        if isinstance(instance, address.InstanceBroadcast):
            return numbered
        return []

    def _instance_command(self, command: Any) -> int | None:
        selected = self._selected(command.instance)
        handler = _INSTANCE_HANDLERS.get(type(command))
        if handler is None or not selected:
            return None
        answers = [handler(self, inst) for _, inst in selected]
        return next((a for a in answers if a is not None), None)

    # test controls -----------------------------------------------------------------
    def press(self, instance: int, kind: str) -> Command | None:
        """Button ``instance`` does ``kind`` (a ``BUTTON_EVENTS`` name); the event it sent.

        The input value follows: pressed from ``button_pressed``/``long_press_start`` until
        the button is let go. An event the instance's filter does not enable is not sent.
        """
        event = BUTTON_EVENTS[kind]
        unit = self._instance(instance, PUSHBUTTON)
        if kind in ("button_pressed", "long_press_start", "long_press_repeat"):
            unit.value = 1
        else:
            unit.value = 0
        enabled_by = int(event.enabled_by or 0)
        if enabled_by and not unit.event_filter & enabled_by:
            return None
        return self._send(instance, event, None)

    def set_occupancy(
        self, occupied: bool, *, instance: int | None = None, movement: bool | None = None
    ) -> Command | None:
        """The occupancy instance now sees the room ``occupied`` (or vacant); the event sent."""
        number = self._first(OCCUPANCY) if instance is None else instance
        unit = self._instance(number, OCCUPANCY)
        moving = occupied if movement is None else movement
        unit.value = (0b10 if occupied else 0) | (0b01 if moving else 0)
        data = occupancy.OccupancyEvent.EventData(
            movement=moving, occupied=occupied, sensor_type="movement"
        )
        return self._send(number, occupancy.OccupancyEvent, data)

    def movement(self, *, instance: int | None = None) -> Command | None:
        """Someone moves in front of the occupancy instance: occupied, with movement."""
        return self.set_occupancy(True, instance=instance, movement=True)

    def set_light(self, raw: int, *, instance: int | None = None) -> Command | None:
        """The light instance now measures ``raw`` (0-1023, relative); the event sent."""
        if not 0 <= raw <= LIGHT_MAX:
            raise ValueError(f"a light sensor reports 0-{LIGHT_MAX}, not {raw}")
        number = self._first(LIGHT) if instance is None else instance
        self._instance(number, LIGHT).value = raw
        return self._send(number, light.LightEvent, raw)

    def send_event_code(self, instance: int, code: int) -> Command | None:
        """Send an event with raw event information ``code`` (0-1023), known or not."""
        unit = self.instances[instance]
        event = general.UnknownEvent(
            instance_type=unit.instance_type, **self._source(instance), data=code & 0x3FF
        )
        return self._put(event)

    # internals ---------------------------------------------------------------------
    def _instance(self, number: int, instance_type: int) -> SimInstance:
        unit = self.instances[number]
        if unit.instance_type != instance_type:
            raise ValueError(f"instance {number} is of type {unit.instance_type}")
        return unit

    def _first(self, instance_type: int) -> int:
        return next(n for n, i in enumerate(self.instances) if i.instance_type == instance_type)

    def _source(self, number: int) -> dict[str, int]:
        unit = self.instances[number]
        short = self.short_address
        if unit.scheme == SCHEME_DEVICE_INSTANCE and short is not None:
            return {"short_address": short, "instance_number": number}
        if unit.scheme == SCHEME_DEVICE and short is not None:
            return {"short_address": short}
        if unit.scheme == SCHEME_DEVICE_GROUP and self.groups:
            return {"device_group": min(self.groups)}
        return {"instance_number": number}  # the Instance scheme (and the fallback of 103)

    def _send(self, number: int, event: type[general._Event], data: Any) -> Command | None:
        if not self.instances[number].enabled:
            return None
        return self._put(event(**self._source(number), data=data))

    def _put(self, event: Command) -> Command | None:
        if self.quiescent or not self.responding:
            return None
        self._sent.append(event)
        if self._emit is not None:
            self._emit(event)
        return event


def _dtr0(device: SimDevice, command: Any) -> None:
    device.dtr0 = command.param


def _dtr1(device: SimDevice, command: Any) -> None:
    device.dtr1 = command.param


def _dtr2(device: SimDevice, command: Any) -> None:
    device.dtr2 = command.param


def _quiescent(on: bool) -> Callable[[SimDevice, Any], None]:
    def handler(device: SimDevice, _command: Any) -> None:
        device.quiescent = on

    return handler


def _status(device: SimDevice, _command: Any) -> int:
    status = _STATUS_QUIESCENT if device.quiescent else 0
    return status | (0b100 if device.short_address is None else 0)


_DEVICE_HANDLERS: Final[dict[type[Command], Callable[[SimDevice, Any], int | None]]] = {
    general.DTR0: _dtr0,
    general.DTR1: _dtr1,
    general.DTR2: _dtr2,
    general.QueryContentDTR0: lambda d, _c: d.dtr0,
    general.QueryContentDTR1: lambda d, _c: d.dtr1,
    general.QueryContentDTR2: lambda d, _c: d.dtr2,
    general.QueryDeviceStatus: _status,
    general.QueryNumberOfInstances: lambda d, _c: len(d.instances),
    general.QueryQuiescentMode: lambda d, _c: _YES if d.quiescent else None,
    general.StartQuiescentMode: _quiescent(True),
    general.StopQuiescentMode: _quiescent(False),
}


def _set_scheme(device: SimDevice, unit: SimInstance) -> None:
    if device.dtr0 <= SCHEME_INSTANCE_GROUP:
        unit.scheme = device.dtr0


def _set_filter(device: SimDevice, unit: SimInstance) -> None:
    unit.event_filter = device.dtr0


def _input_value(_device: SimDevice, unit: SimInstance) -> int:
    """The top byte of the input value (Part 103 9.7.2), like a real device."""
    shift = unit.resolution - 8
    return (unit.value >> shift if shift >= 0 else unit.value << -shift) & 0xFF


def _input_value_latch(_device: SimDevice, unit: SimInstance) -> int:
    """The next byte of the input value latched by ``QueryInputValue``."""
    if unit.resolution <= 8:
        return 0
    return (unit.value << (16 - unit.resolution)) & 0xFF


def _occupancy_value(_device: SimDevice, unit: SimInstance) -> int:
    # Part 303: 0x00 vacant, 0x55 vacant with movement, 0xAA occupied, 0xFF occupied moving.
    return {0b00: 0x00, 0b01: 0x55, 0b10: 0xAA, 0b11: 0xFF}[unit.value & 0b11]


def _value(device: SimDevice, unit: SimInstance) -> int:
    if unit.instance_type == OCCUPANCY:
        return _occupancy_value(device, unit)
    if unit.instance_type == PUSHBUTTON:
        return _YES if unit.value else 0
    return _input_value(device, unit)


_INSTANCE_HANDLERS: Final[dict[type[Command], Callable[[SimDevice, SimInstance], int | None]]] = {
    general.QueryInstanceType: lambda _d, i: i.instance_type,
    general.QueryInstanceEnabled: lambda _d, i: _YES if i.enabled else None,
    general.QueryResolution: lambda _d, i: i.resolution,
    general.QueryEventScheme: lambda _d, i: i.scheme,
    general.SetEventScheme: _set_scheme,
    general.QueryEventFilterZeroToSeven: lambda _d, i: i.event_filter & 0xFF,
    general.SetEventFilter: _set_filter,
    general.QueryInputValue: _value,
    general.QueryInputValueLatch: _input_value_latch,
    general.EnableInstance: lambda _d, i: setattr(i, "enabled", True),
    general.DisableInstance: lambda _d, i: setattr(i, "enabled", False),
}


def push_button_panel(short_address: int = 0, buttons: int = 4) -> SimDevice:
    """A wall panel of ``buttons`` push buttons (Part 301), instances 0..buttons-1."""
    return SimDevice(
        short_address,
        [SimInstance(PUSHBUTTON, event_filter=DEFAULT_BUTTON_FILTER) for _ in range(buttons)],
    )


def presence_light_sensor(short_address: int = 1) -> SimDevice:
    """A ceiling sensor: occupancy (Part 303) as instance 0, light (Part 304) as instance 1."""
    return SimDevice(
        short_address,
        [SimInstance(OCCUPANCY, resolution=2), SimInstance(LIGHT, resolution=10)],
    )


def default_devices() -> list[SimDevice]:
    """The input devices of the simulated line: the 4-button panel (0) and the sensor (1)."""
    return [push_button_panel(0), presence_light_sensor(1)]
