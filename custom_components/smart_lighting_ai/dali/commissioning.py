"""Commissioning: give control gear without a short address one, and set group membership.

:func:`commission` runs the random-address search of IEC 62386-102 (the commands of
python-dali's ``dali.sequences.Commissioning``) as a series of short bus transactions, so the
lights stay controllable while it runs:

1. unless re-addressing, one broadcast ``QueryMissingShortAddress``: when no gear answers, every
   gear has an address and there is nothing to do (a result of its own, not an error);
2. the short addresses in use (``QueryControlGearPresent`` on each), so new gear only gets
   free ones (plus ``reserved``: addresses of known gear that is missing right now);
3. ``Terminate``, ``Initialise`` (gear without an address, or every gear when re-addressing),
   ``Randomise``;
4. per gear, one transaction: a binary search for the lowest random address still taking part
   (``Compare`` at the midpoint, sending only the search-address bytes that changed), then
   ``ProgramShortAddress``, ``VerifyShortAddress`` and ``Withdraw``;
5. ``Terminate``, and the GTIN and serial number of each new gear from memory bank 0.

Two gear that drew the same random address both answer the final ``Compare``: the answer is a
framing error. That is a *collision*: the gear still taking part draw new random addresses and
the search starts over. Gear already addressed are withdrawn and stay out of it. A collision
still there after ``max_rounds`` draws in a row raises :class:`UnresolvedCollisionError`.

Compared with python-dali's ``Commissioning`` (which sends all three search bytes before every
``Compare`` and visits both halves of each interval), this costs far fewer frames per gear; the
``benchmarks/commissioning.py`` script measures both.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Iterable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from dali.address import GearBroadcast, GearGroup, GearShort
from dali.exceptions import DALISequenceError, ResponseError
from dali.gear.general import (
    DTR0,
    Compare,
    IdentifyDevice,
    Initialise,
    ProgramShortAddress,
    QueryControlGearPresent,
    QueryMissingShortAddress,
    Randomise,
    SearchaddrH,
    SearchaddrL,
    SearchaddrM,
    SetShortAddress,
    Terminate,
    VerifyShortAddress,
    Withdraw,
)
from dali.sequences import QueryGroups, SetGroups, sleep

from .bus import DaliBus
from .errors import DaliError
from .groups import COMMAND_PRIORITY
from .scan import _read_identity

_LOGGER = logging.getLogger(__name__)

SHORT_ADDRESSES = range(64)
GROUPS = range(16)
RANDOM_ADDRESS_MAX = 0xFF_FFFF
COMMISSIONING_PRIORITY = 4  # below a person's command, above the background scan
DEFAULT_MAX_ROUNDS = 5  # draws in a row that may end in a collision before giving up
RANDOMISE_SETTLE_S = 0.1  # a gear may take 100 ms to draw its random address
IN_USE_CHUNK = 16  # presence queries per transaction (well inside the bus timeout)

type Sequence = Generator[Any, Any, Any]


class CommissioningError(DaliError):
    """Commissioning stopped; ``partial`` says what was done before it stopped."""

    def __init__(self, message: str, partial: CommissioningResult) -> None:
        """Keep what was already addressed."""
        super().__init__(message)
        self.partial = partial


class UnresolvedCollisionError(CommissioningError):
    """Gear kept drawing the same random address: they cannot be told apart."""

    def __init__(self, random_address: int, rounds: int, partial: CommissioningResult) -> None:
        """Name the random address the gear share and how often they drew it."""
        super().__init__(
            f"Several DALI gear kept the random address {random_address:#08x} after {rounds} "
            "draws in a row",
            partial,
        )
        self.random_address = random_address
        self.rounds = rounds


class NoFreeShortAddressError(CommissioningError):
    """Gear was found but every short address (0-63) is taken."""

    def __init__(self, left: int, partial: CommissioningResult) -> None:
        """Say how many gear are still without an address."""
        super().__init__(f"{left} DALI gear found but no free short address is left", partial)
        self.left = left


class ProgrammingFailedError(CommissioningError):
    """A gear did not confirm the short address it was given."""

    def __init__(self, short_address: int, partial: CommissioningResult) -> None:
        """Name the address that did not verify."""
        super().__init__(f"No DALI gear confirmed short address {short_address}", partial)
        self.short_address = short_address


class GearNotAnsweringError(DaliError):
    """The gear at a short address does not answer (or answers garbled)."""

    def __init__(self, short_address: int, *, garbled: bool = False) -> None:
        """Name the address; ``garbled`` when answers arrived with framing errors."""
        how = "answers with framing errors" if garbled else "does not answer"
        super().__init__(f"DALI gear {short_address} {how}")
        self.short_address = short_address
        self.garbled = garbled


class GroupsNotVerifiedError(DaliError):
    """The groups read back after writing are not the ones written."""

    def __init__(self, short_address: int, wanted: frozenset[int], read: frozenset[int]) -> None:
        """Name the gear, what it should hold and what it holds."""
        super().__init__(
            f"DALI gear {short_address} holds groups {sorted(read)}, not {sorted(wanted)}"
        )
        self.short_address = short_address
        self.wanted = wanted
        self.read = read


@dataclass(frozen=True, slots=True)
class AddressedGear:
    """One gear commissioning found, the short address it got and who it is."""

    short_address: int
    random_address: int
    gtin: int | None = None
    serial: int | None = None

    def to_dict(self) -> dict[str, int | None]:
        """The answer of the ``commission`` action for this gear."""
        return {"short_address": self.short_address, "gtin": self.gtin, "serial": self.serial}


@dataclass(frozen=True, slots=True)
class CommissioningResult:
    """What a commissioning run did (or, in a dry run, would do).

    ``nothing_to_do``: no gear was waiting for an address (every gear has one), so the run
    stopped after one query.
    """

    addressed: tuple[AddressedGear, ...] = ()
    collisions: int = 0
    dry_run: bool = False
    readdress: bool = False
    nothing_to_do: bool = False


@dataclass(frozen=True, slots=True)
class CommissioningProgress:
    """How far a run is: sent to ``on_progress`` at each step.

    ``stage`` is one of ``checking``, ``searching``, ``addressed``, ``collision``,
    ``identifying`` and ``done``.
    """

    stage: str
    found: int
    collisions: int
    message: str


class _Search:
    """The search address the gear hold, so only the bytes that change are sent."""

    def __init__(self) -> None:
        self.current: int | None = None  # unknown at the start of each transaction

    def move_to(self, address: int) -> Sequence:
        for shift, command in ((16, SearchaddrH), (8, SearchaddrM), (0, SearchaddrL)):
            byte = address >> shift & 0xFF
            if self.current is None or self.current >> shift & 0xFF != byte:
                yield command(byte)
        self.current = address

    def compare(self, address: int) -> Sequence:
        """Whether any gear taking part is at or below ``address``, and whether it was garbled."""
        yield from self.move_to(address)
        answer = yield Compare()
        raw = None if answer is None else answer.raw_value
        return raw is not None, raw is not None and bool(raw.error)


def _lowest() -> Sequence:
    """The lowest random address still taking part, and whether several gear share it.

    Returns None when no gear takes part any more. The search halves aligned intervals, so each
    step changes one byte of the search address (the others stay at their last value). Every
    ``Compare`` below the result said no, so a garbled YES at the result itself means several
    gear drew exactly that address.
    """
    search = _Search()
    answered, garbled = yield from search.compare(RANDOM_ADDRESS_MAX)
    if not answered:
        return None
    low = 0
    for bit in reversed(range(24)):  # is there a gear in the lower half of [low, low + 2**bit]?
        middle = low + (1 << bit) - 1
        answered, middle_garbled = yield from search.compare(middle)
        if answered:
            garbled = middle_garbled
        else:
            low += 1 << bit
    yield from search.move_to(low)  # the gear at ``low`` is selected from here on
    return low, garbled


def _find_one(short_address: int | None) -> Sequence:
    """Find the next gear and (unless ``short_address`` is None) give it its address.

    Returns ``("none", None)``, ``("collision", random)`` or ``("found", random)``; raises
    ``LookupError`` when the address did not verify.
    """
    found = yield from _lowest()
    if found is None:
        return "none", None
    random_address, collided = found
    if collided:
        return "collision", random_address
    if short_address is not None:
        yield ProgramShortAddress(short_address)
        verified = yield VerifyShortAddress(short_address)
        if verified is None or not verified.value or verified.raw_value.error:
            raise LookupError(short_address)
    yield Withdraw()
    return "found", random_address


def _addresses_in_use(addresses: Iterable[int]) -> Sequence:
    in_use = set()
    for address in addresses:
        answer = yield QueryControlGearPresent(GearShort(address))
        if answer is not None and answer.raw_value is not None:
            in_use.add(address)  # a garbled answer is a gear (two, even) too
    return in_use


def _delete_short_addresses() -> Sequence:
    yield DTR0(255)
    yield SetShortAddress(GearBroadcast())


def _start(readdress: bool) -> Sequence:
    yield Terminate()
    yield Initialise(broadcast=True) if readdress else Initialise(address=None)


def _randomise() -> Sequence:
    yield Randomise()
    yield sleep(RANDOMISE_SETTLE_S)


async def commission(
    bus: DaliBus,
    *,
    readdress: bool = False,
    dry_run: bool = False,
    on_progress: Callable[[CommissioningProgress], None] | None = None,
    reserved: Iterable[int] = (),
    max_rounds: int = DEFAULT_MAX_ROUNDS,
) -> CommissioningResult:
    """Address the gear that has no short address (every gear with ``readdress``).

    ``dry_run`` finds the gear and says which address each would get without programming any
    (nor deleting addresses when re-addressing). ``reserved`` short addresses are never given
    out. Raises a :class:`CommissioningError` (with ``partial``) when it cannot finish, and the
    bus's own errors when the bus fails; the gear leave the initialisation state either way.
    """
    run = _Run(bus, readdress=readdress, dry_run=dry_run, on_progress=on_progress)
    if not readdress:
        run.progress("checking", "Looking for gear without a short address")
        waiting = await run.send(QueryMissingShortAddress(GearBroadcast()))
        if waiting is None or waiting.raw_value is None:
            run.progress("done", "Every gear has a short address: nothing to do")
            return CommissioningResult(readdress=readdress, dry_run=dry_run, nothing_to_do=True)
        in_use = set()
        for first in range(0, len(SHORT_ADDRESSES), IN_USE_CHUNK):  # short transactions
            in_use |= await run.send(
                _addresses_in_use(SHORT_ADDRESSES[first : first + IN_USE_CHUNK])
            )
    else:
        in_use = set()
        if not dry_run:
            await run.send(_delete_short_addresses())
    blocked = set(in_use) | set(reserved)
    run.free = [a for a in SHORT_ADDRESSES if a not in blocked]
    try:
        await run.search(max_rounds)
    finally:
        with suppress(DaliError):
            await run.send(Terminate())
    result = await run.identify()
    if run.left_without_address:
        raise NoFreeShortAddressError(run.left_without_address, result)
    found = len(result.addressed)
    run.progress("done", f"Commissioning finished: {found} gear addressed")
    if not found and readdress:  # no gear on the line at all
        return CommissioningResult(readdress=readdress, dry_run=dry_run, nothing_to_do=True)
    return result


class _Run:
    """The state of one commissioning run."""

    def __init__(
        self,
        bus: DaliBus,
        *,
        readdress: bool,
        dry_run: bool,
        on_progress: Callable[[CommissioningProgress], None] | None,
    ) -> None:
        self.bus = bus
        self.readdress = readdress
        self.dry_run = dry_run
        self.on_progress = on_progress
        self.free: list[int] = []
        self.found: list[AddressedGear] = []
        self.collisions = 0
        self.left_without_address = 0

    async def send(self, message: Any) -> Any:
        return await self.bus.send(message, priority=COMMISSIONING_PRIORITY)

    def progress(self, stage: str, message: str) -> None:
        _LOGGER.info("DALI commissioning: %s", message)
        if self.on_progress is not None:
            self.on_progress(
                CommissioningProgress(stage, len(self.found), self.collisions, message)
            )

    def result(self) -> CommissioningResult:
        return CommissioningResult(
            tuple(self.found), self.collisions, dry_run=self.dry_run, readdress=self.readdress
        )

    async def search(self, max_rounds: int) -> None:
        await self.send(_start(self.readdress))
        rounds_in_a_row = 0
        while True:
            await self.send(_randomise())
            self.progress("searching", "Searching for gear by random address")
            while True:
                address = self.free[0] if self.free else None
                try:
                    kind, random_address = await self.send(
                        _find_one(None if self.dry_run else address)
                    )
                except LookupError as err:
                    raise ProgrammingFailedError(err.args[0], self.result()) from err
                if kind == "none":
                    return
                if kind == "collision":
                    self.collisions += 1
                    rounds_in_a_row += 1
                    self.progress(
                        "collision",
                        f"Several gear drew random address {random_address:#08x}: drawing again",
                    )
                    if rounds_in_a_row >= max_rounds:
                        raise UnresolvedCollisionError(
                            random_address, rounds_in_a_row, self.result()
                        )
                    break
                rounds_in_a_row = 0
                if address is None:
                    self.left_without_address += 1
                    self.progress("addressed", "Gear found but no free short address is left")
                    continue
                self.free.pop(0)
                self.found.append(AddressedGear(address, random_address))
                verb = "would get" if self.dry_run else "got"
                self.progress(
                    "addressed", f"Gear {random_address:#08x} {verb} short address {address}"
                )

    async def identify(self) -> CommissioningResult:
        """Read bank 0 of every gear that got an address (not in a dry run)."""
        if self.dry_run or not self.found:
            return self.result()
        self.progress("identifying", "Reading the new gear's GTIN and serial numbers")
        identified = []
        for gear in self.found:
            try:
                gtin, serial = await self.send(_read_identity(GearShort(gear.short_address)))
            except (DALISequenceError, ResponseError):  # garbled: known by its address only
                gtin = serial = None
            identified.append(AddressedGear(gear.short_address, gear.random_address, gtin, serial))
        self.found = identified
        return self.result()


async def set_groups(bus: DaliBus, short_address: int, groups: Iterable[int]) -> frozenset[int]:
    """Make the gear at ``short_address`` a member of exactly ``groups``; return them as read back.

    One transaction: the gear must answer first (else :class:`GearNotAnsweringError` and
    nothing is written); only the groups that change are written (python-dali's ``SetGroups``
    reads the membership first), and the membership is read back
    (:class:`GroupsNotVerifiedError` when it differs). ``ValueError`` for a group outside 0-15.
    """
    wanted = frozenset(groups)
    if not 0 <= short_address <= 63:
        raise ValueError(f"short address {short_address} is not 0-63")
    if outside := sorted(g for g in wanted if g not in GROUPS):
        raise ValueError(f"groups {outside} are not 0-15")
    result: frozenset[int] = await bus.send(
        _write_groups(short_address, wanted), priority=COMMISSIONING_PRIORITY
    )
    return result


def _write_groups(short_address: int, wanted: frozenset[int]) -> Sequence:
    short = GearShort(short_address)
    present = yield QueryControlGearPresent(short)
    if present is None or present.raw_value is None:
        raise GearNotAnsweringError(short_address)
    if present.raw_value.error:
        raise GearNotAnsweringError(short_address, garbled=True)
    try:
        yield from SetGroups(short, set(wanted))
        read = frozenset((yield from QueryGroups(short)))
    except DALISequenceError as err:
        raise GearNotAnsweringError(short_address) from err
    if read != wanted:
        raise GroupsNotVerifiedError(short_address, wanted, read)
    return read


async def identify(
    bus: DaliBus, *, short_address: int | None = None, group: int | None = None
) -> None:
    """Start the identification procedure (DALI-2 ``IdentifyDevice``) of one gear or a group.

    The gear runs it for 10 s (blinking, as its maker chose); one send-twice command, sent
    ahead of scans and polls.
    """
    if (short_address is None) == (group is None):
        raise ValueError("identify one gear or one group")
    destination = GearShort(short_address) if short_address is not None else GearGroup(group)
    await bus.send(IdentifyDevice(destination), priority=COMMAND_PRIORITY)
