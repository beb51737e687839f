"""The scan_bus action never trades a good inventory for a worse one without saying so."""

from __future__ import annotations

import copy
import logging
from typing import Any
from unittest.mock import patch

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_lighting_ai.const import DOMAIN
from custom_components.smart_lighting_ai.dali.backends.simulated import SimulatedBackend
from custom_components.smart_lighting_ai.dali.scan import FORGET_AFTER_MISSED_SCANS
from custom_components.smart_lighting_ai.dali.sim_gear import SimGear

from .common import runtime, simulator

GROUP_LIGHTS = [f"light.dali_group_{n}" for n in range(4)]


def _saved_inventory(hass_storage: dict[str, Any], entry: MockConfigEntry) -> Any:
    return copy.deepcopy(hass_storage[f"{DOMAIN}.inventory.{entry.entry_id}"]["data"])


def _saved_addresses(hass_storage: dict[str, Any], entry: MockConfigEntry) -> list[int]:
    return [g["short_address"] for g in _saved_inventory(hass_storage, entry)["gear"]]


def _lights_in_service(hass: HomeAssistant) -> list[str]:
    return [
        entity_id
        for entity_id in GROUP_LIGHTS
        if (state := hass.states.get(entity_id)) is not None and state.state != STATE_UNAVAILABLE
    ]


async def _scan(hass: HomeAssistant) -> dict[str, Any]:
    # Home Assistant itself (an automation) calls it: no rate limit between scans
    response = await hass.services.async_call(
        DOMAIN, "scan_bus", {}, blocking=True, return_response=True
    )
    await hass.async_block_till_done()
    assert response is not None
    return dict(response)


async def _failed_scan(hass: HomeAssistant) -> HomeAssistantError | None:
    try:
        await _scan(hass)
    except HomeAssistantError as err:
        await hass.async_block_till_done()
        return err
    return None


async def test_scan_on_a_noisy_line_keeps_the_inventory_and_the_lights(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    saved = _saved_inventory(hass_storage, loaded_entry)
    assert len(saved["gear"]) == 19
    simulator(loaded_entry).garbled = True

    error = await _failed_scan(hass)

    assert _saved_inventory(hass_storage, loaded_entry) == saved
    assert _lights_in_service(hass) == GROUP_LIGHTS
    assert error is not None, "the scan of a noisy line did not fail"
    assert error.translation_domain == DOMAIN
    assert error.translation_key == "scan_unreliable"
    assert error.translation_placeholders is not None
    assert error.translation_placeholders["count"] == "19"

    # a restart on a clean line (a reload brings a fresh simulated line) still has every light
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert not simulator(loaded_entry).garbled
    assert _lights_in_service(hass) == GROUP_LIGHTS
    assert len(runtime(loaded_entry).controller.inventory.gear) == 19


async def test_the_unreliable_scan_error_is_translated(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    simulator(loaded_entry).garbled = True
    with pytest.raises(HomeAssistantError) as err:
        await _scan(hass)
    assert "19" in str(err.value)
    assert "garbled" in str(err.value)


async def test_a_silent_gear_is_named_in_a_warning_and_kept(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    sim = simulator(loaded_entry)
    for gear in sim.gear[12:16]:  # all of group 3 lose their mains while the bus stays up
        gear.responding = False
    sim.gear[5].responding = False
    caplog.set_level(logging.WARNING)

    response = await _scan(hass)

    assert _lights_in_service(hass) == GROUP_LIGHTS
    assert _saved_addresses(hass_storage, loaded_entry) == list(range(19))
    for address in (5, 12, 13, 14, 15):
        assert any(
            r.levelno == logging.WARNING and f"DALI gear {address} " in r.getMessage()
            for r in caplog.records
        ), f"no warning names gear {address}"
    assert response["missing"] == [5, 12, 13, 14, 15]
    assert response["unreadable"] == []
    assert len(response["gear"]) == 19
    assert response["groups"] == [0, 1, 2, 3]


async def test_a_clean_rescan_changes_nothing_and_does_not_reload(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    data = runtime(loaded_entry)
    saved = _saved_inventory(hass_storage, loaded_entry)

    response = await _scan(hass)

    assert response["changed"] is False
    assert response["missing"] == []
    assert response["unreadable"] == []
    assert response["forgotten"] == []
    assert runtime(loaded_entry) is data  # not reloaded
    assert _saved_inventory(hass_storage, loaded_entry) == saved


async def test_a_partly_unreadable_scan_keeps_what_it_could_not_read(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    sim = simulator(loaded_entry)
    for gear in sim.gear[:4]:
        gear.groups = {7}  # group 0 regrouped as group 7 with a vendor tool
    # a second gear set to address 13 by mistake: every answer there collides (framing error)
    sim.gear.append(SimGear(short_address=13, groups={9}))

    response = await _scan(hass)

    assert _saved_addresses(hass_storage, loaded_entry) == list(range(19))
    assert response["groups"] == [1, 2, 3, 7]  # gear 13 kept as it was known: still group 3
    assert _lights_in_service(hass) == GROUP_LIGHTS[1:]
    assert hass.states.get("light.dali_group_7") is not None
    assert response["unreadable"] == [13]
    assert response["missing"] == []
    assert response["changed"] is True


async def test_a_gear_removed_for_real_is_forgotten_after_repeated_clean_scans(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    sim = simulator(loaded_entry)
    sim.gear = sim.gear[:12] + sim.gear[16:]  # group 3 taken off the line

    for _ in range(FORGET_AFTER_MISSED_SCANS - 1):
        response = await _scan(hass)
        assert _lights_in_service(hass) == GROUP_LIGHTS
        assert response["missing"] == [12, 13, 14, 15]
        assert response["forgotten"] == []

    response = await _scan(hass)

    assert response["forgotten"] == [12, 13, 14, 15]
    assert response["groups"] == [0, 1, 2]
    assert _saved_addresses(hass_storage, loaded_entry) == [*range(12), 16, 17, 18]
    assert _lights_in_service(hass) == GROUP_LIGHTS[:3]


async def test_first_setup_on_a_noisy_line_retries_instead_of_saving_nothing(
    hass: HomeAssistant, entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    noisy = SimulatedBackend()
    noisy.garbled = True
    with patch("custom_components.smart_lighting_ai.create_backend", return_value=noisy):
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()

    assert f"{DOMAIN}.inventory.{entry.entry_id}" not in hass_storage
    assert entry.state is ConfigEntryState.SETUP_RETRY
