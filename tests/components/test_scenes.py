"""DALI scenes in Home Assistant: scene entities, store_scene, wall panels recalling scenes."""

from __future__ import annotations

from typing import Any

import pytest
import voluptuous as vol
from dali.address import GearBroadcast, GearGroup, GearShort
from dali.gear import general
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, Unauthorized
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from custom_components.smart_lighting_ai.brightness import level_to_brightness
from custom_components.smart_lighting_ai.const import DOMAIN

from .common import runtime, setup_office, simulator

SCENE_0 = "scene.dali_group_0_scene_0"
SCENE_1 = "scene.dali_group_0_scene_1"
LIGHT_0 = "light.dali_group_0"
LIGHT_1 = "light.dali_group_1"


def _commands(entry: MockConfigEntry) -> list[Any]:
    """What the integration put on the bus, queries (and the DTRs they use) left out."""
    registers = (general.DTR0, general.DTR1, general.DTR2)
    return [c for c in simulator(entry).log if c.response is None and not isinstance(c, registers)]


async def _store(hass: HomeAssistant, user: MockUser, entity_id: str, scene: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN,
        "store_scene",
        {"entity_id": entity_id, "scene": scene},
        blocking=True,
        return_response=True,
        context=Context(user_id=user.id),
    )
    await hass.async_block_till_done()
    assert response is not None
    return dict(response)


async def test_one_scene_entity_per_group_and_stored_scene(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    registry = er.async_get(hass)
    scenes = sorted(
        e.unique_id
        for e in er.async_entries_for_config_entry(registry, loaded_entry.entry_id)
        if e.domain == "scene"
    )
    key = loaded_entry.unique_id
    assert scenes == [f"{key}-group-0-scene-0", f"{key}-group-0-scene-1"]
    state = hass.states.get(SCENE_1)
    assert state is not None
    assert state.attributes["dali_scene"] == 1
    assert state.attributes["levels"] == dict.fromkeys(("0", "1", "2", "3"), 170)


async def test_activating_a_scene_sends_one_group_frame_and_shows_the_levels(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    sim = simulator(loaded_entry)
    sim.log.clear()
    await hass.services.async_call("scene", "turn_on", {"entity_id": SCENE_1}, blocking=True)
    await hass.async_block_till_done()
    [frame] = _commands(loaded_entry)
    assert isinstance(frame, general.GoToScene)
    assert (frame.destination.group, frame.param) == (0, 1)
    assert hass.states.get(LIGHT_0).attributes["brightness"] == level_to_brightness(170)
    assert hass.states.get(SCENE_1).state != "unknown"  # the time it was activated


async def test_store_scene_stores_the_levels_and_its_scene_appears(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_admin_user: MockUser
) -> None:
    sim = simulator(loaded_entry)
    await hass.services.async_call(
        "light", "turn_on", {"entity_id": LIGHT_1, "brightness": 128}, blocking=True
    )
    sim.gear[7].actual_level = 40  # one fitting dimmed by its own light
    assert hass.states.get("scene.dali_group_1_scene_4") is None
    response = await _store(hass, hass_admin_user, LIGHT_1, 4)
    levels = [g.scenes[4] for g in sim.gear[4:8]]
    assert levels == [128, 128, 128, 40]
    assert response == {
        "stored": {LIGHT_1: {"scene": 4, "levels": {"4": 128, "5": 128, "6": 128, "7": 40}}}
    }
    state = hass.states.get("scene.dali_group_1_scene_4")
    assert state is not None
    assert state.attributes["levels"] == {"4": 128, "5": 128, "6": 128, "7": 40}
    # recalled later, the scene brings those levels back
    await hass.services.async_call("light", "turn_off", {"entity_id": LIGHT_1}, blocking=True)
    await hass.services.async_call(
        "scene", "turn_on", {"entity_id": "scene.dali_group_1_scene_4"}, blocking=True
    )
    assert [g.actual_level for g in sim.gear[4:8]] == [128, 128, 128, 40]
    # the scene is kept with the inventory: a reload reads no scene again
    sim.log.clear()
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert not [c for c in sim.log if isinstance(c, general.QuerySceneLevel)]
    assert hass.states.get("scene.dali_group_1_scene_4").state != STATE_UNAVAILABLE


async def test_store_scene_is_for_administrators(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_read_only_user: MockUser
) -> None:
    with pytest.raises(Unauthorized):
        await _store(hass, hass_read_only_user, LIGHT_1, 2)
    assert all(g.scenes[2] == 255 for g in simulator(loaded_entry).gear)


async def test_store_scene_with_a_silent_fitting_writes_nothing(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_admin_user: MockUser
) -> None:
    sim = simulator(loaded_entry)
    sim.gear[6].responding = False
    sim.log.clear()
    with pytest.raises(HomeAssistantError) as err:
        await _store(hass, hass_admin_user, LIGHT_1, 3)
    assert err.value.translation_key == "gear_not_answering"
    assert err.value.translation_placeholders == {"address": "6"}
    assert not [c for c in sim.log if isinstance(c, general.SetScene)]
    assert all(g.scenes[3] == 255 for g in sim.gear)


@pytest.mark.parametrize("scene", [16, -1, "x"])
async def test_store_scene_outside_0_to_15_is_refused(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_admin_user: MockUser, scene: Any
) -> None:
    with pytest.raises(vol.Invalid):
        await _store(hass, hass_admin_user, LIGHT_1, scene)


async def test_a_scene_a_wall_panel_stores_appears(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    sim = simulator(loaded_entry)
    sim.inject(general.DTR0(60))
    sim.inject(general.SetScene(GearShort(13), 9))  # another master programs gear 13
    await hass.async_block_till_done()
    state = hass.states.get("scene.dali_group_3_scene_9")
    assert state is not None
    assert state.attributes["levels"] == {"13": 60}
    sim.inject(general.RemoveFromScene(GearGroup(3), 9))
    await hass.async_block_till_done()
    assert hass.states.get("scene.dali_group_3_scene_9").state == STATE_UNAVAILABLE


async def test_a_scene_recalled_from_a_wall_panel_is_a_manual_override(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    office = await setup_office(hass, freezer)
    data = runtime(office)
    await hass.services.async_call(DOMAIN, "aggregate_now", {}, blocking=True, return_response=True)
    assert data.autopilot.auto_control[0]
    assert not data.overrides.is_active(0)
    simulator(office).inject(general.GoToScene(GearGroup(0), 1))  # the wall panel's scene 1
    await hass.async_block_till_done()
    assert data.overrides.is_active(0)
    store = data.pipeline.store
    assert store is not None
    [override] = await store.active_overrides(office.entry_id, dt_util.utcnow())
    assert (override.origin, override.is_on) == ("bus", True)
    assert hass.states.get("light.open_office").attributes["brightness"] == level_to_brightness(170)
    # the next decision cycle leaves the person's scene alone
    await hass.services.async_call(DOMAIN, "aggregate_now", {}, blocking=True, return_response=True)
    assert {g.actual_level for g in simulator(office).gear[:4]} == {170}


async def test_a_scene_activated_in_home_assistant_holds_the_group(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, hass_admin_user: MockUser
) -> None:
    office = await setup_office(hass, freezer)
    await hass.services.async_call(DOMAIN, "aggregate_now", {}, blocking=True, return_response=True)
    await hass.services.async_call(
        "scene",
        "turn_on",
        {"entity_id": "scene.open_office_scene_1"},
        blocking=True,
        context=Context(user_id=hass_admin_user.id),
    )
    await hass.async_block_till_done()
    assert runtime(office).overrides.is_active(0)
    await hass.services.async_call(DOMAIN, "aggregate_now", {}, blocking=True, return_response=True)
    assert {g.actual_level for g in simulator(office).gear[:4]} == {170}


async def test_a_scene_is_unavailable_while_the_bus_is_down(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    simulator(loaded_entry).unplug()
    await hass.async_block_till_done()
    assert hass.states.get(SCENE_0).state == STATE_UNAVAILABLE
    scene = hass.data["entity_components"]["scene"].get_entity(SCENE_0)
    with pytest.raises(HomeAssistantError) as err:
        await scene.async_activate()  # a call that was already under way when it went
    assert err.value.translation_key == "not_connected"


async def test_a_fitting_silent_at_setup_is_read_when_a_scene_is_stored(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_admin_user: MockUser
) -> None:
    from dataclasses import replace

    sim = simulator(loaded_entry)
    controller = runtime(loaded_entry).controller
    sim.gear[6].responding = False
    inventory = controller.inventory
    forgotten = tuple(
        replace(g, stored=None) if g.short_address == 6 else g for g in inventory.gear
    )
    settings = runtime(loaded_entry).gear_settings
    assert settings is not None
    settings._known.clear()
    controller.set_inventory(replace(inventory, gear=forgotten))  # as if never read
    await hass.async_block_till_done()
    assert controller.inventory.gear[6].stored is None  # still silent: left for later
    with pytest.raises(HomeAssistantError) as err:
        await _store(hass, hass_admin_user, LIGHT_1, 2)
    assert err.value.translation_key == "gear_not_answering"
    sim.gear[6].responding = True
    await _store(hass, hass_admin_user, LIGHT_1, 2)
    assert controller.inventory.gear[6].stored is not None
    assert hass.states.get("scene.dali_group_1_scene_2") is not None


async def test_a_scene_that_does_not_stick_is_reported(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_admin_user: MockUser
) -> None:
    sim = simulator(loaded_entry)
    original = sim.gear[5].receive

    def locked(command):  # type: ignore[no-untyped-def]
        return None if isinstance(command, general.SetScene) else original(command)

    sim.gear[5].receive = locked  # type: ignore[method-assign]
    await hass.services.async_call(
        "light", "turn_on", {"entity_id": LIGHT_1, "brightness": 100}, blocking=True
    )
    with pytest.raises(HomeAssistantError) as err:
        await _store(hass, hass_admin_user, LIGHT_1, 8)
    assert err.value.translation_key == "gear_write_failed"
    state = hass.states.get("scene.dali_group_1_scene_8")  # the other three stored it
    assert state is not None
    assert state.attributes["levels"] == {"4": 100, "6": 100, "7": 100}


async def test_broadcast_scene_writes_are_read_again_and_bus_errors_wait(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    sim = simulator(loaded_entry)
    sim.inject(general.DTR0(20))
    sim.inject(general.SetScene(GearBroadcast(), 12))
    await hass.async_block_till_done()
    for group in range(4):
        assert hass.states.get(f"scene.dali_group_{group}_scene_12") is not None
    settings = runtime(loaded_entry).gear_settings
    assert settings is not None
    settings.frame_seen(general.QueryActualLevel(GearShort(1)))  # a query writes nothing
    assert not settings._stale
    sim.unplug()
    await hass.async_block_till_done()
    settings._stale.add(3)
    with caplog.at_level("DEBUG"):
        await settings.async_complete()
    assert "stored settings" in caplog.text
