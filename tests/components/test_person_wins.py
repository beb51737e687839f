"""A person's change always wins, reaches the bus first, and is never lost (issue 10)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from dali.address import GearGroup
from dali.gear.general import DAPC
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.smart_lighting_ai.autopilot import SKIP_CHANGED_MEANWHILE
from custom_components.smart_lighting_ai.brightness import brightness_to_level, pct_from_level
from custom_components.smart_lighting_ai.const import DB_FILENAME, DOMAIN
from custom_components.smart_lighting_ai.dali import Backend, DaliConnectionError, create_backend
from custom_components.smart_lighting_ai.dali.groups import COMMAND_PRIORITY
from custom_components.smart_lighting_ai.shared_store import DATA_DATABASE

from .common import ROOMS_OPTIONS, runtime, setup_office, simulator

OFFICE = "light.open_office"
DECISION = "sensor.open_office_last_decision"
PANEL_LEVEL = 120


async def _aggregate(hass: HomeAssistant) -> None:
    await hass.services.async_call(DOMAIN, "aggregate_now", {}, blocking=True, return_response=True)


async def _turn_on(hass: HomeAssistant, user: MockUser, **data: object) -> None:
    await hass.services.async_call(
        "light",
        "turn_on",
        {"entity_id": OFFICE, **data},
        blocking=True,
        context=Context(user_id=user.id),
    )


@contextmanager
def _database_locked(path: Path) -> Iterator[sqlite3.Connection]:
    """Another process holding the database's write lock."""
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    try:
        yield conn
    finally:
        conn.rollback()
        conn.close()


async def test_a_wall_panel_press_beats_an_automatic_command_already_queued(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """Real DALI frame timing: the panel's level stays, and the override holds *that* level."""
    hass.states.async_set("binary_sensor.office_motion", "off")
    hass.states.async_set("binary_sensor.corridor_motion", "off")
    hass.states.async_set("sensor.office_lux", "40")
    await async_wait_recording_done(hass)
    entry = MockConfigEntry(
        domain=DOMAIN, data={"bus_type": "simulated"}, options=ROOMS_OPTIONS, unique_id="simulated"
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(OFFICE).state == "off"  # nobody there yet
    data = runtime(entry)
    bus = data.bus
    bus._realtime = True  # every frame takes its real time on the line from here on

    panel_pressed = asyncio.Event()

    def _press_the_panel() -> None:
        simulator(entry).inject(DAPC(GearGroup(0), PANEL_LEVEL))
        panel_pressed.set()

    async def _read_back_until_pressed() -> None:  # read-backs keep the line busy meanwhile
        while not panel_pressed.is_set():
            await data.state.async_read_back(list(data.controller.groups))

    send = bus.send

    async def _send_and_watch(message: Any, *, priority: int = 5, **kwargs: Any) -> Any:
        if priority == COMMAND_PRIORITY and not panel_pressed.is_set():
            assert bus._gate._busy  # the automatic command has to wait for the read-back
            hass.loop.call_soon(_press_the_panel)  # and the person presses meanwhile
        return await send(message, priority=priority, **kwargs)

    reading = hass.async_create_task(_read_back_until_pressed())
    with patch.object(bus, "send", _send_and_watch):
        hass.states.async_set("binary_sensor.office_motion", "on")  # someone walks in
        await async_wait_recording_done(hass)
        await _aggregate(hass)  # whichever cycle comes first meets the panel press
        async with asyncio.timeout(30):
            await reading
    assert panel_pressed.is_set()

    await hass.async_block_till_done(wait_background_tasks=True)

    assert {g.actual_level for g in simulator(entry).gear[:4]} == {PANEL_LEVEL}
    assert data.controller.states[0].level == PANEL_LEVEL
    assert data.overrides.is_active(0)
    assert f"Decision for DALI group 0 withdrawn: {SKIP_CHANGED_MEANWHILE}" in caplog.text
    assert hass.states.get(DECISION).attributes["applied"] is False
    store = data.pipeline.store
    assert store is not None
    [override] = await store.active_overrides(entry.entry_id, dt_util.utcnow())
    assert override.origin == "bus"
    assert override.brightness_pct == pytest.approx(100 * (PANEL_LEVEL - 1) / 253, abs=1)


@pytest.fixture
async def office(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> MockConfigEntry:
    entry = await setup_office(hass, freezer)
    await _aggregate(hass)
    assert hass.states.get(OFFICE).state == "on"  # the occupied office is lit automatically
    return entry


async def test_a_failed_command_is_no_override_and_teaches_nothing(
    hass: HomeAssistant, office: MockConfigEntry, hass_admin_user: MockUser
) -> None:
    data = runtime(office)
    offset = data.profiles.learned_offset(0)
    recorded = data.overrides.recorded
    sim = simulator(office)

    async def _dropped(_command: object) -> None:
        sim.unplug()  # the interface is pulled while the command is on its way
        raise DaliConnectionError("The simulated DALI interface went away")

    with patch.object(sim, "send_command", _dropped), pytest.raises(HomeAssistantError) as err:
        await _turn_on(hass, hass_admin_user, brightness=60)
    assert err.value.translation_key == "bus_error"
    await hass.async_block_till_done()
    assert not data.overrides.is_active(0)  # the next cycle may still drive the room
    assert data.overrides.recorded == recorded
    assert data.profiles.learned_offset(0) == offset
    store = data.pipeline.store
    assert store is not None
    assert await store.active_overrides(office.entry_id, dt_util.utcnow()) == []


async def test_a_locked_database_does_not_hold_up_the_light(
    hass: HomeAssistant, office: MockConfigEntry, hass_admin_user: MockUser
) -> None:
    """The gear has the new level as soon as the action returns; the override follows."""
    data = runtime(office)
    with _database_locked(Path(hass.config.path(DB_FILENAME))) as other:
        await _turn_on(hass, hass_admin_user, brightness=60)
        assert {g.actual_level for g in simulator(office).gear[:4]} == {brightness_to_level(60)}
        assert hass.states.get(OFFICE).attributes["brightness"] == 60
        assert data.overrides.is_active(0)  # held at once, whatever the database does
        # the action returned while the database was still locked: the row is not there yet
        assert other.execute("SELECT COUNT(*) FROM overrides").fetchone() == (0,)
    await hass.async_block_till_done()
    store = data.pipeline.store
    assert store is not None
    [override] = await store.active_overrides(office.entry_id, dt_util.utcnow())
    assert (override.origin, override.is_on) == ("user", True)


async def test_updating_the_decision_sensor_runs_no_cycle(
    hass: HomeAssistant, office: MockConfigEntry
) -> None:
    assert await async_setup_component(hass, "homeassistant", {})
    data = runtime(office)
    frames, decisions = data.bus.frames_sent, data.autopilot.decisions_made
    await hass.services.async_call(
        "homeassistant", "update_entity", {"entity_id": DECISION}, blocking=True
    )
    await hass.async_block_till_done()
    assert data.bus.frames_sent == frames
    assert data.autopilot.decisions_made == decisions
    assert hass.states.get(DECISION).state == str(data.autopilot.records[0].decision.brightness_pct)


async def test_an_override_survives_a_deleted_database_and_a_restart(
    hass: HomeAssistant, office: MockConfigEntry, hass_admin_user: MockUser
) -> None:
    await hass.services.async_call(
        "light",
        "turn_off",
        {"entity_id": OFFICE},
        blocking=True,
        context=Context(user_id=hass_admin_user.id),
    )
    await hass.async_block_till_done()
    Path(hass.config.path(DB_FILENAME)).unlink()  # someone deleted the database file
    assert await hass.config_entries.async_reload(office.entry_id)
    await hass.async_block_till_done()
    data = runtime(office)
    assert data.overrides.is_active(0)
    await _aggregate(hass)
    assert hass.states.get(OFFICE).state == "off"  # the person's "off" still holds
    assert hass.states.get(DECISION).attributes["not_applied_because"] == "manual override active"
    store = data.pipeline.store
    assert store is not None
    [override] = await store.active_overrides(office.entry_id, dt_util.utcnow())
    assert (override.origin, override.is_on) == ("user", False)  # written to the new file


async def test_a_failing_first_cycle_still_brings_the_lights_up(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, caplog: pytest.LogCaptureFixture
) -> None:
    entry = await setup_office(hass, freezer)
    await _aggregate(hass)  # a feature row the first cycle after the restart will use
    await hass.services.async_call("light", "turn_off", {"entity_id": OFFICE}, blocking=True)
    with patch(
        "custom_components.smart_lighting_ai.predictor.local.LocalPredictor.predict",
        side_effect=RuntimeError("model exploded"),
    ):
        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
    assert "Decision cycle failed" in caplog.text
    assert hass.states.get(OFFICE).state == "off"
    await hass.services.async_call("light", "turn_on", {"entity_id": OFFICE}, blocking=True)
    assert hass.states.get(OFFICE).state == "on"
    assert runtime(entry).bus.connected


async def test_a_failed_setup_leaves_nothing_behind_and_a_retry_no_doubles(
    hass: HomeAssistant,
) -> None:
    backends: list[Backend] = []

    def _keep(bus_type: str, **kwargs: str | None) -> Backend:
        backends.append(create_backend(bus_type, **kwargs))
        return backends[-1]

    with (
        patch("custom_components.smart_lighting_ai.create_backend", _keep),
        patch(
            "custom_components.smart_lighting_ai.async_create_predictor",
            side_effect=RuntimeError("broken predictor settings"),
        ),
    ):
        entry = MockConfigEntry(
            domain=DOMAIN,
            data={"bus_type": "simulated"},
            options=ROOMS_OPTIONS,
            unique_id="simulated",
        )
        entry.add_to_hass(hass)
        assert not await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    assert not backends[0].connected  # the interface was closed again
    assert DATA_DATABASE not in hass.data  # and so was the database
    assert hass.states.async_entity_ids("light") == []
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert len(hass.states.async_entity_ids("light")) == 7  # 4 groups, 3 fittings in none
    assert runtime(entry).bus.connected


async def test_a_dragged_slider_stores_its_last_override_not_every_step(
    hass: HomeAssistant, office: MockConfigEntry, hass_admin_user: MockUser
) -> None:
    data = runtime(office)
    with _database_locked(Path(hass.config.path(DB_FILENAME))):
        for brightness in range(40, 240, 10):  # twenty steps while the database is locked
            await _turn_on(hass, hass_admin_user, brightness=brightness)
    await hass.async_block_till_done()
    store = data.pipeline.store
    assert store is not None
    [row] = await store.active_overrides(office.entry_id, dt_util.utcnow())
    assert row.brightness_pct == pytest.approx(pct_from_level(brightness_to_level(230)))
    assert data.overrides.recorded <= 2  # the one that waited for the lock, then the latest
    assert hass.states.get(OFFICE).attributes["brightness"] == 230
