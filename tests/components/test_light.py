"""Group lights on the simulated bus: contract C3, with the frames each change puts on the bus."""

from __future__ import annotations

import math

import pytest
from dali.address import GearGroup
from dali.gear import colour, general
from homeassistant.components.light import (
    ATTR_BRIGHTNESS,
    ATTR_COLOR_TEMP_KELVIN,
    ATTR_MAX_COLOR_TEMP_KELVIN,
    ATTR_MIN_COLOR_TEMP_KELVIN,
    ATTR_SUPPORTED_COLOR_MODES,
    ATTR_TRANSITION,
    ColorMode,
)
from homeassistant.components.light import (
    DOMAIN as LIGHT_DOMAIN,
)
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util.color import brightness_to_value
from pytest_homeassistant_custom_component.common import MockConfigEntry

from .common import simulator

LIGHT_0 = "light.dali_group_0"  # DT8 members 0-3
LIGHT_2 = "light.dali_group_2"  # DT6 members 8-11


async def _call(hass: HomeAssistant, service: str, **data: object) -> None:
    await hass.services.async_call(LIGHT_DOMAIN, service, data, blocking=True)


async def test_one_light_per_group_with_unique_ids(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    registry = er.async_get(hass)
    lights = [
        e
        for e in er.async_entries_for_config_entry(registry, loaded_entry.entry_id)
        if e.domain == "light"
    ]
    groups = [e.unique_id for e in lights if "-group-" in e.unique_id]
    assert sorted(groups) == [f"simulated-group-{n}" for n in range(4)]
    for n in range(4):
        assert hass.states.get(f"light.dali_group_{n}").state == STATE_OFF


async def test_dt8_group_has_colour_temperature_and_dt6_only_brightness(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    dt8 = hass.states.get(LIGHT_0).attributes
    assert dt8[ATTR_SUPPORTED_COLOR_MODES] == [ColorMode.COLOR_TEMP]
    assert (dt8[ATTR_MIN_COLOR_TEMP_KELVIN], dt8[ATTR_MAX_COLOR_TEMP_KELVIN]) == (2700, 6500)
    assert hass.states.get(LIGHT_2).attributes[ATTR_SUPPORTED_COLOR_MODES] == [ColorMode.BRIGHTNESS]


@pytest.mark.parametrize("brightness", [1, 2, 3, 64, 128, 200, 254, 255])
async def test_turn_on_sends_one_group_dapc(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, brightness: int
) -> None:
    sim = simulator(loaded_entry)
    sim.log.clear()
    await _call(hass, "turn_on", entity_id=LIGHT_2, brightness=brightness)
    expected = math.ceil(brightness_to_value((1, 254), brightness))
    assert [(type(c), c.destination, c.power) for c in sim.log] == [
        (general.DAPC, GearGroup(2), expected)
    ]
    assert [g.actual_level for g in sim.gear[8:12]] == [expected] * 4
    assert all(g.actual_level == 0 for g in sim.gear if 2 not in g.groups)
    state = hass.states.get(LIGHT_2)
    assert state.state == STATE_ON
    assert state.attributes[ATTR_BRIGHTNESS] == brightness


async def test_turn_off_switches_group_off(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    sim = simulator(loaded_entry)
    await _call(hass, "turn_on", entity_id=LIGHT_2, brightness=100)
    sim.log.clear()
    await _call(hass, "turn_off", entity_id=LIGHT_2)
    assert [(type(c), c.destination) for c in sim.log] == [(general.Off, GearGroup(2))]
    assert [g.actual_level for g in sim.gear[8:12]] == [0] * 4
    assert hass.states.get(LIGHT_2).state == STATE_OFF


async def test_turn_on_without_brightness_restores_last_level(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    sim = simulator(loaded_entry)
    await _call(hass, "turn_on", entity_id=LIGHT_2, brightness=100)
    await _call(hass, "turn_off", entity_id=LIGHT_2)
    await _call(hass, "turn_on", entity_id=LIGHT_2)
    assert sim.gear[8].actual_level == math.ceil(brightness_to_value((1, 254), 100))


async def test_colour_temperature_is_one_dt8_sequence(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    sim = simulator(loaded_entry)
    await _call(hass, "turn_on", entity_id=LIGHT_0, brightness=255)
    sim.log.clear()
    await _call(hass, "turn_on", entity_id=LIGHT_0, color_temp_kelvin=4000)
    assert [type(c) for c in sim.log] == [
        general.DTR0,
        general.DTR1,
        colour.SetTemporaryColourTemperature,
        colour.Activate,
    ]
    assert sim.log[0].param | sim.log[1].param << 8 == 250  # 10^6 / 4000 K
    assert all(c.destination == GearGroup(0) for c in sim.log[2:])
    assert {g.tc_mirek for g in sim.gear[:4]} == {250}
    assert hass.states.get(LIGHT_0).attributes[ATTR_COLOR_TEMP_KELVIN] == 4000


async def test_kelvin_outside_range_is_clamped(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    sim = simulator(loaded_entry)
    await _call(hass, "turn_on", entity_id=LIGHT_0, color_temp_kelvin=10000)
    assert {g.tc_mirek for g in sim.gear[:4]} == {154}
    assert hass.states.get(LIGHT_0).attributes[ATTR_COLOR_TEMP_KELVIN] == 6500
    await _call(hass, "turn_on", entity_id=LIGHT_0, color_temp_kelvin=1500)
    assert {g.tc_mirek for g in sim.gear[:4]} == {370}
    assert hass.states.get(LIGHT_0).attributes[ATTR_COLOR_TEMP_KELVIN] == 2700


@pytest.mark.parametrize(("seconds", "code"), [(1, 2), (4, 6), (10, 9), (90, 15)])
async def test_transition_sets_nearest_fade_time_once(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seconds: float, code: int
) -> None:
    sim = simulator(loaded_entry)
    sim.log.clear()
    await _call(hass, "turn_on", entity_id=LIGHT_2, brightness=128, transition=seconds)
    assert [type(c) for c in sim.log] == [general.DTR0, general.SetFadeTime, general.DAPC]
    assert sim.log[0].param == code
    assert {g.fade_time for g in sim.gear[8:12]} == {code}
    sim.log.clear()
    await _call(hass, "turn_on", entity_id=LIGHT_2, brightness=200, transition=seconds)
    assert [type(c) for c in sim.log] == [general.DAPC]  # the fade time is already there


async def test_a_transition_of_minutes_is_a_real_extended_fade(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    sim = simulator(loaded_entry)
    sim.log.clear()
    await _call(hass, "turn_on", entity_id=LIGHT_2, brightness=128, transition=10_000)
    assert general.SetExtendedFadeTime in [type(c) for c in sim.log]
    assert {g.fade_time for g in sim.gear[8:12]} == {0}  # 0: the extended fade applies
    assert {g.extended_fade for g in sim.gear[8:12]} == {0x4F}  # 16 x 1 min: the longest
    sim.log.clear()
    await _call(hass, "turn_on", entity_id=LIGHT_2, brightness=200)
    assert [type(c) for c in sim.log] == [general.DAPC]  # without a transition: no write


async def test_turn_off_with_transition_fades_out(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    sim = simulator(loaded_entry)
    await _call(hass, "turn_on", entity_id=LIGHT_2, brightness=128)
    sim.log.clear()
    await _call(hass, "turn_off", entity_id=LIGHT_2, **{ATTR_TRANSITION: 8})
    assert [(type(c), getattr(c, "power", None)) for c in sim.log] == [
        (general.DTR0, None),
        (general.SetFadeTime, None),
        (general.DAPC, 0),
    ]
    assert hass.states.get(LIGHT_2).state == STATE_OFF


async def test_wall_panel_change_is_read_back(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    sim = simulator(loaded_entry)
    sim.inject(general.DAPC(GearGroup(1), 100))
    await hass.async_block_till_done()
    state = hass.states.get("light.dali_group_1")
    assert state.state == STATE_ON
    assert state.attributes[ATTR_BRIGHTNESS] == 100


async def test_light_needs_entity_id(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    await _call(hass, "turn_on", **{ATTR_ENTITY_ID: [LIGHT_0, LIGHT_2], ATTR_BRIGHTNESS: 255})
    assert hass.states.get(LIGHT_0).state == STATE_ON
    assert hass.states.get(LIGHT_2).state == STATE_ON
