"""DALI-2 input devices in Home Assistant (C14): buttons, occupancy and light sensors."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from unittest.mock import patch

import pytest
from dali.address import GearGroup
from dali.device import general, pushbutton
from dali.gear import general as gear_general
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import automation
from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Context, HomeAssistant, ServiceCall
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_get_device_automations,
    async_mock_service,
)
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.smart_lighting_ai.const import DOMAIN
from custom_components.smart_lighting_ai.dali import DaliError
from custom_components.smart_lighting_ai.dali.backends.simulated import SimulatedBackend
from custom_components.smart_lighting_ai.input_devices import uncalibrated_issue_id

from .common import OFFICE_START, runtime, simulator

BUTTON_1 = "event.dali_input_device_0_button_1"
BUTTON_3 = "event.dali_input_device_0_button_3"
OCCUPANCY = "binary_sensor.dali_input_device_1_occupancy"
LUX = "sensor.dali_input_device_1_illuminance"
SETUP_BACKEND = "custom_components.smart_lighting_ai.create_backend"


def _state(hass: HomeAssistant, entity_id: str) -> Any:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state


async def test_every_button_is_an_event_entity_on_its_device(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    registry = er.async_get(hass)
    ids = {e.unique_id for e in er.async_entries_for_config_entry(registry, loaded_entry.entry_id)}
    assert {f"simulated-input-0-{n}" for n in range(4)} <= ids
    assert {"simulated-input-1-0", "simulated-input-1-1"} <= ids
    state = _state(hass, BUTTON_1)
    assert state.attributes["event_types"] == [
        "short_press",
        "double_press",
        "long_press_start",
        "long_press_repeat",
        "long_press_stop",
    ]
    assert state.state == "unknown"
    device = dr.async_get(hass).async_get(registry.async_get(BUTTON_1).device_id)
    assert device.name == "DALI input device 0"
    assert device.model == "DALI-2 push-button panel"
    bus = dr.async_get(hass).async_get(runtime(loaded_entry).bus_device_id)
    assert device.via_device_id == bus.id


async def test_a_press_on_the_panel_fires_the_buttons_event(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    panel = simulator(loaded_entry).devices[0]
    for kind in (
        "short_press",
        "double_press",
        "long_press_start",
        "long_press_repeat",
        "long_press_stop",
    ):
        freezer.tick(timedelta(seconds=1))
        panel.press(2, kind)
        await hass.async_block_till_done()
        state = _state(hass, BUTTON_3)
        assert state.attributes["event_type"] == kind
        assert state.state != "unknown"
    assert _state(hass, BUTTON_1).state == "unknown"  # the other buttons did nothing


async def test_unknown_event_codes_fire_nothing_and_are_logged_once(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    panel = simulator(loaded_entry).devices[0]
    caplog.set_level(logging.DEBUG)
    panel.send_event_code(0, 0x3F0)
    panel.send_event_code(0, 0x3F0)
    panel.press(0, "button_pressed")  # known, but no event type of the entity
    await hass.async_block_till_done()
    assert _state(hass, BUTTON_1).state == "unknown"
    warnings = [r for r in caplog.records if "unknown DALI input event" in r.getMessage()]
    assert [r.levelno for r in warnings] == [logging.WARNING, logging.DEBUG]
    assert loaded_entry.state is ConfigEntryState.LOADED


async def test_device_triggers_run_an_automation_without_yaml(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    device_id = er.async_get(hass).async_get(BUTTON_3).device_id
    triggers = await async_get_device_automations(hass, DeviceAutomationType.TRIGGER, device_id)
    ours = [t for t in triggers if t["domain"] == DOMAIN]
    assert len(ours) == 4 * 5
    assert {
        "platform": "device",
        "domain": DOMAIN,
        "device_id": device_id,
        "type": "double_press",
        "subtype": "button_3",
        "metadata": {},
    } in ours
    sensor_device = er.async_get(hass).async_get(OCCUPANCY).device_id
    sensor_triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, sensor_device
    )
    assert [t for t in sensor_triggers if t["domain"] == DOMAIN] == []  # no buttons there
    calls: list[ServiceCall] = async_mock_service(hass, "test", "automation")
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: {
                "trigger": {
                    "platform": "device",
                    "domain": DOMAIN,
                    "device_id": device_id,
                    "type": "double_press",
                    "subtype": "button_3",
                },
                "action": {"service": "test.automation"},
            }
        },
    )
    panel = simulator(loaded_entry).devices[0]
    panel.press(2, "short_press")  # another event type
    panel.press(1, "double_press")  # another button
    await hass.async_block_till_done()
    assert calls == []
    panel.press(2, "double_press")
    await hass.async_block_till_done()
    assert len(calls) == 1


async def test_occupancy_instance_is_an_occupancy_binary_sensor(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    state = _state(hass, OCCUPANCY)
    assert state.attributes["device_class"] == "occupancy"
    assert state.state == "off"  # read from the sensor at start-up: vacant
    sensor = simulator(loaded_entry).devices[1]
    sensor.set_occupancy(True)
    await hass.async_block_till_done()
    assert _state(hass, OCCUPANCY).state == "on"
    sensor.set_occupancy(False)
    await hass.async_block_till_done()
    assert _state(hass, OCCUPANCY).state == "off"


async def test_light_sensor_is_unavailable_with_a_repair_until_calibrated(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_admin_user: MockUser
) -> None:
    state = _state(hass, LUX)
    assert state.state == "unavailable"
    assert state.attributes["device_class"] == "illuminance"
    assert state.attributes["unit_of_measurement"] == "lx"
    issue_id = uncalibrated_issue_id(loaded_entry, (1, 1))
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "light_sensor_uncalibrated"

    context = Context(user_id=hass_admin_user.id)
    sensor = simulator(loaded_entry).devices[1]
    sensor.set_light(0)
    await hass.async_block_till_done()
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "calibrate_light_sensor",
            {"entity_id": LUX, "lux": 300},
            blocking=True,
            context=context,
        )
    assert err.value.translation_key == "light_sensor_no_reading"

    sensor.set_light(600)
    await hass.async_block_till_done()
    response = await hass.services.async_call(
        DOMAIN,
        "calibrate_light_sensor",
        {"entity_id": LUX, "lux": 300},
        blocking=True,
        context=context,
        return_response=True,
    )
    assert response == {"sensors": {LUX: {"raw_value": 600, "lux_per_raw": 0.5}}}
    await hass.async_block_till_done()
    assert float(_state(hass, LUX).state) == 300.0
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    sensor.set_light(200)
    await hass.async_block_till_done()
    assert float(_state(hass, LUX).state) == 100.0
    assert _state(hass, LUX).attributes["raw_value"] == 200

    # the calibration and the devices survive a reload; the devices are not searched again
    simulator(loaded_entry).log.clear()
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    log = simulator(loaded_entry).log
    assert not [c for c in log if isinstance(c, general.QueryDeviceStatus)]
    assert float(_state(hass, LUX).state) == 100.0  # read back at start-up, calibrated


async def test_calibrating_something_else_is_refused(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_admin_user: MockUser,
    hass_read_only_user: MockUser,
) -> None:
    registry = er.async_get(hass)
    other = next(
        e.entity_id
        for e in er.async_entries_for_config_entry(registry, loaded_entry.entry_id)
        if e.domain == "sensor" and "-input-" not in e.unique_id
    )
    for entity_id in (OCCUPANCY, "sensor.nowhere", other):
        with pytest.raises(ServiceValidationError) as err:
            await hass.services.async_call(
                DOMAIN,
                "calibrate_light_sensor",
                {"entity_id": entity_id, "lux": 300},
                blocking=True,
                context=Context(user_id=hass_admin_user.id),
            )
        assert err.value.translation_key == "not_a_light_sensor"
    panel = registry.async_get(BUTTON_1).device_id
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "calibrate_light_sensor",
            {"device_id": panel, "lux": 300},
            blocking=True,
            context=Context(user_id=hass_admin_user.id),
        )
    assert err.value.translation_key == "no_light_sensors"
    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            DOMAIN,
            "calibrate_light_sensor",
            {"entity_id": LUX, "lux": 300},
            blocking=True,
            context=Context(user_id=hass_read_only_user.id),
        )
    await hass.config_entries.async_unload(loaded_entry.entry_id)
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN,
            "calibrate_light_sensor",
            {"entity_id": LUX, "lux": 300},
            blocking=True,
            context=Context(user_id=hass_admin_user.id),
        )


class _NoTwentyFourBit(SimulatedBackend):
    """An interface like the hasseb: 24-bit frames fail with a DaliError."""

    async def send_command(self, command: Any) -> Any:
        if len(command.frame) == 24:
            raise DaliError("The hid_hasseb interface cannot send 24-bit frames")
        return await super().send_command(command)


async def test_an_interface_without_24_bit_frames_sets_up_without_input_devices(
    hass: HomeAssistant, entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    with patch(SETUP_BACKEND, return_value=_NoTwentyFourBit()):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get(BUTTON_1) is None
    assert runtime(entry).inputs is not None
    assert runtime(entry).inputs.devices == []
    assert "cannot send 24-bit frames" in caplog.text  # what a hasseb user reads in the log


async def test_dali_sensors_can_be_a_rooms_sensors_and_light_it(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(OFFICE_START)  # a working-day morning
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    sensor = simulator(entry).devices[1]
    sensor.set_light(40)
    await hass.async_block_till_done()
    sensor_device = er.async_get(hass).async_get(LUX).device_id
    await hass.services.async_call(  # by the device: its occupancy sensor is left out
        DOMAIN,
        "calibrate_light_sensor",
        {"device_id": sensor_device, "lux": 20},
        blocking=True,
    )
    # the room settings offer them: binary sensors of class occupancy, sensors of illuminance
    assert _state(hass, OCCUPANCY).attributes["device_class"] == "occupancy"
    assert _state(hass, LUX).attributes["device_class"] == "illuminance"
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "room"}
    )
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"group": "0"})
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"name": "Open office", "occupancy_entities": [OCCUPANCY], "illuminance_entities": [LUX]},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options["groups"]["0"]["occupancy_entities"] == [OCCUPANCY]
    assert entry.state is ConfigEntryState.LOADED
    office = [g.actual_level for g in simulator(entry).gear[0:4]]
    assert office == [0, 0, 0, 0]

    freezer.tick(timedelta(seconds=5))
    simulator(entry).devices[1].set_light(40)  # dark (20 lx) ...
    simulator(entry).devices[1].set_occupancy(True)  # ... and someone walks in
    await async_wait_recording_done(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _state(hass, OCCUPANCY).state == "on"
    office_light = er.async_get(hass).async_get_entity_id("light", DOMAIN, "simulated-group-0")
    assert office_light is not None
    assert _state(hass, office_light).state == "on"
    assert all(g.actual_level > 0 for g in simulator(entry).gear[0:4])


async def test_other_traffic_and_events_without_a_source_change_nothing(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    line = simulator(loaded_entry)
    line.inject(gear_general.QueryActualLevel(GearGroup(3)))  # a 16-bit frame of a panel
    line.inject(pushbutton.ShortPress(instance_number=0))  # the "instance" scheme: whose?
    await hass.async_block_till_done()
    assert _state(hass, BUTTON_1).state == "unknown"
    assert loaded_entry.state is ConfigEntryState.LOADED


class _SilentSensor(SimulatedBackend):
    """The saved line, with the sensor fallen silent while Home Assistant was away."""

    def restore(self, data: dict[str, Any]) -> bool:
        restored = super().restore(data)
        self.devices[1].responding = False
        return restored


async def test_a_sensor_that_does_not_answer_at_start_up_is_unknown_until_it_reports(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    with patch(SETUP_BACKEND, return_value=SimulatedBackend()):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    assert _state(hass, OCCUPANCY).state == "off"
    # the same entry on an interface that cannot send 24-bit frames: the devices are known
    # from the first search, their values are not
    assert await hass.config_entries.async_unload(entry.entry_id)
    with patch(SETUP_BACKEND, return_value=_NoTwentyFourBit()):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    assert _state(hass, OCCUPANCY).state == "unknown"
    assert _state(hass, BUTTON_1).state == "unknown"
    # and a sensor that does not answer its input value either
    assert await hass.config_entries.async_unload(entry.entry_id)
    silent = _SilentSensor()
    with patch(SETUP_BACKEND, return_value=silent):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    assert _state(hass, OCCUPANCY).state == "unknown"
    silent.devices[1].responding = True
    silent.devices[1].set_occupancy(True)
    await hass.async_block_till_done()
    assert _state(hass, OCCUPANCY).state == "on"
