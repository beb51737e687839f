"""HA-free async DALI access on python-dali: bus, backends, scan and group control."""

from .backend import Backend
from .bus import DaliBus
from .errors import (
    DaliConfigError,
    DaliConnectionError,
    DaliError,
    DaliNotConnectedError,
    DaliTimeoutError,
)
from .factory import BUS_TYPES, HID_BUS_TYPES, create_backend
from .groups import GroupController, GroupState, UnknownGroupError
from .inventory import GearInfo, GroupInfo, Inventory
from .scan import scan_bus

__all__ = [
    "BUS_TYPES",
    "HID_BUS_TYPES",
    "Backend",
    "DaliBus",
    "DaliConfigError",
    "DaliConnectionError",
    "DaliError",
    "DaliNotConnectedError",
    "DaliTimeoutError",
    "GearInfo",
    "GroupController",
    "GroupInfo",
    "GroupState",
    "Inventory",
    "UnknownGroupError",
    "create_backend",
    "scan_bus",
]
