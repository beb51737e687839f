"""Telemetry and health count different things: each says what it counts and since when.

Telemetry adds up the stored days (earlier setups included), with today and every day on its
own; health and diagnostics count the forward frames of this setup only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.smart_lighting_ai.const import DOMAIN

from .common import runtime, setup_office

OFFICE = "light.open_office"


def _local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=dt_util.get_default_time_zone())


async def _call(hass: HomeAssistant, action: str, data: dict[str, Any] | None = None) -> Any:
    return await hass.services.async_call(
        DOMAIN, action, data or {}, blocking=True, return_response=True
    )


async def _at(hass: HomeAssistant, freezer: FrozenDateTimeFactory, when: datetime) -> None:
    freezer.move_to(when)
    async_fire_time_changed(hass, when)
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_telemetry_and_health_name_what_they_count_and_since_when(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    office: MockConfigEntry = await setup_office(hass, freezer)  # 10 March, 11:00 local
    await _call(hass, "aggregate_now")
    await hass.services.async_call("light", "turn_on", {"entity_id": OFFICE}, blocking=True)
    first_day = await _call(hass, "telemetry")
    assert first_day["counted_since"] == _local(10, 0).isoformat()
    assert first_day["today"]["counted_since"] == _local(10, 0).isoformat()
    assert [day["day"] for day in first_day["days"]] == ["2026-03-10"]

    await _at(hass, freezer, _local(11, 0))  # midnight: the 10th is stored as a day of its own
    await _at(hass, freezer, _local(11, 9))
    assert await hass.config_entries.async_reload(office.entry_id)  # a new setup
    await hass.async_block_till_done()
    await hass.services.async_call("light", "turn_off", {"entity_id": OFFICE}, blocking=True)

    report = await _call(hass, "telemetry")
    health = await _call(hass, "health")
    bus = runtime(office).bus

    # health: the forward frames of this setup, and since when
    assert health["dali"]["frames_sent"] == bus.frames_sent
    assert health["dali"]["counted_since"] == _local(11, 9).isoformat()
    # telemetry: every stored day, then today and each day on its own
    assert report["counted_since"] == _local(10, 0).isoformat()
    assert report["today"]["counted_since"] == _local(11, 0).isoformat()
    days = {day["day"]: day for day in report["days"]}
    assert list(days) == ["2026-03-10", "2026-03-11"]
    assert days["2026-03-10"]["frames"] >= first_day["frames"]
    today = {k: v for k, v in report["today"].items() if k != "counted_since"}
    assert days["2026-03-11"] == {"day": "2026-03-11", **today}
    for counter in ("frames", "commands", "decisions", "overrides", "tokens"):
        assert report[counter] == sum(day[counter] for day in days.values()), counter
    # why the two frame counts differ: telemetry also holds the day before and the first setup
    assert report["today"]["frames"] > bus.frames_sent  # the first setup read back after midnight
    assert report["frames"] > report["today"]["frames"] > health["dali"]["frames_sent"]


async def test_a_fresh_bus_counts_from_today(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    report = await _call(hass, "telemetry")
    midnight = dt_util.start_of_local_day().isoformat()
    assert report["counted_since"] == report["today"]["counted_since"] == midnight
    assert [day["day"] for day in report["days"]] == [dt_util.now().date().isoformat()]
