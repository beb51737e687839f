"""The data pipeline on the real recorder: feature rows, retention, actions, backups, health."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, Unauthorized
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.smart_lighting_ai.backup import async_post_backup, async_pre_backup
from custom_components.smart_lighting_ai.const import DOMAIN
from custom_components.smart_lighting_ai.store import Store

from .common import ROOMS_OPTIONS, runtime

START = datetime(2026, 3, 10, 9, 0, 0, tzinfo=dt_util.UTC)


@pytest.fixture
async def rooms(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> MockConfigEntry:
    """An entry with two rooms, its sensors recorded from START - 10 min."""
    freezer.move_to(START - timedelta(minutes=10))
    hass.states.async_set("binary_sensor.office_motion", "off", {"device_class": "motion"})
    hass.states.async_set("binary_sensor.corridor_motion", "off", {"device_class": "motion"})
    hass.states.async_set("sensor.office_lux", "100", {"device_class": "illuminance"})
    hass.states.async_set("weather.home", "cloudy", {"cloud_coverage": 80, "temperature": 7.5})
    await async_wait_recording_done(hass)
    entry = MockConfigEntry(
        domain=DOMAIN, data={"bus_type": "simulated"}, options=ROOMS_OPTIONS, unique_id="simulated"
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def _at(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, minute: float, **states: str
) -> None:
    freezer.move_to(START + timedelta(minutes=minute))
    for entity_id, state in states.items():
        hass.states.async_set(entity_id.replace("__", "."), state)
    await async_wait_recording_done(hass)


async def _aggregate(hass: HomeAssistant, user: MockUser | None = None) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN,
        "aggregate_now",
        {},
        blocking=True,
        return_response=True,
        context=Context(user_id=user.id) if user else None,
    )
    assert response is not None
    return dict(response)


async def _features(entry: MockConfigEntry, group: int) -> dict[str, Any]:
    store = runtime(entry).pipeline.store
    assert store is not None
    row = await store.latest_features(entry.entry_id, group)
    assert row is not None
    return dict(row.data)


async def test_window_features_from_the_recorder(
    hass: HomeAssistant,
    rooms: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    runtime(
        rooms
    ).autopilot.auto_control.clear()  # keep the coordinator off the lights: level stays 0
    await _at(hass, freezer, 0)
    await _at(hass, freezer, 1, binary_sensor__office_motion="on", sensor__office_lux="300")
    await _at(hass, freezer, 3, binary_sensor__office_motion="off", sensor__office_lux="200")
    await _at(hass, freezer, 5)
    assert (await _aggregate(hass))["feature_rows"] == 2
    assert "Feature row created" in caplog.text
    office = await _features(rooms, 0)
    assert office["occupancy_ratio"] == pytest.approx(2 / 5)
    assert office["minutes_since_occupied"] == pytest.approx(2)
    # 100 lx for 1 min, 300 lx for 2 min, 200 lx for 2 min
    assert office["illuminance_mean"] == pytest.approx((100 + 600 + 400) / 5)
    assert (office["illuminance_min"], office["illuminance_max"]) == (100, 300)
    assert office["weather_condition"] == "cloudy"
    assert office["cloud_coverage"] == 80
    assert office["outdoor_temperature"] == 7.5
    assert office["supports_color_temp"] is True
    assert office["current_level_pct"] == 0
    assert office["override_active"] is False
    assert office["sun_elevation"] is not None
    corridor = await _features(rooms, 2)
    assert corridor["occupancy_ratio"] == 0
    assert corridor["illuminance_mean"] is None
    assert corridor["supports_color_temp"] is False
    store = runtime(rooms).pipeline.store
    assert store is not None
    weather = await store.latest_weather(rooms.entry_id)
    assert weather is not None
    assert weather.data["condition"] == "cloudy"


async def test_window_without_changes_uses_the_state_at_its_start(
    hass: HomeAssistant, rooms: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await _at(hass, freezer, 5)
    await _aggregate(hass)
    office = await _features(rooms, 0)
    assert office["occupancy_ratio"] == 0
    assert office["illuminance_mean"] == 100
    # "off" since START - 10 min and never "on": nobody was seen, so there is no presence time
    assert office["minutes_since_occupied"] is None


async def test_flapping_sensor(
    hass: HomeAssistant, rooms: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    for step in range(10):
        await _at(
            hass, freezer, step * 0.5, binary_sensor__office_motion="on" if step % 2 == 0 else "off"
        )
    await _at(hass, freezer, 5)
    await _aggregate(hass)
    office = await _features(rooms, 0)
    assert office["occupancy_ratio"] == pytest.approx(0.5)
    assert office["minutes_since_occupied"] == pytest.approx(0.5)  # the last "off" came at 4:30


async def test_unavailable_and_deleted_sensors_give_nulls(
    hass: HomeAssistant, rooms: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await _at(
        hass, freezer, -6, binary_sensor__office_motion="unavailable", sensor__office_lux="unknown"
    )
    hass.states.async_remove("binary_sensor.corridor_motion")
    hass.states.async_remove("weather.home")
    await _at(hass, freezer, 5)
    assert (await _aggregate(hass))["feature_rows"] == 2
    office = await _features(rooms, 0)
    assert office["occupancy_ratio"] is None
    assert office["minutes_since_occupied"] is None
    assert office["illuminance_mean"] is None
    assert office["weather_condition"] is None
    corridor = await _features(rooms, 2)
    assert corridor["occupancy_ratio"] is None


async def test_aggregation_runs_every_window_and_then_a_decision_cycle(
    hass: HomeAssistant, rooms: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    cycles: list[int] = []

    async def cycle() -> None:
        cycles.append(1)

    runtime(rooms).pipeline.after_aggregation.append(cycle)
    store = runtime(rooms).pipeline.store
    assert store is not None
    freezer.tick(timedelta(minutes=5, seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert await store.count("features", rooms.entry_id) == 2
    assert cycles == [1]
    await _aggregate(hass)
    assert cycles == [1, 1]


async def test_admin_only_actions(
    hass: HomeAssistant,
    rooms: MockConfigEntry,
    hass_read_only_user: MockUser,
    hass_admin_user: MockUser,
) -> None:
    for action in ("aggregate_now", "prune_now"):
        with pytest.raises(Unauthorized):
            await hass.services.async_call(
                DOMAIN,
                action,
                {},
                blocking=True,
                return_response=True,
                context=Context(user_id=hass_read_only_user.id),
            )
    assert (await _aggregate(hass, hass_admin_user))["feature_rows"] == 2


async def test_prune_keeps_fresh_rows(
    hass: HomeAssistant, rooms: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    store = runtime(rooms).pipeline.store
    assert store is not None
    now = dt_util.utcnow()
    await store.add_features(rooms.entry_id, now - timedelta(days=40), [(0, {"old": True})], 5)
    await store.add_features(rooms.entry_id, now - timedelta(days=1), [(0, {"old": False})], 5)
    response = await hass.services.async_call(
        DOMAIN, "prune_now", {}, blocking=True, return_response=True
    )
    assert response is not None
    assert response["deleted"]["features"] == 1
    assert set(response["deleted"]) >= {
        "features",
        "decisions",
        "overrides",
        "telemetry",
        "weather",
    }
    assert await store.count("features", rooms.entry_id) == 1
    assert "Retention prune" in caplog.text


async def _old_row(entry: MockConfigEntry, days: int = 40) -> Store:
    store = runtime(entry).pipeline.store
    assert store is not None
    await store.add_features(entry.entry_id, dt_util.utcnow() - timedelta(days=days), [(0, {})], 5)
    return store


async def test_nightly_prune_at_local_midnight(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(
        datetime(2026, 10, 24, 23, 59, 0, tzinfo=dt_util.get_time_zone("Europe/Berlin"))
    )
    entry = MockConfigEntry(domain=DOMAIN, data={"bus_type": "simulated"}, unique_id="simulated")
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)  # prunes once at start
    store = await _old_row(entry)
    freezer.tick(timedelta(seconds=30))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert await store.count("features", entry.entry_id) == 1  # not midnight yet
    freezer.tick(timedelta(seconds=31))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert await store.count("features", entry.entry_id) == 0
    # the DST night that follows (25 October, 03:00 -> 02:00) still prunes exactly once
    await _old_row(entry)
    freezer.move_to(datetime(2026, 10, 26, 0, 0, 1, tzinfo=dt_util.get_time_zone("Europe/Berlin")))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert await store.count("features", entry.entry_id) == 0


async def test_night_without_midnight_still_prunes(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """In Chile the clocks jump from 24:00 to 01:00 on 6 September 2026: no 00:00 that night."""
    zone = dt_util.get_time_zone("America/Santiago")
    await hass.config.async_set_time_zone("America/Santiago")
    freezer.move_to(datetime(2026, 9, 5, 23, 50, 0, tzinfo=zone))
    entry = MockConfigEntry(domain=DOMAIN, data={"bus_type": "simulated"}, unique_id="simulated")
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    store = await _old_row(entry)
    for _ in range(6):  # through 01:20 local; aggregation every 5 minutes catches the missed prune
        freezer.tick(timedelta(minutes=5))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
    assert dt_util.as_local(dt_util.utcnow()).date().isoformat() == "2026-09-06"
    assert await store.count("features", entry.entry_id) == 0


async def test_missed_midnight_prunes_at_start(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    assert await hass.config_entries.async_setup(entry.entry_id)
    store = await _old_row(entry)
    assert await hass.config_entries.async_unload(entry.entry_id)
    freezer.tick(timedelta(days=2))  # Home Assistant was down over two midnights
    assert await hass.config_entries.async_setup(entry.entry_id)
    store = runtime(entry).pipeline.store
    assert store is not None
    assert await store.count("features", entry.entry_id) == 0
    # a restart on the same day does not prune again
    await _old_row(entry)
    assert await hass.config_entries.async_reload(entry.entry_id)
    store = runtime(entry).pipeline.store
    assert store is not None
    assert await store.count("features", entry.entry_id) == 1


async def test_backup_holds_writes_and_loses_nothing(
    hass: HomeAssistant, rooms: MockConfigEntry, freezer: FrozenDateTimeFactory, tmp_path: Path
) -> None:
    store = runtime(rooms).pipeline.store
    assert store is not None
    await _aggregate(hass)
    await async_pre_backup(hass)
    copy = tmp_path / "backup.db"
    copy.write_bytes(store.path.read_bytes())
    pending = hass.async_create_task(_aggregate(hass))
    for _ in range(20):
        await asyncio.sleep(0)  # time is frozen: let the task run as far as it can
    assert not pending.done()  # the write waits for the backup
    await async_post_backup(hass)
    assert (await pending)["feature_rows"] == 2
    assert await store.count("features", rooms.entry_id) == 4
    restored = Store(copy)
    await restored.open()
    try:
        assert await restored.count("features", rooms.entry_id) == 2
    finally:
        await restored.close()


async def test_database_deleted_while_running(
    hass: HomeAssistant, rooms: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    store = runtime(rooms).pipeline.store
    assert store is not None
    store.path.unlink()
    first = await hass.services.async_call(
        DOMAIN, "health", {}, blocking=True, return_response=True
    )
    assert first is not None
    assert (first["status"], first["database"]) == ("degraded", "error")
    freezer.tick(timedelta(seconds=31))  # a check is reused for 30 s
    second = await hass.services.async_call(
        DOMAIN, "health", {}, blocking=True, return_response=True
    )
    assert second is not None
    assert (second["status"], second["database"]) == ("ok", "ok")
    assert store.path.exists()
    assert (await _aggregate(hass))["feature_rows"] == 2


async def test_corrupt_database_at_start(
    hass: HomeAssistant, entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    db = Path(hass.config.path("smart_lighting_ai.db"))
    db.write_bytes(b"this is not a database" * 100)
    assert await hass.config_entries.async_setup(entry.entry_id)
    assert list(db.parent.glob("smart_lighting_ai.db.corrupt-*"))
    assert "was corrupt" in caplog.text
    response = await hass.services.async_call(
        DOMAIN, "health", {}, blocking=True, return_response=True
    )
    assert response is not None
    assert response["database"] == "ok"


async def test_unusable_database_keeps_the_lights_working(
    hass: HomeAssistant, entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    Path(hass.config.path("smart_lighting_ai.db")).mkdir()
    assert await hass.config_entries.async_setup(entry.entry_id)
    assert "Database health check failed" in caplog.text
    await hass.services.async_call(
        "light", "turn_on", {"entity_id": "light.dali_group_0"}, blocking=True
    )
    assert hass.states.get("light.dali_group_0").state == "on"
    with pytest.raises(HomeAssistantError) as err:
        await _aggregate(hass)
    assert err.value.translation_key == "database_unavailable"
    health = await hass.services.async_call(
        DOMAIN, "health", {}, blocking=True, return_response=True
    )
    assert health is not None
    assert (health["status"], health["database"], health["scheduler"]) == (
        "degraded",
        "error",
        "running",
    )
    assert health["dali"]["connected"] is True
    assert health["dali"]["gear"] == 19


async def test_a_change_the_recorder_has_not_stored_yet_is_seen(
    hass: HomeAssistant, rooms: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await _at(hass, freezer, 5)
    hass.states.async_set("binary_sensor.office_motion", "on")  # not yet committed
    await _aggregate(hass)
    office = await _features(rooms, 0)
    assert office["minutes_since_occupied"] == 0
