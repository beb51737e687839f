"""What a user reads on the "Last decision" sensor and in the log: translated, named rooms."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Context, HomeAssistant
from pytest_homeassistant_custom_component.common import MockUser

from custom_components.smart_lighting_ai.autopilot import DecisionRecord, decision_attributes
from custom_components.smart_lighting_ai.const import DOMAIN
from custom_components.smart_lighting_ai.predictor import Decision

from .common import setup_office

STRINGS = Path(__file__).parents[2] / "custom_components" / DOMAIN / "strings.json"
OFFICE_DECISION = "sensor.open_office_last_decision"
CORRIDOR_DECISION = "sensor.corridor_last_decision"
OFFICE_SWITCH = "switch.open_office_automatic_control"
ENUMERATED = ("source", "applied", "skip_reason")  # attributes whose values are translated


def _attribute_strings() -> dict[str, Any]:
    strings = json.loads(STRINGS.read_text(encoding="utf-8"))
    return dict(strings["entity"]["sensor"]["decision"]["state_attributes"])


def _attributes(hass: HomeAssistant, entity_id: str) -> dict[str, Any]:
    state = hass.states.get(entity_id)
    assert state is not None, f"{entity_id} does not exist"
    return dict(state.attributes)


def _assert_translated(hass: HomeAssistant, entity_id: str, seen: set[str]) -> None:
    """Every attribute of ``entity_id`` has a name; every enumerated value a translated state."""
    translated = _attribute_strings()
    attributes = _attributes(hass, entity_id)
    for key, value in attributes.items():
        if key in ("friendly_name", "unit_of_measurement", "state_class", "device_class", "icon"):
            continue
        assert translated.get(key, {}).get("name"), f"{entity_id}: {key} has no translated name"
        if key in ENUMERATED:
            # the frontend looks the value up as text: True -> "true"
            text = str(value).lower() if isinstance(value, bool) else str(value)
            states = translated[key].get("state", {})
            assert states.get(text), f"{entity_id}: {key}={text!r} has no translated state"
            seen.add(f"{key}={text}")


async def test_decision_attributes_are_translated_through_real_cycles(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await setup_office(hass, freezer)
    await hass.services.async_call(DOMAIN, "aggregate_now", {}, blocking=True, return_response=True)
    office = _attributes(hass, OFFICE_DECISION)
    assert office["applied"] is True
    assert office["skip_reason"] == "none"
    assert office["not_applied_because"] is None  # the sentence stays, as before
    seen: set[str] = set()
    _assert_translated(hass, OFFICE_DECISION, seen)
    _assert_translated(hass, CORRIDOR_DECISION, seen)

    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": OFFICE_SWITCH}, blocking=True
    )
    freezer.tick(300)
    await hass.services.async_call(DOMAIN, "aggregate_now", {}, blocking=True, return_response=True)
    assert _attributes(hass, OFFICE_DECISION)["skip_reason"] == "auto_off"
    _assert_translated(hass, OFFICE_DECISION, seen)
    assert {"applied=true", "applied=false", "skip_reason=auto_off"} <= seen


def test_every_skip_reason_and_source_has_a_translated_state() -> None:
    translated = _attribute_strings()
    skip_states = translated["skip_reason"]["state"]
    for key in (
        "none",
        "auto_off",
        "schedule",
        "override",
        "deadband",
        "anti_flicker",
        "shadow",
        "changed_meanwhile",
        "bus_error",
        "other",
    ):
        assert skip_states.get(key), f"skip_reason {key} is not translated"
    for source in ("local", "openai", "fallback"):
        assert translated["source"]["state"].get(source), f"source {source} is not translated"
    assert "(K)" in translated["color_temp_kelvin"]["name"]  # HA shows no unit on attributes


@pytest.mark.parametrize(
    ("sentence", "key"),
    [
        ("automatic control is off", "auto_off"),
        ("outside the profile's schedule", "schedule"),
        ("manual override active", "override"),
        ("inside the deadband", "deadband"),
        ("anti-flicker interval", "anti_flicker"),
        ("shadow mode", "shadow"),
        ("changed by someone else while waiting for the bus", "changed_meanwhile"),
        ("bus error: no answer", "bus_error"),
        (None, "none"),
    ],
)
def test_every_skip_sentence_maps_to_its_key(sentence: str | None, key: str) -> None:
    decision = Decision(
        group=0,
        brightness_pct=50.0,
        color_temp_kelvin=3000,
        reason="test",
        confidence=0.5,
        source="local",
    )
    record = DecisionRecord(decision, sentence is None, sentence, datetime(2026, 3, 10, tzinfo=UTC))
    attributes = decision_attributes(record)
    assert attributes["skip_reason"] == key
    assert attributes["not_applied_because"] == sentence


async def test_log_lines_name_the_room(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hass_admin_user: MockUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("INFO", logger=f"custom_components.{DOMAIN}")
    await setup_office(hass, freezer)
    await hass.services.async_call(DOMAIN, "aggregate_now", {}, blocking=True, return_response=True)
    assert "Feature row created for group 0 (Open office), group 2 (Corridor)" in caplog.text
    assert "DALI applied setpoint to group 0 (Open office): " in caplog.text
    await hass.services.async_call(
        "light",
        "turn_off",
        {"entity_id": "light.open_office"},
        blocking=True,
        context=Context(user_id=hass_admin_user.id),
    )
    await hass.async_block_till_done()
    assert "Manual override stored for DALI group 0 (Open office) (by user)" in caplog.text
