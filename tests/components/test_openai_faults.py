"""Unusable HTTP 200 answers from the OpenAI-compatible server, seen through Home Assistant."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.smart_lighting_ai.const import DOMAIN

from ..fake_openai import (
    API_KEY,
    FakeOpenAI,
    completion,
    decisions_for,
    raw_body,
    truncated_completion,
)
from .common import setup_office

OFFICE = "light.open_office"
DECISIONS = ("sensor.open_office_last_decision", "sensor.corridor_last_decision")


async def null_body(server: FakeOpenAI, request: dict[str, Any]) -> web.StreamResponse:
    return raw_body("null")


async def cut_off_body(server: FakeOpenAI, request: dict[str, Any]) -> web.StreamResponse:
    return truncated_completion(decisions_for(request))


async def prose_body(server: FakeOpenAI, request: dict[str, Any]) -> web.StreamResponse:
    return raw_body("<html>502 Bad Gateway</html>")


@pytest.fixture
async def ai_office(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, fake_openai: FakeOpenAI
) -> MockConfigEntry:
    """The two-room office deciding with the OpenAI-compatible predictor on the fake server."""
    entry = await setup_office(hass, freezer, corridor="on")
    options = {
        **entry.options,
        "predictor": "openai",
        "api_key": API_KEY,
        "base_url": fake_openai.base_url,
    }
    hass.config_entries.async_update_entry(entry, options=options)
    await hass.async_block_till_done()
    return entry


async def _cycle(hass: HomeAssistant) -> None:
    await hass.services.async_call(DOMAIN, "aggregate_now", {}, blocking=True, return_response=True)


async def _predict(hass: HomeAssistant) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, "predict", {"entity_id": OFFICE}, blocking=True, return_response=True
    )
    assert response is not None
    prediction: dict[str, Any] = response["predictions"][OFFICE]
    return prediction


@pytest.mark.parametrize(
    ("reply", "why"),
    [
        pytest.param(null_body, "malformed response", id="null"),
        pytest.param(cut_off_body, "response is not JSON", id="truncated"),
        pytest.param(prose_body, "response is not JSON", id="not-json"),
    ],
)
async def test_a_bad_body_keeps_the_decision_sensors_and_falls_back(
    hass: HomeAssistant,
    ai_office: MockConfigEntry,
    fake_openai: FakeOpenAI,
    caplog: pytest.LogCaptureFixture,
    reply: Any,
    why: str,
) -> None:
    fake_openai.default_reply = reply

    with caplog.at_level(logging.WARNING):
        await _cycle(hass)

    assert len(fake_openai.requests) == 1
    for entity_id in DECISIONS:
        state = hass.states.get(entity_id)
        assert state is not None
        assert state.state != STATE_UNAVAILABLE
        assert state.attributes["source"] == "fallback"
        assert state.attributes["reason"].startswith(f"AI unavailable ({why}): ")
    assert hass.states.get(OFFICE).state == "on"  # the lights keep adapting

    prediction = await _predict(hass)
    assert prediction["source"] == "fallback"
    assert prediction["reason"].startswith(f"AI unavailable ({why}): ")
    assert len(fake_openai.requests) == 2

    ours = [r for r in caplog.records if r.name.startswith("custom_components")]
    assert [r.levelno for r in ours if r.levelno >= logging.WARNING] == [logging.WARNING]
    assert why in ours[0].getMessage()
    assert all(r.exc_info is None for r in ours)


async def test_the_model_is_used_again_once_it_answers(
    hass: HomeAssistant, ai_office: MockConfigEntry, fake_openai: FakeOpenAI
) -> None:
    fake_openai.queue(null_body)
    await _cycle(hass)
    assert hass.states.get(DECISIONS[0]).attributes["source"] == "fallback"

    prediction = await _predict(hass)

    assert prediction["source"] == "openai"
    assert prediction["brightness_pct"] == 100


async def test_predict_answers_fallback_on_a_null_body(
    hass: HomeAssistant, ai_office: MockConfigEntry, fake_openai: FakeOpenAI
) -> None:
    await _cycle(hass)  # a good answer first: the features exist
    assert hass.states.get(DECISIONS[0]).attributes["source"] == "openai"
    hass.states.async_set("sensor.office_lux", "400")
    await _cycle(hass)  # the features changed, so predict asks the model again
    fake_openai.default_reply = null_body

    prediction = await _predict(hass)

    assert prediction["source"] == "fallback"
    assert prediction["reason"].startswith("AI unavailable (malformed response): ")


async def test_the_models_answers_pass_the_same_safety_rules(
    hass: HomeAssistant,
    ai_office: MockConfigEntry,
    fake_openai: FakeOpenAI,
    freezer: FrozenDateTimeFactory,
) -> None:
    async def all_off(server: FakeOpenAI, request: dict[str, Any]) -> web.StreamResponse:
        return completion(decisions_for(request, brightness_pct=0, color_temp_kelvin=None))

    async def all_full(server: FakeOpenAI, request: dict[str, Any]) -> web.StreamResponse:
        return completion(decisions_for(request, brightness_pct=100))

    fake_openai.queue(all_off)
    await _cycle(hass)
    decision = hass.states.get(DECISIONS[0])
    assert decision.attributes["source"] == "openai"
    assert "safety: occupied dark room switched on" in decision.attributes["reason"]
    assert hass.states.get(OFFICE).state == "on"  # the model cannot leave the person in the dark

    freezer.tick(timedelta(minutes=1))
    hass.states.async_set("binary_sensor.office_motion", "off")
    await async_wait_recording_done(hass)
    freezer.tick(timedelta(minutes=20))  # past the timeout and its warning dim
    fake_openai.queue(all_full)
    await _cycle(hass)
    assert "safety: empty room kept off" in hass.states.get(DECISIONS[0]).attributes["reason"]
    assert hass.states.get(OFFICE).state == "off"  # nor light the empty room
