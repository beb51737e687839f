"""The AI answer: its JSON schema (sent as ``response_format``) and its validation.

The schema uses only what OpenAI's strict structured outputs accept everywhere (every property
required, no additional properties, no numeric bounds); ranges are stated in descriptions and
checked here, since an OpenAI-compatible server may not enforce the schema at all.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import PredictorError

if TYPE_CHECKING:
    from collections.abc import Collection

SCHEMA_NAME = "lighting_decisions"
DEFAULT_MAX_ANSWER_BYTES = 32768
"""Answers larger than this are rejected unread."""
MAX_REASON_CHARS = 200
KELVIN_RANGE = (1000, 20000)
"""Colour temperatures outside this range are nonsense, not just outside a group's limits."""

ITEM_KEYS = ("group", "brightness_pct", "color_temp_kelvin", "confidence", "reason")

RESPONSE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "decisions": {
            "type": "array",
            "description": "Exactly one decision per group in the input.",
            "items": {
                "type": "object",
                "properties": {
                    "group": {"type": "integer", "description": "Group number from the input."},
                    "brightness_pct": {
                        "type": "number",
                        "description": "0-100; 0 switches the group off.",
                    },
                    "color_temp_kelvin": {
                        "type": ["integer", "null"],
                        "description": "Within the group's Kelvin limits; null without colour.",
                    },
                    "confidence": {"type": "number", "description": "0-1."},
                    "reason": {"type": "string", "description": "One short English sentence."},
                },
                "required": list(ITEM_KEYS),
                "additionalProperties": False,
            },
        }
    },
    "required": ["decisions"],
    "additionalProperties": False,
}

RESPONSE_FORMAT: dict[str, Any] = {
    "type": "json_schema",
    "json_schema": {"name": SCHEMA_NAME, "strict": True, "schema": RESPONSE_SCHEMA},
}


class AnswerError(PredictorError):
    """The whole answer is unusable; the message says why (for example "invalid JSON")."""


@dataclass(frozen=True, slots=True)
class GroupAnswer:
    """One validated decision from the model, not yet clamped to the group's limits."""

    brightness_pct: float
    color_temp_kelvin: int | None
    confidence: float
    reason: str


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _clean_reason(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > MAX_REASON_CHARS:
        text = text[: MAX_REASON_CHARS - 1].rstrip() + "…"
    return text or "no reason given"


def _parse_item(item: dict[str, Any]) -> GroupAnswer | str:
    """Validate one decision object; return it, or a problem description."""
    missing = [key for key in ITEM_KEYS if key not in item]
    if missing:
        return f"schema mismatch: missing {', '.join(missing)}"
    brightness = _number(item["brightness_pct"])
    confidence = _number(item["confidence"])
    raw_kelvin = item["color_temp_kelvin"]
    kelvin = None if raw_kelvin is None else _number(raw_kelvin)
    reason = item["reason"]
    if brightness is None or confidence is None or not isinstance(reason, str):
        return "schema mismatch: wrong value type"
    if raw_kelvin is not None and (kelvin is None or not kelvin.is_integer()):
        return "schema mismatch: color_temp_kelvin is not an integer"
    if not 0.0 <= brightness <= 100.0:
        return f"out of range: brightness_pct={brightness:g}"
    if not 0.0 <= confidence <= 1.0:
        return f"out of range: confidence={confidence:g}"
    if kelvin is not None and not KELVIN_RANGE[0] <= kelvin <= KELVIN_RANGE[1]:
        return f"out of range: color_temp_kelvin={kelvin:g}"
    return GroupAnswer(
        brightness_pct=brightness,
        color_temp_kelvin=None if kelvin is None else int(kelvin),
        confidence=confidence,
        reason=_clean_reason(reason),
    )


def parse_answer(
    content: str | None,
    groups: Collection[int],
    *,
    max_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
) -> dict[int, GroupAnswer | str]:
    """Validate the model's message content against the schema and ranges.

    Return, for every group in ``groups``, either its :class:`GroupAnswer` or a short description
    of what was wrong with it ("missing group", "out of range: ..."). Decisions for groups that
    were not asked about are ignored. Raise :class:`AnswerError` when the answer as a whole is
    unusable (empty, too large, not JSON, wrong shape).
    """
    if not content:
        raise AnswerError("empty answer")
    size = len(content.encode())
    if size > max_bytes:
        raise AnswerError(f"answer too large: {size} bytes > {max_bytes}")
    try:
        data = json.loads(content)
    except ValueError as err:
        raise AnswerError("invalid JSON") from err
    if not isinstance(data, dict) or not isinstance(data.get("decisions"), list):
        raise AnswerError("schema mismatch: no decisions list")
    wanted = set(groups)
    found: dict[int, GroupAnswer | str] = {}
    for item in data["decisions"]:
        if not isinstance(item, dict):
            continue
        group = item.get("group")
        if isinstance(group, bool) or not isinstance(group, int) or group not in wanted:
            continue
        found[group] = "duplicate decision" if group in found else _parse_item(item)
    return {group: found.get(group, "missing group") for group in groups}
