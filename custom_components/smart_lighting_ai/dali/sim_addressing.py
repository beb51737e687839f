"""Random addressing in the simulated gear (IEC 62386-102 section 9.14, commissioning).

A gear taking part in commissioning holds a 24-bit random address and the 24-bit search
address the controller sets with ``SearchaddrH/M/L``. ``Initialise`` opens the
initialisation state for every gear, for gear without a short address, or for the gear at one
short address; ``Terminate`` closes it. While it is open, ``Compare`` is answered YES by every
gear whose random address is at most the search address and that has not been withdrawn, and
the gear whose random address equals the search address takes ``ProgramShortAddress``, answers
``QueryShortAddress`` and can be withdrawn from further compares. Two gear answering the same
``Compare`` collide: the backend turns two answers into one garbled backward frame.

The random address a gear draws is deterministic: it comes from the gear's own seed (its serial
number unless set) and how many times it has drawn, so every run of the simulator is the same.
A test can make gear draw chosen addresses (:func:`force_collision`, or ``random_preload``).

The 15-minute limit of the initialisation state is not timed: it stays open until
``Terminate``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dali.command import Command
from dali.gear import general

if TYPE_CHECKING:
    from .sim_gear import SimGear

YES = 0xFF
MASK = 0xFF
RANDOM_ADDRESS_MAX = 0xFF_FFFF
FACTORY_RANDOM_ADDRESS = RANDOM_ADDRESS_MAX  # a gear that never drew one answers all ones


@dataclass
class AddressingState:
    """What one gear holds for random addressing (JSON-friendly, persisted with the gear).

    ``random_preload``: the next random addresses ``Randomise`` takes, first one first (a test
    control; empty means drawing from ``seed``). ``identify_count`` / ``identify_started``: how
    often ``IdentifyDevice`` reached the gear and when (``time.time()``) it last started.
    """

    random_address: int = FACTORY_RANDOM_ADDRESS
    search_address: int = RANDOM_ADDRESS_MAX
    initialising: bool = False
    withdrawn: bool = False
    seed: int | None = None
    draws: int = 0
    random_preload: list[int] = field(default_factory=list)
    identify_count: int = 0
    identify_started: float | None = None

    def draw(self, fallback_seed: Callable[[], int]) -> int:
        """The next random address this gear picks."""
        if self.random_preload:
            return self.random_preload.pop(0) & RANDOM_ADDRESS_MAX
        seed = self.seed if self.seed is not None else fallback_seed()
        self.draws += 1
        return random.Random(f"dali-random-address-{seed}-{self.draws}").randrange(
            RANDOM_ADDRESS_MAX + 1
        )

    @property
    def selected(self) -> bool:
        """Whether the gear is the one the search address points at."""
        return self.initialising and self.random_address == self.search_address


_UNSEEDED = random.Random(0x5EED)  # gear with neither seed nor serial: one shared stream


def _seed_of(gear: SimGear) -> int:
    return gear.serial if gear.serial is not None else _UNSEEDED.randrange(1 << 32)


def randomise(gear: SimGear) -> None:
    """Draw a new random address (the gear's own ``Randomise``)."""
    state = gear.addressing
    state.random_address = state.draw(lambda: _seed_of(gear))


def force_collision(gear: Iterable[SimGear], address: int = 0x7F_F0F0, *, rounds: int = 1) -> None:
    """Make every one of ``gear`` pick ``address`` at its next ``rounds`` randomisations.

    With ``rounds=1`` the controller meets one collision and resolves it by re-randomising;
    with more rounds than the controller is willing to retry, the collision stays unresolved.
    """
    for unit in gear:
        unit.addressing.random_preload[:0] = [address] * rounds


def _initialise(gear: SimGear, command: Command) -> None:
    state = gear.addressing
    if command.broadcast:
        selected = True
    elif command.address is None:
        selected = gear.short_address is None
    else:
        selected = command.address == gear.short_address
    if selected:  # a gear the command does not select ignores it
        state.initialising = True
        state.withdrawn = False


def _terminate(gear: SimGear, _command: Command) -> None:
    gear.addressing.initialising = False
    gear.addressing.withdrawn = False


def _randomise(gear: SimGear, _command: Command) -> None:
    if gear.addressing.initialising:
        randomise(gear)


def _compare(gear: SimGear, _command: Command) -> int | None:
    state = gear.addressing
    if state.initialising and not state.withdrawn and state.random_address <= state.search_address:
        return YES
    return None


def _withdraw(gear: SimGear, _command: Command) -> None:
    if gear.addressing.selected:
        gear.addressing.withdrawn = True


def _search_byte(shift: int) -> Callable[[SimGear, Command], None]:
    def handler(gear: SimGear, command: Command) -> None:
        state = gear.addressing
        state.search_address = (state.search_address & ~(0xFF << shift)) | (command.param << shift)

    return handler


def _program(gear: SimGear, command: Command) -> None:
    if gear.addressing.selected:
        gear.short_address = None if command.address == "MASK" else command.address


def _verify(gear: SimGear, command: Command) -> int | None:
    if gear.addressing.initialising and gear.short_address == command.address:
        return YES
    return None


def _query_short_address(gear: SimGear, _command: Command) -> int | None:
    if not gear.addressing.selected:
        return None
    return MASK if gear.short_address is None else gear.short_address << 1 | 1


def _set_short_address(gear: SimGear, _command: Command) -> None:
    if gear.dtr0 == MASK:
        gear.short_address = None
    elif gear.dtr0 & 0x81 == 1:  # 0AAAAAA1
        gear.short_address = gear.dtr0 >> 1


def _random_byte(shift: int) -> Callable[[SimGear, Command], int]:
    return lambda gear, _command: gear.addressing.random_address >> shift & 0xFF


def _identify(gear: SimGear, _command: Command) -> None:
    gear.addressing.identify_count += 1
    gear.addressing.identify_started = time.time()


ADDRESSING_HANDLERS: dict[type[Command], Callable[[SimGear, Command], int | None]] = {
    general.Terminate: _terminate,
    general.Initialise: _initialise,
    general.Randomise: _randomise,
    general.Compare: _compare,
    general.Withdraw: _withdraw,
    general.SearchaddrH: _search_byte(16),
    general.SearchaddrM: _search_byte(8),
    general.SearchaddrL: _search_byte(0),
    general.ProgramShortAddress: _program,
    general.VerifyShortAddress: _verify,
    general.QueryShortAddress: _query_short_address,
    general.SetShortAddress: _set_short_address,
    general.QueryRandomAddressH: _random_byte(16),
    general.QueryRandomAddressM: _random_byte(8),
    general.QueryRandomAddressL: _random_byte(0),
    general.IdentifyDevice: _identify,
}
