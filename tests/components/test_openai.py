"""The OpenAI-compatible predictor end to end: options flow key check, decisions, fallback."""

from __future__ import annotations

import json
import socket
from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.smart_lighting_ai.const import DOMAIN
from custom_components.smart_lighting_ai.predictor import OpenAIPredictor

from ..fake_openai import API_KEY, FakeOpenAI, api_error
from .common import OFFICE_START, runtime, setup_office

START = OFFICE_START
DECISION = "sensor.open_office_last_decision"


async def _entry(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> MockConfigEntry:
    return await setup_office(hass, freezer, corridor="on")


async def _predictor_form(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "predictor"}
    )
    assert result["step_id"] == "predictor"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {key: _settings()[key] for key in ("predictor", *POLICY_KEYS)},
    )
    assert result["step_id"] == "ai"  # the AI fields are asked only for an AI predictor
    return str(result["flow_id"])


def _settings(**changes: object) -> dict[str, object]:
    return {
        "predictor": "openai",
        "payload_cap_bytes": 16384,
        "ai_calls_per_hour": 60,
        "anti_flicker_seconds": 120,
        "override_minutes": 60,
        "shadow_mode": False,
        **changes,
    }


POLICY_KEYS = ("anti_flicker_seconds", "override_minutes", "shadow_mode")


def _ai_page(**changes: object) -> dict[str, object]:
    """What the predictor form's AI page submits."""
    return {k: v for k, v in _settings(**changes).items() if k not in ("predictor", *POLICY_KEYS)}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_options_check_the_key_and_the_model_then_decides(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, fake_openai: FakeOpenAI
) -> None:
    entry = await _entry(hass, freezer)
    flow_id = await _predictor_form(hass, entry)
    result = await hass.config_entries.options.async_configure(flow_id, _ai_page())
    assert result["errors"] == {"api_key": "api_key_required"}
    result = await hass.config_entries.options.async_configure(
        flow_id, _ai_page(api_key=API_KEY, base_url="ftp://example")
    )
    assert result["errors"] == {"base_url": "invalid_base_url"}
    result = await hass.config_entries.options.async_configure(
        flow_id, _ai_page(api_key="sk-wrong", base_url=fake_openai.base_url)
    )
    assert result["errors"] == {"api_key": "invalid_auth"}
    result = await hass.config_entries.options.async_configure(
        flow_id, _ai_page(api_key=API_KEY, base_url=f"http://127.0.0.1:{_closed_port()}/v1")
    )
    assert result["errors"] == {"base": "cannot_connect"}
    result = await hass.config_entries.options.async_configure(
        flow_id, _ai_page(api_key=API_KEY, base_url=fake_openai.base_url, model="test-model")
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert isinstance(runtime(entry).autopilot.predictor, OpenAIPredictor)

    await hass.services.async_call(DOMAIN, "aggregate_now", {}, blocking=True, return_response=True)
    assert len(fake_openai.requests) == 1  # one batched call for every group
    request = fake_openai.requests[0]
    assert request["model"] == "test-model"
    assert request["response_format"]["type"] == "json_schema"
    assert len(fake_openai.bodies[0]) <= 16384
    groups = json.loads(request["messages"][1]["content"])["groups"]
    assert sorted(g["group"] for g in groups) == [0, 2]
    sensor = hass.states.get(DECISION)
    assert sensor.attributes["source"] == "openai"
    assert float(sensor.state) == 100  # the model's level: no safety rule had to step in
    assert sensor.attributes["applied"] is True
    assert hass.states.get("light.open_office").attributes["color_temp_kelvin"] == 4000


async def test_the_model_sees_the_rooms_recent_windows(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, fake_openai: FakeOpenAI
) -> None:
    entry = await _entry(hass, freezer)
    hass.config_entries.async_update_entry(
        entry,
        options={
            **entry.options,
            **_settings(api_key=API_KEY, base_url=fake_openai.base_url),
        },
    )
    await hass.async_block_till_done()
    # enabling the AI usage sensors makes Home Assistant reload the entry 30 s later
    freezer.tick(timedelta(seconds=31))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert isinstance(runtime(entry).autopilot.predictor, OpenAIPredictor)
    for _ in range(3):  # three windows, five minutes apart
        await hass.services.async_call(
            DOMAIN, "aggregate_now", {}, blocking=True, return_response=True
        )
        freezer.tick(timedelta(minutes=5))
    groups = json.loads(fake_openai.requests[-1]["messages"][1]["content"])["groups"]
    office = next(g for g in groups if g["group"] == 0)
    assert [h["minutes_ago"] for h in office["history"]] == [10.0, 5.0]


async def test_a_failing_model_falls_back_to_the_local_predictor(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, fake_openai: FakeOpenAI
) -> None:
    async def broken(server: FakeOpenAI, request: dict[str, object]) -> object:
        return api_error(500, "boom", "server_error")

    fake_openai.default_reply = broken  # type: ignore[assignment]
    freezer.move_to(START)
    entry = await _entry(hass, freezer)
    hass.config_entries.async_update_entry(
        entry,
        options={**entry.options, **_settings(api_key=API_KEY, base_url=fake_openai.base_url)},
    )
    await hass.async_block_till_done()
    await hass.services.async_call(DOMAIN, "aggregate_now", {}, blocking=True, return_response=True)
    sensor = hass.states.get(DECISION)
    assert sensor.attributes["source"] == "fallback"
    assert sensor.attributes["reason"].startswith("AI unavailable")
    assert hass.states.get("light.open_office").state == "on"  # the lights keep adapting


async def test_openai_without_a_key_runs_locally(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    entry = await _entry(hass, freezer)
    hass.config_entries.async_update_entry(entry, options={**entry.options, "predictor": "openai"})
    await hass.async_block_till_done()
    await hass.services.async_call(DOMAIN, "aggregate_now", {}, blocking=True, return_response=True)
    assert hass.states.get(DECISION).attributes["source"] == "local"
