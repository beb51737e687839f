"""SerialBackend on python-dali serial drivers: the dummy bus, a silent LUBA, a scripted driver."""

from __future__ import annotations

import asyncio
import os
import tty
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pytest
from dali.address import GearGroup, GearShort
from dali.driver.serial import DistributorQueue, DriverSerialBase, drivers_map
from dali.exceptions import TransmissionError, UnsupportedFrameTypeError
from dali.gear.colour import Activate
from dali.gear.general import DAPC, EnableDeviceType, QueryActualLevel, Reset
from dali.tests import fakes_serial  # noqa: F401  (registers the "dummy" scheme)
from serialx import SerialException

from custom_components.smart_lighting_ai.dali.backends import serial_backend
from custom_components.smart_lighting_ai.dali.backends.serial_backend import (
    SerialBackend,
    known_schemes,
)
from custom_components.smart_lighting_ai.dali.errors import (
    DaliConfigError,
    DaliConnectionError,
    DaliError,
    DaliNotConnectedError,
    DaliTimeoutError,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator

    from dali.command import Command, Response


def _only_this_task() -> bool:
    return asyncio.all_tasks() == {asyncio.current_task()}


async def _until(condition: Callable[[], bool], limit: float = 2.0) -> None:
    """Wait (polling) until ``condition()`` holds, failing after ``limit`` seconds."""
    async with asyncio.timeout(limit):
        while True:
            if condition():
                return
            await asyncio.sleep(0.005)


class ScriptedDriver(DriverSerialBase):  # type: ignore[misc]
    """A python-dali serial driver whose behaviour each test scripts (scheme ``scripted:``)."""

    uri_scheme = "scripted"
    instances: ClassVar[list[ScriptedDriver]] = []
    connect_error: ClassVar[BaseException | None] = None
    connect_leaves_down: ClassVar[bool] = False
    rx_unsupported: ClassVar[bool] = False

    def __init__(self, uri: Any, dev_inst_map: Any = None) -> None:
        super().__init__(uri=uri, dev_inst_map=dev_inst_map)
        if "bad" in self.uri.query:
            raise ValueError("bad option")
        self.sent: list[Command] = []
        self.fail_with: BaseException | None = None
        self.echo = False
        self.rx = DistributorQueue()
        self._transport = self  # so SerialBackend closes "the port" through close()
        self.closed = False
        ScriptedDriver.instances.append(self)

    def close(self) -> None:
        self.closed = True

    async def connect(self, *, scan_dev_inst: bool = False) -> None:
        if ScriptedDriver.connect_error is not None:
            raise ScriptedDriver.connect_error
        if not ScriptedDriver.connect_leaves_down:
            self._connected.set()

    async def _send_frame(self, cmd: Command, *, priority: int = 1) -> Response | None:
        if self.fail_with is not None:
            raise self.fail_with
        self.sent.append(cmd)
        if self.echo:  # an interface that reports its own frames as bus traffic
            for _ in range(2 if cmd.sendtwice else 1):
                self.rx.distribute(cmd)
        return None

    def new_dali_rx_queue(self) -> DistributorQueue:
        if ScriptedDriver.rx_unsupported:
            raise NotImplementedError
        return DistributorQueue(self.rx)

    def hear(self, command: Command | None) -> None:
        """Another master puts ``command`` on the bus."""
        self.rx.distribute(command)

    def unplug(self) -> None:
        self._connected.clear()

    def heard_all_taken(self) -> bool:
        """Whether every bus monitor has taken what the interface heard off its queue."""
        monitors: dict[int, DistributorQueue] = self.rx._handlers
        return all(queue.empty() for queue in monitors.values())


@pytest.fixture(autouse=True)
def _reset_scripted() -> Iterator[None]:
    yield
    ScriptedDriver.instances.clear()
    ScriptedDriver.connect_error = None
    ScriptedDriver.connect_leaves_down = False
    ScriptedDriver.rx_unsupported = False


@pytest.fixture
async def scripted() -> AsyncIterator[tuple[SerialBackend, ScriptedDriver]]:
    backend = SerialBackend("scripted:/dev/ttyDALI", poll_interval=0.01)
    await backend.connect()
    yield backend, ScriptedDriver.instances[-1]
    await backend.disconnect()


class Recorder:
    def __init__(self, backend: SerialBackend) -> None:
        self.connection: list[bool] = []
        self.traffic: list[Command] = []
        backend.set_connection_listener(self.connection.append)
        backend.set_traffic_listener(self.traffic.append)


def _key(command: Command) -> tuple[int, int]:
    return len(command.frame), int(command.frame.as_integer)


# configuration ----------------------------------------------------------------------
def test_known_schemes_include_the_hardware_drivers() -> None:
    assert {"luba232", "scirs232"} <= set(known_schemes())
    assert set(known_schemes()) == set(drivers_map())


@pytest.mark.parametrize("url", ["nonsense:/dev/ttyUSB0", "/dev/ttyUSB0", "http://example/"])
def test_unknown_scheme_lists_the_known_ones(url: str) -> None:
    with pytest.raises(DaliConfigError, match="known types: .*luba232.*scirs232"):
        SerialBackend(url)


@pytest.mark.parametrize("url", ["", "   ", None])
def test_empty_url_is_a_config_error(url: Any) -> None:
    with pytest.raises(DaliConfigError, match="empty"):
        SerialBackend(url)


def test_url_without_port_is_a_config_error() -> None:
    with pytest.raises(DaliConfigError, match="names no port"):
        SerialBackend("luba232:")


def test_driver_rejecting_the_url_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(DaliConfigError, match="Invalid serial interface URL"):
        SerialBackend(f"dummy:{tmp_path}/log.txt?led")  # query without a value
    with pytest.raises(DaliConfigError, match="bad option"):
        SerialBackend("scripted:/dev/ttyDALI?bad=1")


def test_valid_urls_are_accepted() -> None:
    backend = SerialBackend(" luba232:/dev/ttyUSB0 ")
    assert backend.url == "luba232:/dev/ttyUSB0"
    assert backend.kind == "serial"
    assert not backend.connected
    assert "luba232" in repr(backend)
    SerialBackend("scirs232:///dev/ttyS0")


# the dummy bus: a real python-dali serial driver ------------------------------------
async def test_dummy_round_trip(tmp_path: Path) -> None:
    log = tmp_path / "log.txt"
    backend = SerialBackend(f"dummy:{log}?led=2")
    await backend.connect()
    try:
        await backend.connect()  # already connected: nothing happens
        assert await backend.send_command(DAPC(GearShort(1), 200)) is None
        response = await backend.send_command(QueryActualLevel(GearShort(1)))
        assert response is not None
        assert response.value == 200
        other = await backend.send_command(QueryActualLevel(GearShort(0)))
        assert other is not None
        assert other.value == 0  # gear start off
        await backend.send_command(Activate(GearShort(0)))
    finally:
        await backend.disconnect()
    assert not backend.connected
    lines = log.read_text(encoding="utf-8").splitlines()
    sent = [line.split(" ", 1)[1] for line in lines if line and "DriverSerialDummy" not in line]
    assert len(sent) == 5
    assert "ArcPower" in sent[0]
    assert "QueryActualLevel" in sent[1]
    assert "EnableDeviceType" in sent[3]
    assert "Activate" in sent[4]
    assert _only_this_task()


async def test_dummy_log_in_missing_directory_fails_to_connect(tmp_path: Path) -> None:
    backend = SerialBackend(f"dummy:{tmp_path}/missing/log.txt?led=1")
    with pytest.raises(DaliConnectionError, match="Could not open"):
        await backend.connect()
    assert not backend.connected
    with pytest.raises(DaliNotConnectedError):
        await backend.send_command(DAPC(GearShort(0), 1))
    assert _only_this_task()


# real hardware drivers without hardware ---------------------------------------------
async def test_missing_serial_port_fails_to_connect() -> None:
    backend = SerialBackend("luba232:/dev/ttyDALI-missing", connect_timeout=2)
    with pytest.raises(DaliConnectionError, match="Could not open"):
        await backend.connect()
    assert _only_this_task()


async def test_silent_luba_times_out_and_closes_the_port() -> None:
    """The port opens (a pseudo-terminal) but nothing answers LUBA's handshake."""
    master, slave = os.openpty()
    tty.setraw(slave)
    try:
        backend = SerialBackend(f"luba232:{os.ttyname(slave)}", connect_timeout=0.3)
        with pytest.raises(DaliConnectionError, match=r"did not answer within 0.3 s"):
            await backend.connect()
        assert not backend.connected
        await _until(_only_this_task)  # the transport finishes closing and leaves no task
    finally:
        os.close(master)
        os.close(slave)


# scripted driver: error mapping, traffic, drops -------------------------------------
async def test_connect_errors_become_connection_errors() -> None:
    ScriptedDriver.connect_error = SerialException("port busy")
    backend = SerialBackend("scripted:/dev/ttyDALI")
    with pytest.raises(DaliConnectionError, match="port busy"):
        await backend.connect()
    assert ScriptedDriver.instances[-1].closed

    ScriptedDriver.connect_error = None
    ScriptedDriver.connect_leaves_down = True
    with pytest.raises(DaliConnectionError, match="did not come up"):
        await backend.connect()
    assert ScriptedDriver.instances[-1].closed


async def test_cancelled_connect_closes_the_port() -> None:
    started = asyncio.Event()

    async def hang(self: ScriptedDriver, *, scan_dev_inst: bool = False) -> None:
        started.set()
        await asyncio.Event().wait()

    backend = SerialBackend("scripted:/dev/ttyDALI")
    original = ScriptedDriver.connect
    ScriptedDriver.connect = hang  # type: ignore[method-assign]
    try:
        task = asyncio.create_task(backend.connect())
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    finally:
        ScriptedDriver.connect = original  # type: ignore[method-assign]
    assert ScriptedDriver.instances[-1].closed
    assert not backend.connected


@pytest.mark.parametrize(
    ("error", "expected", "not_expected"),
    [
        (OSError("gone"), DaliConnectionError, None),
        (SerialException("gone"), DaliConnectionError, None),
        (TimeoutError(), DaliTimeoutError, None),
        (TransmissionError(1), DaliError, DaliConnectionError),
        (UnsupportedFrameTypeError(), DaliError, DaliConnectionError),
        (ValueError("24 bits"), DaliError, DaliConnectionError),
    ],
)
async def test_send_errors_are_mapped(
    scripted: tuple[SerialBackend, ScriptedDriver],
    error: BaseException,
    expected: type[Exception],
    not_expected: type[Exception] | None,
) -> None:
    backend, driver = scripted
    driver.fail_with = error
    with pytest.raises(expected) as caught:
        await backend.send_command(DAPC(GearShort(0), 5))
    if not_expected is not None:
        assert not isinstance(caught.value, not_expected)


async def test_traffic_from_other_masters_only(
    scripted: tuple[SerialBackend, ScriptedDriver],
) -> None:
    backend, driver = scripted
    recorder = Recorder(backend)
    driver.echo = True
    await backend.send_command(DAPC(GearShort(0), 5))
    await backend.send_command(Reset(GearShort(0)))  # sent (and echoed) twice
    panel = DAPC(GearGroup(1), 77)
    driver.hear(None)  # drivers may queue undecodable frames as None
    driver.hear(panel)
    await _until(driver.heard_all_taken)  # the backend's monitor has handled every frame
    assert [_key(command) for command in recorder.traffic] == [_key(panel)]
    assert [_key(command) for command in driver.sent] == [
        _key(DAPC(GearShort(0), 5)),
        _key(Reset(GearShort(0))),
    ]


async def test_device_type_prefix_echo_is_ours(
    scripted: tuple[SerialBackend, ScriptedDriver],
) -> None:
    backend, driver = scripted
    recorder = Recorder(backend)
    driver.echo = True
    await backend.send_command(Activate(GearShort(0)))
    assert [_key(command) for command in driver.sent] == [
        _key(EnableDeviceType(8)),
        _key(Activate(GearShort(0))),
    ]
    await _until(driver.heard_all_taken)  # the backend's monitor has handled both echoes
    assert recorder.traffic == []


async def test_failing_traffic_listener_does_not_stop_the_pump(
    scripted: tuple[SerialBackend, ScriptedDriver], caplog: pytest.LogCaptureFixture
) -> None:
    backend, driver = scripted
    heard: list[Command] = []

    def listener(command: Command) -> None:
        heard.append(command)
        if len(heard) == 1:
            raise RuntimeError("listener bug")

    backend.set_traffic_listener(listener)
    driver.hear(DAPC(GearGroup(1), 1))
    driver.hear(DAPC(GearGroup(1), 2))
    await _until(lambda: len(heard) == 2)
    assert "traffic listener failed" in caplog.text


async def test_traffic_without_listener_is_dropped(
    scripted: tuple[SerialBackend, ScriptedDriver],
) -> None:
    """Bus traffic heard while nobody listens is dropped, not queued for the next listener."""
    backend, driver = scripted
    recorder = Recorder(backend)
    backend.set_traffic_listener(None)
    driver.hear(DAPC(GearGroup(1), 1))
    await _until(driver.heard_all_taken)  # the backend's monitor has handled it
    backend.set_traffic_listener(recorder.traffic.append)
    driver.hear(DAPC(GearGroup(1), 2))
    await _until(lambda: len(recorder.traffic) > 0)
    assert [_key(c) for c in recorder.traffic] == [_key(DAPC(GearGroup(1), 2))]


async def test_driver_without_bus_monitoring_still_connects() -> None:
    ScriptedDriver.rx_unsupported = True
    backend = SerialBackend("scripted:/dev/ttyDALI")
    await backend.connect()
    assert backend.connected
    assert await backend.send_command(DAPC(GearShort(0), 1)) is None
    await backend.disconnect()
    assert _only_this_task()


async def test_drop_is_reported_and_reconnect_works(
    scripted: tuple[SerialBackend, ScriptedDriver],
) -> None:
    backend, driver = scripted
    recorder = Recorder(backend)
    driver.unplug()
    await _until(lambda: recorder.connection == [False])
    assert not backend.connected
    with pytest.raises(DaliNotConnectedError):
        await backend.send_command(DAPC(GearShort(0), 1))
    await backend.connect()
    assert driver.closed  # the old port was closed before the new one opened
    fresh = ScriptedDriver.instances[-1]
    assert fresh is not driver
    await backend.send_command(DAPC(GearShort(0), 1))
    assert len(fresh.sent) == 1
    assert recorder.connection == [False]  # our own connect is not echoed


async def test_drop_without_listener(
    scripted: tuple[SerialBackend, ScriptedDriver], caplog: pytest.LogCaptureFixture
) -> None:
    """A drop nobody listens to is still logged, ends the watchers cleanly, and can be mended."""
    backend, driver = scripted
    watchers = asyncio.all_tasks() - {asyncio.current_task()}
    assert watchers  # the port watcher and the bus monitor
    driver.unplug()
    async with asyncio.timeout(2):
        await asyncio.wait(watchers)
    failed = [t for t in watchers if not t.cancelled() and t.exception() is not None]
    assert failed == []  # no "Task exception was never retrieved" in the log later
    with pytest.raises(DaliNotConnectedError):
        await backend.send_command(DAPC(GearShort(0), 1))
    assert "DALI serial interface scripted:/dev/ttyDALI went away" in caplog.text
    await backend.connect()
    assert backend.connected
    assert await backend.send_command(DAPC(GearShort(0), 1)) is None
    assert len(ScriptedDriver.instances[-1].sent) == 1


def test_module_has_no_homeassistant_imports() -> None:
    source = Path(serial_backend.__file__).read_text(encoding="utf-8")
    assert "homeassistant" not in source
