"""validate_api_key against the fake server."""

from __future__ import annotations

import socket

import openai
import pytest

from custom_components.smart_lighting_ai.predictor import (
    CannotConnect,
    InvalidAuth,
    validate_api_key,
)

from ..fake_openai import API_KEY, FakeOpenAI


async def test_valid_key(fake_openai: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    await validate_api_key(client)
    assert fake_openai.auth_failures == 0


async def test_rejected_key(fake_openai: FakeOpenAI) -> None:
    sdk = openai.AsyncOpenAI(api_key="sk-bad", base_url=fake_openai.base_url, max_retries=0)
    try:
        with pytest.raises(InvalidAuth):
            await validate_api_key(sdk)
    finally:
        await sdk.close()
    assert fake_openai.auth_failures == 1


async def test_server_error(fake_openai: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    fake_openai.models_status = 500
    with pytest.raises(CannotConnect, match="HTTP 500"):
        await validate_api_key(client)


async def test_no_models_endpoint_passes(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    """A server without ``/models`` that took the key is accepted: no error, key not refused."""
    fake_openai.models_status = 404
    await validate_api_key(client)  # raises InvalidAuth or CannotConnect otherwise
    assert fake_openai.auth_failures == 0  # the request reached the server with a valid key


async def test_connection_refused(socket_enabled: None) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sdk = openai.AsyncOpenAI(api_key=API_KEY, base_url=f"http://127.0.0.1:{port}/v1", max_retries=0)
    try:
        with pytest.raises(CannotConnect):
            await validate_api_key(sdk)
    finally:
        await sdk.close()
