"""From a DALI-2 button press on the bus to the ``event`` entity's state change, in software.

Run: ``.venv/bin/python -m benchmarks.button_event_latency``

A real Home Assistant instance with the simulated line (its 4-button panel at device address
0). Each sample puts one python-dali push-button event frame on the bus the way a panel
does (``SimDevice.press``: the frame reaches the interface's traffic path, as a real
interface reports it) and waits for ``state_changed`` of the button's event entity; the
interval between is the software part: traffic listener, decoding, the entity's event and
its state written. The bus itself carries the 24-bit frame in 22.5 ms (1 + 24 + 2 bits at
1200 bit/s), printed next to it.

Baselines, measured in the same run and instance: a bare ``hass.bus.async_fire`` to a
listener (the cheapest hop in Home Assistant), and the decoding of the same frame alone
(``EventDecoder.decode``).
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

from homeassistant.core import Event, HomeAssistant, callback

from benchmarks.summary import emit
from custom_components.smart_lighting_ai.dali.backends.simulated import SimulatedBackend
from custom_components.smart_lighting_ai.dali.timing import BIT_S

PRESSES = 200
BUTTON = "event.dali_input_device_0_button_1"
KINDS = ("short_press", "double_press")  # alternated, so every press is a new state
TIMEOUT_S = 5.0


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


async def _wait(hass: HomeAssistant, event_type: str, match: Any, fire: Any) -> float:
    """Seconds from ``fire()`` to the first ``event_type`` event that ``match``es."""
    loop = asyncio.get_running_loop()
    arrived: asyncio.Future[float] = loop.create_future()

    @callback
    def _seen(event: Event) -> None:
        if match(event) and not arrived.done():
            arrived.set_result(time.perf_counter())

    unsubscribe = hass.bus.async_listen(event_type, _seen)
    try:
        start = time.perf_counter()
        fire()
        async with asyncio.timeout(TIMEOUT_S):
            return await arrived - start
    finally:
        unsubscribe()


async def figures() -> dict[str, list[float]]:
    """Samples in ms: press -> state change, bare event round trip, decoding alone."""
    from homeassistant import loader
    from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
        MockConfigEntry,
        async_test_home_assistant,
    )

    import custom_components.smart_lighting_ai as integration

    backend = SimulatedBackend()
    panel = backend.devices[0]
    results: dict[str, list[float]] = {"press": [], "fire": [], "decode": []}
    with tempfile.TemporaryDirectory() as config_dir:
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            hass.config.components.add("http")  # the integration's dependency, not needed here
            hass.http = SimpleNamespace(register_view=lambda _view: None)
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)  # the harness hides custom integrations
            entry = MockConfigEntry(
                domain="smart_lighting_ai", data={"bus_type": "simulated"}, unique_id="bench"
            )
            entry.add_to_hass(hass)
            with patch.object(integration, "create_backend", return_value=backend):
                assert await hass.config_entries.async_setup(entry.entry_id)
                await hass.async_block_till_done()
            assert hass.states.get(BUTTON) is not None, "the button's event entity is missing"
            decoder = entry.runtime_data.inputs.decoder
            frame = panel.press(0, "short_press")
            await hass.async_block_till_done()

            def _is_button(event: Event) -> bool:
                return bool(event.data.get("entity_id") == BUTTON)

            for i in range(PRESSES):
                kind = KINDS[(i + 1) % 2]  # the state keeps milliseconds: never twice the same
                seconds = await _wait(
                    hass, "state_changed", _is_button, lambda kind=kind: panel.press(0, kind)
                )
                results["press"].append(seconds * 1000)
                seconds = await _wait(
                    hass, "bench_ping", lambda _e: True, lambda: hass.bus.async_fire("bench_ping")
                )
                results["fire"].append(seconds * 1000)
                start = time.perf_counter()
                decoder.decode(frame)
                results["decode"].append((time.perf_counter() - start) * 1000)
                await asyncio.sleep(0)
            await hass.config_entries.async_unload(entry.entry_id)
            await hass.async_stop(force=True)
    return results


def main() -> None:
    """Print the figures."""
    logging.basicConfig(level=logging.ERROR)
    results = asyncio.run(figures())
    bus_ms = (1 + 24 + 2) * BIT_S * 1000
    print(f"DALI-2 button press -> event entity state change ({PRESSES} presses)\n")
    print(f"{'figure':52} {'median':>10} {'p95':>10}")
    names = {
        "press": "press on the bus -> event entity state changed",
        "fire": "baseline: hass.bus.async_fire -> listener",
        "decode": "baseline: decoding the 24-bit frame alone",
    }
    for key, name in names.items():
        samples = results[key]
        print(
            f"{name:52} {statistics.median(samples):7.3f} ms {_percentile(samples, 0.95):7.3f} ms"
        )
    press = statistics.median(results["press"])
    print(
        f"\nthe event frame itself occupies the bus {bus_ms:.1f} ms: the software part is "
        f"{press / bus_ms * 100:.1f} % of it"
    )
    emit(
        "inputs",
        [
            (
                "button press -> event entity (vs bare async_fire)",
                press,
                statistics.median(results["fire"]),
                "ms",
            ),
            ("button press -> event entity (vs the frame's bus time)", press, bus_ms, "ms"),
        ],
    )


if __name__ == "__main__":
    main()
