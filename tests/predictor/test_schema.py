"""Answer validation."""

from __future__ import annotations

import json
from typing import Any

import pytest

from custom_components.smart_lighting_ai.predictor import AnswerError, parse_answer
from custom_components.smart_lighting_ai.predictor.schema import (
    MAX_REASON_CHARS,
    RESPONSE_FORMAT,
    GroupAnswer,
)


def decision(group: int = 0, **overrides: Any) -> dict[str, Any]:
    return {
        "group": group,
        "brightness_pct": 55.5,
        "color_temp_kelvin": 3500,
        "confidence": 0.7,
        "reason": "dim  because\nsunny",
        **overrides,
    }


def answer(*decisions: Any) -> str:
    return json.dumps({"decisions": list(decisions)})


def test_valid() -> None:
    result = parse_answer(answer(decision(0), decision(1, color_temp_kelvin=None)), [0, 1])
    assert result[0] == GroupAnswer(55.5, 3500, 0.7, "dim because sunny")
    assert result[1] == GroupAnswer(55.5, None, 0.7, "dim because sunny")


def test_schema_is_strict() -> None:
    schema = RESPONSE_FORMAT["json_schema"]["schema"]
    item = schema["properties"]["decisions"]["items"]
    assert item["additionalProperties"] is False
    assert set(item["required"]) == set(item["properties"])


@pytest.mark.parametrize(
    ("item", "problem"),
    [
        (decision(brightness_pct=150), "out of range: brightness_pct=150"),
        (decision(brightness_pct=-1), "out of range: brightness_pct=-1"),
        (decision(confidence=2), "out of range: confidence=2"),
        (decision(color_temp_kelvin=100), "out of range: color_temp_kelvin=100"),
        (
            decision(color_temp_kelvin=3500.5),
            "schema mismatch: color_temp_kelvin is not an integer",
        ),
        (
            decision(color_temp_kelvin="warm"),
            "schema mismatch: color_temp_kelvin is not an integer",
        ),
        (decision(brightness_pct="60"), "schema mismatch: wrong value type"),
        (decision(brightness_pct=True), "schema mismatch: wrong value type"),
        (decision(confidence=None), "schema mismatch: wrong value type"),
        (decision(reason=7), "schema mismatch: wrong value type"),
        (
            {"group": 0, "brightness_pct": 50},
            "schema mismatch: missing color_temp_kelvin, confidence, reason",
        ),
    ],
)
def test_bad_group_values(item: dict[str, Any], problem: str) -> None:
    result = parse_answer(answer(item, decision(1)), [0, 1])
    assert result[0] == problem
    assert isinstance(result[1], GroupAnswer)


def test_whole_kelvin_float_accepted_and_reason_cleaned() -> None:
    long = "x" * (MAX_REASON_CHARS + 50)
    result = parse_answer(answer(decision(color_temp_kelvin=4000.0, reason=long)), [0])
    assert isinstance(result[0], GroupAnswer)
    assert result[0].color_temp_kelvin == 4000
    assert len(result[0].reason) == MAX_REASON_CHARS
    assert result[0].reason.endswith("…")
    empty = parse_answer(answer(decision(reason="   ")), [0])[0]
    assert isinstance(empty, GroupAnswer)
    assert empty.reason == "no reason given"


def test_missing_duplicate_unknown_and_junk_items() -> None:
    content = answer(decision(0), decision(0), decision(9), "junk", decision(True), {"group": "1"})
    result = parse_answer(content, [0, 1])
    assert result == {0: "duplicate decision", 1: "missing group"}


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (None, "empty answer"),
        ("", "empty answer"),
        ("{nope", "invalid JSON"),
        ("[]", "schema mismatch: no decisions list"),
        ('{"decisions": {}}', "schema mismatch: no decisions list"),
    ],
)
def test_unusable_answers(content: str | None, why: str) -> None:
    with pytest.raises(AnswerError) as err:
        parse_answer(content, [0])
    assert str(err.value) == why


def test_oversized_answer() -> None:
    content = answer(decision(0))
    with pytest.raises(AnswerError, match="answer too large"):
        parse_answer(content, [0], max_bytes=len(content) - 1)
    assert isinstance(parse_answer(content, [0], max_bytes=len(content))[0], GroupAnswer)
