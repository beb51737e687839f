"""USB HID DALI interfaces (Tridonic DALI-USB, hasseb DALI Master) on python-dali's async drivers.

python-dali's HID drivers reconnect on their own; here that loop is switched
off (``reconnect_limit=0``) because :class:`~..bus.DaliBus` owns reconnection:
the backend reports a drop through its connection listener and the bus calls
:meth:`HidBackend.connect` again.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import stat
import time
from collections import deque
from typing import TYPE_CHECKING, Any, Final, Literal

from dali.driver import hid as dali_hid
from dali.exceptions import CommunicationError, UnsupportedFrameTypeError
from dali.frame import BackwardFrameError
from dali.gear.general import EnableDeviceType

from ..backend import InterfaceIdentity, ListenerSlots
from ..errors import DaliConfigError, DaliConnectionError, DaliError, DaliNotConnectedError

if TYPE_CHECKING:
    from collections.abc import Callable

    from dali.command import Command, Response


_LOGGER = logging.getLogger(__name__)

type HidKind = Literal["hid_tridonic", "hid_hasseb"]

DEFAULT_CONNECT_TIMEOUT_S: Final = 5.0
# How long an echo of a frame we sent may take to come back from the interface
# before we stop expecting it (the Tridonic bus watcher waits up to 0.2 s for a
# repeat or an answer before it reports a frame).
ECHO_TTL_S: Final = 2.0
_MAX_EXPECTED_ECHOES: Final = 256
_HIDRAW_PATH = re.compile(r"/dev/hidraw\d+")


def _frame_key(command: Command) -> tuple[int, int]:
    frame = command.frame
    return len(frame), int(frame.as_integer)


class OwnFrameTracker:
    """Remembers the forward frames this backend sent, so their echoes are not reported as foreign.

    Interfaces that listen to the bus report every frame they see, ours
    included. Each sent frame is expected back once (per transmission) within
    ``ttl`` seconds; a matching frame seen in that window is ours, anything
    else came from another master. A frame identical to one of ours that
    another master sends inside that window is taken for our echo.
    """

    def __init__(
        self, ttl: float = ECHO_TTL_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        """Expect echoes for ``ttl`` seconds as measured by ``clock``."""
        self._ttl = ttl
        self._clock = clock
        self._expected: deque[tuple[float, tuple[int, int]]] = deque(maxlen=_MAX_EXPECTED_ECHOES)

    def expect(self, command: Command, *, copies: int = 1) -> None:
        """Note that ``command`` (and its ``EnableDeviceType`` prefix) is about to be sent."""
        deadline = self._clock() + self._ttl
        if command.devicetype:
            self._expected.append((deadline, _frame_key(EnableDeviceType(command.devicetype))))
        key = _frame_key(command)
        self._expected.extend((deadline, key) for _ in range(copies))

    def is_own(self, command: Command) -> bool:
        """Whether ``command`` is the echo of a frame we sent (consumes the expectation)."""
        now = self._clock()
        while self._expected and self._expected[0][0] < now:
            self._expected.popleft()
        key = _frame_key(command)
        for index, (_, expected) in enumerate(self._expected):
            if expected == key:
                del self._expected[index]
                return True
        return False

    def clear(self) -> None:
        """Forget every expected echo."""
        self._expected.clear()


def validate_hid_path(path: object) -> str:
    """Return ``path`` if it can name a hidraw device node, else raise ``DaliConfigError``.

    ``/dev/hidraw<N>`` is the usual form; any other absolute path (a udev
    symlink such as ``/dev/dali/hasseb``) is accepted here and checked when
    connecting.
    """
    if not isinstance(path, str) or not path.strip():
        raise DaliConfigError("The HID device path is empty; expected e.g. /dev/hidraw0")
    if path != path.strip() or any(ord(char) < 0x20 for char in path):
        raise DaliConfigError(f"The HID device path {path!r} contains stray whitespace")
    if not os.path.isabs(path):
        raise DaliConfigError(
            f"The HID device path {path!r} is not absolute; expected e.g. /dev/hidraw0"
        )
    if path.startswith("/dev/hidraw") and not _HIDRAW_PATH.fullmatch(path):
        raise DaliConfigError(
            f"The HID device path {path!r} is malformed; expected /dev/hidraw<N>, e.g. /dev/hidraw0"
        )
    return path


class _Hasseb(dali_hid.hasseb):  # type: ignore[misc]
    """python-dali 0.16's hasseb driver with two of its gaps filled.

    0.16 calls ``self._raw_write()`` on hasseb but defines it only on the
    Tridonic driver, so every send would fail with ``AttributeError``; and it
    builds the answer to a collided query with ``command._response``, which
    commands do not have.
    """

    def _raw_write(self, data: bytes) -> None:
        # Only called after ``connected`` is set, so the device file is open.
        try:
            os.write(self._f, data)
        except OSError as err:
            _LOGGER.debug("hasseb write failed (%s); treating the device as gone", err)
            self.disconnect(reconnect=False)
            raise CommunicationError from err

    async def _send_raw(self, command: Any) -> Any:
        try:
            return await super()._send_raw(command)
        except AttributeError:
            reply = self._response
            if (
                command.response is None
                or not isinstance(reply, bytes | bytearray)
                or len(reply) < 2
                or reply[0] != self._INVALID_ANSWER
            ):
                raise
            # Several gear answered at once: a backward frame with a framing error.
            response = command.response(BackwardFrameError(reply[1]))
            self.bus_traffic._invoke(command, response, False)
            return response


_DRIVERS: Final[dict[str, Any]] = {"hid_tridonic": dali_hid.tridonic, "hid_hasseb": _Hasseb}
# Maker and model of each kind; firmware and serial number come from the device (only the
# Tridonic DALI-USB reports them: python-dali's hasseb driver reads neither).
_MAKER_MODEL: Final[dict[str, tuple[str, str]]] = {
    "hid_tridonic": ("Tridonic", "DALI-USB"),
    "hid_hasseb": ("hasseb", "DALI Master"),
}
# How long a send abandoned by its caller (timeout, cancellation) may keep
# running before it is cancelled. Tridonic's driver bounds its own waits
# (0.2 s per reply) and leaks internal state when cancelled mid-command, so it
# is left to finish; hasseb's waits for an answer that may never come (it only
# knows device type 0 queries) and is safe to cancel at once.
_ORPHAN_GRACE_S: Final[dict[str, float]] = {"hid_tridonic": 1.0, "hid_hasseb": 0.0}


def _reported(value: object) -> str | None:
    """A firmware version or serial number as the driver reported it (None when it did not)."""
    text = str(value).strip() if value is not None else ""
    return text or None


def _driver_tasks(driver: Any) -> list[asyncio.Task[Any]]:
    """The background tasks a python-dali 0.16 HID driver may hold."""
    tasks = (getattr(driver, name, None) for name in ("_reconnect_task", "_bus_watch_task"))
    return [task for task in tasks if isinstance(task, asyncio.Task)]


async def _close_driver(driver: Any) -> None:
    """Close ``driver`` and wait until the tasks it cancels have finished."""
    tasks = _driver_tasks(driver)
    driver.disconnect(reconnect=False)
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks)


class HidBackend(ListenerSlots):
    """A Tridonic DALI-USB or hasseb DALI Master on a Linux hidraw device node."""

    def __init__(
        self,
        kind: HidKind,
        path: str,
        *,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT_S,
        orphan_grace: float | None = None,
    ) -> None:
        """Describe the interface; raises ``DaliConfigError`` for a bad kind or path.

        ``orphan_grace`` overrides how long a send whose caller gave up keeps
        the interface before it is cancelled.
        """
        if kind not in _DRIVERS:
            raise DaliConfigError(
                f"Unknown DALI HID interface {kind!r}; expected one of {', '.join(_DRIVERS)}"
            )
        self.kind: str = kind
        self.path = validate_hid_path(path)
        self._connect_timeout = connect_timeout
        self._orphan_grace = _ORPHAN_GRACE_S[kind] if orphan_grace is None else orphan_grace
        self._driver: Any = None
        self._handles: list[Any] = []
        self._sends: set[asyncio.Task[Any]] = set()
        self._own = OwnFrameTracker()
        self._firmware: str | None = None
        self._serial: str | None = None

    def __repr__(self) -> str:
        """Show kind and path."""
        return f"HidBackend({self.kind!r}, {self.path!r})"

    @property
    def connected(self) -> bool:
        """Whether the device is open and initialised."""
        return self._driver is not None and bool(self._driver.connected.is_set())

    @property
    def firmware_version(self) -> str | None:
        """The interface firmware version, where the device reports one."""
        return None if self._driver is None else self._driver.firmware_version

    @property
    def serial_number(self) -> str | None:
        """The interface serial number, where the device reports one."""
        return None if self._driver is None else self._driver.serial

    @property
    def identity(self) -> InterfaceIdentity:
        """Maker and model of the kind; firmware and serial as last reported by the device."""
        manufacturer, model = _MAKER_MODEL[self.kind]
        return InterfaceIdentity(manufacturer, model, self._firmware, self._serial)

    async def connect(self) -> None:
        """Open and initialise the device; raises ``DaliConnectionError`` when that fails."""
        if self.connected:
            return
        await self._teardown()
        self._check_device_node()
        driver = _DRIVERS[self.kind](self.path, reconnect_limit=0)
        try:
            opened = driver.connect()
        except Exception as err:  # e.g. the event loop cannot watch this kind of file
            await _close_driver(driver)
            raise DaliConnectionError(
                f"Could not use {self.path} as a DALI HID interface: {err}"
            ) from err
        if not opened:
            await _close_driver(driver)
            raise DaliConnectionError(f"Could not open the DALI HID interface {self.path}")
        try:
            async with asyncio.timeout(self._connect_timeout):
                await driver.connected.wait()
        except TimeoutError as err:
            await _close_driver(driver)
            raise DaliConnectionError(
                f"The DALI HID interface {self.path} did not answer within "
                f"{self._connect_timeout:g} s; is it a {self.kind.removeprefix('hid_')} device?"
            ) from err
        except asyncio.CancelledError:
            await _close_driver(driver)
            raise
        self._driver = driver
        self._handles = [
            driver.connection_status_callback.register(self._on_status),
            driver.bus_traffic.register(self._on_traffic),
        ]
        self._firmware = _reported(driver.firmware_version)
        self._serial = _reported(driver.serial)
        _LOGGER.info(
            "Connected DALI %s interface %s (firmware %s, serial %s)",
            self.kind,
            self.path,
            driver.firmware_version,
            driver.serial,
        )

    async def disconnect(self) -> None:
        """Close the device and abandon anything still in flight."""
        await self._teardown()

    async def send_command(self, command: Command) -> Response | None:
        """Send one command (with its ``EnableDeviceType`` prefix) and return the answer."""
        driver = self._driver
        if driver is None or not driver.connected.is_set():
            raise DaliNotConnectedError(f"The DALI HID interface {self.path} is not connected")
        self._own.expect(command)
        # The driver runs in its own task so that a caller giving up (DaliBus
        # timeouts) does not cut a command in half; see _abandon().
        task = asyncio.get_running_loop().create_task(driver.send(command, exceptions=True))
        self._sends.add(task)
        task.add_done_callback(self._sends.discard)
        try:
            response: Response | None = await asyncio.shield(task)
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if task.cancelled() and current is not None and not current.cancelling():
                # Not our caller's cancellation: disconnect() cut the command off.
                raise DaliConnectionError(
                    f"The DALI HID interface {self.path} was closed during a command"
                ) from None
            self._abandon(task)
            raise
        except (CommunicationError, OSError) as err:
            raise DaliConnectionError(
                f"Lost the DALI HID interface {self.path} during a command"
            ) from err
        except UnsupportedFrameTypeError as err:
            raise DaliError(
                f"The {self.kind} interface cannot send {len(command.frame)}-bit frames"
            ) from err
        return response

    # internals ---------------------------------------------------------------------
    def _check_device_node(self) -> None:
        try:
            info = os.stat(self.path)
        except FileNotFoundError as err:
            raise DaliConnectionError(
                f"The DALI HID interface {self.path} does not exist; is it plugged in?"
            ) from err
        except OSError as err:
            raise DaliConnectionError(f"Cannot inspect {self.path}: {err.strerror}") from err
        if not stat.S_ISCHR(info.st_mode):
            raise DaliConnectionError(
                f"{self.path} is not a device node; expected a hidraw device such as /dev/hidraw0"
            )
        if not os.access(self.path, os.R_OK | os.W_OK):
            raise DaliConnectionError(
                f"No permission to read and write {self.path}; give the user running "
                "Home Assistant access to it (for example with a udev rule)"
            )

    def _abandon(self, task: asyncio.Task[Any]) -> None:
        """Let a send whose caller gave up finish, then cut it off after the grace period."""
        if self._orphan_grace <= 0:
            task.cancel()
            return
        timer = asyncio.get_running_loop().call_later(self._orphan_grace, task.cancel)
        task.add_done_callback(lambda _: timer.cancel())

    async def _teardown(self) -> None:
        driver, self._driver = self._driver, None
        for handle in self._handles:
            handle.unregister()
        self._handles = []
        self._own.clear()
        if driver is not None:
            await _close_driver(driver)  # wakes commands waiting on the device
        sends = list(self._sends)
        for task in sends:
            task.cancel()
        if sends:
            await asyncio.wait(sends)

    def _on_status(self, driver: Any, status: str) -> None:
        if driver is not self._driver or self._connection_listener is None:
            return
        up = status == "connected"
        _LOGGER.log(
            logging.INFO if up else logging.WARNING, "DALI HID interface %s %s", self.path, status
        )
        self._connection_listener(up)

    def _on_traffic(
        self, driver: Any, command: Command, response: Response | None, config_error: bool
    ) -> None:
        if driver is not self._driver or self._own.is_own(command):
            return
        if config_error:
            # A configuration command that was not repeated in time has no effect.
            _LOGGER.debug("Ignoring incomplete configuration command %s from the bus", command)
            return
        if self._traffic_listener is not None:
            self._traffic_listener(command)
