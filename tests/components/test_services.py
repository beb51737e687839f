"""The scan_bus action: admin only, rescans and picks up new groups."""

from __future__ import annotations

import pytest
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError, Unauthorized
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from custom_components.smart_lighting_ai.const import DOMAIN
from custom_components.smart_lighting_ai.dali.sim_gear import SimGear

from .common import simulator


async def test_scan_bus_is_admin_only(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_read_only_user: MockUser
) -> None:
    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            DOMAIN,
            "scan_bus",
            {},
            blocking=True,
            return_response=True,
            context=Context(user_id=hass_read_only_user.id),
        )


async def test_scan_bus_finds_new_group(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_admin_user: MockUser
) -> None:
    simulator(loaded_entry).gear.append(SimGear(short_address=20, groups={5}))
    response = await hass.services.async_call(
        DOMAIN,
        "scan_bus",
        {"config_entry_id": loaded_entry.entry_id},
        blocking=True,
        return_response=True,
        context=Context(user_id=hass_admin_user.id),
    )
    assert response is not None
    assert len(response["gear"]) == 20
    assert response["groups"] == [0, 1, 2, 3, 5]
    await hass.async_block_till_done()
    assert hass.states.get("light.dali_group_5") is not None


async def test_scan_bus_errors(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "scan_bus", {"config_entry_id": "nope"}, blocking=True, return_response=True
        )
    assert err.value.translation_key == "entry_not_loaded"
    simulator(loaded_entry).unplug()
    with pytest.raises(HomeAssistantError) as err2:
        await hass.services.async_call(DOMAIN, "scan_bus", {}, blocking=True, return_response=True)
    assert err2.value.translation_key == "not_connected"  # the same words as the lights


async def test_actions_need_a_loaded_entry(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "scan_bus", {}, blocking=True, return_response=True)
    assert err.value.translation_key == "no_entry"


async def test_several_buses_need_a_choice(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    other = MockConfigEntry(domain=DOMAIN, data={"bus_type": "simulated"}, unique_id="other")
    other.add_to_hass(hass)
    assert await hass.config_entries.async_setup(other.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "scan_bus", {}, blocking=True, return_response=True)
    assert err.value.translation_key == "several_entries"
