"""Serial DALI interfaces (Lunatone LUBA RS232, SCI RS232, ...) on python-dali's serial drivers.

The interface is named by a python-dali URL whose scheme picks the driver and
whose path is the serial port, e.g. ``luba232:/dev/ttyUSB0``. The drivers have
no disconnect callback, so a watcher polls ``is_connected`` and reports a drop
to the connection listener; :class:`~..bus.DaliBus` then reconnects.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import ParseResult, urlparse

from dali.driver.serial import DriverLubaRs232, drivers_map
from dali.exceptions import TransmissionError, UnsupportedFrameTypeError
from serialx import SerialException

from ..backend import InterfaceIdentity, ListenerSlots
from ..errors import (
    DaliConfigError,
    DaliConnectionError,
    DaliError,
    DaliNotConnectedError,
    DaliTimeoutError,
)
from .hid_backend import OwnFrameTracker

if TYPE_CHECKING:
    from dali.command import Command, Response


_LOGGER = logging.getLogger(__name__)

# LUBA retries its handshake up to five times, one second each.
DEFAULT_CONNECT_TIMEOUT_S: Final = 10.0
DEFAULT_POLL_INTERVAL_S: Final = 1.0
# Maker and model by URL scheme (both are Lunatone interfaces).
_MAKER_MODEL: Final[dict[str, tuple[str, str]]] = {
    "luba232": ("Lunatone", "LUBA RS232"),
    "scirs232": ("Lunatone", "DALI SCI RS232"),
}


def known_schemes() -> list[str]:
    """The URL schemes of the serial drivers python-dali knows."""
    return sorted(drivers_map())


def parse_serial_url(url: object) -> tuple[type[Any], ParseResult]:
    """Return the driver class and parsed URL for ``url``; raises ``DaliConfigError``."""
    if not isinstance(url, str) or not url.strip():
        raise DaliConfigError(
            "The serial interface URL is empty; expected e.g. luba232:/dev/ttyUSB0"
        )
    parsed = urlparse(url.strip())
    drivers = drivers_map()
    if parsed.scheme not in drivers:
        raise DaliConfigError(
            f"Unknown serial DALI interface type {parsed.scheme!r} in {url!r}; "
            f"known types: {', '.join(sorted(drivers))} (e.g. luba232:/dev/ttyUSB0)"
        )
    if not parsed.path:
        raise DaliConfigError(
            f"The serial interface URL {url!r} names no port; "
            f"expected e.g. {parsed.scheme}:/dev/ttyUSB0"
        )
    driver_class = drivers[parsed.scheme]
    try:
        driver_class(parsed)  # the drivers check the rest (e.g. query options) up front
    except (TypeError, ValueError, KeyError) as err:
        raise DaliConfigError(f"Invalid serial interface URL {url!r}: {err}") from err
    return driver_class, parsed


def _reported_serial(driver: Any) -> str | None:
    """The serial number a python-dali 0.16 serial driver learned in its handshake, if any.

    Only the LUBA driver asks for one: its "query device info" answer carries the GTIN and
    the 8-byte identification number of the interface (read here as its serial number).
    """
    info = getattr(getattr(driver, "_protocol", None), "device_info", None)
    if not isinstance(info, DriverLubaRs232.LubaDeviceInfo) or not info.id:
        return None
    return str(info.id)


def _close_transport(driver: Any) -> None:
    """Close the serial port a python-dali 0.16 serial driver opened (they have no close())."""
    transport = getattr(driver, "_transport", None)
    if transport is not None:
        transport.close()


class SerialBackend(ListenerSlots):
    """A DALI interface on a serial port, driven by a python-dali serial driver."""

    kind = "serial"

    def __init__(
        self,
        url: str,
        *,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT_S,
        poll_interval: float = DEFAULT_POLL_INTERVAL_S,
    ) -> None:
        """Describe the interface at ``url``; raises ``DaliConfigError`` for a bad URL."""
        self._driver_class, self._uri = parse_serial_url(url)
        self.url: str = url.strip()
        self._connect_timeout = connect_timeout
        self._poll_interval = poll_interval
        self._driver: Any = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._own = OwnFrameTracker()
        self._serial: str | None = None

    def __repr__(self) -> str:
        """Show the URL."""
        return f"SerialBackend({self.url!r})"

    @property
    def identity(self) -> InterfaceIdentity:
        """Maker and model from the URL scheme; the serial number where the driver read one."""
        manufacturer, model = _MAKER_MODEL.get(self._uri.scheme, (None, None))
        return InterfaceIdentity(manufacturer, model, None, self._serial)

    @property
    def connected(self) -> bool:
        """Whether the serial port is open and the interface answered its handshake."""
        return self._driver is not None and bool(self._driver.is_connected)

    async def connect(self) -> None:
        """Open the port and run the driver's handshake; raises ``DaliConnectionError``."""
        if self.connected:
            return
        await self._teardown()
        driver = self._driver_class(self._uri)
        try:
            async with asyncio.timeout(self._connect_timeout):
                await driver.connect()
        except TimeoutError as err:
            _close_transport(driver)
            raise DaliConnectionError(
                f"The DALI serial interface {self.url} did not answer within "
                f"{self._connect_timeout:g} s"
            ) from err
        except asyncio.CancelledError:
            _close_transport(driver)
            raise
        except Exception as err:  # serialx, OS and driver errors alike
            _close_transport(driver)
            raise DaliConnectionError(
                f"Could not open the DALI serial interface {self.url}: {err}"
            ) from err
        if not driver.is_connected:
            _close_transport(driver)
            raise DaliConnectionError(f"The DALI serial interface {self.url} did not come up")
        self._driver = driver
        self._serial = _reported_serial(driver) or self._serial
        self._start(self._watch(driver))
        try:
            queue = driver.new_dali_rx_queue()
        except Exception:  # a driver without bus monitoring
            _LOGGER.warning("%s cannot report other masters' commands", self.url, exc_info=True)
        else:
            self._start(self._pump(queue))
        _LOGGER.info("Connected DALI serial interface %s", self.url)

    async def disconnect(self) -> None:
        """Close the port and stop watching it."""
        await self._teardown()

    async def send_command(self, command: Command) -> Response | None:
        """Send one command (with its ``EnableDeviceType`` prefix) and return the answer."""
        driver = self._driver
        if driver is None or not driver.is_connected:
            raise DaliNotConnectedError(f"The DALI serial interface {self.url} is not connected")
        self._own.expect(command, copies=2 if command.sendtwice else 1)
        try:
            response: Response | None = await driver.send(command)
        except TransmissionError as err:
            raise DaliError(
                f"The DALI serial interface {self.url} refused {command} "
                f"(error {err.error_code}); is the bus powered?"
            ) from err
        except TimeoutError as err:
            raise DaliTimeoutError(
                f"The DALI serial interface {self.url} did not confirm {command}"
            ) from err
        except (OSError, SerialException) as err:
            raise DaliConnectionError(
                f"Lost the DALI serial interface {self.url} during a command: {err}"
            ) from err
        except (UnsupportedFrameTypeError, ValueError) as err:
            raise DaliError(
                f"The DALI serial interface {self.url} cannot send {command}: {err}"
            ) from err
        return response

    # internals ---------------------------------------------------------------------
    def _start(self, coro: Any) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _teardown(self) -> None:
        driver, self._driver = self._driver, None
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)
        self._own.clear()
        if driver is not None:
            _close_transport(driver)

    async def _watch(self, driver: Any) -> None:
        """Poll the driver and report the port going away."""
        while True:
            await asyncio.sleep(self._poll_interval)
            if not driver.is_connected:
                break
        _LOGGER.warning("DALI serial interface %s went away", self.url)
        for task in list(self._tasks):
            if task is not asyncio.current_task():
                task.cancel()
        if self._connection_listener is not None:
            self._connection_listener(False)

    async def _pump(self, queue: asyncio.Queue[Any]) -> None:
        """Forward the commands the interface heard on the bus, minus our own."""
        while True:
            command = await queue.get()
            if command is None or self._own.is_own(command):
                continue
            if self._traffic_listener is None:
                continue
            try:
                self._traffic_listener(command)
            except Exception:
                _LOGGER.exception("The DALI traffic listener failed on %s", command)
