"""OpenAIPredictor against HTTP 200 answers whose body is not a usable Chat Completion.

The server is the real one in tests/fake_openai.py; the SDK builds its response objects without
validating them, so every shape below reaches the predictor as it is.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import openai
import pytest

from custom_components.smart_lighting_ai.predictor import (
    Features,
    GroupLimits,
    LocalPredictor,
    OpenAIPredictor,
)

from ..fake_openai import (
    FakeOpenAI,
    cut_connection,
    decisions_for,
    raw_body,
    truncated_completion,
)
from .common import make_features

if TYPE_CHECKING:
    from aiohttp import web

MODEL = "test-model"
MALFORMED = "malformed response"
NOT_JSON = "response is not JSON"


def body(text: str | bytes) -> Any:
    async def reply(server: FakeOpenAI, request: dict[str, Any]) -> web.StreamResponse:
        return raw_body(text)

    return reply


def truncated(keep: float) -> Any:
    async def reply(server: FakeOpenAI, request: dict[str, Any]) -> web.StreamResponse:
        return truncated_completion(decisions_for(request), keep=keep)

    return reply


def with_choices(choices: object, **extra: object) -> Any:
    """Answer a Chat Completion document whose ``choices`` (and more) are given as they are."""

    async def reply(server: FakeOpenAI, request: dict[str, Any]) -> web.StreamResponse:
        return raw_body(
            json.dumps({"id": "x", "object": "chat.completion", "choices": choices, **extra})
        )

    return reply


def good_choice(request_content: str) -> list[dict[str, Any]]:
    return [{"index": 0, "message": {"role": "assistant", "content": request_content}}]


def two_groups() -> dict[int, Features]:
    return {0: make_features(0), 1: make_features(1, supports_color_temp=False)}


def assert_all_fell_back(
    decisions: dict[int, Any], features: dict[int, Features], why: str
) -> None:
    assert set(decisions) == set(features)
    for group, decision in decisions.items():
        local = LocalPredictor().decide(features[group], GroupLimits())
        assert decision.source == "fallback"
        assert decision.reason == f"AI unavailable ({why}): {local.reason}"
        assert decision.brightness_pct == local.brightness_pct
        assert decision.color_temp_kelvin == local.color_temp_kelvin


def assert_one_warning(caplog: pytest.LogCaptureFixture, why: str) -> None:
    """The integration logs one WARNING that names the problem, no ERROR and no traceback."""
    records = [r for r in caplog.records if r.name.startswith("custom_components")]
    assert [r.levelno for r in records if r.levelno >= logging.WARNING] == [logging.WARNING]
    warning = next(r for r in records if r.levelno == logging.WARNING)
    assert why in warning.getMessage()
    assert all(r.exc_info is None and r.exc_text is None for r in records)


@pytest.mark.parametrize(
    ("reply", "why"),
    [
        pytest.param(body("null"), MALFORMED, id="null"),
        pytest.param(body("[]"), MALFORMED, id="list"),
        pytest.param(body('"decisions"'), MALFORMED, id="string"),
        pytest.param(body("42"), MALFORMED, id="number"),
        pytest.param(body("not JSON at all"), NOT_JSON, id="prose"),
        pytest.param(body(""), NOT_JSON, id="empty-body"),
        pytest.param(body(b'{"choices": "\xff\xfe"}'), NOT_JSON, id="not-utf-8"),
        pytest.param(truncated(0.5), NOT_JSON, id="truncated-half"),
        pytest.param(truncated(0.99), NOT_JSON, id="truncated-last-brace"),
        pytest.param(with_choices(None), "empty answer", id="choices-null"),
        pytest.param(with_choices("nope"), MALFORMED, id="choices-string"),
        pytest.param(with_choices([None]), MALFORMED, id="choice-null"),
        pytest.param(with_choices([{"index": 0, "message": None}]), MALFORMED, id="message-null"),
        pytest.param(with_choices([{"index": 0}]), MALFORMED, id="no-message"),
        pytest.param(
            with_choices([{"index": 0, "message": {"content": 5}}]), MALFORMED, id="content-number"
        ),
        pytest.param(
            with_choices([{"index": 0, "message": {"content": {"decisions": []}}}]),
            MALFORMED,
            id="content-object",
        ),
        pytest.param(cut_connection, "connection error", id="connection-cut"),
    ],
)
async def test_unusable_body_falls_back_with_one_warning(
    fake_openai: FakeOpenAI,
    client: openai.AsyncOpenAI,
    caplog: pytest.LogCaptureFixture,
    reply: Any,
    why: str,
) -> None:
    fake_openai.queue(reply)
    predictor = OpenAIPredictor(client, MODEL)
    features = two_groups()

    with caplog.at_level(logging.DEBUG, logger="custom_components.smart_lighting_ai"):
        decisions = await predictor.predict(features, {})

    assert len(fake_openai.requests) == 1
    assert_all_fell_back(decisions, features, why)
    assert predictor.errors == 1
    assert predictor.last_error == why
    assert_one_warning(caplog, why)


async def test_the_next_good_answer_is_used_after_a_null_body(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake_openai.queue(body("null"))
    predictor = OpenAIPredictor(client, MODEL)
    features = two_groups()

    first = await predictor.predict(features, {})
    second = await predictor.predict(features, {})

    assert {d.source for d in first.values()} == {"fallback"}
    assert {d.source for d in second.values()} == {"openai"}  # a failure is never cached
    assert predictor.last_error is None
    assert len(fake_openai.requests) == 2


@pytest.mark.parametrize(
    "usage",
    [
        pytest.param("lots", id="string"),
        pytest.param({"prompt_tokens": "many", "completion_tokens": None}, id="wrong-types"),
        pytest.param({"prompt_tokens": -5, "completion_tokens": True}, id="negative-and-bool"),
        pytest.param([1, 2], id="list"),
    ],
)
async def test_malformed_usage_keeps_a_good_answer_and_the_counters(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI, usage: object
) -> None:
    async def reply(server: FakeOpenAI, request: dict[str, Any]) -> web.StreamResponse:
        return await with_choices(good_choice(decisions_for(request)), usage=usage)(server, request)

    fake_openai.queue(reply)
    predictor = OpenAIPredictor(client, MODEL)

    decisions = await predictor.predict(two_groups(), {})

    assert {d.source for d in decisions.values()} == {"openai"}
    assert (predictor.tokens_in, predictor.tokens_out) == (0, 0)
    assert predictor.last_error is None


async def test_partial_usage_counts_what_is_there(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    async def reply(server: FakeOpenAI, request: dict[str, Any]) -> web.StreamResponse:
        usage = {"prompt_tokens": 100, "completion_tokens": "n/a"}
        return await with_choices(good_choice(decisions_for(request)), usage=usage)(server, request)

    fake_openai.queue(reply)
    predictor = OpenAIPredictor(client, MODEL)

    await predictor.predict(two_groups(), {})

    assert (predictor.tokens_in, predictor.tokens_out) == (100, 0)
