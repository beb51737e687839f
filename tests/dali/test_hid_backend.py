"""HidBackend against python-dali's real HID drivers, with a pseudo-terminal playing the device."""

from __future__ import annotations

import asyncio
import os
import struct
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pytest
from dali.address import DeviceShort, GearGroup, GearShort
from dali.gear.colour import Activate
from dali.gear.general import (
    DAPC,
    EnableDeviceType,
    QueryActualLevel,
    Reset,
)
from dali.gear.general import (
    Off as GearOff,
)

from custom_components.smart_lighting_ai.dali.backends import hid_backend
from custom_components.smart_lighting_ai.dali.backends.hid_backend import (
    HidBackend,
    OwnFrameTracker,
    validate_hid_path,
)
from custom_components.smart_lighting_ai.dali.errors import (
    DaliConfigError,
    DaliConnectionError,
    DaliError,
    DaliNotConnectedError,
)
from tests.pty_interfaces import PtyDevice
from tests.pty_interfaces import frame_int as _frame_int

if TYPE_CHECKING:
    from dali.command import Command

pytestmark = pytest.mark.skipif(
    os.getsid(0) == os.getpid(),
    reason="a session leader would adopt the pseudo-terminal as its controlling tty",
)

Handler = Callable[[bytes], bytes | None]


def _only_this_task() -> bool:
    return asyncio.all_tasks() == {asyncio.current_task()}


async def _until(condition: Callable[[], bool], limit: float = 2.0) -> None:
    """Wait (polling) until ``condition()`` holds, failing after ``limit`` seconds."""
    async with asyncio.timeout(limit):
        while True:
            if condition():
                return
            await asyncio.sleep(0.005)


# hasseb ---------------------------------------------------------------------------
class Hasseb:
    """The hasseb protocol as python-dali 0.16's hid.hasseb speaks it: 2-byte frames out,
    [status, data] in, a reply only for commands that expect one."""

    def __init__(self) -> None:
        self.answers: dict[int, bytes] = {}
        self.device: PtyDevice

    def handle(self, packet: bytes) -> bytes | None:
        return self.answers.get(int.from_bytes(packet, "big"))

    def frames(self) -> list[int]:
        return [int.from_bytes(packet, "big") for packet in self.device.packets]


@pytest.fixture
async def hasseb() -> AsyncIterator[Hasseb]:
    emulator = Hasseb()
    emulator.device = PtyDevice(2, emulator.handle)
    yield emulator
    emulator.device.close()


@pytest.fixture
async def hasseb_backend(hasseb: Hasseb) -> AsyncIterator[HidBackend]:
    backend = HidBackend("hid_hasseb", hasseb.device.path)
    await backend.connect()
    yield backend
    await backend.disconnect()


# Tridonic ---------------------------------------------------------------------------
_TRI_CMD = struct.Struct(">4B4s3B53x")
_TRI_RESP = struct.Struct(">BB4sHB55x")
_MODE_INFO, _MODE_OBSERVE, _MODE_RESPONSE = 0x01, 0x11, 0x12
_NO_FRAME, _FRAME_8, _FRAME_16 = 0x71, 0x72, 0x73


class Tridonic:
    """The Tridonic DALI-USB 64-byte report protocol, as python-dali's hid.tridonic reads it."""

    def __init__(self) -> None:
        self.answers: dict[int, int] = {}
        self.initialise = True
        self.sent: list[int] = []
        self.device: PtyDevice

    @staticmethod
    def _report(mode: int, rtype: int, frame: int, seq: int = 0) -> bytes:
        return _TRI_RESP.pack(mode, rtype, frame.to_bytes(4, "big"), 0, seq)

    def handle(self, packet: bytes) -> bytes | None:
        cmd, seq, ctrl, _mode, raw, _dtr, _prio, _devtype = _TRI_CMD.unpack(packet)
        if cmd == 0x01:  # initialisation: firmware version, then serial number
            if not self.initialise:
                return None
            if seq == 0x00:
                return bytes([_MODE_INFO, 0, 0, 2, 5]).ljust(64, b"\0")
            return bytes([_MODE_INFO, 0x12, 0x34, 0x56, 0x78]).ljust(64, b"\0")
        frame = int.from_bytes(raw, "big")
        self.sent.append(frame)
        echo = self._report(_MODE_RESPONSE, _FRAME_16, frame, seq)
        reply = echo * (2 if ctrl & 0x20 else 1)
        if frame in self.answers:
            return reply + self._report(_MODE_RESPONSE, _FRAME_8, self.answers[frame], seq)
        return reply + self._report(_MODE_RESPONSE, _NO_FRAME, 0, seq)

    def observe(self, command: Command) -> None:
        """Another master (a wall panel) puts ``command`` on the bus."""
        self.device.write(self._report(_MODE_OBSERVE, _FRAME_16, _frame_int(command)))


@pytest.fixture
async def tridonic() -> AsyncIterator[Tridonic]:
    emulator = Tridonic()
    emulator.device = PtyDevice(64, emulator.handle)
    yield emulator
    emulator.device.close()


@pytest.fixture
async def tridonic_backend(tridonic: Tridonic) -> AsyncIterator[HidBackend]:
    backend = HidBackend("hid_tridonic", tridonic.device.path)
    await backend.connect()
    yield backend
    await backend.disconnect()


class Recorder:
    def __init__(self) -> None:
        self.connection: list[bool] = []
        self.traffic: list[Command] = []

    def attach(self, backend: HidBackend) -> None:
        backend.set_connection_listener(self.connection.append)
        backend.set_traffic_listener(self.traffic.append)


# configuration ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [
        "",
        "   ",
        "hidraw0",
        "dev/hidraw0",
        "/dev/hidrawX",
        "/dev/hidraw",
        " /dev/hidraw0",
        "/dev/\n",
    ],
)
def test_malformed_path_is_a_config_error(path: str) -> None:
    with pytest.raises(DaliConfigError):
        HidBackend("hid_hasseb", path)


def test_non_string_path_is_a_config_error() -> None:
    with pytest.raises(DaliConfigError, match="empty"):
        validate_hid_path(None)


@pytest.mark.parametrize("path", ["/dev/hidraw0", "/dev/hidraw12", "/dev/dali/tridonic-usb"])
def test_plausible_paths_are_accepted(path: str) -> None:
    backend = HidBackend("hid_tridonic", path)
    assert backend.path == path
    assert backend.kind == "hid_tridonic"
    assert not backend.connected
    assert backend.firmware_version is None
    assert backend.serial_number is None
    assert "hid_tridonic" in repr(backend)


def test_unknown_kind_is_a_config_error() -> None:
    with pytest.raises(DaliConfigError, match="hid_tridonic, hid_hasseb"):
        HidBackend("hid_nonsense", "/dev/hidraw0")  # type: ignore[arg-type]


# connection failures ----------------------------------------------------------------
async def test_missing_device_fails_without_leaving_tasks() -> None:
    backend = HidBackend("hid_hasseb", "/dev/hidraw250")
    with pytest.raises(DaliConnectionError, match="does not exist"):
        await backend.connect()
    assert not backend.connected
    assert _only_this_task()


async def test_regular_file_is_not_a_device(tmp_path: Path) -> None:
    path = tmp_path / "hidraw0"
    path.write_bytes(b"")
    with pytest.raises(DaliConnectionError, match="not a device node"):
        await HidBackend("hid_hasseb", str(path)).connect()


async def test_unreadable_device_names_the_permission_problem(
    hasseb: Hasseb, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "access", lambda *_args, **_kwargs: False)
    with pytest.raises(DaliConnectionError, match="permission"):
        await HidBackend("hid_hasseb", hasseb.device.path).connect()
    assert _only_this_task()


async def test_uninspectable_path_is_a_connection_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "stat", refuse)
    with pytest.raises(DaliConnectionError, match="Permission denied"):
        await HidBackend("hid_hasseb", "/dev/hidraw0").connect()


async def test_open_failure_cancels_the_drivers_reconnect_task(
    hasseb: Hasseb, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The driver swallows the open error and schedules a retry; none may survive."""
    real_open = os.open

    def refuse(path: str, *args: Any, **kwargs: Any) -> int:
        if path == hasseb.device.path:
            raise OSError(16, "Device or resource busy")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    backend = HidBackend("hid_hasseb", hasseb.device.path)
    with pytest.raises(DaliConnectionError, match="Could not open"):
        await backend.connect()
    assert _only_this_task()


async def test_device_the_loop_cannot_watch_is_a_connection_error() -> None:
    """/dev/null opens but cannot be polled: the driver raises half-way through connect()."""
    if not os.path.exists("/dev/null"):  # pragma: no cover - every Linux has it
        pytest.skip("no /dev/null")
    backend = HidBackend("hid_hasseb", "/dev/null")
    with pytest.raises(DaliConnectionError, match="Could not use /dev/null"):
        await backend.connect()
    assert not backend.connected
    assert _only_this_task()


async def test_silent_tridonic_times_out_cleanly(tridonic: Tridonic) -> None:
    tridonic.initialise = False
    backend = HidBackend("hid_tridonic", tridonic.device.path, connect_timeout=0.2)
    with pytest.raises(DaliConnectionError, match="did not answer within 0.2 s"):
        await backend.connect()
    assert not backend.connected
    assert _only_this_task()


async def test_cancelled_connect_closes_the_device(tridonic: Tridonic) -> None:
    tridonic.initialise = False
    backend = HidBackend("hid_tridonic", tridonic.device.path)
    task = asyncio.create_task(backend.connect())
    await _until(lambda: bool(tridonic.device.packets))
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not backend.connected
    assert _only_this_task()


async def test_send_while_disconnected() -> None:
    with pytest.raises(DaliNotConnectedError):
        await HidBackend("hid_hasseb", "/dev/hidraw0").send_command(GearOff(GearShort(0)))


# hasseb round trips -------------------------------------------------------------------
async def test_hasseb_dapc_and_query(hasseb: Hasseb, hasseb_backend: HidBackend) -> None:
    assert hasseb_backend.connected
    await hasseb_backend.connect()  # already connected: nothing happens
    assert await hasseb_backend.send_command(DAPC(GearShort(1), 100)) is None

    query = QueryActualLevel(GearShort(1))
    hasseb.answers[_frame_int(query)] = bytes([2, 100])  # OK, 100
    response = await hasseb_backend.send_command(query)
    assert response is not None
    assert response.value == 100
    assert hasseb.frames() == [_frame_int(DAPC(GearShort(1), 100)), _frame_int(query)]


async def test_hasseb_no_answer_and_collision(hasseb: Hasseb, hasseb_backend: HidBackend) -> None:
    query = QueryActualLevel(GearShort(5))
    hasseb.answers[_frame_int(query)] = bytes([1, 0])  # NO_ANSWER
    response = await hasseb_backend.send_command(query)
    assert response is not None
    assert response.raw_value is None

    group_query = QueryActualLevel(GearGroup(1))
    hasseb.answers[_frame_int(group_query)] = bytes([3, 0xFF])  # INVALID_ANSWER (collision)
    response = await hasseb_backend.send_command(group_query)
    assert response is not None
    assert response.raw_value.error


async def test_hasseb_prefixes_device_type_and_repeats_config(
    hasseb: Hasseb, hasseb_backend: HidBackend
) -> None:
    recorder = Recorder()
    recorder.attach(hasseb_backend)
    await hasseb_backend.send_command(Activate(GearShort(0)))
    await hasseb_backend.send_command(Reset(GearShort(0)))
    reset = _frame_int(Reset(GearShort(0)))
    await _until(lambda: len(hasseb.frames()) >= 4)
    assert hasseb.frames() == [
        _frame_int(EnableDeviceType(8)),
        _frame_int(Activate(GearShort(0))),
        reset,
        reset,
    ]
    await asyncio.sleep(0.05)
    assert recorder.traffic == []  # hasseb only reports our own frames, which are filtered


async def test_hasseb_cannot_send_24_bit_frames(hasseb_backend: HidBackend) -> None:
    from dali.device.general import QueryDeviceStatus

    with pytest.raises(DaliError, match="cannot send 24-bit") as caught:
        await hasseb_backend.send_command(QueryDeviceStatus(DeviceShort(0)))
    assert not isinstance(caught.value, DaliConnectionError)
    assert hasseb_backend.connected


async def test_hasseb_timed_out_query_leaves_driver_usable(
    hasseb: Hasseb, hasseb_backend: HidBackend
) -> None:
    """hasseb never answers queries it does not know; a caller's timeout must free the lock."""
    silent = QueryActualLevel(GearShort(9))
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(hasseb_backend.send_command(silent), 0.05)
    query = QueryActualLevel(GearShort(2))
    hasseb.answers[_frame_int(query)] = bytes([2, 42])
    response = await asyncio.wait_for(hasseb_backend.send_command(query), 1)
    assert response is not None
    assert response.value == 42


async def test_abandoned_send_gets_a_grace_period(hasseb: Hasseb) -> None:
    backend = HidBackend("hid_hasseb", hasseb.device.path, orphan_grace=0.1)
    await backend.connect()
    try:
        slow = QueryActualLevel(GearShort(9))
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(backend.send_command(slow), 0.02)
        # The abandoned query still holds the interface; it is cut off after the grace.
        loop = asyncio.get_running_loop()
        started = loop.time()
        assert await backend.send_command(DAPC(GearShort(0), 1)) is None
        assert loop.time() - started >= 0.05

        # An abandoned send that finishes within its grace simply completes.
        late = QueryActualLevel(GearShort(3))
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(backend.send_command(late), 0.02)
        hasseb.device.write(bytes([2, 7]))
        assert await backend.send_command(DAPC(GearShort(0), 2)) is None
    finally:
        await backend.disconnect()
    assert _only_this_task()


async def test_disconnect_during_a_command_is_a_connection_error(
    hasseb: Hasseb, hasseb_backend: HidBackend
) -> None:
    pending = asyncio.create_task(hasseb_backend.send_command(QueryActualLevel(GearShort(9))))
    await _until(lambda: bool(hasseb.device.packets))
    await hasseb_backend.disconnect()
    with pytest.raises(DaliConnectionError):
        await pending
    assert not hasseb_backend.connected
    assert _only_this_task()


async def test_hasseb_unplugged_reports_false(hasseb: Hasseb, hasseb_backend: HidBackend) -> None:
    recorder = Recorder()
    recorder.attach(hasseb_backend)
    hasseb.device.unplug()
    await _until(lambda: recorder.connection == [False])
    assert not hasseb_backend.connected
    with pytest.raises(DaliNotConnectedError):
        await hasseb_backend.send_command(DAPC(GearShort(0), 10))
    await hasseb_backend.disconnect()
    assert _only_this_task()
    assert recorder.connection == [False]  # our own disconnect is not reported


async def test_hasseb_write_to_unplugged_device(hasseb: Hasseb, hasseb_backend: HidBackend) -> None:
    recorder = Recorder()
    recorder.attach(hasseb_backend)
    hasseb.device.unplug()
    # Sent before the event loop has noticed the hang-up: the write itself fails.
    with pytest.raises(DaliConnectionError, match="Lost"):
        await hasseb_backend.send_command(DAPC(GearShort(0), 10))
    await _until(lambda: False in recorder.connection)
    assert not hasseb_backend.connected


async def test_reconnect_after_a_drop(hasseb: Hasseb) -> None:
    backend = HidBackend("hid_hasseb", hasseb.device.path)
    await backend.connect()
    await backend.disconnect()
    assert not backend.connected
    await backend.connect()
    assert await backend.send_command(DAPC(GearShort(0), 3)) is None
    await backend.disconnect()


async def test_hasseb_shim_leaves_other_attribute_errors_alone(
    hasseb: Hasseb, hasseb_backend: HidBackend
) -> None:
    driver = hid_backend._Hasseb(hasseb.device.path, reconnect_limit=0)
    assert driver.connect()
    try:
        with pytest.raises(AttributeError):
            await driver._send_raw(SimpleNamespace(response=None))  # no .frame
    finally:
        driver.disconnect()


# Tridonic round trips -----------------------------------------------------------------
async def test_tridonic_round_trip(tridonic: Tridonic, tridonic_backend: HidBackend) -> None:
    assert tridonic_backend.firmware_version == "2.5"
    assert tridonic_backend.serial_number == "12345678"
    assert await tridonic_backend.send_command(DAPC(GearShort(1), 200)) is None
    query = QueryActualLevel(GearShort(1))
    tridonic.answers[_frame_int(query)] = 200
    response = await tridonic_backend.send_command(query)
    assert response is not None
    assert response.value == 200
    await tridonic_backend.send_command(Activate(GearShort(1)))
    assert tridonic.sent == [
        _frame_int(DAPC(GearShort(1), 200)),
        _frame_int(query),
        _frame_int(EnableDeviceType(8)),
        _frame_int(Activate(GearShort(1))),
    ]


async def test_tridonic_reports_other_masters_only(
    tridonic: Tridonic, tridonic_backend: HidBackend
) -> None:
    recorder = Recorder()
    recorder.attach(tridonic_backend)
    query = QueryActualLevel(GearShort(1))
    tridonic.answers[_frame_int(query)] = 10
    await tridonic_backend.send_command(DAPC(GearShort(1), 10))
    await tridonic_backend.send_command(query)
    await tridonic_backend.send_command(Activate(GearShort(1)))
    await tridonic_backend.send_command(Reset(GearShort(1)))

    panel = DAPC(GearGroup(2), 50)
    tridonic.observe(panel)
    await _until(lambda: bool(recorder.traffic))
    await asyncio.sleep(0.3)  # let the driver's bus watcher settle pending queries
    assert [_frame_int(command) for command in recorder.traffic] == [_frame_int(panel)]
    assert isinstance(recorder.traffic[0], DAPC)


async def test_tridonic_config_commands_from_the_bus(
    tridonic: Tridonic, tridonic_backend: HidBackend
) -> None:
    recorder = Recorder()
    recorder.attach(tridonic_backend)
    reset = Reset(GearGroup(3))
    tridonic.observe(reset)  # sent once only: no effect, not reported
    await asyncio.sleep(0.35)
    assert recorder.traffic == []
    tridonic.observe(reset)
    tridonic.observe(reset)
    await _until(lambda: bool(recorder.traffic))
    assert [_frame_int(command) for command in recorder.traffic] == [_frame_int(reset)]


async def test_tridonic_unplugged_reports_false(
    tridonic: Tridonic, tridonic_backend: HidBackend
) -> None:
    recorder = Recorder()
    recorder.attach(tridonic_backend)
    tridonic.device.unplug()
    await _until(lambda: recorder.connection == [False])
    assert not tridonic_backend.connected


async def test_listeners_can_be_removed(tridonic: Tridonic, tridonic_backend: HidBackend) -> None:
    recorder = Recorder()
    recorder.attach(tridonic_backend)
    tridonic_backend.set_connection_listener(None)
    tridonic_backend.set_traffic_listener(None)
    tridonic.observe(DAPC(GearGroup(1), 5))
    await asyncio.sleep(0.05)
    tridonic.device.unplug()
    await _until(lambda: not tridonic_backend.connected)
    assert recorder.connection == []
    assert recorder.traffic == []


# own-frame tracking -------------------------------------------------------------------
def test_own_frame_tracker_expires_and_counts() -> None:
    now = [0.0]
    tracker = OwnFrameTracker(ttl=1.0, clock=lambda: now[0])
    reset = Reset(GearShort(0))
    tracker.expect(reset, copies=2)
    tracker.expect(Activate(GearShort(0)))
    assert tracker.is_own(reset)
    assert tracker.is_own(EnableDeviceType(8))
    assert tracker.is_own(reset)
    assert not tracker.is_own(reset)  # both copies used up
    assert not tracker.is_own(DAPC(GearShort(0), 1))
    now[0] = 5.0
    assert not tracker.is_own(Activate(GearShort(0)))  # expired
    tracker.expect(reset)
    tracker.clear()
    assert not tracker.is_own(reset)


def test_module_has_no_homeassistant_imports() -> None:
    source = Path(hid_backend.__file__).read_text(encoding="utf-8")
    assert "homeassistant" not in source
