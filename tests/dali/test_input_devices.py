"""Finding DALI-2 input devices and decoding their 24-bit event frames, without Home Assistant."""

from __future__ import annotations

import asyncio
import logging
import struct
from typing import Any, ClassVar

import pytest
from dali.address import DeviceShort, GearShort
from dali.command import Command, Response
from dali.device import general, light, occupancy, pushbutton
from dali.driver.serial import DistributorQueue, DriverSerialBase
from dali.frame import BackwardFrame
from dali.gear import general as gear_general

from custom_components.smart_lighting_ai.dali.backends.hid_backend import HidBackend
from custom_components.smart_lighting_ai.dali.backends.serial_backend import SerialBackend
from custom_components.smart_lighting_ai.dali.backends.simulated import SimulatedBackend
from custom_components.smart_lighting_ai.dali.bus import DaliBus
from custom_components.smart_lighting_ai.dali.input_devices import (
    EventDecoder,
    InputDevice,
    InputEvent,
    InputInstance,
    discover_input_devices,
    read_input_value,
)
from custom_components.smart_lighting_ai.dali.sim_devices import (
    SCHEME_DEVICE,
    SCHEME_INSTANCE,
    SimDevice,
    SimInstance,
    default_devices,
)
from tests.pty_interfaces import PTY_UNSAFE, PTY_UNSAFE_REASON, PtyDevice, frame_int

PANEL = InputDevice(0, [InputInstance(n, 1) for n in range(4)])
SENSOR = InputDevice(1, [InputInstance(0, 3), InputInstance(1, 4)])


async def _bus(line: SimulatedBackend) -> DaliBus:
    bus = DaliBus(line)
    await bus.connect()
    return bus


async def test_discovery_lists_the_devices_and_sets_the_device_instance_scheme() -> None:
    devices = default_devices()
    devices[0].instances[2].scheme = SCHEME_INSTANCE  # as it left the factory
    devices[1].instances[1].enabled = False
    line = SimulatedBackend(gear=[], devices=devices)
    bus = await _bus(line)
    found = await bus.send(discover_input_devices())
    assert found == [PANEL, InputDevice(1, [InputInstance(0, 3)])]
    assert devices[0].instances[2].scheme == 2
    writes = [c for c in line.log if isinstance(c, general.SetEventScheme)]
    assert len(writes) == 1  # only the instance that needed it: NVM is written when different
    line.log.clear()
    assert await bus.send(discover_input_devices(range(2), set_scheme=False)) == found
    assert not [c for c in line.log if isinstance(c, general.QueryEventScheme)]
    await bus.close()


class _Mute(SimDevice):
    """A device that answers its status but not the queries of ``mute``."""

    mute: tuple[type, ...] = ()

    def receive(self, command: Command) -> int | None:
        return None if isinstance(command, self.mute) else super().receive(command)


class _NoCount(_Mute):
    mute = (general.QueryNumberOfInstances,)


class _NoType(_Mute):
    mute = (general.QueryInstanceType,)


async def test_discovery_skips_what_does_not_answer() -> None:
    line = SimulatedBackend(
        gear=[], devices=[_NoCount(2, [SimInstance(1)]), _NoType(3, [SimInstance(1)])]
    )
    bus = await _bus(line)
    assert await bus.send(discover_input_devices(range(4))) == [InputDevice(3, [])]
    await bus.close()


def test_input_devices_round_trip_through_json() -> None:
    assert InputDevice.from_dict(SENSOR.to_dict()) == SENSOR
    assert SENSOR.of_type(4) == [InputInstance(1, 4)]
    with pytest.raises(KeyError):
        InputDevice.from_dict({"instances": []})


def test_events_of_each_kind_decode_to_address_instance_kind_value() -> None:
    decoder = EventDecoder([SENSOR, PANEL])
    assert [d.short_address for d in decoder.devices] == [0, 1]
    press = pushbutton.LongPressRepeat(short_address=0, instance_number=3)
    assert decoder.decode(press) == InputEvent(0, 3, 1, "long_press_repeat")
    stuck = pushbutton.ButtonStuck(short_address=0, instance_number=1)
    assert decoder.decode(stuck) == InputEvent(0, 1, 1, "button_stuck")
    moved = occupancy.OccupancyEvent(
        short_address=1,
        instance_number=0,
        data=occupancy.OccupancyEvent.EventData(movement=False, occupied=True),
    )
    event = decoder.decode(moved)
    assert event is not None
    assert event.kind == "occupancy"
    assert event.value.occupied
    reading = decoder.decode(light.LightEvent(short_address=1, instance_number=1, data=512))
    assert reading == InputEvent(1, 1, 4, "light", 512)


def test_the_frame_is_decoded_again_whatever_the_driver_made_of_it() -> None:
    decoder = EventDecoder([PANEL])
    frame = pushbutton.ShortPress(short_address=0, instance_number=2).frame
    # a driver without the device/instance map reports an ambiguous event
    ambiguous = general._Event.from_frame(frame)
    assert isinstance(ambiguous, general.AmbiguousInstanceType)
    assert decoder.decode(ambiguous) == InputEvent(0, 2, 1, "short_press")


def test_other_schemes_and_frames() -> None:
    decoder = EventDecoder([PANEL, SENSOR])
    # the "device" scheme names the type, not the instance: fine when the device has one
    device_scheme = light.LightEvent(short_address=1, data=7)
    assert decoder.decode(device_scheme) == InputEvent(1, 1, 4, "light", 7)
    several = pushbutton.ShortPress(short_address=0)
    assert decoder.decode(several) == InputEvent(0, None, 1, "short_press")
    instance_scheme = pushbutton.ShortPress(instance_number=1)
    assert decoder.decode(instance_scheme) == InputEvent(None, 1, 1, "short_press")
    assert decoder.decode(gear_general.Off(GearShort(1))) is None  # 16-bit
    assert decoder.decode(general.QueryDeviceStatus(DeviceShort(0))) is None  # a command
    reserved = general.UnknownEvent(instance_type=1, instance_number=1, data=0)
    reserved.frame[23] = 1
    reserved.frame[22] = 1
    reserved.frame[15] = 1  # 1-1-x-1: no event scheme
    assert decoder.decode(reserved) is None
    device = SimDevice(0, [SimInstance(1, scheme=SCHEME_DEVICE)])
    assert decoder.decode(device.press(0, "short_press")) == InputEvent(  # type: ignore[arg-type]
        0, None, 1, "short_press"
    )


def test_unknown_codes_decode_to_unknown_and_are_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    decoder = EventDecoder([PANEL])
    strange = general.UnknownEvent(instance_type=1, short_address=0, instance_number=1, data=0x3F0)
    for _ in range(3):
        assert decoder.decode(strange) == InputEvent(0, 1, 1, "unknown", 0x3F0)
    stranger = pushbutton.ShortPress(short_address=9, instance_number=0)  # not a known device
    assert decoder.decode(stranger) == InputEvent(9, 0, None, "unknown", 2)
    levels = [r.levelno for r in caplog.records if "unknown DALI input event" in r.getMessage()]
    assert levels == [logging.WARNING, logging.DEBUG, logging.DEBUG, logging.WARNING]
    decoder.set_devices([])
    assert decoder.decode(pushbutton.ShortPress(short_address=0, instance_number=1)).kind == (  # type: ignore[union-attr]
        "unknown"
    )


async def test_input_values_are_read_msb_first() -> None:
    line = SimulatedBackend(gear=[], devices=default_devices())
    bus = await _bus(line)
    line.devices[1].set_light(0x2C5)
    assert await bus.send(read_input_value(1, 1)) == 0x2C5 << 6
    line.devices[1].set_occupancy(True, movement=False)
    assert await bus.send(read_input_value(1, 0)) == 0xAA00
    assert await bus.send(read_input_value(7, 0)) is None  # nobody there
    await bus.close()


# The Tridonic DALI-USB passes 24-bit frames both ways ----------------------------------
_TRI_CMD = struct.Struct(">4B4s3B53x")
_TRI_RESP = struct.Struct(">BB4sHB55x")
_MODE_INFO, _MODE_OBSERVE, _MODE_RESPONSE = 0x01, 0x11, 0x12
_NO_FRAME, _FRAME_8, _FRAME_24 = 0x71, 0x72, 0x76
_SEND_DALI24 = 6


class _Tridonic24:
    """A Tridonic DALI-USB with one DALI-2 device: answers 24-bit queries, reports events."""

    def __init__(self) -> None:
        self.answers: dict[int, int] = {}
        self.modes: list[int] = []
        self.device: PtyDevice

    @staticmethod
    def report(mode: int, rtype: int, frame: int, seq: int = 0) -> bytes:
        return _TRI_RESP.pack(mode, rtype, frame.to_bytes(4, "big"), 0, seq)

    def handle(self, packet: bytes) -> bytes | None:
        cmd, seq, _ctrl, mode, raw, _dtr, _prio, _devtype = _TRI_CMD.unpack(packet)
        if cmd == 0x01:
            data = bytes([0, 0, 2, 5]) if seq == 0 else bytes([0x12, 0x34, 0x56, 0x78])
            return bytes([_MODE_INFO, *data]).ljust(64, b"\0")
        frame = int.from_bytes(raw, "big")
        self.modes.append(mode)
        echo = self.report(_MODE_RESPONSE, _FRAME_24, frame, seq)
        if frame in self.answers:
            return echo + self.report(_MODE_RESPONSE, _FRAME_8, self.answers[frame], seq)
        return echo + self.report(_MODE_RESPONSE, _NO_FRAME, 0, seq)


@pytest.mark.skipif(PTY_UNSAFE, reason=PTY_UNSAFE_REASON)
async def test_the_tridonic_interface_sends_and_reports_24_bit_frames() -> None:
    emulator = _Tridonic24()
    emulator.device = PtyDevice(64, emulator.handle)
    backend = HidBackend("hid_tridonic", emulator.device.path)
    seen: list[Command] = []
    heard = asyncio.Event()

    def _heard(command: Command) -> None:
        seen.append(command)
        heard.set()

    try:
        await backend.connect()
        backend.set_traffic_listener(_heard)
        query = general.QueryDeviceStatus(DeviceShort(0))
        emulator.answers[frame_int(query)] = 0
        response = await backend.send_command(query)
        assert response is not None
        assert response.raw_value is not None
        assert emulator.modes == [_SEND_DALI24]
        press = pushbutton.DoublePress(short_address=0, instance_number=2)
        emulator.device.write(_Tridonic24.report(_MODE_OBSERVE, _FRAME_24, frame_int(press)))
        async with asyncio.timeout(2):
            await heard.wait()
        # the driver knows no instance types: the frame decodes with ours all the same
        assert EventDecoder([PANEL]).decode(seen[0]) == InputEvent(0, 2, 1, "double_press")
    finally:
        await backend.disconnect()
        emulator.device.close()


# A serial interface passes 24-bit frames both ways --------------------------------------
class _Serial24(DriverSerialBase):  # type: ignore[misc]
    """A python-dali serial driver that records what it sends and hears what a test says."""

    uri_scheme = "serial24"
    instances: ClassVar[list[_Serial24]] = []

    def __init__(self, uri: Any, dev_inst_map: Any = None) -> None:
        super().__init__(uri=uri, dev_inst_map=dev_inst_map)
        self.sent: list[Command] = []
        self.rx = DistributorQueue()
        self._transport = self
        _Serial24.instances.append(self)

    def close(self) -> None:
        """Nothing to close."""

    async def connect(self, *, scan_dev_inst: bool = False) -> None:
        self._connected.set()

    async def _send_frame(self, cmd: Command, *, priority: int = 1) -> Response | None:
        self.sent.append(cmd)
        return cmd.response(BackwardFrame(0)) if cmd.response else None

    def new_dali_rx_queue(self) -> DistributorQueue:
        return DistributorQueue(self.rx)


async def test_a_serial_interface_sends_and_reports_24_bit_frames() -> None:
    backend = SerialBackend("serial24:/dev/ttyDALI", poll_interval=0.01)
    heard = asyncio.Event()
    seen: list[Command] = []

    def _heard(command: Command) -> None:
        seen.append(command)
        heard.set()

    await backend.connect()
    try:
        backend.set_traffic_listener(_heard)
        driver = _Serial24.instances[-1]
        response = await backend.send_command(general.QueryDeviceStatus(DeviceShort(0)))
        assert response is not None
        assert response.raw_value is not None
        assert len(driver.sent[0].frame) == 24
        event = light.LightEvent(short_address=1, instance_number=1, data=300)
        driver.rx.distribute(Command.from_frame(event.frame))
        async with asyncio.timeout(2):
            await heard.wait()
        assert EventDecoder([SENSOR]).decode(seen[0]) == InputEvent(1, 1, 4, "light", 300)
    finally:
        await backend.disconnect()
