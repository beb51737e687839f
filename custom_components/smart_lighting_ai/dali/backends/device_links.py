"""Stable names of device nodes: the udev ``by-id`` link that outlives a change of port.

A USB interface plugged into another port gets another ``/dev/ttyUSB<N>`` or
``/dev/hidraw<N>``, while udev's ``/dev/serial/by-id/usb-<maker>_<model>_<serial>-if<NN>``
link keeps its name (it is built from the USB descriptors) and points at the new node.
Everything here touches the file system: call it from an executor, not the event loop.
"""

from __future__ import annotations

import os
from typing import Final

BY_ID_DIRECTORY: Final = "/dev/serial/by-id"


def stable_link(device: str, directory: str | None = None) -> str | None:
    """The link in ``directory`` (by default :data:`BY_ID_DIRECTORY`) that names ``device``.

    ``device`` may itself be a link (a udev alias, or a by-id path); both sides are
    resolved. None when the device does not exist or no link resolves to it.
    """
    target = os.path.realpath(device)
    if not os.path.exists(target):
        return None
    try:
        with os.scandir(directory or BY_ID_DIRECTORY) as entries:
            links = sorted(entry.path for entry in entries if entry.is_symlink())
    except OSError:
        return None
    return next((link for link in links if os.path.realpath(link) == target), None)
