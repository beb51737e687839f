"""Addressing from Home Assistant: commission, set_groups, Identify buttons, stale fittings."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from dali.command import Command
from dali.gear import general
from homeassistant.components import persistent_notification
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError, Unauthorized
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.smart_lighting_ai.commissioning_actions import notification_id
from custom_components.smart_lighting_ai.compat import device_by_identifier
from custom_components.smart_lighting_ai.const import DOMAIN
from custom_components.smart_lighting_ai.dali.commissioning import DEFAULT_MAX_ROUNDS
from custom_components.smart_lighting_ai.dali.sim_addressing import force_collision
from custom_components.smart_lighting_ai.dali.sim_gear import SimGear

from .common import runtime, simulator

FITTING_16 = "light.dali_fitting_16"


def _waiting(entry: MockConfigEntry) -> list[SimGear]:
    return [g for g in simulator(entry).gear if g.short_address is None]


async def _call(
    hass: HomeAssistant, action: str, data: dict[str, Any], user: MockUser | None = None
) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN,
        action,
        data,
        blocking=True,
        return_response=True,
        context=Context(user_id=user.id) if user else None,
    )
    await hass.async_block_till_done()
    assert response is not None
    return dict(response)


def _notification(hass: HomeAssistant, entry: MockConfigEntry) -> str | None:
    notes = persistent_notification._async_get_or_create_notifications(hass)
    note = notes.get(notification_id(entry))
    return None if note is None else str(note["message"])


async def test_commission_addresses_new_gear_and_their_lights_appear(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_admin_user: MockUser
) -> None:
    waiting = _waiting(loaded_entry)
    assert hass.states.get("light.dali_fitting_19") is None
    seen: list[str] = []

    def follow(_kind: Any, notes: dict[str, Any]) -> None:
        seen.extend(str(n["message"]) for n in notes.values())

    unsubscribe = persistent_notification.async_register_callback(hass, follow)
    response = await _call(hass, "commission", {}, hass_admin_user)
    unsubscribe()

    assert response["collisions"] == 0
    assert response["nothing_to_do"] is False
    assert sorted(response["addressed"], key=lambda g: g["short_address"]) == sorted(
        ({"short_address": g.short_address, "gtin": g.gtin, "serial": g.serial} for g in waiting),
        key=lambda g: g["short_address"],
    )
    assert sorted(g.short_address for g in waiting) == [19, 20]
    for address in (19, 20):  # no restart, no reload: the lights are there and work
        state = hass.states.get(f"light.dali_fitting_{address}")
        assert state is not None
        assert state.state != STATE_UNAVAILABLE
        assert hass.states.get(f"button.dali_fitting_{address}_identify") is not None
    assert {g.short_address for g in runtime(loaded_entry).controller.inventory.gear} >= {19, 20}
    assert any(text.startswith("Started") for text in seen)
    assert any("fittings found so far" in text for text in seen)
    final = _notification(hass, loaded_entry)
    assert final is not None
    assert final.startswith("Finished: 2 fittings got a short address (19, 20)")


async def test_commission_twice_says_there_is_nothing_to_do(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    await _call(hass, "commission", {})
    frames = runtime(loaded_entry).bus.frames_sent
    response = await _call(hass, "commission", {})
    assert response["addressed"] == []
    assert response["nothing_to_do"] is True
    assert "nothing to do" in response["message"]
    assert runtime(loaded_entry).bus.frames_sent - frames == 1
    assert "nothing to do" in (_notification(hass, loaded_entry) or "")


async def test_dry_run_programs_nothing(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    response = await _call(hass, "commission", {"dry_run": True})
    assert [g["short_address"] for g in response["addressed"]] == [19, 20]
    assert response["dry_run"] is True
    assert len(_waiting(loaded_entry)) == 2
    assert hass.states.get("light.dali_fitting_19") is None
    assert "Nothing was programmed" in (_notification(hass, loaded_entry) or "")


async def test_commission_is_for_admins(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_read_only_user: MockUser
) -> None:
    with pytest.raises(Unauthorized):
        await _call(hass, "commission", {}, hass_read_only_user)
    with pytest.raises(Unauthorized):
        await _call(
            hass, "set_groups", {"entity_id": FITTING_16, "groups": [1]}, hass_read_only_user
        )
    assert len(_waiting(loaded_entry)) == 2


async def test_a_collision_is_resolved_and_counted(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    force_collision(_waiting(loaded_entry))
    response = await _call(hass, "commission", {})
    assert response["collisions"] == 1
    assert len(response["addressed"]) == 2


async def test_an_unresolvable_collision_is_a_clear_error(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    force_collision(_waiting(loaded_entry), 0x0A0B0C, rounds=DEFAULT_MAX_ROUNDS)
    with pytest.raises(HomeAssistantError) as caught:
        await _call(hass, "commission", {})
    assert caught.value.translation_key == "commission_collision"
    assert "0x0a0b0c" in str(caught.value)
    assert f"{DEFAULT_MAX_ROUNDS} times in a row" in str(caught.value)
    assert (_notification(hass, loaded_entry) or "").startswith("Stopped: Several DALI fittings")
    assert not any(g.addressing.initialising for g in simulator(loaded_entry).gear)


async def test_no_free_short_address_is_a_clear_error(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    simulator(loaded_entry).gear.extend(SimGear(short_address=a) for a in range(20, 64))
    with pytest.raises(HomeAssistantError) as caught:
        await _call(hass, "commission", {})
    assert caught.value.translation_key == "commission_no_free_address"
    assert str(caught.value).startswith("1 DALI fittings were found")
    # the one that got the last free address is in Home Assistant all the same
    assert 19 in {g.short_address for g in runtime(loaded_entry).controller.inventory.gear}


class _DeafToProgramming(SimGear):
    def receive(self, command: Command) -> int | None:
        if isinstance(command, general.ProgramShortAddress):
            return None
        return super().receive(command)


async def test_a_gear_that_refuses_its_address_is_a_clear_error(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    gear = simulator(loaded_entry).gear
    for unit in _waiting(loaded_entry):
        gear.remove(unit)
    gear.append(_DeafToProgramming(short_address=None, serial=9))
    with pytest.raises(HomeAssistantError) as caught:
        await _call(hass, "commission", {})
    assert caught.value.translation_key == "commission_program_failed"
    assert "short address 19" in str(caught.value)


async def test_a_bus_failure_takes_the_progress_notification_away(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    simulator(loaded_entry)._connected = False  # the interface is gone, not yet noticed
    with pytest.raises(HomeAssistantError) as caught:
        await _call(hass, "commission", {})
    assert caught.value.translation_key == "not_connected"
    assert _notification(hass, loaded_entry) is None


async def test_a_second_run_while_one_runs_is_refused(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    started = asyncio.Event()
    unsubscribe = persistent_notification.async_register_callback(
        hass, lambda _kind, _notes: started.set()
    )
    first = hass.async_create_task(_call(hass, "commission", {}))
    await started.wait()  # the first run is under way (it waits for the gear to randomise)
    unsubscribe()
    with pytest.raises(ServiceValidationError) as caught:
        await _call(hass, "commission", {})
    assert caught.value.translation_key == "commissioning_running"
    assert len((await first)["addressed"]) == 2


async def test_readdress_keeps_every_fitting_and_reports_none_missing(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    registry = er.async_get(hass)
    before = {e.unique_id for e in registry.entities.values() if "-gear-" in e.unique_id}
    response = await _call(hass, "commission", {"readdress": True})
    assert len(response["addressed"]) == 21
    inventory = runtime(loaded_entry).controller.inventory
    assert sorted(g.short_address for g in inventory.gear) == list(range(21))
    assert inventory.missed_scans == {}
    assert len({g.key for g in inventory.gear}) == 21
    after = {e.unique_id for e in registry.entities.values() if "-gear-" in e.unique_id}
    assert before <= after  # the fittings kept their entities (GTIN and serial)


async def test_set_groups_sets_membership_and_the_group_light_appears(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_admin_user: MockUser
) -> None:
    assert hass.states.get("light.dali_group_5") is None
    response = await _call(
        hass, "set_groups", {"entity_id": FITTING_16, "groups": [5, "9"]}, hass_admin_user
    )
    assert response == {"fittings": {FITTING_16: {"short_address": 16, "groups": [5, 9]}}}
    assert simulator(loaded_entry).gear[16].groups == {5, 9}
    await hass.async_block_till_done()
    assert hass.states.get("light.dali_group_5") is not None
    assert hass.states.get("button.dali_group_5_identify") is not None
    gear = runtime(loaded_entry).controller.inventory.by_key(
        f"{simulator(loaded_entry).gear[16].gtin}-{simulator(loaded_entry).gear[16].serial}"
    )
    assert gear is not None
    assert gear.groups == {5, 9}


async def test_set_groups_out_of_range_is_refused(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    with pytest.raises(ServiceValidationError) as caught:
        await _call(hass, "set_groups", {"entity_id": FITTING_16, "groups": [3, 16, -1]})
    assert caught.value.translation_key == "group_out_of_range"
    assert "-1, 16" in str(caught.value)
    assert simulator(loaded_entry).gear[16].groups == set()


async def test_set_groups_on_a_fitting_that_does_not_answer(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    simulator(loaded_entry).gear[16].responding = False
    with pytest.raises(HomeAssistantError) as caught:
        await _call(hass, "set_groups", {"entity_id": FITTING_16, "groups": [3]})
    assert caught.value.translation_key == "fitting_not_answering"
    assert "DALI fitting 16 (light.dali_fitting_16) does not answer" in str(caught.value)
    assert simulator(loaded_entry).gear[16].groups == set()


async def test_set_groups_on_two_fittings_at_one_address(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    _waiting(loaded_entry)[0].short_address = 16
    with pytest.raises(HomeAssistantError) as caught:
        await _call(hass, "set_groups", {"entity_id": FITTING_16, "groups": [3]})
    assert caught.value.translation_key == "fitting_garbled"


class _KeepsItsGroups(SimGear):
    def receive(self, command: Command) -> int | None:
        if isinstance(command, general.AddToGroup):
            return None
        return super().receive(command)


async def test_set_groups_that_do_not_read_back(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    gear = simulator(loaded_entry).gear
    old = gear[16]
    gear[16] = _KeepsItsGroups(short_address=16, gtin=old.gtin, serial=old.serial)
    with pytest.raises(HomeAssistantError) as caught:
        await _call(hass, "set_groups", {"entity_id": FITTING_16, "groups": [3]})
    assert caught.value.translation_key == "groups_not_verified"
    assert "reads back groups - after the change, not 3" in str(caught.value)


async def test_set_groups_needs_fitting_lights(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    with pytest.raises(ServiceValidationError) as caught:
        await _call(hass, "set_groups", {"entity_id": "light.dali_group_0", "groups": [1]})
    assert caught.value.translation_key == "not_a_fitting_light"
    hass.states.async_set("light.elsewhere", "on")
    with pytest.raises(ServiceValidationError) as caught:
        await _call(hass, "set_groups", {"entity_id": "light.elsewhere", "groups": [1]})
    assert caught.value.translation_key == "not_a_fitting_light"
    registry = er.async_get(hass)
    entity = registry.async_get("light.dali_group_0")
    assert entity is not None
    with pytest.raises(ServiceValidationError) as caught:  # the group light reached by device
        await _call(hass, "set_groups", {"device_id": entity.device_id, "groups": [1]})
    assert caught.value.translation_key == "no_fitting_lights"


async def test_set_groups_on_a_fitting_no_longer_known(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    registry = er.async_get(hass)
    registry.async_get_or_create(
        "light", DOMAIN, "simulated-gear-a55", config_entry=loaded_entry, suggested_object_id="gone"
    )
    with pytest.raises(ServiceValidationError) as caught:
        await _call(hass, "set_groups", {"entity_id": "light.gone", "groups": [1]})
    assert caught.value.translation_key == "fitting_not_in_inventory"


async def test_identify_buttons_reach_one_fitting_or_one_group(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    gear = simulator(loaded_entry).gear
    frames = runtime(loaded_entry).bus.frames_sent
    await hass.services.async_call(
        BUTTON_DOMAIN, "press", {"entity_id": "button.dali_fitting_16_identify"}, blocking=True
    )
    assert [g.addressing.identify_count for g in gear[15:18]] == [0, 1, 0]
    assert gear[16].addressing.identify_started is not None
    await hass.services.async_call(
        BUTTON_DOMAIN, "press", {"entity_id": "button.dali_group_1_identify"}, blocking=True
    )
    assert [g.addressing.identify_count for g in gear[3:9]] == [0, 1, 1, 1, 1, 0]
    assert runtime(loaded_entry).bus.frames_sent - frames == 4  # two send-twice frames
    registry = er.async_get(hass)
    button = registry.async_get("button.dali_fitting_0_identify")
    assert button is not None
    assert button.entity_category is not None


def _entity(hass: HomeAssistant, entity_id: str) -> Any:
    return hass.data["entity_components"][BUTTON_DOMAIN].get_entity(entity_id)


async def test_identify_on_a_dead_bus_or_a_gone_fitting_is_a_clear_error(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    simulator(loaded_entry)._connected = False
    for entity_id in ("button.dali_fitting_16_identify", "button.dali_group_1_identify"):
        with pytest.raises(HomeAssistantError) as caught:
            await _entity(hass, entity_id).async_press()
        assert caught.value.translation_key == "not_connected"
    simulator(loaded_entry)._connected = True
    controller = runtime(loaded_entry).controller
    from custom_components.smart_lighting_ai.dali import Inventory

    controller.set_inventory(
        Inventory(tuple(g for g in controller.inventory.gear if g.short_address != 16))
    )
    await hass.async_block_till_done()
    button = _entity(hass, "button.dali_fitting_16_identify")
    assert not button.available
    with pytest.raises(HomeAssistantError) as caught:
        await button.async_press()
    assert caught.value.translation_key == "fitting_not_in_inventory"


async def _remove_device(client: Any, device_id: str, entry_id: str) -> dict[str, Any]:
    await client.send_json_auto_id(
        {
            "type": "config/device_registry/remove_config_entry",
            "config_entry_id": entry_id,
            "device_id": device_id,
        }
    )
    answer: dict[str, Any] = await client.receive_json()
    return answer


async def test_a_missing_fitting_can_be_deleted_a_present_one_cannot(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    gear = simulator(loaded_entry).gear
    devices = dr.async_get(hass)

    def device_of(unit: SimGear) -> dr.DeviceEntry:
        found = device_by_identifier(
            hass, (DOMAIN, f"simulated-gear-{unit.gtin}-{unit.serial}"), loaded_entry.entry_id
        )
        assert found is not None
        return found

    gear[17].responding = False  # its circuit is cut
    await _call(hass, "scan_bus", {})
    assert 17 in runtime(loaded_entry).controller.inventory.missed_scans
    assert await async_setup_component(hass, "config", {})
    client = await hass_ws_client(hass)
    present = await _remove_device(client, device_of(gear[16]).id, loaded_entry.entry_id)
    assert not present["success"]
    missing = device_of(gear[17])
    answer = await _remove_device(client, missing.id, loaded_entry.entry_id)
    assert answer["success"], answer
    assert devices.async_get(missing.id) is None


class _NoisyWhenRescanned(SimGear):
    """A gear whose answers turn garbled (noise on the line) from its second presence query."""

    backend: Any = None
    queried: int = 0

    def receive(self, command: Command) -> int | None:
        if isinstance(command, general.QueryControlGearPresent) and self.addressed_by(command):
            self.queried += 1
            if self.queried == 2:
                self.backend.garbled = True
        return super().receive(command)


async def test_set_groups_answers_even_when_the_rescan_is_garbled(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    backend = simulator(loaded_entry)
    old = backend.gear[16]
    noisy = _NoisyWhenRescanned(short_address=16, gtin=old.gtin, serial=old.serial)
    noisy.backend = backend
    backend.gear[16] = noisy
    response = await _call(hass, "set_groups", {"entity_id": FITTING_16, "groups": [2]})
    assert response["fittings"][FITTING_16]["groups"] == [2]
    assert "The DALI scan after an addressing change read nothing" in caplog.text
    backend.garbled = False
