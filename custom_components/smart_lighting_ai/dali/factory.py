"""Build the backend for a bus type from the config entry's settings."""

from __future__ import annotations

from typing import Final

from .backend import Backend
from .errors import DaliConfigError

BUS_SIMULATED: Final = "simulated"
BUS_HID_TRIDONIC: Final = "hid_tridonic"
BUS_HID_HASSEB: Final = "hid_hasseb"
BUS_SERIAL: Final = "serial"
BUS_TYPES: Final = (BUS_SIMULATED, BUS_HID_TRIDONIC, BUS_HID_HASSEB, BUS_SERIAL)
HID_BUS_TYPES: Final = (BUS_HID_TRIDONIC, BUS_HID_HASSEB)


def create_backend(bus_type: str, *, path: str | None = None, url: str | None = None) -> Backend:
    """Return an unconnected backend; raises ``DaliConfigError`` for bad settings."""
    if bus_type == BUS_SIMULATED:
        from .backends.simulated import SimulatedBackend

        return SimulatedBackend()
    if bus_type in HID_BUS_TYPES:
        from .backends.hid_backend import HidBackend

        if not path:
            raise DaliConfigError("A hidraw device path is required")
        return HidBackend(bus_type, path)  # type: ignore[arg-type]
    if bus_type == BUS_SERIAL:
        from .backends.serial_backend import SerialBackend

        if not url:
            raise DaliConfigError("A serial interface URL is required")
        return SerialBackend(url)
    raise DaliConfigError(f"Unknown DALI bus type {bus_type!r}")
