"""The bus-state coordinator: what every DALI group shows, kept true to the bus.

It owns the state of the groups. The state comes from three places:
- this integration's own commands (the group controller pushes each change at once);
- a read-back of every group once a minute (Home Assistant's coordinator schedule);
- frames from other masters on the line (a wall panel): the groups they address are
  read back at once.

A change nobody here made (frames from another master, or a read-back that finds a level
nobody set) is reported to the manual-change listeners: the decision loop turns it into an
override. Lights, energy and diagnostic sensors are CoordinatorEntity's of this coordinator;
none of them polls or keeps a timer of its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from dali.address import GearBroadcast, GearGroup, GearShort
from dali.command import Command
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from .const import DOMAIN, LOGGER, READ_BACK_INTERVAL_S
from .dali import DaliBus, DaliError, GearInfo, GroupController, GroupState
from .runtime import SmartLightingConfigEntry

type ManualChangeListener = Callable[[int, GroupState | None], None]
type Poller = Callable[[], Awaitable[None]]


class BusStateCoordinator(DataUpdateCoordinator[dict[int, GroupState]]):
    """The state of every group of one bus, as its entities show it."""

    config_entry: SmartLightingConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: SmartLightingConfigEntry,
        bus: DaliBus,
        controller: GroupController,
    ) -> None:
        """Follow ``controller``'s groups on ``bus``."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} bus state",
            update_interval=timedelta(seconds=READ_BACK_INTERVAL_S),
            always_update=True,  # the energy sensors count on every read-back
        )
        self.bus = bus
        self.controller = controller
        self._manual_change_listeners: list[ManualChangeListener] = []
        self._traffic_reads: set[int] = set()
        self._pollers: list[Poller] = []
        self._frame_listeners: list[Callable[[Command], None]] = []

    @property
    def connected(self) -> bool:
        """Whether the bus can be used now."""
        return self.bus.connected

    def state(self, group: int) -> GroupState:
        """What group ``group`` shows now."""
        return self.controller.states[group]

    def gear_state(self, short_address: int) -> GroupState:
        """What the fitting at ``short_address`` shows now (off when never read)."""
        return self.controller.gear_states.get(short_address, GroupState())

    def add_manual_change_listener(self, listener: ManualChangeListener) -> CALLBACK_TYPE:
        """Call ``listener(group, state)`` for a change nobody here made.

        ``state`` is None the moment another master's frame is seen (before the
        group was read back), then the state read back.
        """
        self._manual_change_listeners.append(listener)
        return lambda: self._manual_change_listeners.remove(listener)

    @callback
    def async_follow_the_bus(self) -> list[CALLBACK_TYPE]:
        """Take pushes from the controller, the connection and other masters."""
        return [
            self.controller.add_listener(self._group_changed),
            self.controller.add_gear_listener(self._group_changed),
            self.controller.add_external_change_listener(self._changed_on_the_bus),
            self.bus.add_connection_listener(self._connection_changed),
            self.bus.add_traffic_listener(self._traffic),
        ]

    def add_poller(self, poller: Poller) -> CALLBACK_TYPE:
        """Run ``poller()`` after each periodic read-back (fault, emergency, meter reads).

        A poller keeps its own results and catches its own bus errors; the entities that
        show them are this coordinator's, so they are written after every update.
        """
        self._pollers.append(poller)
        return lambda: self._pollers.remove(poller)

    def add_frame_listener(self, listener: Callable[[Command], None]) -> CALLBACK_TYPE:
        """Call ``listener(command)`` for every frame another master or input device sent.

        That includes queries and 24-bit input-device frames, which do not change groups.
        """
        self._frame_listeners.append(listener)
        return lambda: self._frame_listeners.remove(listener)

    async def _async_update_data(self) -> dict[int, GroupState]:
        """Read every group back, then run the pollers; a bus problem keeps the known state."""
        await self.async_read_back(list(self.controller.groups))
        try:
            await self.controller.read_gears(self.controller.inventory.ungrouped())
        except DaliError as err:
            LOGGER.debug("Read-back of DALI fittings in no group failed: %s", err)
        for poller in list(self._pollers):
            await poller()
        return dict(self.controller.states)

    async def async_read_back(self, groups: list[int], *, while_fading: bool = False) -> None:
        """Refresh ``groups`` from the gear; a bus problem leaves the known state in place."""
        for number in groups:
            try:
                await self.controller.read_back(number, while_fading=while_fading)
            except DaliError as err:
                LOGGER.debug("Read-back of DALI group %d failed: %s", number, err)
                return

    @callback
    def _group_changed(self, _group: int) -> None:
        self.async_set_updated_data(dict(self.controller.states))

    @callback
    def _connection_changed(self, _connected: bool) -> None:
        self.async_update_listeners()

    @callback
    def _changed_on_the_bus(self, group: int, state: GroupState) -> None:
        if group not in self._traffic_reads:  # those report once their read-back is done
            self._report(group, state)

    @callback
    def _traffic(self, command: Command) -> None:
        for listener in list(self._frame_listeners):
            listener(command)
        if command.response is not None:  # a query changes nothing
            return
        if fittings := fittings_addressed(self.controller, command):
            self.config_entry.async_create_background_task(
                self.hass, self._read_fittings(fittings), f"{DOMAIN} fitting read-back"
            )
        groups = groups_addressed(self.controller, command)
        if not groups:
            return
        for group in groups:
            self._report(group, None)  # before any await: a queued automatic command sees it
        self._traffic_reads.update(groups)
        self.config_entry.async_create_background_task(
            self.hass, self._read_after_traffic(groups), f"{DOMAIN} read-back after bus traffic"
        )

    async def _read_fittings(self, fittings: tuple[GearInfo, ...]) -> None:
        try:
            await self.controller.read_gears(fittings)
        except DaliError as err:
            LOGGER.debug("Read-back of DALI fittings after bus traffic failed: %s", err)

    async def _read_after_traffic(self, groups: list[int]) -> None:
        try:
            await self.async_read_back(groups, while_fading=True)
        finally:
            self._traffic_reads.difference_update(groups)
        for group in groups:
            self._report(group, self.controller.states.get(group))

    def _report(self, group: int, state: GroupState | None) -> None:
        for listener in list(self._manual_change_listeners):
            listener(group, state)


def fittings_addressed(controller: GroupController, command: Command) -> tuple[GearInfo, ...]:
    """The fittings in no group that a frame from another master changes.

    Fittings in a group are read back with their group.
    """
    destination = getattr(command, "destination", None)
    ungrouped = controller.inventory.ungrouped()
    if isinstance(destination, GearShort):
        return tuple(g for g in ungrouped if g.short_address == destination.address)
    if isinstance(destination, GearBroadcast):
        return ungrouped
    return ()


def groups_addressed(controller: GroupController, command: Command) -> list[int]:
    """The groups a frame from another master changes."""
    destination = getattr(command, "destination", None)
    if isinstance(destination, GearGroup):
        return [destination.group] if destination.group in controller.groups else []
    if isinstance(destination, GearShort):
        return sorted(
            n
            for n, info in controller.groups.items()
            if any(g.short_address == destination.address for g in info.members)
        )
    if isinstance(destination, GearBroadcast):
        return list(controller.groups)
    return []
