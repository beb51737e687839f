"""Emergency lighting (contract C16) on the loaded simulated line: fitting 18 is DT1."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest
from dali.gear import emergency
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_lighting_ai.const import DOMAIN
from custom_components.smart_lighting_ai.dali import Inventory
from custom_components.smart_lighting_ai.dali.backends.simulated import (
    EMERGENCY_GEAR,
    FIRST_SERIAL,
    GTIN_EMERGENCY,
)
from custom_components.smart_lighting_ai.dali.sim_emergency import (
    FAILURE_FUNCTION_DELAY,
    SimEmergency,
)
from custom_components.smart_lighting_ai.entity import fitting_name

from .common import runtime, simulator

KEY = f"{GTIN_EMERGENCY}-{FIRST_SERIAL + EMERGENCY_GEAR}"


def _entity(hass: HomeAssistant, domain: str, suffix: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        domain, DOMAIN, f"simulated-gear-{KEY}-{suffix}"
    )
    assert entity_id is not None
    return entity_id


def _state(hass: HomeAssistant, domain: str, suffix: str) -> Any:
    state = hass.states.get(_entity(hass, domain, suffix))
    assert state is not None
    return state


def _unit(entry: MockConfigEntry) -> SimEmergency:
    unit = simulator(entry).gear[EMERGENCY_GEAR].emergency
    assert unit is not None
    return unit


async def _press(hass: HomeAssistant, suffix: str) -> None:
    await hass.services.async_call(
        "button", "press", {"entity_id": _entity(hass, "button", suffix)}, blocking=True
    )


async def _poll(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """The coordinator's periodic read-back (the emergency monitor polls after it)."""
    await runtime(entry).state.async_refresh()
    await hass.async_block_till_done()


def _issue(hass: HomeAssistant, entry: MockConfigEntry, kind: str) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"emergency_{kind}_{entry.entry_id}_{KEY}")


async def test_battery_mode_and_status_show(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Right after setup the fitting shows a full battery in normal mode; changes show later."""
    battery = _state(hass, "sensor", "battery")
    assert battery.state == "100"
    assert battery.attributes["device_class"] == "battery"
    assert battery.attributes["unit_of_measurement"] == "%"
    assert _state(hass, "sensor", "emergency_mode").state == "normal"
    status = _state(hass, "sensor", "emergency_status")
    assert status.state == "ok"
    assert status.attributes["rated_duration_minutes"] == 180
    assert _state(hass, "sensor", "function_test_result").state == STATE_UNKNOWN
    assert _state(hass, "binary_sensor", "emergency_problem").state == STATE_OFF

    _unit(loaded_entry).battery_charge = 127
    await _poll(hass, loaded_entry)
    assert _state(hass, "sensor", "battery").state == "100"  # status changes slowly: not yet read

    freezer.tick(timedelta(minutes=10))
    await _poll(hass, loaded_entry)
    assert _state(hass, "sensor", "battery").state == "50"
    assert _state(hass, "sensor", "emergency_status").state == "charging"


async def test_function_test_from_the_button_runs_and_its_result_shows(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """The button starts the test on the gear; once it finished the result and time show."""
    await _press(hass, "start_function_test")
    unit = _unit(loaded_entry)
    assert unit.function_test == "running"
    assert _state(hass, "sensor", "emergency_mode").state == "function_test"
    assert _state(hass, "sensor", "emergency_status").state == "test_running"

    unit.finish_tests("pass")
    await _poll(hass, loaded_entry)  # a running test is read at every read-back
    result = _state(hass, "sensor", "function_test_result")
    assert result.state == "passed"
    assert result.attributes["tested_at"] is not None
    assert _state(hass, "sensor", "last_function_test").state not in (STATE_UNKNOWN, None)
    assert _state(hass, "sensor", "emergency_mode").state == "normal"
    assert not unit.function_test_done  # result taken: the gear's flag is cleared


async def test_failed_test_raises_a_repair_naming_the_fitting_and_a_pass_clears_it(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """A lamp failure raises a repair naming fitting 18; a passing test clears it."""
    unit = _unit(loaded_entry)
    await _press(hass, "start_function_test")
    unit.finish_tests("lamp_failure")
    await _poll(hass, loaded_entry)

    issue = _issue(hass, loaded_entry, "function_test_failed")
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["fitting"] == "DALI fitting 18"
    assert issue.translation_placeholders["result"] == "lamp failure"
    assert _state(hass, "sensor", "function_test_result").state == "lamp_failure"
    assert _state(hass, "binary_sensor", "emergency_problem").state == STATE_ON
    assert _state(hass, "sensor", "emergency_status").attributes["failures"] == ["lamp_failure"]

    await _press(hass, "start_function_test")
    unit.finish_tests("pass")
    await _poll(hass, loaded_entry)
    assert _issue(hass, loaded_entry, "function_test_failed") is None
    assert _state(hass, "binary_sensor", "emergency_problem").state == STATE_OFF


async def test_short_duration_test_raises_its_own_repair(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """A battery that does not last fails the duration test, with the minutes it lasted."""
    unit = _unit(loaded_entry)
    await _press(hass, "start_duration_test")
    assert unit.duration_test == "running"
    unit.finish_tests("duration_short")
    await _poll(hass, loaded_entry)

    result = _state(hass, "sensor", "duration_test_result")
    assert result.state == "battery_duration_failure"
    assert result.attributes["lasted_minutes"] == 90
    assert result.attributes["rated_minutes"] == 180
    issue = _issue(hass, loaded_entry, "duration_test_failed")
    assert issue is not None
    assert _issue(hass, loaded_entry, "function_test_failed") is None


async def test_overdue_by_the_gear_and_by_the_interval(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """The gear's max-delay bit, or a month without a passing test, raise "overdue"."""
    unit = _unit(loaded_entry)
    unit.failure_status |= FAILURE_FUNCTION_DELAY
    freezer.tick(timedelta(minutes=10))
    await _poll(hass, loaded_entry)
    issue = _issue(hass, loaded_entry, "function_test_overdue")
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["fitting"] == "DALI fitting 18"
    assert issue.translation_placeholders["last_passed"] == "never"
    assert _state(hass, "sensor", "emergency_status").state == "test_overdue"

    await _press(hass, "start_function_test")
    unit.finish_tests("pass")  # the test ran: the gear clears its delay bit
    await _poll(hass, loaded_entry)
    assert _issue(hass, loaded_entry, "function_test_overdue") is None

    freezer.tick(timedelta(days=32))
    await _poll(hass, loaded_entry)
    issue = _issue(hass, loaded_entry, "function_test_overdue")
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["last_passed"] != "never"
    assert _issue(hass, loaded_entry, "duration_test_overdue") is None  # a year for that one


async def test_stop_ends_a_running_test(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """Stop ends the duration test at once and leaves no result."""
    unit = _unit(loaded_entry)
    await _press(hass, "start_duration_test")
    assert _state(hass, "sensor", "emergency_mode").state == "duration_test"

    await _press(hass, "stop_test")
    assert unit.duration_test == "idle"
    assert _state(hass, "sensor", "emergency_mode").state == "normal"
    await _poll(hass, loaded_entry)
    assert _state(hass, "sensor", "duration_test_result").state == STATE_UNKNOWN


async def test_a_fitting_that_is_no_longer_dt1_gets_a_clear_error(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """After a rescan says fitting 18 is not DT1, its buttons refuse with a translated error."""
    controller = runtime(loaded_entry).controller
    gear = [
        dataclasses.replace(g, device_types=(6,)) if g.key == KEY else g
        for g in controller.inventory.gear
    ]
    controller.set_inventory(Inventory(tuple(gear)))
    sim = simulator(loaded_entry)
    sim.log.clear()

    with pytest.raises(ServiceValidationError) as err:
        await _press(hass, "start_function_test")
    assert err.value.translation_key == "not_emergency_fitting"
    assert err.value.translation_placeholders == {"fitting": "DALI fitting 18"}
    assert not any(isinstance(c, emergency.StartFunctionTest) for c in sim.log)

    controller.set_inventory(Inventory(tuple(g for g in gear if g.key != KEY)))
    with pytest.raises(HomeAssistantError) as gone:
        await _press(hass, "stop_test")
    assert gone.value.translation_key == "fitting_not_in_inventory"


async def test_issues_of_a_fitting_that_left_the_line_are_cleared(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """A failed fitting removed from the inventory no longer has an emergency repair."""
    await _press(hass, "start_function_test")
    _unit(loaded_entry).finish_tests("lamp_failure")
    await _poll(hass, loaded_entry)
    assert _issue(hass, loaded_entry, "function_test_failed") is not None

    controller = runtime(loaded_entry).controller
    controller.set_inventory(Inventory(tuple(g for g in controller.inventory.gear if g.key != KEY)))
    await _poll(hass, loaded_entry)
    assert _issue(hass, loaded_entry, "function_test_failed") is None


async def test_bus_problems_are_translated_and_shown(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A silent fitting: buttons fail with the bus error, its sensors go unavailable."""
    unit = _unit(loaded_entry)
    monkeypatch.setattr(unit, "request", lambda *_a, **_k: None)  # a gear that ignores starts
    with pytest.raises(HomeAssistantError) as ignored:
        await _press(hass, "start_function_test")
    assert ignored.value.translation_key == "emergency_test_not_started"

    simulator(loaded_entry).gear[EMERGENCY_GEAR].responding = False
    for button in ("start_duration_test", "stop_test"):
        with pytest.raises(HomeAssistantError) as silent:
            await _press(hass, button)
        assert silent.value.translation_key == "bus_error"

    freezer.tick(timedelta(minutes=10))
    await _poll(hass, loaded_entry)
    assert _state(hass, "sensor", "battery").state == STATE_UNAVAILABLE
    assert _state(hass, "button", "stop_test").state != STATE_UNAVAILABLE

    simulator(loaded_entry).gear[EMERGENCY_GEAR].responding = True
    await _poll(hass, loaded_entry)  # a failed read is retried at the next read-back
    assert _state(hass, "sensor", "battery").state == "100"


async def test_results_survive_a_reload_and_issues_go_with_the_entry(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """The last results are kept across a reload; unloading removes the entry's issues."""
    unit = _unit(loaded_entry)
    await _press(hass, "start_function_test")
    unit.finish_tests("battery_failure")
    await _poll(hass, loaded_entry)
    assert _issue(hass, loaded_entry, "function_test_failed") is not None

    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert _state(hass, "sensor", "function_test_result").state == "battery_failure"
    assert _issue(hass, loaded_entry, "function_test_failed") is not None

    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert _issue(hass, loaded_entry, "function_test_failed") is None


async def test_unreadable_results_are_ignored(
    hass: HomeAssistant, entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    """A damaged results file does not stop the setup; the fitting is simply read again."""
    hass_storage[f"{DOMAIN}.emergency.{entry.entry_id}"] = {
        "version": 1,
        "data": {KEY: {"first_seen": "not a date"}},
    }
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert _state(hass, "sensor", "battery").state == "100"
    assert _state(hass, "sensor", "function_test_result").state == STATE_UNKNOWN


async def test_a_fitting_without_a_device_is_named_by_its_address(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Issues name a fitting by its device's name, or "DALI fitting n" when it has none."""
    stranger = dataclasses.replace(runtime(loaded_entry).controller.inventory.gear[0], serial=7)
    assert fitting_name(hass, loaded_entry, stranger) == "DALI fitting 0"
