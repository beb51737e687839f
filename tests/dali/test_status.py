"""Reading a fitting's health cheaply, and the round-robin sweep that bounds its bus share."""

from __future__ import annotations

from dali.gear import general, led

from custom_components.smart_lighting_ai.dali import DaliBus, GearInfo
from custom_components.smart_lighting_ai.dali.backends.simulated import (
    SimulatedBackend,
    default_installation,
)
from custom_components.smart_lighting_ai.dali.sim_status import (
    LED_OPEN_CIRCUIT,
    LED_THERMAL_OVERLOAD,
)
from custom_components.smart_lighting_ai.dali.status import (
    MISSES_FOR_MISSING,
    GearStatus,
    LedFailure,
    StatusSweep,
    read_fitting_status,
    read_status,
)


async def _bus(count: int = 16) -> tuple[DaliBus, SimulatedBackend]:
    sim = SimulatedBackend(default_installation(count), meter_clock=lambda: 0.0)
    bus = DaliBus(sim)
    await bus.connect()
    return bus, sim


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


def test_led_failure_decodes_every_bit() -> None:
    detail = LedFailure.from_byte(0b0100_0010)
    assert detail.active == ("open_circuit", "thermal_overload")
    assert detail.as_dict()["open_circuit"] is True
    assert LedFailure.from_byte(0).active == ()


async def test_one_query_tells_lamp_gear_failure_and_presence() -> None:
    bus, sim = await _bus()
    assert await bus.send(read_status(0)) == GearStatus(0, present=True)
    sim.gear[0].lamp_failure = True
    sim.gear[0].gear_failure = True
    sim.gear[0].actual_level = 200
    status = await bus.send(read_status(0))
    assert status.lamp_failure
    assert status.gear_failure
    assert status.lamp_on
    assert status.failed
    sim.gear[0].responding = False
    status = await bus.send(read_status(0))
    assert status == GearStatus(0, present=False)
    assert not status.failed
    assert bus.commands_sent == 3
    sim.garbled = True
    assert await bus.send(read_status(1)) is None  # an answer nobody can read: unknown


async def test_led_detail_only_when_the_status_shows_a_failure() -> None:
    bus, sim = await _bus()
    sim.log.clear()
    assert (await bus.send(read_fitting_status(9, dt6=True))).led is None
    assert [type(c) for c in sim.log] == [general.QueryStatus]
    sim.gear[9].led_failure = LED_OPEN_CIRCUIT
    status = await bus.send(read_fitting_status(9, dt6=True))
    assert status.lamp_failure
    assert status.led == LedFailure(open_circuit=True)
    assert type(sim.log[-1]) is led.QueryFailureStatus
    sim.gear[9].responding = False  # gone between the two queries: no detail
    assert (await bus.send(read_fitting_status(9, dt6=True))).present is False


async def test_sweep_spreads_the_line_over_its_period() -> None:
    bus, sim = await _bus(64)
    sweep = StatusSweep(bus, lambda: _inventory(sim), sweep_s=320.0, led_every_s=1e9)
    assert await sweep.poll(0.0) == []  # the first poll only starts the clock
    seen: list[int] = []
    for tick in range(1, 6):  # 5 polls of 64 s: 64 * 64 / 320 = 12.8 fittings each
        await sweep.poll(tick * 64.0)
        seen.append(len(sweep.statuses))
    assert seen == [12, 25, 38, 51, 64]  # the credit carries the fractions over
    assert set(sweep.statuses) == {g.key for g in _inventory(sim)}


async def test_sweep_reports_changes_missing_fittings_and_led_detail() -> None:
    bus, sim = await _bus()
    sweep = StatusSweep(bus, lambda: _inventory(sim), sweep_s=60.0, led_every_s=3600.0)
    await sweep.poll(0.0)
    first = await sweep.poll(60.0)
    assert len(first) == 19  # everything is new the first time (19 addressed fittings)
    assert sweep.statuses["4012345000023-100010"].led == LedFailure()  # DT6: detail once
    assert "4012345000016-100001" in sweep.statuses  # DT8 fitting, no LED detail
    assert sweep.statuses["4012345000016-100001"].led is None
    assert await sweep.poll(120.0) == []  # nothing changed

    sim.gear[9].led_failure = LED_THERMAL_OVERLOAD  # no status bit: found on the LED cadence
    sim.gear[3].responding = False
    assert await sweep.poll(180.0) == [GearStatus(3, present=False)]
    assert not sweep.missing("4012345000016-100004")
    await sweep.poll(240.0)
    assert sweep.misses["4012345000016-100004"] == MISSES_FOR_MISSING
    assert sweep.missing("4012345000016-100004")
    changed = await sweep.poll(3660.0)
    by_address = {s.short_address: s for s in changed}
    assert by_address[9].led == LedFailure(thermal_overload=True)
    assert not by_address[9].failed

    sim.gear[3].responding = True
    sim.gear[9].led_failure = LED_OPEN_CIRCUIT
    changed = await sweep.read_now(["4012345000016-100004", "4012345000023-100010"], 3700.0)
    assert {s.short_address for s in changed} == {3, 9}
    assert not sweep.missing("4012345000016-100004")
    assert sweep.statuses["4012345000023-100010"].led == LedFailure(open_circuit=True)

    sim.gear[9].led_failure = 0  # repaired: the old detail is read again, not carried on
    await sweep.read_now(["4012345000023-100010"], 3710.0)
    assert sweep.statuses["4012345000023-100010"].led == LedFailure()


async def test_sweep_keeps_the_last_status_on_a_garbled_answer() -> None:
    bus, sim = await _bus()
    sweep = StatusSweep(bus, lambda: _inventory(sim), sweep_s=60.0)
    await sweep.poll(0.0)
    await sweep.poll(60.0)
    before = dict(sweep.statuses)
    sim.garbled = True
    assert await sweep.poll(120.0) == []
    assert sweep.statuses == before


async def test_an_empty_line_polls_nothing() -> None:
    bus, _ = await _bus()
    sweep = StatusSweep(bus, list)
    assert await sweep.poll(0.0) == []
    assert await sweep.poll(600.0) == []
    assert bus.commands_sent == 0
