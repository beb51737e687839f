"""The interface every DALI backend (simulated or hardware) implements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from dali.command import Command, Response

type ConnectionListener = Callable[[bool], None]
type TrafficListener = Callable[[Command], None]


@dataclass(frozen=True, slots=True)
class InterfaceIdentity:
    """Which DALI interface a backend drives, as far as it can tell (None: not known).

    ``manufacturer`` and ``model`` follow from the kind of interface; ``firmware`` and
    ``serial_number`` are what the interface itself reports once connected. A backend keeps
    the last values it learned after a disconnect.
    """

    manufacturer: str | None = None
    model: str | None = None
    firmware: str | None = None
    serial_number: str | None = None


def identity_of(backend: object) -> InterfaceIdentity:
    """The identity of ``backend``; an empty one for a backend that has no ``identity``."""
    identity = getattr(backend, "identity", None)
    return identity if isinstance(identity, InterfaceIdentity) else InterfaceIdentity()


class Backend(Protocol):
    """One DALI interface.

    A backend moves single commands; sequencing, serialisation, timeouts and
    accounting live in :class:`~.bus.DaliBus`. Like python-dali's drivers, a
    backend sends the ``EnableDeviceType`` frame before a command that has a
    device type, and sends configuration commands twice.

    ``identity`` says which interface it is; read it through :func:`identity_of`, which
    also accepts a backend written before identities existed.
    """

    kind: str

    @property
    def identity(self) -> InterfaceIdentity:
        """Maker, model, firmware and serial number of the interface, where known."""

    @property
    def connected(self) -> bool:
        """Whether the interface is open and usable."""

    async def connect(self) -> None:
        """Open the interface; raise ``DaliConnectionError`` when it cannot be opened."""

    async def disconnect(self) -> None:
        """Close the interface."""

    async def send_command(self, command: Command) -> Response | None:
        """Put one command on the bus and return its decoded response (None if it has none)."""

    def set_connection_listener(self, listener: ConnectionListener | None) -> None:
        """Be told when the interface connects (True) or drops (False) on its own."""

    def set_traffic_listener(self, listener: TrafficListener | None) -> None:
        """Be told of forward frames on the bus that another master sent (wall panels)."""


class ListenerSlots:
    """The two listener slots every backend keeps, with their setters."""

    _connection_listener: ConnectionListener | None = None
    _traffic_listener: TrafficListener | None = None

    def set_connection_listener(self, listener: ConnectionListener | None) -> None:
        """Be told when the interface drops (False) or comes back (True) on its own."""
        self._connection_listener = listener

    def set_traffic_listener(self, listener: TrafficListener | None) -> None:
        """Be told of forward frames another master put on the bus."""
        self._traffic_listener = listener
