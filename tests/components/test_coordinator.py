"""The decision coordinator on the simulated bus: policy, overrides, anti-flicker, predict."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from dali.address import GearGroup
from dali.gear import general
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.smart_lighting_ai.const import DOMAIN

from .common import ROOMS_OPTIONS, runtime, simulator

START = datetime(2026, 3, 10, 18, 0, 0, tzinfo=dt_util.UTC)  # 11:00 in San Diego
OFFICE = "light.open_office"
DECISION = "sensor.open_office_last_decision"
SWITCH = "switch.open_office_automatic_control"


async def _setup(hass: HomeAssistant, options: dict[str, Any]) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN, data={"bus_type": "simulated"}, options=options, unique_id="simulated"
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


@pytest.fixture
async def office(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> MockConfigEntry:
    """Open office occupied and dark; corridor empty for an hour."""
    freezer.move_to(START - timedelta(hours=1))
    hass.states.async_set("binary_sensor.corridor_motion", "off")
    freezer.move_to(START - timedelta(minutes=10))
    hass.states.async_set("binary_sensor.office_motion", "on")
    hass.states.async_set("sensor.office_lux", "40")
    hass.states.async_set("weather.home", "cloudy", {"cloud_coverage": 90})
    await async_wait_recording_done(hass)
    freezer.move_to(START)
    return await _setup(hass, ROOMS_OPTIONS)


async def _cycle(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory | None = None, minutes: float = 0
) -> None:
    if freezer is not None and minutes:
        freezer.tick(timedelta(minutes=minutes))
    await hass.services.async_call(DOMAIN, "aggregate_now", {}, blocking=True, return_response=True)


async def _stored_decisions(entry: MockConfigEntry, group: int) -> list[Any]:
    store = runtime(entry).pipeline.store
    assert store is not None
    return await store.decisions_since(entry.entry_id, group, START - timedelta(days=1))


async def test_occupied_dark_room_is_lit_and_the_reason_shown(
    hass: HomeAssistant, office: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    sim = simulator(office)
    sim.log.clear()
    await _cycle(hass)
    assert hass.states.get(OFFICE).state == "on"
    [level] = {g.actual_level for g in sim.gear[:4]}  # one level for the whole group
    assert level > 100
    group_commands = [c for c in sim.log if getattr(c, "destination", None) == GearGroup(0)]
    assert any(isinstance(c, general.DAPC) for c in group_commands)
    assert all(
        getattr(c, "destination", GearGroup(0)) == GearGroup(0) for c in sim.log
    )  # no per-gear
    assert "DALI applied setpoint" in caplog.text
    sensor = hass.states.get(DECISION)
    assert float(sensor.state) > 40
    assert sensor.attributes["source"] == "local"
    assert sensor.attributes["applied"] is True
    assert "occupied" in sensor.attributes["reason"]
    assert 0 < sensor.attributes["confidence"] <= 1
    rows = await _stored_decisions(office, 0)
    assert [(r.applied, r.source) for r in rows] == [(True, "local")]
    corridor = await _stored_decisions(office, 2)
    assert corridor[-1].brightness_pct == 0  # empty for an hour: stays off
    assert corridor[-1].applied is False
    assert corridor[-1].skip_reason == "inside the deadband"
    assert hass.states.get("light.corridor").state == "off"


async def test_groups_without_automatic_control_are_left_alone(
    hass: HomeAssistant, office: MockConfigEntry
) -> None:
    await hass.services.async_call("switch", "turn_off", {"entity_id": SWITCH}, blocking=True)
    await _cycle(hass)
    assert hass.states.get(OFFICE).state == "off"
    assert hass.states.get(DECISION).attributes["not_applied_because"] == "automatic control is off"
    assert hass.states.get("light.dali_group_1").state == "off"  # no room: never driven


async def test_a_person_turning_the_light_off_is_honoured(
    hass: HomeAssistant,
    office: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_admin_user: MockUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await _cycle(hass)
    await hass.services.async_call(
        "light",
        "turn_off",
        {"entity_id": OFFICE},
        blocking=True,
        context=Context(user_id=hass_admin_user.id),
    )
    await hass.async_block_till_done()  # stored after the bus command, never before it
    assert "Manual override stored" in caplog.text
    store = runtime(office).pipeline.store
    assert store is not None
    [override] = await store.active_overrides(office.entry_id, dt_util.utcnow())
    assert (override.group_id, override.origin, override.is_on) == (0, "user", False)
    await _cycle(hass, freezer, 5)
    assert hass.states.get(OFFICE).state == "off"  # never turned back on by the coordinator
    assert hass.states.get(DECISION).attributes["not_applied_because"] == "manual override active"
    # the override survives a restart
    assert await hass.config_entries.async_reload(office.entry_id)
    await _cycle(hass, freezer, 5)
    assert hass.states.get(OFFICE).state == "off"
    # and ends after override_minutes (60)
    await _cycle(hass, freezer, 55)
    assert hass.states.get(OFFICE).state == "on"


async def test_an_automation_changing_the_light_is_an_override(
    hass: HomeAssistant, office: MockConfigEntry
) -> None:
    parent = Context()
    await hass.services.async_call(
        "light",
        "turn_on",
        {"entity_id": OFFICE, "brightness": 30},
        blocking=True,
        context=Context(parent_id=parent.id),
    )
    store = runtime(office).pipeline.store
    assert store is not None
    [override] = await store.active_overrides(office.entry_id, dt_util.utcnow())
    assert (override.origin, override.is_on) == ("automation", True)
    await _cycle(hass)
    assert hass.states.get(OFFICE).attributes["brightness"] == 30


async def test_a_wall_panel_on_the_bus_is_an_override(
    hass: HomeAssistant, office: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await _cycle(hass)
    simulator(office).inject(general.Off(GearGroup(0)))  # someone presses "off" on the wall
    await hass.async_block_till_done()
    store = runtime(office).pipeline.store
    assert store is not None
    [override] = await store.active_overrides(office.entry_id, dt_util.utcnow())
    assert (override.origin, override.is_on) == ("bus", False)
    await _cycle(hass, freezer, 5)
    assert hass.states.get(OFFICE).state == "off"


async def test_set_and_clear_override_actions(
    hass: HomeAssistant, office: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    response = await hass.services.async_call(
        DOMAIN,
        "set_override",
        {"entity_id": OFFICE, "minutes": 30},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    assert OFFICE in response["overrides"]
    await _cycle(hass)
    assert hass.states.get(OFFICE).state == "off"
    await hass.services.async_call(DOMAIN, "clear_override", {"entity_id": OFFICE}, blocking=True)
    await _cycle(hass, freezer, 1)
    assert hass.states.get(OFFICE).state == "on"


async def test_switching_auto_off_and_on_clears_an_override(
    hass: HomeAssistant, office: MockConfigEntry
) -> None:
    await hass.services.async_call("light", "turn_off", {"entity_id": OFFICE}, blocking=True)
    await hass.services.async_call("switch", "turn_off", {"entity_id": SWITCH}, blocking=True)
    await hass.services.async_call("switch", "turn_on", {"entity_id": SWITCH}, blocking=True)
    await _cycle(hass)
    assert hass.states.get(OFFICE).state == "on"


async def test_anti_flicker_and_deadband(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(START - timedelta(minutes=10))
    hass.states.async_set("binary_sensor.office_motion", "on")
    hass.states.async_set("sensor.office_lux", "40")
    await async_wait_recording_done(hass)
    freezer.move_to(START)
    office = await _setup(hass, {**ROOMS_OPTIONS, "feature_window_minutes": 1})
    # no timeout and no warning dim: the room may switch off once a window shows nobody
    await hass.services.async_call(
        DOMAIN,
        "set_profile",
        {"entity_id": OFFICE, "vacancy_minutes": 0, "grace_minutes": 0},
        blocking=True,
    )
    await _cycle(hass)  # the first change after start-up is not delayed
    first = simulator(office).gear[0].actual_level
    assert first > 0
    freezer.tick(timedelta(seconds=10))
    hass.states.async_set("binary_sensor.office_motion", "off")  # the person leaves
    await async_wait_recording_done(hass)
    await _cycle(hass, freezer, 1.25)  # 85 s after the first change: the switch-off waits
    assert simulator(office).gear[0].actual_level == first
    assert hass.states.get(DECISION).attributes["not_applied_because"] == "anti-flicker interval"
    await _cycle(hass, freezer, 2)  # 3 minutes after the first change > 120 s
    assert simulator(office).gear[0].actual_level < first
    settled = simulator(office).gear[0].actual_level
    await _cycle(hass, freezer, 5)  # nothing changed: inside the deadband, no frame
    simulator(office).log.clear()
    await _cycle(hass, freezer, 5)
    assert simulator(office).gear[0].actual_level == settled
    assert not [c for c in simulator(office).log if isinstance(c, general.DAPC)]
    assert hass.states.get(DECISION).attributes["not_applied_because"] == "inside the deadband"


async def test_shadow_mode_decides_but_never_applies(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(START)
    hass.states.async_set("binary_sensor.office_motion", "on")
    hass.states.async_set("sensor.office_lux", "40")
    await async_wait_recording_done(hass)
    entry = await _setup(hass, {**ROOMS_OPTIONS, "shadow_mode": True})
    await _cycle(hass)
    assert hass.states.get(OFFICE).state == "off"
    sensor = hass.states.get(DECISION)
    assert float(sensor.state) > 0
    assert sensor.attributes["not_applied_because"] == "shadow mode"
    assert [r.applied for r in await _stored_decisions(entry, 0)] == [False]


async def test_predict_action(hass: HomeAssistant, office: MockConfigEntry) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "predict", {"entity_id": OFFICE}, blocking=True, return_response=True
        )
    assert err.value.translation_key == "no_features"
    assert str(err.value).startswith("No features available for Open office (light.open_office)")
    await _cycle(hass)
    response = await hass.services.async_call(
        DOMAIN, "predict", {"entity_id": [OFFICE]}, blocking=True, return_response=True
    )
    assert response is not None
    prediction = response["predictions"][OFFICE]
    assert set(prediction) == {
        "brightness_pct",
        "color_temp_kelvin",
        "confidence",
        "reason",
        "source",
    }
    assert prediction["source"] == "local"
    assert 2700 <= prediction["color_temp_kelvin"] <= 6500
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "predict",
            {"entity_id": "light.dali_group_1"},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "no_features"
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "predict", {"entity_id": "light.kitchen"}, blocking=True, return_response=True
        )
    assert err.value.translation_key == "not_a_group_light"


async def test_decision_sensor_shows_the_last_decision_after_restart(
    hass: HomeAssistant, office: MockConfigEntry
) -> None:
    await _cycle(hass)
    before = hass.states.get(DECISION)
    assert await hass.config_entries.async_reload(office.entry_id)
    await hass.async_block_till_done()
    after = hass.states.get(DECISION)
    assert after.state == before.state
    assert after.attributes["reason"] == before.attributes["reason"]


async def test_walking_in_lights_the_room_at_once(
    hass: HomeAssistant, office: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    hass.states.async_set("binary_sensor.office_motion", "off")
    await async_wait_recording_done(hass)
    freezer.tick(timedelta(minutes=30))
    await _cycle(hass)  # empty for half an hour: off
    assert hass.states.get(OFFICE).state == "off"
    freezer.tick(timedelta(minutes=1))
    hass.states.async_set("binary_sensor.office_motion", "on")  # someone walks in
    await async_wait_recording_done(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(OFFICE).state == "on"  # no need to wait for the window to end
    decided = len(await _stored_decisions(office, 0))
    hass.states.async_set("binary_sensor.office_motion", "off")
    hass.states.async_set("binary_sensor.office_motion", "on")  # within 30 s: no second cycle
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(await _stored_decisions(office, 0)) == decided
    freezer.tick(timedelta(seconds=31))  # ... until the 30 s are over: then one, not two
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(await _stored_decisions(office, 0)) == decided + 1


async def test_arrivals_in_two_rooms_each_get_a_cycle(
    hass: HomeAssistant, office: MockConfigEntry
) -> None:
    hass.states.async_set("binary_sensor.office_motion", "off")
    hass.states.async_set("binary_sensor.office_motion", "on")
    await hass.async_block_till_done(wait_background_tasks=True)
    before = len(await _stored_decisions(office, 2))
    hass.states.async_set("binary_sensor.corridor_motion", "on")  # seconds later, next door
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(await _stored_decisions(office, 2)) == before + 1
