"""Request building and trimming."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from custom_components.smart_lighting_ai.predictor import (
    GroupLimits,
    PayloadTooLargeError,
    build_request,
)
from custom_components.smart_lighting_ai.predictor.payload import (
    SAFETY_MARGIN_BYTES,
    SYSTEM_PROMPT,
    body_size,
)
from custom_components.smart_lighting_ai.predictor.schema import RESPONSE_FORMAT

from .common import make_features, make_history


def user_json(request: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(request.messages[1]["content"])
    return data


def test_request_shape() -> None:
    features = {
        1: make_features(1, supports_color_temp=False, weather_condition=None),
        0: make_features(0),
    }
    request = build_request("m", features, {0: GroupLimits(target_lux=300)}, {}, 16384)
    assert request.body() == {
        "model": "m",
        "messages": [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": request.messages[1]["content"]},
        ],
        "response_format": RESPONSE_FORMAT,
    }
    assert request.size_bytes == body_size(request.body())
    groups = user_json(request)["groups"]
    assert [group["group"] for group in groups] == [0, 1]
    assert groups[0]["limits"]["target_lux"] == 300
    assert groups[0]["limits"]["min_kelvin"] == 2700
    assert "min_kelvin" not in groups[1]["limits"]
    assert groups[0]["now"]["ts"] == "2025-03-12T11:00:00Z"
    assert groups[0]["now"]["illuminance_mean"] == 120.0
    assert "weather_condition" not in groups[1]["now"]
    assert "history" not in groups[0]


def test_measured_size_bounds_what_httpx_sends() -> None:
    features = {0: make_features(0, weather_condition="Regen, st\u00fcrmisch \u2614")}
    request = build_request("m", features, {}, {}, 16384)
    compact = json.dumps(request.body(), ensure_ascii=False, separators=(",", ":")).encode()
    assert len(compact) < request.size_bytes


def test_history_selection() -> None:
    latest = make_features(0)
    history = make_history(latest, 20)
    future = make_features(0, ts=latest.ts + timedelta(minutes=5))
    request = build_request(
        "m", {0: latest}, {}, {0: [future, *reversed(history)]}, 10**6, max_history=6
    )
    sent = user_json(request)["groups"][0]["history"]
    assert [entry["minutes_ago"] for entry in sent] == [30.0, 25.0, 20.0, 15.0, 10.0, 5.0]
    assert sent[-1] == {
        "minutes_ago": 5.0,
        "occupancy_ratio": 0.8,
        "illuminance_mean": 119.0,
        "current_level_pct": 19.0,
    }
    assert (request.history_sent, request.history_dropped) == (6, 0)
    none = build_request("m", {0: latest}, {}, {0: history}, 10**6, max_history=0)
    assert none.history_sent == 0


def test_trimming_drops_oldest_across_groups() -> None:
    features = {group: make_features(group) for group in range(3)}
    history = {0: make_history(features[0], 10), 2: make_history(features[2], 4, 20.0)}
    full = build_request("m", features, {}, history, 10**6)
    assert full.history_sent == 14
    cap = full.size_bytes + SAFETY_MARGIN_BYTES - 1
    trimmed = build_request("m", features, {}, history, cap)
    assert trimmed.size_bytes <= cap - SAFETY_MARGIN_BYTES
    assert trimmed.history_dropped == 1
    groups = user_json(trimmed)["groups"]
    # Group 2's 80-minute-old entry was the oldest of all.
    assert [e["minutes_ago"] for e in groups[2]["history"]] == [60.0, 40.0, 20.0]
    assert len(groups[0]["history"]) == 10


def test_too_large() -> None:
    features = {0: make_features(0)}
    size = build_request("m", features, {}, {}, 10**6).size_bytes
    assert build_request("m", features, {}, {}, size + SAFETY_MARGIN_BYTES).size_bytes == size
    with pytest.raises(PayloadTooLargeError) as err:
        build_request("m", features, {}, {}, size + SAFETY_MARGIN_BYTES - 1)
    assert err.value.size_bytes == size
    assert err.value.cap_bytes == size + SAFETY_MARGIN_BYTES - 1
    assert str(err.value).startswith(f"payload cap: smallest request is {size} bytes")


def test_the_model_gets_the_daylight_estimate_faults_and_warning_state() -> None:
    features = {
        0: make_features(
            0,
            illuminance_mean=380.0,
            illuminance_latest=650.0,
            lamp_output_at_reading=1.0,
            current_level_pct=0.0,
        ),
        1: make_features(1, illuminance_fault="stuck", occupancy_fault="unavailable"),
        2: make_features(
            2, occupancy_ratio=0.0, minutes_since_occupied=16.0, current_level_pct=100.0
        ),
    }
    limits = {0: GroupLimits(lamp_lux_at_sensor=500.0, desk_daylight_ratio=0.5)}
    groups = user_json(build_request("m", features, limits, {}, 16384))["groups"]
    state = [group["state"] for group in groups]
    assert state[0]["presence"] == "occupied"
    assert state[0]["daylight_lux"] == 75  # (650 - 500 x 1.0) x 0.5, not the window mean
    assert state[0]["lamp_lux_needed"] == 425
    assert "daylight_basis" not in state[0]
    assert groups[0]["limits"]["desk_daylight_ratio"] == 0.5
    assert groups[0]["now"]["illuminance_latest"] == 650.0
    assert groups[1]["now"]["illuminance_fault"] == "stuck"
    assert groups[1]["now"]["occupancy_fault"] == "unavailable"
    assert state[1]["daylight_lux"] == 0
    assert "occupancy sensor unavailable" in state[1]["presence_basis"]
    assert "lamp_lux_at_sensor" not in groups[1]["limits"]  # None is left out
    assert state[2]["presence"] == "warning"
    assert state[2]["minutes_to_switch_off"] == 1.0
    assert 0.0 < state[2]["warning_level_pct"] < 100.0
    assert "Safety rules" in SYSTEM_PROMPT


def test_cap_still_holds_with_the_state() -> None:
    features = {group: make_features(group, illuminance_fault="stuck") for group in range(16)}
    history = {group: make_history(features[group], 12) for group in range(16)}
    request = build_request("m", features, {}, history, 16384)
    assert request.size_bytes <= 16384 - SAFETY_MARGIN_BYTES
    assert request.history_dropped > 0
    assert all("state" in group for group in user_json(request)["groups"])
