"""Real energy (contract C17): metered active energy from bank 202 where a fitting has it.

:class:`EnergyMeters` reads the fittings' bank 202 through the bus-state coordinator's
poller: each fitting is probed once (a gear without bank 202 costs three frames to find out,
and is probed again once a day), and a metered one is read every ``READ_EVERY_S``. Each poll
spends at most about ``BUS_BUDGET_S`` of bus time, so meters never crowd the bus.

Every fitting gets an energy sensor (in ``sensor.py``): the metered kWh where its meter
answers (attribute ``source: metered``, with the active power), else an estimate from its
level and rated power (``source: estimated``). The group energy sensor adds its metered
members' readings and estimates only the rest (:class:`GroupMetering`).
"""

from __future__ import annotations

from dali.address import GearShort
from dali.gear import general
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .const import CONF_RATED_WATTS, DEFAULT_WATTS_PER_GEAR, LOGGER
from .dali import DaliBus, DaliError, GearInfo
from .dali.energy import METER_PRIORITY, EnergyReading, async_read_energy
from .runtime import SmartLightingConfigEntry

READ_EVERY_S = 900.0  # a metered fitting once per 15 minutes
PROBE_AGAIN_S = 86_400.0  # a fitting without bank 202 is asked again once a day
BUS_BUDGET_S = 1.0  # bus time one poll may spend on meters (of 60 s between polls)
SOURCE_METERED = "metered"
SOURCE_ESTIMATED = "estimated"
SOURCE_MIXED = "mixed"


async def async_setup_meters(hass: HomeAssistant, entry: SmartLightingConfigEntry) -> EnergyMeters:
    """Read the fittings' meters with the coordinator's polls until the entry unloads."""
    meters = EnergyMeters(entry)
    entry.async_on_unload(entry.runtime_data.state.add_poller(meters.async_poll))
    return meters


class EnergyMeters:
    """The last bank 202 reading of every metered fitting, by fitting key."""

    def __init__(self, entry: SmartLightingConfigEntry) -> None:
        """Read the meters of ``entry``'s fittings."""
        self._data = entry.runtime_data
        self.readings: dict[str, EnergyReading] = {}
        self._next: dict[str, float] = {}  # when each fitting is read (or probed) next

    def reading(self, key: str) -> EnergyReading | None:
        """The last reading of fitting ``key`` with a metered energy, else None."""
        reading = self.readings.get(key)
        return reading if reading is not None and reading.energy_wh is not None else None

    def due(self, now: float) -> list[GearInfo]:
        """The fittings whose meter is due at ``now``, the longest waiting first."""
        gear = self._data.controller.inventory.gear
        faults = self._data.faults
        return sorted(
            (
                g
                for g in gear
                if self._next.get(g.key, 0.0) <= now and not (faults and faults.missing(g))
            ),
            key=lambda g: self._next.get(g.key, 0.0),
        )

    async def async_poll(self) -> None:
        """Read due meters until this poll's bus budget is spent."""
        now = dt_util.utcnow().timestamp()
        bus = self._data.bus
        start = bus.bus_time_s
        for gear in self.due(now):
            if bus.bus_time_s - start >= BUS_BUDGET_S:
                return
            try:
                reading = await async_read_energy(bus, gear.short_address)
                # no bank 202, or no fitting at all? Only one that answers has no meter
                present = reading is not None or await _answers(bus, gear.short_address)
            except DaliError as err:
                LOGGER.debug("Reading the meter of DALI fitting %s failed: %s", gear.key, err)
                return
            if reading is None:  # a meter that was there, or a silent fitting: asked again soon
                was_metered = self.readings.pop(gear.key, None) is not None
                soon = was_metered or not present
                self._next[gear.key] = now + (READ_EVERY_S if soon else PROBE_AGAIN_S)
            else:
                self.readings[gear.key] = reading
                self._next[gear.key] = now + READ_EVERY_S


async def _answers(bus: DaliBus, short_address: int) -> bool:
    response = await bus.send(
        general.QueryControlGearPresent(GearShort(short_address)), priority=METER_PRIORITY
    )
    return bool(response is not None and response.raw_value is not None)


def fitting_watts(entry: SmartLightingConfigEntry, gear: GearInfo) -> float:
    """A fitting's rated power: its share of its group's rated power option, else 10 W."""
    configured = entry.options.get(CONF_RATED_WATTS, {})
    for group in sorted(gear.groups):
        info = entry.runtime_data.controller.groups.get(group)
        if str(group) in configured and info is not None and info.members:
            return float(configured[str(group)]) / len(info.members)
    return DEFAULT_WATTS_PER_GEAR


class GroupMetering:
    """The metered part of a group's energy: what its metered members used between reads."""

    def __init__(self, entry: SmartLightingConfigEntry, group: int) -> None:
        """Follow the members of group ``group``."""
        self._data = entry.runtime_data
        self._group = group
        self._last: dict[str, float] = {}  # Wh each metered member showed at the last take
        self.metered_members = 0
        self.members = 0

    def take(self) -> tuple[float, float]:
        """(kWh the metered members used since the last take, share still to be estimated).

        A member counts as metered from its second take with a reading on: its first reading
        only sets where its counting starts, and up to then it was estimated. A member whose
        meter stopped answering is estimated again, from scratch.
        """
        info = self._data.controller.groups.get(self._group)
        meters = self._data.meters
        members = info.members if info is not None else ()
        used_wh = 0.0
        metered = 0
        for gear in members:
            reading = meters.reading(gear.key) if meters is not None else None
            if reading is None or reading.energy_wh is None:
                self._last.pop(gear.key, None)
                continue
            if (last := self._last.get(gear.key)) is not None:
                metered += 1
                used_wh += max(0.0, reading.energy_wh - last)
            self._last[gear.key] = reading.energy_wh
        self.metered_members, self.members = metered, len(members)
        share = 1.0 - metered / len(members) if members else 1.0
        return used_wh / 1000, share

    @property
    def source(self) -> str:
        """``metered``, ``estimated`` or ``mixed``, as of the last take."""
        if self.members and self.metered_members == self.members:
            return SOURCE_METERED
        return SOURCE_MIXED if self.metered_members else SOURCE_ESTIMATED
