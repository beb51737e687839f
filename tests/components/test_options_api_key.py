"""The stored API key stays on the server: the options form never sends it to the browser."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.data_entry_flow import FlowManagerIndexView
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components import smart_lighting_ai
from custom_components.smart_lighting_ai.const import DOMAIN

from ..fake_openai import API_KEY, FakeOpenAI

OLD_KEY = "sk-stored-0123456789abcdef"  # stored, but the fake server no longer accepts it
FLOW_URL = "/api/config/config_entries/options/flow"


POLICY = {
    "predictor": "openai",
    "anti_flicker_seconds": 120,
    "override_minutes": 60,
    "shadow_mode": False,
}


def _settings(**changes: object) -> dict[str, Any]:
    """What the AI step of the predictor form submits (with ``changes``)."""
    return {"payload_cap_bytes": 16384, "ai_calls_per_hour": 60, **changes}


@pytest.fixture
async def ai_entry(hass: HomeAssistant, fake_openai: FakeOpenAI) -> MockConfigEntry:
    """A loaded entry on the OpenAI-compatible predictor with a valid stored key."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={"bus_type": "simulated"},
        unique_id="simulated",
        options={
            **POLICY,
            **_settings(api_key=API_KEY, base_url=fake_openai.base_url, model="test-model"),
        },
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def _predictor_form(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    """The AI page of the predictor form, reached by choosing the OpenAI-compatible model."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "predictor"}
    )
    assert result["step_id"] == "predictor"
    result = await hass.config_entries.options.async_configure(result["flow_id"], POLICY)
    assert result["step_id"] == "ai"
    return dict(result)


def _sent_to_browser(hass: HomeAssistant, result: dict[str, Any]) -> dict[str, Any]:
    """The form as Home Assistant's flow view serialises it for the frontend."""
    view = FlowManagerIndexView(hass.config_entries.options)
    return dict(view._prepare_result_json(cast("Any", result)))


def _serialised(hass: HomeAssistant, result: dict[str, Any]) -> str:
    return json.dumps(_sent_to_browser(hass, result), default=str)


def _api_key_field(hass: HomeAssistant, result: dict[str, Any]) -> dict[str, Any]:
    fields = _sent_to_browser(hass, result)["data_schema"]
    field: dict[str, Any] = next(f for f in fields if f["name"] == "api_key")
    return field


async def test_the_form_shows_an_empty_key_field(
    hass: HomeAssistant, ai_entry: MockConfigEntry
) -> None:
    result = await _predictor_form(hass, ai_entry)

    assert API_KEY not in _serialised(hass, result)
    field = _api_key_field(hass, result)
    assert "default" not in field
    assert not (field.get("description") or {}).get("suggested_value")
    assert field["selector"]["text"]["type"] == "password"
    # the fields that are no secret are still filled in
    assert "test-model" in _serialised(hass, result)


async def test_the_browser_never_receives_the_key(
    hass: HomeAssistant, ai_entry: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    assert await async_setup_component(hass, "config", {})
    client = await hass_client()

    response = await client.post(FLOW_URL, json={"handler": ai_entry.entry_id})
    flow_id = (await response.json())["flow_id"]
    response = await client.post(f"{FLOW_URL}/{flow_id}", json={"next_step_id": "predictor"})
    assert response.status == 200
    text = await response.text()
    assert json.loads(text)["step_id"] == "predictor"
    assert API_KEY not in text
    response = await client.post(f"{FLOW_URL}/{flow_id}", json=POLICY)
    text = await response.text()
    assert json.loads(text)["step_id"] == "ai"
    assert API_KEY not in text

    # nor after a failed submission that carried it
    response = await client.post(
        f"{FLOW_URL}/{flow_id}", json=_settings(api_key=API_KEY, base_url="ftp://example")
    )
    text = await response.text()
    assert json.loads(text)["errors"] == {"base_url": "invalid_base_url"}
    assert API_KEY not in text


@pytest.mark.parametrize(
    "empty", [pytest.param({}, id="left-out"), pytest.param({"api_key": ""}, id="empty-string")]
)
async def test_an_empty_field_keeps_the_stored_key_and_checks_it(
    hass: HomeAssistant, ai_entry: MockConfigEntry, fake_openai: FakeOpenAI, empty: dict[str, Any]
) -> None:
    result = await _predictor_form(hass, ai_entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        _settings(base_url=fake_openai.base_url, model="test-model", ai_calls_per_hour=30, **empty),
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert ai_entry.options["api_key"] == API_KEY
    assert ai_entry.options["ai_calls_per_hour"] == 30
    assert fake_openai.auth_failures == 0  # the stored key was the one checked


async def test_a_stored_key_that_stopped_working_is_reported(
    hass: HomeAssistant, fake_openai: FakeOpenAI
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={"bus_type": "simulated"},
        unique_id="simulated",
        options={**POLICY, **_settings(api_key=OLD_KEY, base_url=fake_openai.base_url)},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    result = await _predictor_form(hass, entry)
    assert OLD_KEY not in _serialised(hass, result)
    flow_id = result["flow_id"]

    result = await hass.config_entries.options.async_configure(
        flow_id, _settings(base_url=fake_openai.base_url)
    )
    assert result["errors"] == {"api_key": "invalid_auth"}
    assert OLD_KEY not in _serialised(hass, dict(result))

    # a new value replaces the stored one
    result = await hass.config_entries.options.async_configure(
        flow_id, _settings(api_key=API_KEY, base_url=fake_openai.base_url)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options["api_key"] == API_KEY


async def test_openai_without_any_key_is_refused(hass: HomeAssistant) -> None:
    entry = MockConfigEntry(domain=DOMAIN, data={"bus_type": "simulated"}, unique_id="simulated")
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    result = await _predictor_form(hass, entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], _settings(api_key="")
    )
    assert result["errors"] == {"api_key": "api_key_required"}


async def test_choosing_the_local_predictor_forgets_the_key(
    hass: HomeAssistant, ai_entry: MockConfigEntry, fake_openai: FakeOpenAI
) -> None:
    result = await hass.config_entries.options.async_init(ai_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "predictor"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**POLICY, "predictor": "local"}
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert "api_key" not in ai_entry.options
    assert ai_entry.options["predictor"] == "local"
    assert ai_entry.options["base_url"] == fake_openai.base_url  # no secret: kept for later


def test_the_help_text_says_an_empty_field_keeps_the_key() -> None:
    package = Path(smart_lighting_ai.__file__).parent
    for name in ("strings.json", "translations/en.json"):
        strings = json.loads((package / name).read_text(encoding="utf-8"))
        text = strings["options"]["step"]["ai"]["data_description"]["api_key"]
        assert "leave empty to keep the stored key" in text.lower()
