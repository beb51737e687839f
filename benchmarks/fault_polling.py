"""Bus share of fault polling on a simulated line of 64 fittings, over an hour.

Run: ``.venv/bin/python -m benchmarks.fault_polling``

The fault monitor's sweep (every fitting's ``QueryStatus`` once per 5 minutes, spread over
the minute-by-minute polls; the DT6 LED detail when a status shows a failure and once an hour
otherwise) runs for one hour of simulated time. Its bus time (DALI frame timing of part 101,
charged by the bus) is set against the hour: the goal is under 2 %. The baseline is the
physical limit of the same run: the bus time the whole hour holds, and the queries per
second a bus can carry at all. A naive poll (every fitting's status, LED detail and gear
failure query every minute) is shown for comparison.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dali.address import GearShort
from dali.gear import general, led

from benchmarks.summary import emit
from custom_components.smart_lighting_ai.dali import DaliBus, GearInfo
from custom_components.smart_lighting_ai.dali.backends.simulated import (
    SimulatedBackend,
    default_installation,
)
from custom_components.smart_lighting_ai.dali.sim_status import LED_OPEN_CIRCUIT
from custom_components.smart_lighting_ai.dali.status import StatusSweep
from custom_components.smart_lighting_ai.dali.timing import command_cost
from custom_components.smart_lighting_ai.faults import LED_EVERY_S, SWEEP_S

FITTINGS = 64
HOUR_S = 3600.0
POLL_EVERY_S = 60.0  # the coordinator's read-back interval: the pollers run after each
GOAL = 0.02


def _inventory(sim: SimulatedBackend) -> list[GearInfo]:
    return [
        GearInfo(
            short_address=g.short_address,
            device_types=g.device_types,
            groups=frozenset(g.groups),
            gtin=g.gtin,
            serial=g.serial,
        )
        for g in sim.gear
        if g.short_address is not None
    ]


async def _line(faulty: bool) -> tuple[DaliBus, SimulatedBackend]:
    sim = SimulatedBackend(default_installation(FITTINGS), meter_clock=lambda: 0.0)
    if faulty:  # four failed DT6 fittings and two that no longer answer
        for unit in sim.gear[40:44]:
            unit.led_failure = LED_OPEN_CIRCUIT
        for unit in sim.gear[10:12]:
            unit.responding = False
    bus = DaliBus(sim)
    await bus.connect()
    return bus, sim


async def sweep_share(faulty: bool) -> tuple[float, int]:
    """Bus seconds and commands the sweep spends in one hour."""
    bus, sim = await _line(faulty)
    gear = _inventory(sim)
    sweep = StatusSweep(bus, lambda: gear, sweep_s=SWEEP_S, led_every_s=LED_EVERY_S)
    now = 0.0
    await sweep.poll(now)
    while now < HOUR_S:
        now += POLL_EVERY_S
        await sweep.poll(now)
    return bus.bus_time_s, bus.commands_sent


async def naive_share() -> float:
    """Bus seconds of polling every fitting's status, LED detail and gear failure each minute."""
    bus, sim = await _line(faulty=False)
    for _minute in range(int(HOUR_S / POLL_EVERY_S)):
        for info in _inventory(sim):
            address = GearShort(info.short_address)
            await bus.send(general.QueryStatus(address), priority=5)
            await bus.send(general.QueryControlGearFailure(address), priority=5)
            if 6 in info.device_types:
                await bus.send(led.QueryFailureStatus(address), priority=5)
    return bus.bus_time_s


def _query_limit_per_s() -> float:
    """Answered queries per second the bus can carry at all (the physical limit)."""
    cost = command_cost(
        device_type=0, send_twice=False, expects_answer=True, answered=True, priority=1
    )
    return 1 / cost.seconds


async def main_async() -> None:
    """Print the figures."""
    limit = _query_limit_per_s()
    print(f"Fault polling on a simulated line of {FITTINGS} fittings, one hour simulated")
    print(f"physical limit: {HOUR_S:.0f} s of bus time per hour, {limit:.1f} answered queries/s")
    rows = []
    for faulty in (False, True):
        seconds, commands = await sweep_share(faulty)
        share = seconds / HOUR_S
        label = "with 4 failed and 2 missing" if faulty else "healthy line"
        print(
            f"{label:28}: {commands:5d} commands, {seconds:7.1f} s of bus time in "
            f"{HOUR_S:.0f} s = {share:.2%} of the bus "
            f"({commands / HOUR_S:.2f} queries/s of {limit:.1f}); goal < {GOAL:.0%}: "
            f"{'met' if share < GOAL else 'MISSED'}"
        )
        short = "failures" if faulty else "healthy"
        rows.append((f"fault polling bus time, {short} line (vs 1 h)", seconds, HOUR_S, "s"))
    naive = await naive_share()
    print(f"{'naive poll every minute':28}: {naive:7.1f} s of bus time = {naive / HOUR_S:.2%}")
    emit("faults", rows)


def main() -> None:
    """Run the benchmark."""
    asyncio.run(main_async())


if __name__ == "__main__":
    main()
