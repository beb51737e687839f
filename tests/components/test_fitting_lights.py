"""A light per fitting (contract C11): identity from bank 0, one DAPC, kept across re-addressing."""

from __future__ import annotations

from dali.address import GearShort
from dali.gear.general import DAPC
from homeassistant.components.light import ATTR_BRIGHTNESS, ATTR_COLOR_TEMP_KELVIN
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_lighting_ai.const import DOMAIN
from custom_components.smart_lighting_ai.dali.backends.simulated import (
    GTIN_DIMMABLE,
    GTIN_TUNABLE_WHITE,
    SimulatedBackend,
)
from custom_components.smart_lighting_ai.dali.sim_gear import SimGear

from .common import runtime, simulator

FITTING_16 = "light.dali_fitting_16"


def _fitting_lights(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, er.RegistryEntry]:
    registry = er.async_get(hass)
    return {
        e.unique_id: e
        for e in er.async_entries_for_config_entry(registry, entry.entry_id)
        if e.domain == "light" and "-gear-" in e.unique_id
    }


async def test_every_fitting_has_a_light_enabled_only_outside_groups(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    lights = _fitting_lights(hass, loaded_entry)
    assert len(lights) == 19  # the two gear without a short address wait for commissioning
    first = lights[f"simulated-gear-{GTIN_TUNABLE_WHITE}-100001"]
    assert first.disabled_by is er.RegistryEntryDisabler.INTEGRATION  # gear 0 is in group 0
    ungrouped = lights[f"simulated-gear-{GTIN_DIMMABLE}-100017"]
    assert ungrouped.disabled_by is None
    assert ungrouped.entity_id == FITTING_16
    assert hass.states.get(FITTING_16).state == STATE_OFF


async def test_turning_a_fitting_on_sends_one_dapc_to_its_short_address(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    sim = simulator(loaded_entry)
    sim.log.clear()
    await hass.services.async_call(
        "light", "turn_on", {"entity_id": FITTING_16, ATTR_BRIGHTNESS: 128}, blocking=True
    )
    sent = [c for c in sim.log if not c.response]
    assert len(sent) == 1
    assert isinstance(sent[0], DAPC)
    assert sent[0].destination == GearShort(16)
    assert sim.gear[16].actual_level == sent[0].power
    state = hass.states.get(FITTING_16)
    assert state.state == STATE_ON
    assert state.attributes[ATTR_BRIGHTNESS] == 128
    assert sim.gear[17].actual_level == 0  # the other fitting stayed off

    await hass.services.async_call("light", "turn_off", {"entity_id": FITTING_16}, blocking=True)
    assert sim.gear[16].actual_level == 0
    assert hass.states.get(FITTING_16).state == STATE_OFF


async def test_a_member_fitting_drives_only_itself_and_its_group_shows_the_members(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    registry = er.async_get(hass)
    member = next(
        e
        for e in _fitting_lights(hass, loaded_entry).values()
        if e.unique_id.endswith("-100002")  # gear 1, in group 0, DT8
    )
    registry.async_update_entity(member.entity_id, disabled_by=None)
    await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    sim = simulator(loaded_entry)

    await hass.services.async_call(
        "light",
        "turn_on",
        {"entity_id": member.entity_id, ATTR_BRIGHTNESS: 255, ATTR_COLOR_TEMP_KELVIN: 4000},
        blocking=True,
    )
    assert [g.actual_level for g in sim.gear[:4]] == [0, 254, 0, 0]
    assert hass.states.get(member.entity_id).attributes[ATTR_COLOR_TEMP_KELVIN] == 4000
    group = hass.states.get("light.dali_group_0")
    assert group.state == STATE_ON  # a group is on while any member is lit
    assert group.attributes[ATTR_BRIGHTNESS] == 255


async def test_a_readdressed_fitting_keeps_its_light(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    before = _fitting_lights(hass, loaded_entry)
    sim = simulator(loaded_entry)
    sim.gear[16].short_address = 40  # an installer re-addressed it with a vendor tool
    response = await hass.services.async_call(
        DOMAIN, "scan_bus", {}, blocking=True, return_response=True
    )
    await hass.async_block_till_done()
    assert response is not None
    assert 16 not in response["missing"]  # it moved; nothing went missing
    after = _fitting_lights(hass, loaded_entry)
    assert after.keys() == before.keys()  # same GTIN and serial: the same entity

    await hass.services.async_call(
        "light", "turn_on", {"entity_id": FITTING_16, ATTR_BRIGHTNESS: 255}, blocking=True
    )
    assert sim.gear[16].actual_level == 254  # reached at its new address 40
    assert (
        runtime(loaded_entry).controller.inventory.by_key(f"{GTIN_DIMMABLE}-100017").short_address
        == 40
    )


async def test_a_fitting_without_bank_0_is_known_by_its_short_address(
    hass: HomeAssistant,
) -> None:
    from unittest.mock import patch

    anonymous = SimGear(short_address=5)  # bank 0 does not answer
    with patch(
        "custom_components.smart_lighting_ai.create_backend",
        return_value=SimulatedBackend(gear=[anonymous]),
    ):
        entry = MockConfigEntry(
            domain=DOMAIN, data={"bus_type": "simulated"}, unique_id="simulated"
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    assert list(_fitting_lights(hass, entry)) == ["simulated-gear-a5"]
    assert runtime(entry).controller.inventory.gear[0].gtin is None


async def test_a_wall_panel_switching_a_fitting_shows_at_once(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    simulator(loaded_entry).inject(DAPC(GearShort(17), 200))  # another master on the line
    await hass.async_block_till_done()
    state = hass.states.get("light.dali_fitting_17")
    assert state.state == STATE_ON
    assert state.attributes[ATTR_BRIGHTNESS] > 200
    assert hass.states.get(FITTING_16).state == STATE_OFF
