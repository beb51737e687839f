"""Devices and entities as Home Assistant shows them: stale devices, availability, defaults."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest.mock import patch

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.smart_lighting_ai.const import DOMAIN

from .common import runtime, simulator

ENERGY_0 = "sensor.dali_group_0_estimated_energy"


def _device(entry: MockConfigEntry, hass: HomeAssistant, identifier: str) -> dr.DeviceEntry | None:
    """The entry's device with ``identifier`` (found the same way on 2025.4 and 2026.11)."""
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    return next((d for d in devices if (DOMAIN, identifier) in d.identifiers), None)


async def _remove(client: Any, device_id: str, entry_id: str) -> dict[str, Any]:
    """Delete a device from an entry as the device page's "Delete" does."""
    await client.send_json_auto_id(
        {
            "type": "config/device_registry/remove_config_entry",
            "config_entry_id": entry_id,
            "device_id": device_id,
        }
    )
    answer: dict[str, Any] = await client.receive_json()
    return answer


async def _tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta) -> None:
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_a_group_gone_from_the_bus_leaves_a_device_the_user_can_delete(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_admin_user: MockUser,
    hass_ws_client: WebSocketGenerator,
) -> None:
    devices = dr.async_get(hass)
    group_3 = _device(loaded_entry, hass, "simulated-group-3")
    group_0 = _device(loaded_entry, hass, "simulated-group-0")
    bus = _device(loaded_entry, hass, "simulated")
    assert group_3 is not None
    assert group_0 is not None
    assert bus is not None
    for gear in simulator(loaded_entry).gear[12:16]:
        gear.groups = set()  # group 3 taken apart with a vendor tool
    await hass.services.async_call(
        DOMAIN,
        "scan_bus",
        {},
        blocking=True,
        return_response=True,
        context=Context(user_id=hass_admin_user.id),
    )
    await hass.async_block_till_done()
    # kept (a noisy scan may miss a group that is still there) until the user deletes it
    assert devices.async_get(group_3.id) is not None

    assert await async_setup_component(hass, "config", {})
    client = await hass_ws_client(hass)
    for device in (group_0, bus):
        answer = await _remove(client, device.id, loaded_entry.entry_id)
        assert not answer["success"]
        assert "rejected by integration" in answer["error"]["message"]
    answer = await _remove(client, group_3.id, loaded_entry.entry_id)
    assert answer["success"], answer
    assert devices.async_get(group_3.id) is None
    assert devices.async_get(group_0.id) is not None


async def test_group_devices_are_reached_through_the_bus_device(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    bus = _device(loaded_entry, hass, "simulated")
    group_0 = _device(loaded_entry, hass, "simulated-group-0")
    assert bus is not None
    assert group_0 is not None
    assert group_0.via_device_id == bus.id


async def test_energy_is_unavailable_and_not_counted_while_the_bus_is_down(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    with patch("custom_components.smart_lighting_ai.RECONNECT_DELAYS_S", (0.01,)):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        await hass.services.async_call(
            "light",
            "turn_on",
            {"entity_id": "light.dali_group_0", "brightness": 255},
            blocking=True,
        )
        await _tick(hass, freezer, timedelta(hours=1))
        one_hour = float(hass.states.get(ENERGY_0).state)
        assert one_hour == pytest.approx(0.040, abs=0.001)  # 4 gear x 10 W at full output

        sim = simulator(entry)
        sim.unplug()
        await hass.async_block_till_done()
        assert hass.states.get(ENERGY_0).state == STATE_UNAVAILABLE
        await _tick(hass, freezer, timedelta(hours=1))
        assert hass.states.get(ENERGY_0).state == STATE_UNAVAILABLE

        sim.plug_in()
        bus = runtime(entry).bus
        for _ in range(20):  # the reconnect back-off runs on the frozen clock
            if bus.connected:
                break
            await _tick(hass, freezer, timedelta(seconds=1))
        assert bus.connected
        # the hour without a bus is not counted, the lamps (still lit) count again from now
        assert float(hass.states.get(ENERGY_0).state) == pytest.approx(one_hour, abs=0.0005)
        await _tick(hass, freezer, timedelta(hours=1))
        assert float(hass.states.get(ENERGY_0).state) == pytest.approx(2 * one_hour, abs=0.001)


async def test_ai_usage_sensors_are_disabled_while_the_local_predictor_decides(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    registry = er.async_get(hass)
    entity_id = registry.async_get_entity_id("sensor", DOMAIN, "simulated-ai_calls_today")
    assert entity_id is not None
    assert registry.async_get(entity_id).disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert hass.states.get(entity_id) is None
