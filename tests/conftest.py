"""Test setup shared by every suite."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

# Import our package before the Home Assistant harness puts its own
# testing_config/custom_components first on the path ("Integration not found").
import custom_components.smart_lighting_ai  # noqa: F401

from .fake_openai import FakeOpenAI


@pytest.fixture
async def fake_openai(socket_enabled: None) -> AsyncIterator[FakeOpenAI]:
    """Run the fake OpenAI-compatible server on an ephemeral 127.0.0.1 port."""
    server = FakeOpenAI()
    app = web.Application()
    app.router.add_post("/v1/chat/completions", server.handle_chat)
    app.router.add_get("/v1/models", server.handle_models)
    runner = web.AppRunner(app, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    sockets = runner.addresses
    server.port = sockets[0][1]
    yield server
    server.release.set()
    await runner.cleanup()
