"""Options that only tune the policy apply at once; the lights never go away for them."""

from __future__ import annotations

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from pytest_homeassistant_custom_component.common import MockConfigEntry

from .common import ROOMS_OPTIONS, runtime


def _unavailable_lights(hass: HomeAssistant) -> list[str]:
    seen: list[str] = []

    @callback
    def _changed(event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if event.data["entity_id"].startswith("light.") and (
            new is None or new.state == STATE_UNAVAILABLE
        ):
            seen.append(event.data["entity_id"])

    hass.bus.async_listen("state_changed", _changed)
    return seen


async def test_policy_changes_apply_without_a_reload(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    data = runtime(loaded_entry)
    gone = _unavailable_lights(hass)
    hass.config_entries.async_update_entry(
        loaded_entry,
        options={
            **loaded_entry.options,
            "anti_flicker_seconds": 300,
            "override_minutes": 15,
            "shadow_mode": True,
            "retention_days": 7,
        },
    )
    await hass.async_block_till_done()
    assert runtime(loaded_entry) is data  # the same bus, controller and decision loop
    assert gone == []
    assert data.autopilot.settings.anti_flicker_seconds == 300
    assert data.autopilot.settings.shadow_mode is True
    assert data.overrides.duration.total_seconds() == 15 * 60
    assert data.pipeline.retention.days == 7


async def test_room_changes_reload_the_entities(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    data = runtime(loaded_entry)
    hass.config_entries.async_update_entry(loaded_entry, options=ROOMS_OPTIONS)
    await hass.async_block_till_done()
    assert runtime(loaded_entry) is not data
    switch = hass.states.get("switch.dali_group_0_automatic_control")
    assert switch.attributes["room_configured"] is True  # the switch knows its room now
