"""Keeping group state true to the bus: periodic read-back, other masters, bus-side overrides."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from dali.address import GearBroadcast, GearGroup, GearShort
from dali.command import Command
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval

from .const import LOGGER, READ_BACK_INTERVAL_S
from .dali import DaliError, GroupController, GroupState
from .overrides import ORIGIN_BUS
from .runtime import SmartLightingConfigEntry
from .setpoints import pct_from_level


def watch_the_bus(hass: HomeAssistant, entry: SmartLightingConfigEntry) -> list[Callable[[], None]]:
    """Read every group back each minute and after frames from other masters.

    A level found on the bus that nobody here set is a manual override (for a
    group under automatic control). Returns the unsubscribe callbacks.
    """
    data = entry.runtime_data
    controller = data.controller

    async def _read_back_all(_now: object) -> None:
        await async_read_back(controller, list(controller.groups))

    @callback
    def _bus_traffic(command: Command) -> None:
        if groups := groups_addressed(controller, command):
            entry.async_create_task(
                hass,
                async_read_back(controller, groups, while_fading=True),
                "dali read-back",
            )

    @callback
    def _changed_on_the_bus(group: int, state: GroupState) -> None:
        if data.auto_control.get(group):
            entry.async_create_task(
                hass,
                data.overrides.async_record(
                    group, ORIGIN_BUS, is_on=state.is_on, brightness_pct=pct_from_level(state.level)
                ),
                "dali override",
            )

    return [
        async_track_time_interval(hass, _read_back_all, timedelta(seconds=READ_BACK_INTERVAL_S)),
        data.bus.add_traffic_listener(_bus_traffic),
        controller.add_external_change_listener(_changed_on_the_bus),
    ]


async def async_read_back(
    controller: GroupController, groups: list[int], *, while_fading: bool = False
) -> None:
    """Refresh ``groups`` from the gear; a bus problem leaves the known state in place."""
    for number in groups:
        try:
            await controller.read_back(number, while_fading=while_fading)
        except DaliError as err:
            LOGGER.debug("Read-back of DALI group %d failed: %s", number, err)
            return


def groups_addressed(controller: GroupController, command: Command) -> list[int]:
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
