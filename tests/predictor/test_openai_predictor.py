"""OpenAIPredictor against a real HTTP server speaking the Chat Completions API."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import openai
import pytest

from custom_components.smart_lighting_ai.predictor import (
    Decision,
    Features,
    GroupLimits,
    LocalPredictor,
    OpenAIPredictor,
    build_request,
)
from custom_components.smart_lighting_ai.predictor.payload import SAFETY_MARGIN_BYTES

from ..fake_openai import API_KEY, FakeOpenAI, api_error, completion, decisions_for
from .common import make_features, make_history
from .conftest import FakeClock

if TYPE_CHECKING:
    from aiohttp import web

MODEL = "test-model"


def three_groups() -> dict[int, Features]:
    return {
        0: make_features(0),
        1: make_features(1, illuminance_mean=300.0),
        2: make_features(2, supports_color_temp=False),
    }


def reply_with(content: str | None, **kwargs: Any) -> Any:
    async def reply(server: FakeOpenAI, request: dict[str, Any]) -> web.StreamResponse:
        return completion(content, **kwargs)

    return reply


def reply_decisions(per_group: dict[int, dict[str, Any]]) -> Any:
    """Answer validly, with ``per_group`` overriding fields of some groups' decisions."""

    async def reply(server: FakeOpenAI, request: dict[str, Any]) -> web.StreamResponse:
        answer = json.loads(decisions_for(request))
        for decision in answer["decisions"]:
            decision.update(per_group.get(decision["group"], {}))
        return completion(json.dumps(answer))

    return reply


def reply_error(status: int, kind: str) -> Any:
    async def reply(server: FakeOpenAI, request: dict[str, Any]) -> web.StreamResponse:
        return api_error(status, f"error {status}", kind)

    return reply


async def reply_slowly(server: FakeOpenAI, request: dict[str, Any]) -> web.StreamResponse:
    await asyncio.wait_for(server.release.wait(), timeout=5)
    return completion(decisions_for(request))


def assert_fallback(decision: Decision, features: Features, why: str) -> None:
    local = LocalPredictor().decide(features, GroupLimits())
    assert decision.source == "fallback"
    assert decision.reason == f"AI unavailable ({why}): {local.reason}"
    assert decision.brightness_pct == local.brightness_pct
    assert decision.color_temp_kelvin == local.color_temp_kelvin


async def test_valid_answer(fake_openai: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    predictor = OpenAIPredictor(client, MODEL)
    features = three_groups()

    decisions = await predictor.predict(features, {})

    assert set(decisions) == {0, 1, 2}
    assert decisions[0] == Decision(
        group=0,
        brightness_pct=100.0,
        color_temp_kelvin=4000,
        confidence=0.8,
        reason="model says 100% for group 0",
        source="openai",
    )
    assert decisions[2].color_temp_kelvin is None
    assert fake_openai.auth_failures == 0
    assert len(fake_openai.requests) == 1
    sent = fake_openai.requests[0]
    assert set(sent) == {"model", "messages", "response_format"}
    assert sent["model"] == MODEL
    assert [message["role"] for message in sent["messages"]] == ["system", "user"]
    schema = sent["response_format"]["json_schema"]
    assert sent["response_format"]["type"] == "json_schema"
    assert schema["name"] == "lighting_decisions"
    assert schema["strict"] is True
    assert [item["group"] for item in json.loads(sent["messages"][1]["content"])["groups"]] == [
        0,
        1,
        2,
    ]
    assert predictor.calls == 1
    assert predictor.errors == 0
    assert predictor.tokens_in == 321
    assert predictor.tokens_out == 45
    assert predictor.last_error is None
    assert len(fake_openai.bodies[0]) <= predictor.last_request_bytes <= 16384
    assert predictor.stats()["calls"] == 1
    assert predictor.model == MODEL


async def test_values_clamped_to_limits(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake_openai.queue(
        reply_decisions(
            {
                0: {"brightness_pct": 95, "color_temp_kelvin": 9000},
                1: {"brightness_pct": 2, "color_temp_kelvin": 2000},
                2: {"brightness_pct": 0, "color_temp_kelvin": 4000},
            }
        )
    )
    limits = {
        0: GroupLimits(max_brightness_pct=80.0, max_kelvin=5000),
        1: GroupLimits(min_brightness_pct=10.0, min_kelvin=3000),
    }
    decisions = await OpenAIPredictor(client, MODEL).predict(three_groups(), limits)

    assert (decisions[0].brightness_pct, decisions[0].color_temp_kelvin) == (80.0, 5000)
    assert (decisions[1].brightness_pct, decisions[1].color_temp_kelvin) == (10.0, 3000)
    assert "clamped" in decisions[0].reason
    # Off stays off (and has no colour); a DT6 group never gets a colour temperature.
    assert (decisions[2].brightness_pct, decisions[2].color_temp_kelvin) == (0.0, None)
    assert all(decision.source == "openai" for decision in decisions.values())


@pytest.mark.parametrize(
    ("status", "kind", "why"),
    [
        (429, "rate_limit_error", "rate limited"),
        (500, "server_error", "HTTP 500"),
        (503, "server_error", "HTTP 503"),
    ],
)
async def test_http_errors_fall_back(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI, status: int, kind: str, why: str
) -> None:
    fake_openai.queue(reply_error(status, kind))
    predictor = OpenAIPredictor(client, MODEL)
    features = three_groups()

    decisions = await predictor.predict(features, {})

    assert len(fake_openai.requests) == 1
    for group, decision in decisions.items():
        assert_fallback(decision, features[group], why)
    assert predictor.errors == 1
    assert predictor.last_error == why


async def test_wrong_key_falls_back(fake_openai: FakeOpenAI) -> None:
    sdk = openai.AsyncOpenAI(api_key="sk-wrong", base_url=fake_openai.base_url, max_retries=0)
    try:
        predictor = OpenAIPredictor(sdk, MODEL)
        features = {0: make_features(0)}
        decisions = await predictor.predict(features, {})
    finally:
        await sdk.close()
    assert_fallback(decisions[0], features[0], "authentication failed")
    assert fake_openai.auth_failures == 1


async def test_timeout_falls_back(fake_openai: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    fake_openai.queue(reply_slowly)
    predictor = OpenAIPredictor(client, MODEL, timeout=0.2)
    features = {0: make_features(0)}

    decisions = await predictor.predict(features, {})

    assert_fallback(decisions[0], features[0], "timeout")
    assert predictor.last_error == "timeout"


async def test_connection_refused_falls_back(socket_enabled: None) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sdk = openai.AsyncOpenAI(api_key=API_KEY, base_url=f"http://127.0.0.1:{port}/v1", max_retries=0)
    try:
        predictor = OpenAIPredictor(sdk, MODEL, timeout=2.0)
        features = {0: make_features(0)}
        decisions = await predictor.predict(features, {})
    finally:
        await sdk.close()
    assert_fallback(decisions[0], features[0], "connection error")


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("this is not JSON {", "invalid JSON"),
        ("", "empty answer"),
        (None, "empty answer"),
        ('{"answer": []}', "schema mismatch: no decisions list"),
        ("[1, 2]", "schema mismatch: no decisions list"),
    ],
)
async def test_unusable_content_falls_back(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI, content: str | None, why: str
) -> None:
    fake_openai.queue(reply_with(content))
    predictor = OpenAIPredictor(client, MODEL)
    features = three_groups()

    decisions = await predictor.predict(features, {})

    for group, decision in decisions.items():
        assert_fallback(decision, features[group], why)
    assert predictor.last_error == why


async def test_no_choices_falls_back(fake_openai: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    fake_openai.queue(reply_with("{}", choices=False))
    features = {0: make_features(0)}
    decisions = await OpenAIPredictor(client, MODEL).predict(features, {})
    assert_fallback(decisions[0], features[0], "empty answer")


async def test_missing_group_falls_back_alone(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    async def drop_group_one(server: FakeOpenAI, request: dict[str, Any]) -> web.StreamResponse:
        answer = json.loads(decisions_for(request))
        answer["decisions"] = [d for d in answer["decisions"] if d["group"] != 1]
        return completion(json.dumps(answer))

    fake_openai.queue(drop_group_one)
    predictor = OpenAIPredictor(client, MODEL)
    features = three_groups()

    decisions = await predictor.predict(features, {})

    assert decisions[0].source == decisions[2].source == "openai"
    assert_fallback(decisions[1], features[1], "missing group")
    assert predictor.errors == 1
    assert predictor.last_error == "group 1: missing group"


async def test_out_of_range_values_fall_back_per_group(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake_openai.queue(reply_decisions({0: {"brightness_pct": 150}, 2: {"confidence": 2}}))
    predictor = OpenAIPredictor(client, MODEL)
    features = three_groups()

    decisions = await predictor.predict(features, {})

    assert_fallback(decisions[0], features[0], "out of range: brightness_pct=150")
    assert decisions[1].source == "openai"
    assert_fallback(decisions[2], features[2], "out of range: confidence=2")
    assert predictor.errors == 1
    assert predictor.last_error == (
        "group 0: out of range: brightness_pct=150; group 2: out of range: confidence=2"
    )


async def test_oversized_answer_falls_back(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake_openai.queue(reply_decisions({0: {"reason": "very long reason " * 3000}}))
    predictor = OpenAIPredictor(client, MODEL)
    features = three_groups()

    decisions = await predictor.predict(features, {})

    for group, decision in decisions.items():
        assert decision.source == "fallback"
        assert decision.reason.startswith("AI unavailable (answer too large: ")
        assert (
            decision.brightness_pct
            == LocalPredictor().decide(features[group], GroupLimits()).brightness_pct
        )


async def test_unexpected_error_falls_back(
    client: openai.AsyncOpenAI, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    predictor = OpenAIPredictor(client, MODEL)

    async def explode(**kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(predictor._client.chat.completions, "create", explode)
    features = {0: make_features(0)}
    decisions = await predictor.predict(features, {})
    assert_fallback(decisions[0], features[0], "unexpected error: RuntimeError")
    assert "Unexpected error from the AI call" in caplog.text


async def test_usage_missing_keeps_token_counters(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    async def no_usage(server: FakeOpenAI, request: dict[str, Any]) -> web.StreamResponse:
        return completion(decisions_for(request))

    fake_openai.queue(no_usage)
    predictor = OpenAIPredictor(client, MODEL)
    decisions = await predictor.predict({0: make_features(0)}, {})
    assert decisions[0].source == "openai"
    assert (predictor.tokens_in, predictor.tokens_out) == (0, 0)


async def test_empty_features_make_no_call(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    predictor = OpenAIPredictor(client, MODEL)
    assert await predictor.predict({}, {}) == {}
    assert fake_openai.bodies == []


def many_groups_with_history(
    groups: int, entries: int
) -> tuple[dict[int, Features], dict[int, list[Features]]]:
    features = {group: make_features(group) for group in range(groups)}
    history = {group: make_history(latest, entries) for group, latest in features.items()}
    return features, history


def full_size(features: dict[int, Features], history: dict[int, list[Features]]) -> int:
    return build_request(MODEL, features, {}, history, 10**9).size_bytes


def minimum_size(features: dict[int, Features]) -> int:
    return build_request(MODEL, features, {}, {}, 10**9).size_bytes


@pytest.mark.parametrize("share", [1.0, 0.999, 0.5, 0.1, 0.0])
async def test_request_body_never_exceeds_cap(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI, share: float
) -> None:
    """Caps from "everything fits" down to "no history fits": the received body fits."""
    features, history = many_groups_with_history(4, 12)
    smallest, largest = minimum_size(features), full_size(features, history)
    cap = SAFETY_MARGIN_BYTES + smallest + int(share * (largest - smallest))
    predictor = OpenAIPredictor(client, MODEL, payload_cap_bytes=cap)

    decisions = await predictor.predict(features, {}, history=history)

    assert all(decision.source == "openai" for decision in decisions.values())
    received = fake_openai.bodies[-1]
    assert len(received) <= predictor.last_request_bytes <= cap - SAFETY_MARGIN_BYTES
    sent_ages = sorted(
        entry["minutes_ago"]
        for group in json.loads(fake_openai.requests[-1]["messages"][1]["content"])["groups"]
        for entry in group.get("history", [])
    )
    all_ages = sorted(
        (latest.ts - entry.ts).total_seconds() / 60.0
        for group, latest in features.items()
        for entry in history[group]
    )
    if share == 1.0:
        assert len(sent_ages) == 48
    elif share == 0.0:
        assert sent_ages == []
    else:
        assert 0 < len(sent_ages) < 48
    # The oldest entries went first: what was sent is the newest part of the history.
    assert sent_ages == all_ages[: len(sent_ages)]


@pytest.mark.parametrize("cap", [1024, 2048, 4096, 8192, 16384])
async def test_request_body_under_fixed_caps(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI, cap: int
) -> None:
    features, history = many_groups_with_history(2, 12)
    predictor = OpenAIPredictor(client, MODEL, payload_cap_bytes=cap)
    predictor.set_history(history)

    decisions = await predictor.predict(features, {})

    if fake_openai.bodies:
        assert len(fake_openai.bodies[0]) <= cap
        assert decisions[0].source == "openai"
    else:
        assert decisions[0].reason.startswith("AI unavailable (payload cap): ")


async def test_nothing_fits_makes_no_call(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    features, history = many_groups_with_history(4, 12)
    minimum = minimum_size(features)
    predictor = OpenAIPredictor(client, MODEL, payload_cap_bytes=minimum + SAFETY_MARGIN_BYTES - 1)

    decisions = await predictor.predict(features, {}, history=history)

    assert fake_openai.bodies == []
    assert predictor.calls == 0
    assert predictor.errors == 1
    assert predictor.last_error is not None
    assert predictor.last_error.startswith("payload cap: smallest request is")
    for group, decision in decisions.items():
        assert_fallback(decision, features[group], "payload cap")


async def test_hourly_call_budget(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI, clock: FakeClock
) -> None:
    predictor = OpenAIPredictor(client, MODEL, calls_per_hour=3, clock=clock)

    def cycle(index: int) -> dict[int, Features]:
        return {0: make_features(0, illuminance_mean=100.0 + index)}

    for index in range(3):
        decisions = await predictor.predict(cycle(index), {})
        assert decisions[0].source == "openai"
        clock.advance(1.0)
    assert len(fake_openai.bodies) == 3

    features = cycle(3)
    decisions = await predictor.predict(features, {})
    assert len(fake_openai.bodies) == 3
    assert_fallback(decisions[0], features[0], "hourly call limit reached")
    assert predictor.rate_limited == 1

    clock.advance(1100.0)  # 1 token per 1200 s at 3 calls per hour: not yet
    await predictor.predict(cycle(4), {})
    assert len(fake_openai.bodies) == 3

    clock.advance(100.0)
    decisions = await predictor.predict(cycle(5), {})
    assert decisions[0].source == "openai"
    assert len(fake_openai.bodies) == 4
    assert predictor.calls == 4


async def test_zero_calls_per_hour_never_calls(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    predictor = OpenAIPredictor(client, MODEL, calls_per_hour=0)
    decisions = await predictor.predict({0: make_features(0)}, {})
    assert decisions[0].source == "fallback"
    assert fake_openai.bodies == []


async def test_unchanged_features_reuse_answer(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    predictor = OpenAIPredictor(client, MODEL)
    features = three_groups()
    first = await predictor.predict(features, {})

    later = {
        group: replace(feat, ts=feat.ts + timedelta(minutes=5)) for group, feat in features.items()
    }
    again = await predictor.predict(later, {})

    assert len(fake_openai.bodies) == 1
    assert again == first
    assert all(decision.source == "openai" for decision in again.values())
    assert predictor.cache_hits == 1

    # A changed feature or changed limits ask again.
    changed = {**later, 1: make_features(1, illuminance_mean=301.0)}
    await predictor.predict(changed, {})
    await predictor.predict(changed, {1: GroupLimits(target_lux=300.0)})
    assert len(fake_openai.bodies) == 3


async def test_failures_are_not_reused(fake_openai: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    fake_openai.queue(reply_error(500, "server_error"))
    predictor = OpenAIPredictor(client, MODEL)
    features = {0: make_features(0)}
    assert (await predictor.predict(features, {}))[0].source == "fallback"
    assert (await predictor.predict(features, {}))[0].source == "openai"
    assert len(fake_openai.bodies) == 2
    assert predictor.last_error is None


async def test_repeated_error_logged_once(
    fake_openai: FakeOpenAI, client: openai.AsyncOpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    fake_openai.queue(reply_error(500, "server_error"), reply_error(500, "server_error"))
    predictor = OpenAIPredictor(client, MODEL)
    with caplog.at_level(logging.WARNING):
        await predictor.predict({0: make_features(0)}, {})
        await predictor.predict({0: make_features(0, illuminance_mean=1.0)}, {})
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "HTTP 500" in warnings[0].getMessage()
    assert predictor.errors == 2


def test_invalid_timeout_rejected(client: openai.AsyncOpenAI) -> None:
    with pytest.raises(ValueError, match="timeout"):
        OpenAIPredictor(client, MODEL, timeout=0)
