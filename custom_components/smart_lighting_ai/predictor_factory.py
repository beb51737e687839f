"""Build the predictor the options ask for (contract C5, C9)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import openai
from homeassistant.const import CONF_API_KEY
from homeassistant.core import HomeAssistant
from homeassistant.helpers.httpx_client import get_async_client

from .const import (
    CONF_AI_CALLS_PER_HOUR,
    CONF_BASE_URL,
    CONF_MODEL,
    CONF_PAYLOAD_CAP,
    CONF_PREDICTOR,
    DEFAULT_AI_CALLS_PER_HOUR,
    DEFAULT_BASE_URL,
    DEFAULT_MODEL,
    DEFAULT_PAYLOAD_CAP,
    PREDICTOR_OPENAI,
)
from .predictor import LocalPredictor, OpenAIPredictor, Predictor


async def async_create_client(
    hass: HomeAssistant, api_key: str, base_url: str | None
) -> openai.AsyncOpenAI:
    """An OpenAI-compatible client on Home Assistant's shared httpx client."""
    client = openai.AsyncOpenAI(
        api_key=api_key,
        base_url=base_url or DEFAULT_BASE_URL,
        http_client=get_async_client(hass),
    )
    # The SDK looks up platform details with blocking calls the first time; do it off the loop.
    await hass.async_add_executor_job(client.platform_headers)
    return client


async def async_create_predictor(hass: HomeAssistant, options: Mapping[str, Any]) -> Predictor:
    """The OpenAI-compatible predictor when chosen and given a key, else the local one."""
    if options.get(CONF_PREDICTOR) != PREDICTOR_OPENAI or not options.get(CONF_API_KEY):
        return LocalPredictor()
    client = await async_create_client(hass, options[CONF_API_KEY], options.get(CONF_BASE_URL))
    return OpenAIPredictor(
        client,
        options.get(CONF_MODEL) or DEFAULT_MODEL,
        payload_cap_bytes=options.get(CONF_PAYLOAD_CAP, DEFAULT_PAYLOAD_CAP),
        calls_per_hour=options.get(CONF_AI_CALLS_PER_HOUR, DEFAULT_AI_CALLS_PER_HOUR),
        fallback=LocalPredictor(),
    )
