"""The simulated line keeps its gear state over a reload and a restart, as a real line does."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.light import ATTR_BRIGHTNESS
from homeassistant.const import STATE_ON
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.smart_lighting_ai.dali.backends.simulated import SimulatedBackend
from custom_components.smart_lighting_ai.simulated_line import SAVE_DELAY_S

from .common import simulator


async def test_levels_and_addresses_survive_a_reload(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    await hass.services.async_call(
        "light", "turn_on", {"entity_id": "light.dali_group_2", ATTR_BRIGHTNESS: 128}, blocking=True
    )
    old = simulator(loaded_entry)
    old.gear[17].groups.add(9)  # written by a vendor tool meanwhile
    levels = [g.actual_level for g in old.gear]

    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()

    new = simulator(loaded_entry)
    assert new is not old  # a new interface object, the same gear behind it
    assert [g.actual_level for g in new.gear] == levels
    assert new.gear[17].groups == {9}
    assert new.gear[3].memory[0] == old.gear[3].memory[0]  # bank 0 (GTIN, serial) as it was
    assert hass.states.get("light.dali_group_2").state == STATE_ON


async def test_changes_are_saved_soon_for_a_restart(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    key = f"smart_lighting_ai.simulated_line.{loaded_entry.entry_id}"
    await hass.services.async_call(
        "light", "turn_on", {"entity_id": "light.dali_group_0", ATTR_BRIGHTNESS: 255}, blocking=True
    )
    freezer.tick(timedelta(seconds=SAVE_DELAY_S + 1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()

    saved = hass_storage[key]["data"]
    restarted = SimulatedBackend(gear=[])
    assert restarted.restore(saved)
    assert [g.actual_level for g in restarted.gear[:4]] == [254] * 4
    assert restarted.gear[0].groups == {0}
    assert restarted.gear[19].short_address is None  # still waiting to be commissioned


async def test_an_unusable_save_leaves_the_factory_line(hass: HomeAssistant) -> None:
    line = SimulatedBackend()
    assert not line.restore({"version": 99, "gear": []})
    assert not line.restore({"version": 1})
    assert not line.restore({"version": 1, "gear": [{"no_such_field": 1}]})
    assert len(line.gear) == 21
