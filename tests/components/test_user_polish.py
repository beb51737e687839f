"""What a Home Assistant user sees: system information, Assist, the options forms, messages."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.core import Context, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_fire_time_changed,
)

from custom_components import smart_lighting_ai
from custom_components.smart_lighting_ai.const import DOMAIN
from custom_components.smart_lighting_ai.system_health import system_health_info

from ..fake_openai import API_KEY, FakeOpenAI
from .common import ROOMS_OPTIONS, setup_office

PACKAGE = Path(smart_lighting_ai.__file__).parent
RAW_VALUES = {"true", "false", "none", "null"}
AI_FIELDS = {
    "api_key",
    "base_url",
    "model",
    "payload_cap_bytes",
    "ai_calls_per_hour",
    "ai_price_input_per_mtok",
    "ai_price_output_per_mtok",
}


def _strings() -> dict[str, Any]:
    strings: dict[str, Any] = json.loads((PACKAGE / "strings.json").read_text(encoding="utf-8"))
    return strings


def _fields(result: Any) -> set[str]:
    return {str(key) for key in result["data_schema"].schema}


def _suggested(result: Any, name: str) -> Any:
    key = next(k for k in result["data_schema"].schema if str(k) == name)
    return (key.description or {}).get("suggested_value")


async def _add_bus(hass: HomeAssistant, unique_id: str, title: str) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN, title=title, data={"bus_type": "simulated"}, unique_id=unique_id
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def _menu(hass: HomeAssistant, entry: MockConfigEntry, choice: str) -> Any:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": choice}
    )


# --- System information -------------------------------------------------------------------


@pytest.mark.parametrize("buses", [1, 2])
async def test_system_information_labels_every_line_in_words(
    hass: HomeAssistant, buses: int
) -> None:
    for n in range(buses):
        await _add_bus(hass, f"bus-{n}", f"Bus {n}")

    info = await system_health_info(hass)

    labels = _strings()["system_health"]["info"]
    assert info
    assert set(info) <= set(labels), f"untranslated keys: {set(info) - set(labels)}"
    for key, value in info.items():
        assert isinstance(value, str), (key, value)
        assert value.lower() not in RAW_VALUES, (key, value)
    assert "Simulated" in info["interface"]
    assert "Connected" in info["connected"]
    if buses == 2:  # each bus is named in the line it shares with the other
        assert info["gear"] == "Bus 0: 19 control gear; Bus 1: 19 control gear"


# --- Voice --------------------------------------------------------------------------------


async def test_automatic_control_is_exposed_to_assist_out_of_the_box(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    assert await async_setup_component(hass, "homeassistant", {})
    await setup_office(hass, freezer)

    switch = "switch.open_office_automatic_control"
    assert er.async_get(hass).async_get(switch).entity_category is None
    assert async_should_expose(hass, "conversation", switch)


async def test_decision_sensors_exist_only_for_rooms_and_have_a_value(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    entry = await setup_office(hass, freezer)

    registry = er.async_get(hass)
    decisions = sorted(
        e.unique_id
        for e in er.async_entries_for_config_entry(registry, entry.entry_id)
        if e.unique_id.endswith("-decision")
    )
    assert decisions == [f"simulated-group-{n}-decision" for n in sorted(ROOMS_OPTIONS["groups"])]
    assert hass.states.get("sensor.dali_group_1_last_decision") is None
    # the first feature window gives both rooms a decision
    freezer.tick(timedelta(minutes=5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert float(hass.states.get("sensor.open_office_last_decision").state) > 0
    assert float(hass.states.get("sensor.corridor_last_decision").state) == 0


# --- Options forms ------------------------------------------------------------------------


@pytest.mark.parametrize("step", ["settings", "predictor"])
def test_the_form_is_titled_like_its_menu_item(step: str) -> None:
    options = _strings()["options"]["step"]
    assert options[step]["title"] == options["init"]["menu_options"][step]


@pytest.mark.parametrize(
    ("step", "field"),
    [
        ("ai", "ai_calls_per_hour"),
        ("ai", "ai_price_input_per_mtok"),
        ("ai", "ai_price_output_per_mtok"),
        ("room_settings", "name"),
    ],
)
def test_fields_have_help_text(step: str, field: str) -> None:
    for name in ("strings.json", "translations/en.json"):
        strings = json.loads((PACKAGE / name).read_text(encoding="utf-8"))
        assert strings["options"]["step"][step]["data_description"][field]


async def test_room_settings_offer_removal_only_for_a_configured_room(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    entry = await setup_office(hass, freezer)

    for group, removable in (("0", True), ("1", False)):
        result = await _menu(hass, entry, "room")
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {"group": group}
        )
        assert ("remove" in _fields(result)) is removable
        # the rated power shows the default the energy sensor uses: 4 members x 10 W
        assert _suggested(result, "rated_watts") == 40


async def test_an_unchanged_default_power_is_not_stored(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    hass.states.async_set("binary_sensor.lobby_motion", "off", {"device_class": "motion"})
    result = await _menu(hass, loaded_entry, "room")
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"group": "3"})
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"name": "Lobby", "occupancy_entities": ["binary_sensor.lobby_motion"], "rated_watts": 40},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert "rated_watts" not in loaded_entry.options  # it follows the members if they change


async def test_the_local_predictor_asks_for_no_ai_fields(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await _menu(hass, loaded_entry, "predictor")
    assert result["step_id"] == "predictor"
    assert not _fields(result) & AI_FIELDS

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "predictor": "local",
            "anti_flicker_seconds": 300,
            "override_minutes": 90,
            "shadow_mode": False,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert loaded_entry.options == {
        "predictor": "local",
        "anti_flicker_seconds": 300,
        "override_minutes": 90,
        "shadow_mode": False,
    }


async def test_an_ai_predictor_asks_for_its_fields_and_prices(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, fake_openai: FakeOpenAI
) -> None:
    result = await _menu(hass, loaded_entry, "predictor")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "predictor": "openai",
            "anti_flicker_seconds": 120,
            "override_minutes": 60,
            "shadow_mode": False,
        },
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "ai"
    assert _fields(result) == AI_FIELDS

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "api_key": API_KEY,
            "base_url": fake_openai.base_url,
            "model": "test-model",
            "payload_cap_bytes": 16384,
            "ai_calls_per_hour": 30,
            "ai_price_input_per_mtok": 0.15,
            "ai_price_output_per_mtok": 0.6,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert loaded_entry.options == {
        "predictor": "openai",
        "anti_flicker_seconds": 120,
        "override_minutes": 60,
        "shadow_mode": False,
        "api_key": API_KEY,
        "base_url": fake_openai.base_url,
        "model": "test-model",
        "payload_cap_bytes": 16384,
        "ai_calls_per_hour": 30,
        "ai_price_input_per_mtok": 0.15,
        "ai_price_output_per_mtok": 0.6,
    }


async def test_the_ai_cost_is_an_amount_in_the_configured_currency(
    hass: HomeAssistant, fake_openai: FakeOpenAI
) -> None:
    hass.config.currency = "CHF"
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={"bus_type": "simulated"},
        unique_id="simulated",
        options={"predictor": "openai", "api_key": API_KEY, "base_url": fake_openai.base_url},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    cost = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, "simulated-ai_cost_today")
    assert cost is not None
    state = hass.states.get(cost)
    assert state.attributes["device_class"] == SensorDeviceClass.MONETARY
    assert state.attributes["unit_of_measurement"] == "CHF"


# --- Messages -----------------------------------------------------------------------------


async def test_the_rate_limit_message_names_the_action_in_plain_words(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_admin_user: MockUser,
    freezer: FrozenDateTimeFactory,
) -> None:
    context = Context(user_id=hass_admin_user.id)

    async def aggregate() -> None:
        await hass.services.async_call(
            DOMAIN, "aggregate_now", {}, blocking=True, return_response=True, context=context
        )

    for _ in range(6):  # six a minute are allowed
        await aggregate()
    with pytest.raises(ServiceValidationError) as err:
        await aggregate()

    assert err.value.translation_key == "rate_limited"
    # (Home Assistant drops the message's final full stop)
    assert str(err.value).rstrip(".") == (
        "Aggregate now can be run at most 6 times a minute by each user. Try again in 10 seconds"
    )
