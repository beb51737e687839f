"""Simulated DALI-2 input devices against python-dali's fake ``Device``, and their events."""

from __future__ import annotations

import math
from collections.abc import Generator, Iterable
from typing import Any

import pytest
from dali import address
from dali.address import DeviceBroadcast, DeviceShort, InstanceNumber
from dali.command import Command
from dali.device import general, light, occupancy, pushbutton
from dali.device.helpers import DeviceInstanceTypeMapper
from dali.gear import general as gear_general
from dali.tests import fakes

from custom_components.smart_lighting_ai.dali.backends.simulated import SimulatedBackend
from custom_components.smart_lighting_ai.dali.bus import DaliBus
from custom_components.smart_lighting_ai.dali.sim_devices import (
    SimDevice,
    SimInstance,
    default_devices,
    push_button_panel,
)
from custom_components.smart_lighting_ai.dali.sim_gear import SimGear
from custom_components.smart_lighting_ai.dali.sim_state import from_json, to_json
from custom_components.smart_lighting_ai.dali.timing import (
    ANSWER_SETTLING_S,
    BACKWARD_FRAME_S,
    BIT_S,
    FORWARD_FRAME_S,
    PRIORITY_SETTLING_S,
    SEND_TWICE_SETTLING_S,
    command_cost,
)

PANEL = DeviceShort(0)


def _answer(response: Any) -> Any:
    if response is None or response.raw_value is None:
        return None
    return response.raw_value.as_integer


def _pair() -> tuple[SimulatedBackend, fakes.Bus]:
    """Our 4-button panel at address 0 next to python-dali's fake device (4 buttons too)."""
    ours = SimulatedBackend(gear=[], devices=[push_button_panel(0)])
    fake = fakes.Device(PANEL)
    fake._instances = [fakes.Device.Instance(inst_type=1, scheme=2) for _ in range(4)]
    return ours, fakes.Bus([fake])


def _run(ours: SimulatedBackend, theirs: fakes.Bus, commands: Iterable[Command]) -> list[Any]:
    return [(_answer(ours._deliver(c)), _answer(theirs.send(c))) for c in commands]


SCRIPTS: dict[str, list[Command]] = {
    "status and instances": [
        general.QueryDeviceStatus(PANEL),
        general.QueryNumberOfInstances(PANEL),
        general.QueryNumberOfInstances(DeviceShort(5)),  # nobody there
    ],
    "instance types and enabled": [
        *(general.QueryInstanceType(PANEL, InstanceNumber(n)) for n in range(5)),
        *(general.QueryInstanceEnabled(PANEL, InstanceNumber(n)) for n in range(4)),
    ],
    "event scheme": [
        general.QueryEventScheme(PANEL, InstanceNumber(1)),
        general.DTR0(1),
        general.SetEventScheme(PANEL, InstanceNumber(1)),
        general.QueryEventScheme(PANEL, InstanceNumber(1)),
        general.QueryEventScheme(PANEL, InstanceNumber(2)),
    ],
    "event filter": [
        general.DTR0(0b0110_0100),
        general.SetEventFilter(PANEL, InstanceNumber(3)),
        general.QueryEventFilterZeroToSeven(PANEL, InstanceNumber(3)),
    ],
    "data transfer registers, broadcast": [
        general.DTR0(7),
        general.DTR1(8),
        general.DTR2(9),
        general.QueryContentDTR0(DeviceBroadcast()),
        general.QueryContentDTR1(PANEL),
        general.QueryContentDTR2(PANEL),
    ],
}


@pytest.mark.parametrize("name", SCRIPTS)
def test_the_panel_answers_like_python_dalis_fake_device(name: str) -> None:
    ours, theirs = _pair()
    for mine, fake in _run(ours, theirs, SCRIPTS[name]):
        assert mine == fake


def _discover(send: Any) -> DeviceInstanceTypeMapper:
    mapper = DeviceInstanceTypeMapper()
    sequence: Generator[Any, Any, Any] = mapper.autodiscover((0, 3))
    response = None
    try:
        while True:
            item = sequence.send(response)
            response = send(item) if isinstance(item, Command) else None
    except StopIteration:
        return mapper


def test_python_dalis_discovery_finds_the_same_instances_on_both() -> None:
    ours, theirs = _pair()
    assert _discover(ours._deliver).mapping == _discover(theirs.send).mapping
    full = SimulatedBackend(gear=[])
    assert full.devices == []  # a line given only gear has no input devices
    line = SimulatedBackend(gear=[], devices=default_devices())
    assert _discover(line._deliver).mapping == {
        **{(0, n): pushbutton.instance_type for n in range(4)},
        (1, 0): occupancy.instance_type,
        (1, 1): light.instance_type,
    }


def test_the_default_line_has_the_panel_and_the_sensor() -> None:
    line = SimulatedBackend()
    assert [d.short_address for d in line.devices] == [0, 1]
    assert [i.instance_type for i in line.devices[0].instances] == [1, 1, 1, 1]
    assert [i.instance_type for i in line.devices[1].instances] == [3, 4]
    assert len(line.gear) > 16


def test_frames_go_to_devices_or_gear_by_their_length() -> None:
    gear = SimGear(short_address=0)
    line = SimulatedBackend(gear=[gear], devices=[push_button_panel(0)])
    line._connected = True
    line._deliver(gear_general.DTR0(42))  # 16-bit: for control gear only
    line._deliver(general.DTR0(17))  # 24-bit: for control devices only
    assert _answer(line._deliver(gear_general.QueryContentDTR0(address.GearShort(0)))) == 42
    assert _answer(line._deliver(general.QueryContentDTR0(PANEL))) == 17


def _events(line: SimulatedBackend) -> list[Command]:
    seen: list[Command] = []
    line.set_traffic_listener(seen.append)
    return seen


def test_presses_put_python_dali_event_frames_on_the_bus() -> None:
    line = SimulatedBackend()
    seen = _events(line)
    panel, sensor = line.devices
    for kind, cls in (
        ("short_press", pushbutton.ShortPress),
        ("double_press", pushbutton.DoublePress),
        ("long_press_start", pushbutton.LongPressStart),
        ("long_press_repeat", pushbutton.LongPressRepeat),
        ("long_press_stop", pushbutton.LongPressStop),
    ):
        event = panel.press(3, kind)
        assert isinstance(event, cls)
        assert seen[-1] is event
        assert line.log[-1] is event
        decoded = Command.from_frame(event.frame, dev_inst_map=_discover(line._deliver))
        assert type(decoded) is cls
        assert decoded.short_address == PANEL
        assert decoded.instance_number == 3
    assert panel.press(0, "button_pressed") is None  # not enabled by the default filter
    held = general.QueryInputValue(PANEL, InstanceNumber(0))
    assert _answer(line._deliver(held)) == 0xFF  # the button is down
    panel.press(0, "short_press")
    assert _answer(line._deliver(held)) == 0x00  # and up again
    assert [e.instance_number for e in panel.sent] == [3, 3, 3, 3, 3, 0]


def test_sensor_events_and_input_values() -> None:
    line = SimulatedBackend()
    seen = _events(line)
    sensor = line.devices[1]
    event = sensor.set_occupancy(True)
    assert isinstance(event, occupancy.OccupancyEvent)
    assert event.occupied
    assert event.movement
    assert seen == [event]
    value = general.QueryInputValue(DeviceShort(1), InstanceNumber(0))
    assert _answer(line._deliver(value)) == 0xFF
    sensor.set_occupancy(True, movement=False)
    assert _answer(line._deliver(value)) == 0xAA
    vacant = sensor.set_occupancy(False)
    assert vacant is not None
    assert not vacant.occupied
    assert _answer(line._deliver(value)) == 0x00
    assert sensor.movement() is not None
    assert seen[-1].movement

    reading = sensor.set_light(0x2C5)
    assert isinstance(reading, light.LightEvent)
    assert reading.illuminance == 0x2C5
    high = _answer(line._deliver(general.QueryInputValue(DeviceShort(1), InstanceNumber(1))))
    low = _answer(line._deliver(general.QueryInputValueLatch(DeviceShort(1), InstanceNumber(1))))
    assert high << 2 | low >> 6 == 0x2C5
    with pytest.raises(ValueError):
        sensor.set_light(1024)
    with pytest.raises(ValueError):
        sensor.set_light(5, instance=0)  # instance 0 is the occupancy sensor


def test_quiescent_disabled_and_silent_devices_send_nothing() -> None:
    line = SimulatedBackend()
    seen = _events(line)
    panel = line.devices[0]
    line._deliver(general.StartQuiescentMode(DeviceBroadcast()))
    assert _answer(line._deliver(general.QueryDeviceStatus(PANEL))) == 0b10
    assert _answer(line._deliver(general.QueryQuiescentMode(PANEL))) == 0xFF
    assert panel.press(0, "short_press") is None
    line._deliver(general.StopQuiescentMode(DeviceBroadcast()))
    line._deliver(general.DisableInstance(PANEL, InstanceNumber(1)))
    assert panel.press(1, "short_press") is None
    assert _answer(line._deliver(general.QueryInstanceEnabled(PANEL, InstanceNumber(1)))) is None
    line._deliver(general.EnableInstance(PANEL, InstanceNumber(1)))
    assert panel.press(1, "short_press") is not None
    panel.responding = False
    assert panel.press(1, "short_press") is None
    assert _answer(line._deliver(general.QueryDeviceStatus(PANEL))) is None
    assert len(seen) == 1


def test_event_schemes_decide_what_the_frame_names() -> None:
    device = SimDevice(
        5,
        [SimInstance(pushbutton.instance_type, scheme=s) for s in range(5)],
        groups={3},
    )
    frames = [device.press(n, "short_press") for n in range(5)]
    decoded = [Command.from_frame(f.frame) for f in frames if f is not None]
    assert decoded[0].instance_number == 0  # instance
    assert decoded[0].short_address is None
    assert decoded[1].short_address == DeviceShort(5)  # device
    assert isinstance(decoded[2], general.AmbiguousInstanceType)  # device/instance: needs a map
    assert decoded[3].device_group == 3  # device group
    assert decoded[4].instance_number == 4  # instance group, unused here: instance scheme
    # instance-type addressing and broadcast reach the right instances
    line = SimulatedBackend(gear=[], devices=[device])
    line._deliver(general.DTR0(0))
    line._deliver(general.SetEventFilter(DeviceShort(5), address.InstanceType(1)))
    assert {i.event_filter for i in device.instances} == {0}
    line._deliver(general.DTR0(9))  # no such scheme: ignored
    line._deliver(general.SetEventScheme(DeviceShort(5), address.InstanceBroadcast()))
    assert [i.scheme for i in device.instances] == [0, 1, 2, 3, 4]
    line._deliver(general.DTR0(2))
    line._deliver(general.SetEventScheme(DeviceShort(5), address.InstanceBroadcast()))
    assert {i.scheme for i in device.instances} == {2}
    group = general.QueryNumberOfInstances(address.DeviceGroup(3))
    assert _answer(line._deliver(group)) == 5
    assert _answer(line._deliver(general.QueryResolution(DeviceShort(5), InstanceNumber(0)))) == 1
    latch = general.QueryInputValueLatch(DeviceShort(5), InstanceNumber(0))
    assert _answer(line._deliver(latch)) == 0  # nothing beyond the first byte
    narrow = SimDevice(6, [SimInstance(light.instance_type, resolution=4, value=0b1011)])
    line.devices.append(narrow)
    value = general.QueryInputValue(DeviceShort(6), InstanceNumber(0))
    assert _answer(line._deliver(value)) == 0b1011_0000
    assert (
        _answer(line._deliver(general.QueryInstanceType(DeviceShort(5), address.InstanceGroup(1))))
        is None
    )


def test_unaddressed_devices_and_unknown_codes() -> None:
    device = SimDevice(None, [SimInstance(pushbutton.instance_type)])
    line = SimulatedBackend(gear=[], devices=[device])
    seen = _events(line)
    unaddressed = general.QueryDeviceStatus(address.DeviceBroadcastUnaddressed())
    assert _answer(line._deliver(unaddressed)) == 0b100  # short address is MASK
    event = device.send_event_code(0, 0x3F0)
    assert isinstance(Command.from_frame(event.frame), general.UnknownEvent)
    assert seen == [event]


def test_devices_survive_the_line_state() -> None:
    line = SimulatedBackend()
    line.devices[1].set_light(321)
    saved = line.snapshot()
    again = SimulatedBackend()
    assert again.restore(saved)
    assert [to_json(d) for d in again.devices] == [to_json(d) for d in line.devices]
    seen = _events(again)
    again.devices[0].press(0, "short_press")  # the restored devices still reach the bus
    assert len(seen) == 1
    old = {k: v for k, v in saved.items() if k != "devices"}
    assert again.restore(old)
    assert len(again.devices) == 2
    assert from_json(SimDevice, to_json(line.devices[1])).instances[1].value == 321


async def test_24_bit_frames_are_charged_as_24_bit_frames() -> None:
    line = SimulatedBackend()
    bus = DaliBus(line)
    await bus.connect()
    await bus.send(general.QueryDeviceStatus(PANEL), priority=2)
    expected = (1 + 24 + 2) * BIT_S + PRIORITY_SETTLING_S[2] + ANSWER_SETTLING_S + BACKWARD_FRAME_S
    assert math.isclose(bus.bus_time_s, expected)
    before = bus.bus_time_s
    await bus.send(general.SetEventScheme(PANEL, InstanceNumber(0)), priority=1)
    twice = 2 * (1 + 24 + 2) * BIT_S + PRIORITY_SETTLING_S[1] + SEND_TWICE_SETTLING_S
    assert math.isclose(bus.bus_time_s - before, twice)
    assert bus.frames_sent == 3
    await bus.close()


def test_command_cost_by_frame_length() -> None:
    sixteen = command_cost(
        device_type=0, send_twice=False, expects_answer=False, answered=False, priority=1
    )
    twenty_four = command_cost(
        device_type=0,
        send_twice=False,
        expects_answer=False,
        answered=False,
        priority=1,
        frame_bits=24,
    )
    assert math.isclose(sixteen.seconds, FORWARD_FRAME_S + PRIORITY_SETTLING_S[1])
    assert math.isclose(twenty_four.seconds - sixteen.seconds, 8 * BIT_S)
