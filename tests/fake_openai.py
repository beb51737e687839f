"""A real OpenAI-compatible HTTP server on 127.0.0.1 for the tests (Chat Completions, models)."""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

API_KEY = "sk-test"

type Reply = Callable[["FakeOpenAI", dict[str, Any]], Awaitable[web.StreamResponse]]


def completion(
    content: str | None, *, usage: dict[str, int] | None = None, choices: bool = True
) -> web.Response:
    """Return a Chat Completions response carrying ``content``."""
    body: dict[str, Any] = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1741777200,
        "model": "test-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ]
        if choices
        else [],
    }
    if usage is not None:
        body["usage"] = {**usage, "total_tokens": sum(usage.values())}
    return web.json_response(body)


def raw_body(body: str | bytes, *, status: int = 200) -> web.Response:
    """Return ``body`` as it is, labelled JSON: ``null``, a cut-off document, prose, bad UTF-8."""
    data = body.encode() if isinstance(body, str) else body
    return web.Response(body=data, status=status, content_type="application/json")


def truncated_completion(content: str, *, keep: float = 0.5) -> web.Response:
    """Return a complete HTTP response whose JSON document stops after ``keep`` of its length."""
    full = completion(content).text or ""
    return raw_body(full[: int(len(full) * keep)])


async def cut_connection(server: FakeOpenAI, request: dict[str, Any]) -> web.StreamResponse:
    """Announce a full answer, send half of it, then drop the connection."""
    full = (completion(decisions_for(request)).text or "").encode()
    http = server.current
    assert http is not None
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    response.content_length = len(full)
    await response.prepare(http)
    await response.write(full[: len(full) // 2])
    assert http.transport is not None
    http.transport.close()
    return response


def api_error(status: int, message: str, kind: str) -> web.Response:
    """Return an OpenAI-style error response."""
    error = {"message": message, "type": kind, "param": None, "code": None}
    return web.json_response({"error": error}, status=status)


def requested_groups(request: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the groups of the user message of a received request."""
    content = json.loads(request["messages"][1]["content"])
    groups: list[dict[str, Any]] = content["groups"]
    return groups


def decisions_for(request: dict[str, Any], **overrides: Any) -> str:
    """Return a valid answer for every requested group (100 %, 4000 K where supported)."""
    decisions = []
    for item in requested_groups(request):
        colour = item["now"]["supports_color_temp"]
        decisions.append(
            {
                "group": item["group"],
                "brightness_pct": 100,
                "color_temp_kelvin": 4000 if colour else None,
                "confidence": 0.8,
                "reason": f"model says 100% for group {item['group']}",
                **overrides,
            }
        )
    return json.dumps({"decisions": decisions})


async def valid_reply(server: FakeOpenAI, request: dict[str, Any]) -> web.StreamResponse:
    """Answer every group validly, with usage."""
    return completion(decisions_for(request), usage={"prompt_tokens": 321, "completion_tokens": 45})


@dataclass
class FakeOpenAI:
    """State of the fake server: what it received and how it answers."""

    port: int = 0
    bodies: list[bytes] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    replies: deque[Reply] = field(default_factory=deque)
    default_reply: Reply = valid_reply
    models_status: int = 200
    auth_failures: int = 0
    release: asyncio.Event = field(default_factory=asyncio.Event)
    current: web.Request | None = None
    """The HTTP request being answered (for replies that work on the connection itself)."""

    @property
    def base_url(self) -> str:
        """Return the API base URL."""
        return f"http://127.0.0.1:{self.port}/v1"

    def queue(self, *replies: Reply) -> None:
        """Answer the next requests with ``replies`` (then with ``default_reply``)."""
        self.replies.extend(replies)

    def _authorised(self, request: web.Request) -> bool:
        if request.headers.get("Authorization") == f"Bearer {API_KEY}":
            return True
        self.auth_failures += 1
        return False

    async def handle_chat(self, request: web.Request) -> web.StreamResponse:
        """Handle POST /v1/chat/completions."""
        raw = await request.read()
        self.bodies.append(raw)
        if not self._authorised(request):
            return api_error(401, "Incorrect API key provided", "invalid_request_error")
        data = json.loads(raw)
        self.requests.append(data)
        reply = self.replies.popleft() if self.replies else self.default_reply
        self.current = request
        try:
            return await reply(self, data)
        finally:
            self.current = None

    async def handle_models(self, request: web.Request) -> web.StreamResponse:
        """Handle GET /v1/models."""
        if not self._authorised(request):
            return api_error(401, "Incorrect API key provided", "invalid_request_error")
        if self.models_status != 200:
            return api_error(self.models_status, "nope", "server_error")
        model = {"id": "test-model", "object": "model", "created": 0, "owned_by": "test"}
        return web.json_response({"object": "list", "data": [model]})
