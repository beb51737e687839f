"""Bus figures on a simulated installation of 64 gear in 16 groups.

Run: ``.venv/bin/python -m benchmarks.bus``

Prints frames and DALI bus time for a group level change, a DT8 colour change
and a full scan; the same level change sent per gear (the way a per-device
integration does it) as the baseline, with the ratio; and the software
overhead from ``light.turn_on`` to the first frame on the bus in a real Home
Assistant instance, next to the bus time of that command.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest.mock import patch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dali.address import GearShort
from dali.command import Command, Response
from dali.gear.general import DAPC

from benchmarks.summary import emit
from custom_components.smart_lighting_ai.dali import (
    DaliBus,
    GroupController,
    scan_bus,
)
from custom_components.smart_lighting_ai.dali.backends.simulated import (
    SimulatedBackend,
    default_installation,
)

GEAR = 64
TURN_ON_SAMPLES = 200


def _installation() -> list[Any]:
    return default_installation(GEAR)


async def _measure(bus: DaliBus, action: Any) -> tuple[int, float]:
    frames, seconds = bus.frames_sent, bus.bus_time_s
    await action()
    return bus.frames_sent - frames, bus.bus_time_s - seconds


async def bus_figures() -> list[tuple[str, int, float]]:
    """Frames and bus seconds per operation on the 64-gear bus."""
    sim = SimulatedBackend(_installation())
    bus = DaliBus(sim)
    await bus.connect()
    scan = await _measure(bus, lambda: scan_bus(bus))
    controller = GroupController(bus, await scan_bus(bus))
    members = controller.group(5).members

    async def per_gear() -> None:
        for gear in members:
            await bus.send(DAPC(GearShort(gear.short_address), 150), priority=2)

    rows = [
        (
            "group level change (group-addressed)",
            *await _measure(bus, lambda: controller.apply(5, level=120)),
        ),
        ("baseline: same change per gear", *await _measure(bus, per_gear)),
        ("DT8 colour change", *await _measure(bus, lambda: controller.apply(1, mirek=250))),
        (
            "DT8 colour + level change",
            *await _measure(bus, lambda: controller.apply(2, level=90, mirek=300)),
        ),
        ("full scan (64 short addresses)", *scan),
    ]
    await bus.close()
    return rows


class _TimedBackend(SimulatedBackend):
    """Records when the first command of each transaction reaches the bus."""

    first_frame_at: float | None = None

    async def send_command(self, command: Command) -> Response | None:
        if self.first_frame_at is None:
            self.first_frame_at = time.perf_counter()
        return await super().send_command(command)


async def turn_on_overhead() -> tuple[float, float, float, float]:
    """Median and p95 ms to the first frame, median ms of the whole call, the DAPC's bus ms."""
    from homeassistant import loader
    from pytest_homeassistant_custom_component.common import (
        MockConfigEntry,
        async_test_home_assistant,
    )

    import custom_components.smart_lighting_ai as integration

    backend = _TimedBackend(_installation())
    with tempfile.TemporaryDirectory() as config_dir:
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            hass.config.components.add("http")  # the integration's dependency, not needed here
            hass.http = SimpleNamespace(register_view=lambda _view: None)  # type: ignore[assignment]
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)  # the harness hides custom integrations
            entry = MockConfigEntry(
                domain="smart_lighting_ai", data={"bus_type": "simulated"}, unique_id="bench"
            )
            entry.add_to_hass(hass)
            with patch.object(integration, "create_backend", return_value=backend):
                assert await hass.config_entries.async_setup(entry.entry_id)
                await hass.async_block_till_done()
            bus = entry.runtime_data.bus
            samples: list[float] = []
            round_trips: list[float] = []
            for i in range(TURN_ON_SAMPLES):
                backend.first_frame_at = None
                start = time.perf_counter()
                await hass.services.async_call(
                    "light",
                    "turn_on",
                    {"entity_id": "light.dali_group_5", "brightness": 10 + i % 200},
                    blocking=True,
                )
                done = time.perf_counter()
                assert backend.first_frame_at is not None
                samples.append((backend.first_frame_at - start) * 1000)
                round_trips.append((done - start) * 1000)
            frames, seconds = await _measure(
                bus,
                lambda: hass.services.async_call(
                    "light",
                    "turn_on",
                    {"entity_id": "light.dali_group_5", "brightness": 3},
                    blocking=True,
                ),
            )
            await hass.config_entries.async_unload(entry.entry_id)
            await hass.async_stop(force=True)
    samples.sort()
    return (
        statistics.median(samples),
        samples[int(len(samples) * 0.95)],
        statistics.median(round_trips),
        seconds * 1000,
    )


def main() -> None:
    """Print the table."""
    logging.basicConfig(level=logging.ERROR)
    rows = asyncio.run(bus_figures())
    print(f"Simulated bus: {GEAR} gear in {GEAR // 4} groups (IEC 62386-101 frame timing)\n")
    print(f"{'operation':42} {'frames':>7} {'bus time':>10}")
    for name, frames, seconds in rows:
        print(f"{name:42} {frames:7d} {seconds * 1000:8.1f} ms")
    group, baseline = rows[0], rows[1]
    print(
        f"\ngroup-addressed vs per-gear: {baseline[1] / group[1]:.1f}x fewer frames, "
        f"{baseline[2] / group[2]:.1f}x less bus time"
    )
    emit(
        "bus",
        [
            ("frames for a group level change (vs per gear)", group[1], baseline[1], ""),
            (
                "bus time for a group level change (vs per gear)",
                group[2] * 1000,
                baseline[2] * 1000,
                "ms",
            ),
        ],
    )
    median, p95, round_trip, bus_ms = asyncio.run(turn_on_overhead())
    print(
        f"\nlight.turn_on -> first frame on the bus ({TURN_ON_SAMPLES} calls): "
        f"median {median:.3f} ms, "
        f"p95 {p95:.3f} ms; whole blocking service call {round_trip:.3f} ms (state written)\n"
        f"the DAPC itself occupies the bus {bus_ms:.1f} ms: software overhead is "
        f"{median / bus_ms * 100:.1f} % of the bus time"
    )
    emit("bus", [("light.turn_on -> first frame (vs the DAPC's bus time)", median, bus_ms, "ms")])


if __name__ == "__main__":
    main()
