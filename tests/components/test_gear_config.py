"""Group configuration entities: power-on level, system-failure level, fade time (C17)."""

from __future__ import annotations

import pytest
from dali.gear import general
from homeassistant.const import STATE_UNKNOWN, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from .common import runtime, simulator

POWER_ON = "number.dali_group_1_power_on_level"
FAILURE = "number.dali_group_1_system_failure_level"
FADE = "select.dali_group_1_fade_time"
LIGHT_1 = "light.dali_group_1"


async def _set_number(hass: HomeAssistant, entity_id: str, value: float) -> None:
    await hass.services.async_call(
        "number", "set_value", {"entity_id": entity_id, "value": value}, blocking=True
    )
    await hass.async_block_till_done()


async def _select(hass: HomeAssistant, option: str) -> None:
    await hass.services.async_call(
        "select", "select_option", {"entity_id": FADE, "option": option}, blocking=True
    )
    await hass.async_block_till_done()


async def test_configuration_entities_per_group(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    registry = er.async_get(hass)
    key = loaded_entry.unique_id
    for entity_id, suffix in (
        (POWER_ON, "power-on-level"),
        (FAILURE, "system-failure-level"),
        (FADE, "fade-time"),
    ):
        entry = registry.async_get(entity_id)
        assert entry is not None
        assert entry.unique_id == f"{key}-group-1-{suffix}"
        assert entry.entity_category is EntityCategory.CONFIG
    assert hass.states.get(POWER_ON).state == "254"
    assert hass.states.get(FAILURE).state == "254"
    fade = hass.states.get(FADE)
    assert fade.state == "no fade"
    assert fade.attributes["options"][:3] == ["no fade", "0.7 s", "1.0 s"]
    assert fade.attributes["options"][-1] == "16 min"


async def test_a_level_is_written_only_where_it_differs_and_read_back(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    sim = simulator(loaded_entry)
    sim.gear[5].power_on_level = 100  # gear 5 holds it already (set by a vendor tool)
    sim.log.clear()
    await _set_number(hass, POWER_ON, 100)
    writes = [c for c in sim.log if isinstance(c, general.SetPowerOnLevel)]
    assert sorted(c.destination.address for c in writes) == [4, 6, 7]
    assert [g.power_on_level for g in sim.gear[4:8]] == [100] * 4
    assert [g.nvm_writes for g in sim.gear[4:8]] == [1, 0, 1, 1]
    assert hass.states.get(POWER_ON).state == "100"
    sim.log.clear()
    await _set_number(hass, POWER_ON, 100)
    assert not [c for c in sim.log if isinstance(c, general.SetPowerOnLevel)]
    await _set_number(hass, FAILURE, 255)  # "no change" on a bus failure
    assert [g.system_failure_level for g in sim.gear[4:8]] == [255] * 4
    assert hass.states.get(FAILURE).state == "255"
    # kept in the saved inventory: a reload reads none of it again
    sim.log.clear()
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert not [c for c in sim.log if isinstance(c, general.QueryPowerOnLevel)]
    assert hass.states.get(POWER_ON).state == "100"


async def test_members_that_differ_show_unknown(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    sim = simulator(loaded_entry)
    sim.gear[5].power_on_level = 100
    sim.gear[6].fade_time = 7
    settings = runtime(loaded_entry).gear_settings
    assert settings is not None
    settings._stale.update({5, 6})  # as after another master's frame
    await settings.async_complete()
    await hass.async_block_till_done()
    assert hass.states.get(POWER_ON).state == STATE_UNKNOWN
    assert hass.states.get(FADE).state == STATE_UNKNOWN


async def test_fade_time_is_written_once_and_long_fades_are_extended(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    sim = simulator(loaded_entry)
    await _select(hass, "2.8 s")
    assert {g.fade_time for g in sim.gear[4:8]} == {5}
    assert hass.states.get(FADE).state == "2.8 s"
    sim.log.clear()
    await _select(hass, "2.8 s")
    assert not [c for c in sim.log if isinstance(c, general.SetFadeTime)]
    # a light command without a transition fades at the group's fade and writes nothing
    await hass.services.async_call("light", "turn_off", {"entity_id": LIGHT_1}, blocking=True)
    assert not [c for c in sim.log if isinstance(c, general.SetFadeTime)]
    await _select(hass, "10 min")
    assert {(g.fade_time, g.extended_fade) for g in sim.gear[4:8]} == {(0, 0x49)}
    assert hass.states.get(FADE).state == "10 min"
    # a light command with its own transition: the select shows what the gear now holds
    await hass.services.async_call(
        "light", "turn_on", {"entity_id": LIGHT_1, "brightness": 90, "transition": 8}, blocking=True
    )
    assert {g.fade_time for g in sim.gear[4:8]} == {8}
    assert hass.states.get(FADE).state == "8.0 s"
    # a new inventory (here: a power-on level written) keeps what the gear was last sent
    await _set_number(hass, POWER_ON, 200)
    assert hass.states.get(FADE).state == "8.0 s"
    sim.log.clear()
    await hass.services.async_call(
        "light", "turn_on", {"entity_id": LIGHT_1, "brightness": 60, "transition": 8}, blocking=True
    )
    assert not [c for c in sim.log if isinstance(c, general.SetFadeTime)]


async def test_bad_values_are_refused(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    sim = simulator(loaded_entry)
    sim.log.clear()
    with pytest.raises(ServiceValidationError):
        await _set_number(hass, POWER_ON, 300)
    with pytest.raises(ServiceValidationError):
        await _select(hass, "3 s")
    select = hass.data["entity_components"]["select"].get_entity(FADE)
    with pytest.raises(ServiceValidationError) as err:
        await select.async_select_option("3 s")
    assert err.value.translation_key == "invalid_fade_time"
    assert not [c for c in sim.log if c.response is None]


async def test_a_silent_member_stops_the_write(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    sim = simulator(loaded_entry)
    sim.gear[7].responding = False
    sim.log.clear()
    with pytest.raises(HomeAssistantError) as err:
        await _set_number(hass, POWER_ON, 50)
    assert err.value.translation_key == "gear_not_answering"
    with pytest.raises(HomeAssistantError) as err:
        await _select(hass, "1.0 s")
    assert err.value.translation_key == "gear_not_answering"
    assert not [c for c in sim.log if isinstance(c, general.SetPowerOnLevel | general.SetFadeTime)]
    assert hass.states.get(POWER_ON).state == "254"


async def test_a_value_the_gear_does_not_keep_is_reported(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    sim = simulator(loaded_entry)
    original = sim.gear[6].receive

    def stubborn(command):  # type: ignore[no-untyped-def]
        if isinstance(command, general.SetSystemFailureLevel):
            return None  # this driver's memory is locked
        return original(command)

    sim.gear[6].receive = stubborn  # type: ignore[method-assign]
    with pytest.raises(HomeAssistantError) as err:
        await _set_number(hass, FAILURE, 0)
    assert err.value.translation_key == "gear_write_failed"
    assert err.value.translation_placeholders["address"] == "6"
    assert hass.states.get(FAILURE).state == STATE_UNKNOWN  # the others took it
