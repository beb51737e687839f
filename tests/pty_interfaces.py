"""DALI interfaces played on pseudo-terminals, for python-dali's real HID and serial drivers.

Each emulator speaks the wire protocol the python-dali 0.16 driver expects: the Tridonic
DALI-USB's 64-byte reports (with its firmware version and serial number), the hasseb DALI
Master's 2-byte frames, and the Lunatone LUBA RS232 handshake (device info and settings).
"""

from __future__ import annotations

import asyncio
import os
import struct
import tty
from collections.abc import Callable
from functools import reduce
from operator import xor
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dali.command import Command

# A process that leads its session would adopt the pseudo-terminal as its controlling tty.
PTY_UNSAFE = os.getsid(0) == os.getpid()
PTY_UNSAFE_REASON = "a session leader would adopt the pseudo-terminal as its controlling tty"


def frame_int(command: Command) -> int:
    """The forward frame of ``command`` as an integer."""
    return int(command.frame.as_integer)


class PtyDevice:
    """The far end of a pseudo-terminal: reads fixed-size packets, writes replies."""

    def __init__(self, packet_size: int, handler: Callable[[bytes], bytes | None]) -> None:
        """Open the pair; ``handler`` answers each packet of ``packet_size`` bytes."""
        self.master: int | None
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)  # no echo, no newline translation: a byte pipe
        os.set_blocking(self.master, False)
        self.path = os.ttyname(self._slave)
        self.packets: list[bytes] = []
        self._size = packet_size
        self._handler = handler
        self._buffer = b""
        asyncio.get_running_loop().add_reader(self.master, self._readable)

    def _readable(self) -> None:
        assert self.master is not None
        try:
            self._buffer += os.read(self.master, 4096)
        except BlockingIOError:  # pragma: no cover - spurious wake-up
            return
        while len(self._buffer) >= self._size:
            packet, self._buffer = self._buffer[: self._size], self._buffer[self._size :]
            self.packets.append(packet)
            if reply := self._handler(packet):
                self.write(reply)

    def write(self, data: bytes) -> None:
        """Send ``data`` to the driver (a reply, or an unsolicited frame)."""
        assert self.master is not None
        os.write(self.master, data)

    def unplug(self) -> None:
        """Close the device end, as when the USB interface is pulled out."""
        if self.master is not None:
            asyncio.get_running_loop().remove_reader(self.master)
            os.close(self.master)
            self.master = None

    def close(self) -> None:
        """Close both ends."""
        self.unplug()
        os.close(self._slave)


_TRI_CMD = struct.Struct(">4B4s3B53x")
_TRI_RESP = struct.Struct(">BB4sHB55x")
_MODE_INFO, _MODE_RESPONSE = 0x01, 0x12
_NO_FRAME, _FRAME_8, _FRAME_16 = 0x71, 0x72, 0x73
_READ_VERSION = 0x00


class TridonicUsb:
    """A Tridonic DALI-USB: reports firmware ``major.minor`` and a 4-byte serial number."""

    def __init__(self, serial: bytes = b"\x12\x34\x56\x78", firmware: tuple[int, int] = (2, 5)):
        """Play an interface with this serial number and firmware; gear answers in ``answers``."""
        self.serial = serial
        self.firmware = firmware
        self.answers: dict[int, int] = {}
        self.device = PtyDevice(64, self._handle)

    @property
    def path(self) -> str:
        """The device node the driver opens."""
        return self.device.path

    @staticmethod
    def _report(rtype: int, frame: int, seq: int) -> bytes:
        return _TRI_RESP.pack(_MODE_RESPONSE, rtype, frame.to_bytes(4, "big"), 0, seq)

    def _handle(self, packet: bytes) -> bytes:
        cmd, seq, ctrl, _mode, raw, _dtr, _prio, _devtype = _TRI_CMD.unpack(packet)
        if cmd == 0x01:  # initialisation: firmware version, then serial number
            if seq == _READ_VERSION:
                return bytes([_MODE_INFO, 0, 0, *self.firmware]).ljust(64, b"\0")
            return bytes([_MODE_INFO, *self.serial]).ljust(64, b"\0")
        frame = int.from_bytes(raw, "big")
        echo = self._report(_FRAME_16, frame, seq) * (2 if ctrl & 0x20 else 1)
        if frame in self.answers:
            return echo + self._report(_FRAME_8, self.answers[frame], seq)
        return echo + self._report(_NO_FRAME, 0, seq)


class HassebMaster:
    """A hasseb DALI Master: it reports neither firmware nor serial number."""

    def __init__(self) -> None:
        """Play the interface; ``answers`` maps a forward frame to its [status, data] reply."""
        self.answers: dict[int, bytes] = {}
        self.device = PtyDevice(2, lambda packet: self.answers.get(int.from_bytes(packet, "big")))

    @property
    def path(self) -> str:
        """The device node the driver opens."""
        return self.device.path


_LUBA_INFO_CMD, _LUBA_INFO_RSP = 0x20, 0x21
_LUBA_SETTINGS_CMD, _LUBA_SETTINGS_RSP = 0x2A, 0x2B


class LubaRs232:
    """A Lunatone LUBA RS232 that answers python-dali's handshake (device info, settings)."""

    def __init__(self, device_id: int, gtin: int = 4_251_160_012_345, article: int = 24166096):
        """Play an interface whose device info carries ``device_id`` (its serial number)."""
        self._info = (
            gtin.to_bytes(6, "big")
            + device_id.to_bytes(8, "big")
            + bytes([1, 2])
            + article.to_bytes(4, "big")
        )
        self.device = PtyDevice(1, self._byte)
        self._pending = b""

    @property
    def path(self) -> str:
        """The serial port the driver opens."""
        return self.device.path

    @staticmethod
    def _message(command: int, payload: bytes) -> bytes:
        body = bytes([command, len(payload), *payload])
        return bytes([0x59, *body, reduce(xor, body)])

    def _byte(self, byte: bytes) -> bytes | None:
        self._pending += byte
        if self._pending[0] != 0x59:
            self._pending = b""
            return None
        if len(self._pending) < 3 or len(self._pending) < self._pending[2] + 4:
            return None
        message, self._pending = self._pending, b""
        if message[1] == _LUBA_INFO_CMD:
            return self._message(_LUBA_INFO_RSP, self._info)
        if message[1] == _LUBA_SETTINGS_CMD:
            return self._message(_LUBA_SETTINGS_RSP, message[3:6])
        return None
