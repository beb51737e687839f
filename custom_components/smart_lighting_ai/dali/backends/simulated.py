"""The simulated DALI bus: the embedded default, no hardware needed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from typing import Any

from dali.command import Command, Response
from dali.frame import BackwardFrame, BackwardFrameError
from dali.gear.general import EnableDeviceType

from ..backend import InterfaceIdentity, ListenerSlots
from ..errors import DaliConnectionError
from ..sim_addressing import randomise
from ..sim_devices import SimDevice, default_devices
from ..sim_emergency import SimEmergency
from ..sim_gear import SimGear, bank_0
from ..sim_state import STATE_VERSION, from_json, to_json
from ..sim_status import BANK_ENERGY, add_energy_meter, advance_meters

DEFAULT_GEAR_COUNT = 16
GEAR_PER_GROUP = 4
UNGROUPED_GEAR = (16, 17)
EMERGENCY_GEAR = 18
UNADDRESSED_GEAR_COUNT = 2
GTIN_TUNABLE_WHITE = 4_012_345_000_016  # the simulated line's DT8 driver
GTIN_DIMMABLE = 4_012_345_000_023  # its DT6 driver
GTIN_EMERGENCY = 4_012_345_000_030  # its self-contained emergency fitting
FIRST_SERIAL = 100_001
METERED_GEAR = range(8, 12)  # group 2: DT6 drivers that meter energy in bank 202
METERED_RATED_W = 10.0
SCENE_GEAR = range(4)  # group 0: scene 0 at full, scene 1 at 170 (contract C2)
STORED_SCENES = {0: 254, 1: 170}
# What the simulated interface says it is (fixed: the same on every bus and every run).
SIMULATED_IDENTITY = InterfaceIdentity(
    manufacturer="Smart Lighting AI",
    model="Simulated DALI interface",
    firmware="1.0",
    serial_number="SIM-0001",
)


def default_installation(gear_count: int = DEFAULT_GEAR_COUNT) -> list[SimGear]:
    """The line of contract C2, or only gear 0..n-1 in groups when ``gear_count`` is given.

    Gear ``a`` < n is in group ``a // 4``; the first half DT8 (2700-6500 K), the rest DT6.
    The full line adds gear 16 and 17 (DT6, no group), the emergency fitting 18 (DT1 and DT6,
    no group) and two gear without a short address. Serial numbers run from 100001 in order.
    """
    gear = [
        SimGear(
            short_address=address,
            groups={address // GEAR_PER_GROUP},
            device_types=(8,) if address < gear_count // 2 else (6,),
            gtin=GTIN_TUNABLE_WHITE if address < gear_count // 2 else GTIN_DIMMABLE,
            serial=FIRST_SERIAL + address,
        )
        for address in range(gear_count)
    ]
    if gear_count != DEFAULT_GEAR_COUNT:
        return gear
    for address in SCENE_GEAR:
        for scene, level in STORED_SCENES.items():
            gear[address].scenes[scene] = level
    for address in METERED_GEAR:
        add_energy_meter(gear[address], METERED_RATED_W)
        gear[address].memory[0][2] = BANK_ENERGY  # bank 0: the last accessible bank
    extra = [
        *(SimGear(short_address=a, gtin=GTIN_DIMMABLE) for a in UNGROUPED_GEAR),
        SimGear(
            short_address=EMERGENCY_GEAR,
            device_types=(1, 6),
            gtin=GTIN_EMERGENCY,
            emergency=SimEmergency(),
        ),
        *(SimGear(short_address=None, gtin=GTIN_DIMMABLE) for _ in range(UNADDRESSED_GEAR_COUNT)),
    ]
    for offset, unit in enumerate(extra, start=len(gear)):
        unit.serial = FIRST_SERIAL + offset
        unit.memory[0] = bank_0(unit.gtin or 0, unit.serial)
        if unit.short_address is None:  # waiting to be commissioned: it has drawn one already
            randomise(unit)
    return gear + extra


def _monotonic() -> float:
    return time.monotonic()  # looked up at each call, so a frozen clock moves it


class SimulatedBackend(ListenerSlots):
    """A bus of :class:`SimGear` that answers like real gear, with fault injection for tests.

    Test controls: ``unplug()`` / ``plug_in()`` (the interface), ``hang`` (an interface that
    never answers), ``garbled`` (a noisy line: every backward frame arrives with a framing
    error, python-dali's ``BackwardFrameError``, as when interference or two gear answering at
    once corrupt it; forward frames still reach the gear, and an address where nothing answers
    stays silent), and each gear's ``responding``, ``lamp_failure``, ``gear_failure`` and
    ``led_failure`` (DT6 bitmap, ``sim_status.LED_*``); ``advance_meters(seconds)`` moves the
    bank 202 energy meters (gear 8-11 of the default line). ``devices`` are the DALI-2
    input devices (:mod:`..sim_devices`): 24-bit frames go to them, 16-bit ones to the gear,
    and their test controls (``devices[0].press(0, "short_press")``, ``devices[1]
    .set_occupancy(True)``, ``.set_light(raw)``) put event frames on the bus like ``inject``.
    """

    kind = "simulated"

    def __init__(
        self,
        gear: Iterable[SimGear] | None = None,
        *,
        meter_clock: Callable[[], float] | None = None,
        devices: Iterable[SimDevice] | None = None,
    ) -> None:
        """Create the bus with ``gear`` (the default installation when omitted).

        ``meter_clock`` (seconds, monotonic; ``time.monotonic`` when omitted) drives the bank
        202 energy meters: before each frame they count the time since the last one at the
        present levels. Tests also move them with :meth:`advance_meters`. ``devices``: the
        input devices (the default line's push-button panel and sensor when both ``gear``
        and ``devices`` are omitted, none when only ``gear`` is given).
        """
        self._meter_clock = meter_clock or _monotonic
        self._meter_time = self._meter_clock()
        self.gear: list[SimGear] = list(gear) if gear is not None else default_installation()
        if devices is None:
            devices = default_devices() if gear is None else []
        self.devices: list[SimDevice] = list(devices)
        for device in self.devices:
            device.attach(self.inject)
        self.log: list[Command] = []
        self.available = True
        self.hang = False
        self.garbled = False
        self._connected = False
        self.on_change: Callable[[], None] | None = None  # after every frame that is no query

    @property
    def identity(self) -> InterfaceIdentity:
        """The fixed identity of the simulated interface."""
        return SIMULATED_IDENTITY

    @property
    def connected(self) -> bool:
        """Whether the simulated interface is open."""
        return self._connected

    async def connect(self) -> None:
        """Open the interface unless a test made it unavailable."""
        if not self.available:
            raise DaliConnectionError("The simulated DALI interface is unplugged")
        self._connected = True

    async def disconnect(self) -> None:
        """Close the interface."""
        self._connected = False

    async def send_command(self, command: Command) -> Response | None:
        """Deliver ``command`` to every gear, as a driver would frame it."""
        if not self._connected:
            raise DaliConnectionError("The simulated DALI interface is not connected")
        if self.hang:
            await asyncio.Event().wait()  # an interface that never answers
        return self._deliver(command)

    # test and demo hooks ---------------------------------------------------------
    def unplug(self) -> None:
        """Simulate the interface being pulled out: it drops and cannot reconnect."""
        self.available = False
        if self._connected:
            self._connected = False
            if self._connection_listener:
                self._connection_listener(False)

    def plug_in(self) -> None:
        """Make the interface available again (the bus reconnects on its next attempt)."""
        self.available = True

    def inject(self, command: Command) -> Response | None:
        """Put a frame on the bus from another master (a wall panel) and report it."""
        response = self._deliver(command)
        if self._traffic_listener:
            self._traffic_listener(command)
        return response

    def snapshot(self) -> dict[str, Any]:
        """The state of every gear, as JSON (what a real line keeps over a power cut)."""
        return {
            "version": STATE_VERSION,
            "gear": [to_json(g) for g in self.gear],
            "devices": [to_json(d) for d in self.devices],
        }

    def restore(self, data: dict[str, Any]) -> bool:
        """Take the state :meth:`snapshot` saved; False (nothing changed) when it is unusable."""
        if data.get("version") != STATE_VERSION:
            return False
        try:
            gear = [from_json(SimGear, g) for g in data["gear"]]
            devices = [from_json(SimDevice, d) for d in data.get("devices", [])]
        except (KeyError, TypeError, ValueError):
            return False
        self.gear = gear
        if "devices" in data:  # a save from before the input devices keeps the default ones
            for device in self.devices:
                device.attach(None)
            self.devices = devices
            for device in devices:
                device.attach(self.inject)
        return True

    def advance_meters(self, seconds: float) -> None:
        """Let ``seconds`` pass on every energy meter at the gear's present levels."""
        for unit in self.gear:
            advance_meters(unit, seconds)

    def _run_meters(self) -> None:
        now = self._meter_clock()
        if now > self._meter_time:
            self.advance_meters(now - self._meter_time)
        self._meter_time = now

    def _deliver(self, command: Command) -> Response | None:
        self._run_meters()
        self.log.append(command)
        if command.devicetype:
            self._broadcast(EnableDeviceType(command.devicetype))
        answers = self._broadcast(command)
        if command.sendtwice:
            answers = self._broadcast(command)
        if command.response is None:
            if self.on_change is not None and len(command.frame) != 24:  # gear state only
                self.on_change()
            return None
        if not answers:
            return command.response(None)
        if len(answers) == 1 and not self.garbled:
            return command.response(BackwardFrame(answers[0]))
        return command.response(BackwardFrameError(answers[0]))

    def _broadcast(self, command: Command) -> list[int]:
        if len(command.frame) == 24:  # control devices (IEC 62386-103) only take 24-bit frames
            return [a for a in (d.receive(command) for d in self.devices) if a is not None]
        return [a for a in (gear.receive(command) for gear in self.gear) if a is not None]
