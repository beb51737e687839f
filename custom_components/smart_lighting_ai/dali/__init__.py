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
from .groups import ChangeWithdrawn, GroupController, GroupState, UnknownGroupError
from .inventory import GearInfo, GroupInfo, Inventory
from .scan import (
    FORGET_AFTER_MISSED_SCANS,
    ScanReport,
    ScanResult,
    ScanUnreliableError,
    merge_scan,
    scan_bus,
    scan_bus_result,
)

__all__ = [
    "BUS_TYPES",
    "FORGET_AFTER_MISSED_SCANS",
    "HID_BUS_TYPES",
    "Backend",
    "ChangeWithdrawn",
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
    "ScanReport",
    "ScanResult",
    "ScanUnreliableError",
    "UnknownGroupError",
    "create_backend",
    "merge_scan",
    "scan_bus",
    "scan_bus_result",
]
