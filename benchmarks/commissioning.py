"""Commissioning figures: frames and bus time to address N new gear (N = 2, 8, 32).

Run: ``.venv/bin/python -m benchmarks.commissioning``

The line holds 16 addressed gear and N gear without a short address, each with a fixed random
address (seeded, the same for every run). Ours is ``dali.commissioning.commission`` on the
simulator through ``DaliBus`` (frames and bus time as charged by ``dali.timing``). The baseline,
measured in the same run, is python-dali's own ``dali.sequences.Commissioning``: its frame
count on python-dali's fake gear (``dali.tests.fakes``, a send-twice command counted as two
frames, as on the wire), and its bus time when the same sequence runs on our simulator through
``DaliBus`` (the two frame counts agree; ``tests/dali/test_sim_addressing.py`` checks that).

Ours also reads each new gear's GTIN and serial number from bank 0, which python-dali's
sequence does not: the "search" rows leave those reads out so that like is compared with like.
"""

from __future__ import annotations

import asyncio
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dali.command import Command
from dali.gear import general
from dali.sequences import Commissioning
from dali.tests import fakes

from benchmarks.summary import emit
from custom_components.smart_lighting_ai.dali import DaliBus
from custom_components.smart_lighting_ai.dali.backends.simulated import SimulatedBackend
from custom_components.smart_lighting_ai.dali.commissioning import (
    COMMISSIONING_PRIORITY,
    commission,
)
from custom_components.smart_lighting_ai.dali.sim_gear import SimGear

ADDRESSED = 16
NEW_GEAR = (2, 8, 32)
SEED = 62386
_IDENTITY = (general.ReadMemoryLocation, general.DTR0, general.DTR1)


def _random_addresses(count: int) -> list[int]:
    return random.Random(f"{SEED}-{count}").sample(range(0x100_0000), count)


def _our_line(randoms: list[int]) -> SimulatedBackend:
    gear = [
        SimGear(short_address=a, serial=1000 + a, gtin=4_012_345_000_023) for a in range(ADDRESSED)
    ]
    for index, address in enumerate(randoms):
        unit = SimGear(short_address=None, serial=2000 + index, gtin=4_012_345_000_023)
        unit.addressing.random_preload = [address]
        gear.append(unit)
    return SimulatedBackend(gear)


def _fake_frames(randoms: list[int]) -> int:
    bus = fakes.Bus(
        [fakes.Gear(a) for a in range(ADDRESSED)]
        + [fakes.Gear(None, random_preload=[r]) for r in randoms]
    )
    frames = 0
    send = bus.send

    def counting(command: Command) -> Any:
        nonlocal frames
        frames += 2 if command.sendtwice else 1
        return send(command)

    bus.send = counting  # type: ignore[method-assign]
    bus.run_sequence(Commissioning())
    assert all(g.shortaddr is not None for g in bus.gear)
    return frames


async def _ours(randoms: list[int]) -> tuple[int, float, int]:
    """Frames, bus seconds, and frames without the bank 0 reads."""
    backend = _our_line(randoms)
    bus = DaliBus(backend, timeout=600)
    await bus.connect()
    result = await commission(bus)
    assert len(result.addressed) == len(randoms)
    identity = sum(isinstance(c, _IDENTITY) for c in backend.log)
    return bus.frames_sent, bus.bus_time_s, bus.frames_sent - identity


async def _python_dali_on_ours(randoms: list[int]) -> tuple[int, float]:
    backend = _our_line(randoms)
    bus = DaliBus(backend, timeout=600)
    await bus.connect()
    await bus.send(Commissioning(), priority=COMMISSIONING_PRIORITY)
    assert all(g.short_address is not None for g in backend.gear)
    return bus.frames_sent, bus.bus_time_s


async def figures() -> list[dict[str, Any]]:
    """One row per N: ours against python-dali's sequence."""
    rows = []
    for count in NEW_GEAR:
        randoms = _random_addresses(count)
        frames, seconds, search_frames = await _ours(randoms)
        baseline_frames = _fake_frames(randoms)
        baseline_on_ours, baseline_seconds = await _python_dali_on_ours(randoms)
        assert baseline_on_ours == baseline_frames
        rows.append(
            {
                "n": count,
                "frames": frames,
                "search_frames": search_frames,
                "seconds": seconds,
                "baseline_frames": baseline_frames,
                "baseline_seconds": baseline_seconds,
            }
        )
    return rows


def main() -> None:
    """Print the table and hand the headline figures to the summary."""
    rows = asyncio.run(figures())
    print(f"Commissioning N new gear on a line of {ADDRESSED} addressed gear + N")
    print(
        f"{'N':>3} {'ours frames':>12} {'(search)':>9} {'ours bus s':>11} "
        f"{'python-dali frames':>19} {'python-dali bus s':>18} {'frames ratio':>13} "
        f"{'time ratio':>11}"
    )
    summary = []
    for row in rows:
        frame_ratio = row["baseline_frames"] / row["search_frames"]
        time_ratio = row["baseline_seconds"] / row["seconds"]
        print(
            f"{row['n']:>3} {row['frames']:>12} {row['search_frames']:>9} "
            f"{row['seconds']:>11.2f} {row['baseline_frames']:>19} "
            f"{row['baseline_seconds']:>18.2f} {frame_ratio:>12.2f}x {time_ratio:>10.2f}x"
        )
        summary.append(
            (
                f"commission {row['n']} gear: frames",
                row["search_frames"],
                row["baseline_frames"],
                "frames",
            )
        )
        summary.append(
            (
                f"commission {row['n']} gear: bus time",
                round(row["seconds"], 2),
                round(row["baseline_seconds"], 2),
                "s",
            )
        )
    print(
        "ratio = python-dali's Commissioning / ours (higher is better for ours); frames ratio "
        "without our bank 0 reads, time ratio with them"
    )
    emit("commissioning", summary)


if __name__ == "__main__":
    main()
