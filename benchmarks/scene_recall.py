"""Scene figures: frames and bus time to recall a DALI scene in 1..4 groups of 4 gear.

Run: ``.venv/bin/python -m benchmarks.scene_recall``

A line of 64 gear in 16 groups, each gear storing scene 3. Ours is ``dali.scenes.recall_scene``
(one group-addressed GoToScene per group) through ``DaliBus``, frames and bus time as charged by
``dali.timing``. The physical limit is one forward frame per group: one GoToScene frame's cost
(``dali.timing.command_cost``) times the groups. The naive baseline, measured in the same run, sets
each member's scene level with its own DAPC (one frame per gear, the way a per-device integration
plays a scene). Also shown: what storing a scene costs (read every member, write those that
differ, read back) and the one-off read of a gear's stored settings that keeps recalls free of
queries.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dali.address import GearShort
from dali.gear.general import DAPC

from benchmarks.summary import emit
from custom_components.smart_lighting_ai.dali import DaliBus, scan_bus
from custom_components.smart_lighting_ai.dali.backends.simulated import (
    SimulatedBackend,
    default_installation,
)
from custom_components.smart_lighting_ai.dali.gear_config import complete_inventory, read_stored
from custom_components.smart_lighting_ai.dali.scenes import (
    RECALL_PRIORITY,
    recall_scene,
    store_scene,
)
from custom_components.smart_lighting_ai.dali.timing import command_cost

GEAR = 64
SCENE = 3
SCENE_LEVEL = 180
GROUP_COUNTS = (1, 2, 3, 4)


async def _line() -> tuple[DaliBus, SimulatedBackend, Any]:
    gear = default_installation(GEAR)
    for unit in gear:
        unit.scenes[SCENE] = SCENE_LEVEL
    sim = SimulatedBackend(gear)
    bus = DaliBus(sim)
    await bus.connect()
    inventory = await complete_inventory(bus, await scan_bus(bus))
    return bus, sim, inventory


async def _cost(bus: DaliBus, action: Any) -> tuple[int, float]:
    frames, seconds = bus.frames_sent, bus.bus_time_s
    await action()
    return bus.frames_sent - frames, bus.bus_time_s - seconds


async def figures() -> dict[str, Any]:
    """Recall rows per group count, plus the store and read-once costs."""
    bus, sim, inventory = await _line()
    groups = inventory.groups()
    limit_s = command_cost(  # one plain forward frame at the recall's priority
        device_type=0,
        send_twice=False,
        expects_answer=False,
        answered=False,
        priority=RECALL_PRIORITY,
    ).seconds
    rows = []
    for count in GROUP_COUNTS:

        async def ours(count: int = count) -> None:
            for group in range(count):
                await recall_scene(bus, group, SCENE)

        async def naive(count: int = count) -> None:
            for group in range(count):
                for gear in groups[group].members:
                    level = gear.stored.scenes[SCENE] if gear.stored else SCENE_LEVEL
                    await bus.send(
                        DAPC(GearShort(gear.short_address), level), priority=RECALL_PRIORITY
                    )

        frames, seconds = await _cost(bus, ours)
        assert {g.actual_level for g in sim.gear[: 4 * count]} == {SCENE_LEVEL}
        naive_frames, naive_seconds = await _cost(bus, naive)
        rows.append(
            {
                "groups": count,
                "frames": frames,
                "seconds": seconds,
                "limit_frames": count,
                "limit_seconds": count * limit_s,
                "naive_frames": naive_frames,
                "naive_seconds": naive_seconds,
            }
        )
    for unit in sim.gear[:4]:
        unit.actual_level = 90
    store = await _cost(bus, lambda: store_scene(bus, groups[0], SCENE))
    read_once = await _cost(bus, lambda: read_stored(bus, inventory.gear[0]))
    return {"rows": rows, "store": store, "read_once": read_once}


def main() -> None:
    """Print the table and hand the headline figures to the summary."""
    result = asyncio.run(figures())
    print(f"Scene recall on a line of {GEAR} gear in groups of 4")
    print(
        f"{'groups':>6} {'ours frames':>12} {'ours bus s':>11} {'limit frames':>13} "
        f"{'limit bus s':>12} {'per-gear DAPC frames':>21} {'DAPC bus s':>11} {'vs limit':>9}"
    )
    summary = []
    for row in result["rows"]:
        print(
            f"{row['groups']:>6} {row['frames']:>12} {row['seconds']:>11.4f} "
            f"{row['limit_frames']:>13} {row['limit_seconds']:>12.4f} "
            f"{row['naive_frames']:>21} {row['naive_seconds']:>11.4f} "
            f"{row['seconds'] / row['limit_seconds']:>8.2f}x"
        )
        summary.append(
            (
                f"scene recall {row['groups']} groups: frames",
                row["frames"],
                row["naive_frames"],
                "frames",
            )
        )
        summary.append(
            (
                f"scene recall {row['groups']} groups: bus time",
                round(row["seconds"], 4),
                round(row["naive_seconds"], 4),
                "s",
            )
        )
    store_frames, store_seconds = result["store"]
    read_frames, read_seconds = result["read_once"]
    print(f"store scene in a group of 4 (all differ): {store_frames} frames, {store_seconds:.3f} s")
    print(f"one-off read of a gear's stored settings: {read_frames} frames, {read_seconds:.3f} s")
    print("vs limit = ours / one GoToScene frame per group (1.00x is the physical limit)")
    emit("scenes", summary)


if __name__ == "__main__":
    main()
