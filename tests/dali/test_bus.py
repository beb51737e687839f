"""DaliBus: serialised prioritised transactions, counters, timeouts and reconnection."""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from typing import Any

import pytest
from dali.address import GearGroup, GearShort
from dali.command import Command
from dali.gear import general
from dali.sequences import progress, sleep

from custom_components.smart_lighting_ai.dali import (
    DaliBus,
    DaliConnectionError,
    DaliNotConnectedError,
    DaliTimeoutError,
)
from custom_components.smart_lighting_ai.dali.backends.simulated import SimulatedBackend
from custom_components.smart_lighting_ai.dali.timing import FORWARD_FRAME_S, PRIORITY_SETTLING_S


async def _bus(**kwargs: Any) -> tuple[DaliBus, SimulatedBackend]:
    sim = SimulatedBackend()
    bus = DaliBus(sim, reconnect_delays=(0.01,), **kwargs)
    await bus.connect()
    return bus, sim


async def test_counts_frames_and_bus_time() -> None:
    bus, _ = await _bus()
    await bus.send(general.DAPC(GearGroup(0), 100))
    assert bus.frames_sent == 1
    assert bus.bus_time_s == pytest.approx(FORWARD_FRAME_S + PRIORITY_SETTLING_S[5])
    await bus.send(general.SetFadeTime(GearGroup(0)))  # send-twice configuration command
    assert bus.frames_sent == 3
    await bus.send(general.QueryActualLevel(GearShort(0)), counted=False)
    assert bus.frames_sent == 3
    assert bus.commands_sent == 2


async def test_sequence_answers_flow_back_and_sleep_and_progress_are_honoured() -> None:
    bus, _ = await _bus()

    def seq() -> Generator[Any, Any, tuple[int, int]]:
        yield general.DAPC(GearShort(1), 42)
        yield progress(message="half way")
        yield sleep(0.001)
        level = yield general.QueryActualLevel(GearShort(1))
        maximum = yield general.QueryMaxLevel(GearShort(1))
        return level.value, maximum.value

    assert await bus.send(seq()) == (42, 254)


async def test_transactions_do_not_interleave_and_best_priority_goes_first() -> None:
    bus, sim = await _bus(realtime=True)
    order: list[str] = []

    def tagged(tag: str, commands: list[Command]) -> Generator[Any, Any]:
        for command in commands:
            yield command
            order.append(tag)

    first = asyncio.create_task(
        bus.send(tagged("scan", [general.QueryActualLevel(GearShort(0))] * 3), priority=5)
    )
    await asyncio.sleep(0)
    low = asyncio.create_task(
        bus.send(tagged("poll", [general.QueryActualLevel(GearShort(1))] * 2), priority=5)
    )
    high = asyncio.create_task(
        bus.send(tagged("user", [general.DAPC(GearGroup(0), 10)] * 2), priority=2)
    )
    await asyncio.gather(first, low, high)
    assert order == ["scan"] * 3 + ["user"] * 2 + ["poll"] * 2


async def test_timeout_frees_the_bus() -> None:
    bus, sim = await _bus(timeout=0.02)
    sim.hang = True
    with pytest.raises(DaliTimeoutError):
        await bus.send(general.QueryActualLevel(GearShort(0)))
    assert bus.errors == 1
    assert bus.last_error == "transaction timed out"
    sim.hang = False
    await bus.send(general.DAPC(GearShort(0), 5))
    assert sim.gear[0].actual_level == 5


async def test_cancelled_waiter_does_not_block_others() -> None:
    bus, sim = await _bus(timeout=1)
    sim.hang = True
    stuck = asyncio.create_task(bus.send(general.QueryActualLevel(GearShort(0))))
    await asyncio.sleep(0)
    waiting = asyncio.create_task(bus.send(general.DAPC(GearShort(0), 9)))
    await asyncio.sleep(0)
    waiting.cancel()
    stuck.cancel()
    sim.hang = False
    for task in (stuck, waiting):
        with pytest.raises(asyncio.CancelledError):
            await task
    await bus.send(general.DAPC(GearShort(0), 7))
    assert sim.gear[0].actual_level == 7


async def test_not_connected_and_reconnect_with_backoff() -> None:
    bus, sim = await _bus()
    events: list[bool] = []
    unsubscribe = bus.add_connection_listener(events.append)
    sim.unplug()
    assert events == [False]
    with pytest.raises(DaliNotConnectedError):
        await bus.send(general.DAPC(GearShort(0), 1))
    await asyncio.sleep(0.05)  # attempts fail while unplugged
    assert not bus.connected
    sim.plug_in()
    for _ in range(100):
        if bus.connected:
            break
        await asyncio.sleep(0.01)
    assert events == [False, True]
    unsubscribe()
    await bus.close()
    assert not bus.connected


async def test_error_during_transaction_starts_reconnect() -> None:
    class Flaky(SimulatedBackend):
        fail = True

        async def send_command(self, command: Command) -> Any:
            if self.fail:
                self.fail = False
                self._connected = False
                raise DaliConnectionError("USB transfer failed")
            return await super().send_command(command)

    sim = Flaky()
    bus = DaliBus(sim, reconnect_delays=(0.01,))
    await bus.connect()
    with pytest.raises(DaliConnectionError):
        await bus.send(general.DAPC(GearShort(0), 1))
    assert bus.last_error == "USB transfer failed"
    for _ in range(100):
        if bus.connected:
            break
        await asyncio.sleep(0.01)
    await bus.send(general.DAPC(GearShort(0), 3))
    assert sim.gear[0].actual_level == 3
    await bus.close()


async def test_traffic_from_other_masters_is_reported() -> None:
    bus, sim = await _bus()
    seen: list[Command] = []
    unsubscribe = bus.add_traffic_listener(seen.append)
    sim.inject(general.DAPC(GearGroup(3), 77))
    assert [type(c) for c in seen] == [general.DAPC]
    assert sim.gear[12].actual_level == 77
    unsubscribe()
    sim.inject(general.Off(GearGroup(3)))
    assert len(seen) == 1
    assert bus.kind == "simulated"


async def test_bad_priority_is_refused() -> None:
    bus, _ = await _bus()
    with pytest.raises(ValueError, match="priority"):
        await bus.send(general.DAPC(GearShort(0), 1), priority=0)
