"""The Chat Completions request: prompt, features as JSON, history trimmed under the byte cap.

The cap applies to the HTTP request body. The SDK serialises ``{"model", "messages",
"response_format"}`` compactly as UTF-8 (httpx >= 0.28 and openai 3.x); older httpx used
``json.dumps`` defaults. This module measures with ``json.dumps`` defaults (ASCII escapes and
spaces after separators), which is never smaller than either, and keeps
``SAFETY_MARGIN_BYTES`` free for anything an SDK version might add.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import PredictorError
from .local import assess_presence, estimate_daylight, warning_level
from .schema import RESPONSE_FORMAT
from .types import GroupLimits

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import datetime

    from .types import Features

SAFETY_MARGIN_BYTES = 256
DEFAULT_MAX_HISTORY = 12
"""History entries per group before trimming (12 five-minute windows: the last hour)."""

HISTORY_FIELDS = (
    "occupancy_ratio",
    "illuminance_mean",
    "current_level_pct",
    "current_color_temp_kelvin",
    "override_active",
    "occupied_now",
)

SYSTEM_PROMPT = (
    "You set the lights of a building that has DALI lighting groups. The user message is JSON: "
    "per group its limits, its latest sensor features ('now'), what was derived from them "
    "('state') and sometimes older features ('history', minutes_ago before now; unknown values "
    "are left out). Return exactly one decision per group. brightness_pct is 0-100, 0 is off; "
    "when on, keep it between min_brightness_pct and max_brightness_pct. state.presence: "
    "'occupied'; 'recent' (nobody now, inside vacancy_minutes: keep a lit group as it is, never "
    "switch one on); 'warning' (at most warning_level_pct until minutes_to_switch_off); "
    "'vacant' (off). Aim for target_lux at the desk: state.daylight_lux is the desk daylight "
    "without lamp light, so the lamps add lamp_lux_needed; lamp_lux_at_full is their desk light "
    "at 100% on DALI's logarithmic curve (output = 10^(3*(brightness_pct*2.54-254)/253)). A "
    "sensor with a fault is not trusted. Safety rules then keep empty rooms off and give "
    "occupied rooms at least 90% of target. color_temp_kelvin is null when supports_color_temp "
    "is false or the group is off; otherwise within min_kelvin-max_kelvin, warm (about 2700 K) "
    "in the evening and at night, up to about 5000 K under a high sun. confidence is 0-1. "
    "reason is one short plain English sentence. Reply with JSON only."
)


class PayloadTooLargeError(PredictorError):
    """Even the smallest request (no history) does not fit under the cap."""

    def __init__(self, size_bytes: int, cap_bytes: int) -> None:
        """Remember the sizes."""
        super().__init__(
            f"payload cap: smallest request is {size_bytes} bytes"
            f" (+{SAFETY_MARGIN_BYTES} margin) > {cap_bytes} bytes"
        )
        self.size_bytes = size_bytes
        self.cap_bytes = cap_bytes


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """A request ready for ``client.chat.completions.create``."""

    model: str
    messages: list[dict[str, str]]
    response_format: dict[str, Any]
    size_bytes: int
    """Measured size of :meth:`body` (an upper bound of the bytes sent)."""
    history_sent: int
    history_dropped: int

    def body(self) -> dict[str, Any]:
        """Return the JSON body the SDK sends."""
        return {
            "model": self.model,
            "messages": self.messages,
            "response_format": self.response_format,
        }


def body_size(body: Mapping[str, Any]) -> int:
    """Return the measured size of a request body in bytes (see the module docstring)."""
    return len(json.dumps(body).encode())


def _compact(value: object) -> object:
    return round(value, 2) if isinstance(value, float) else value


def _limits_json(limits: GroupLimits, colour: bool) -> dict[str, object]:
    data = limits.to_dict()
    del data["dimming_curve"], data["default_level_pct"]
    if not colour:
        del data["min_kelvin"], data["max_kelvin"]
    return {key: _compact(value) for key, value in data.items() if value is not None}


def state_json(features: Features, limits: GroupLimits) -> dict[str, object]:
    """Return what the local rules derive for a group: presence, daylight, vacancy warning.

    The fault flags themselves travel in ``now`` (they are features); here they show as a
    daylight of 0 and a presence basis that names the fault.
    """
    presence = assess_presence(features, limits)
    daylight = estimate_daylight(features, limits)
    data: dict[str, object] = {"presence": presence.state}
    if presence.text != "occupied":
        data["presence_basis"] = presence.text
    if daylight.desk_lux is not None:
        data["daylight_lux"] = round(daylight.desk_lux)
        data["lamp_lux_needed"] = round(max(0.0, limits.target_lux - daylight.desk_lux))
        if daylight.fault is None and daylight.confidence_factor < 1.0:
            data["daylight_basis"] = "window mean, less sure"
    if presence.warning:
        level = features.current_level_pct or 0.0
        data["minutes_to_switch_off"] = round(presence.minutes_left or 0.0, 1)
        data["warning_level_pct"] = warning_level(level, limits) if level > 0.0 else 0.0
    return data


def _now_json(features: Features) -> dict[str, object]:
    data = features.to_dict()
    del data["group"]
    return {key: _compact(value) for key, value in data.items() if value is not None}


def _history_json(entry: Features, now: datetime) -> dict[str, object]:
    data: dict[str, object] = {"minutes_ago": round((now - entry.ts).total_seconds() / 60.0, 1)}
    for name in HISTORY_FIELDS:
        value = getattr(entry, name)
        if value is not None and value is not False:
            data[name] = _compact(value)
    return data


def _history_entries(
    features: Mapping[int, Features],
    history: Mapping[int, Sequence[Features]],
    max_history: int,
) -> list[tuple[datetime, int, Features]]:
    """Return the usable history entries of all groups, oldest first."""
    entries: list[tuple[datetime, int, Features]] = []
    for group, latest in features.items():
        older = sorted(
            (entry for entry in history.get(group, ()) if entry.ts < latest.ts),
            key=lambda entry: entry.ts,
        )
        kept = older[-max_history:] if max_history > 0 else []
        entries.extend((entry.ts, group, entry) for entry in kept)
    entries.sort(key=lambda item: (item[0], item[1]))
    return entries


def _user_content(
    features: Mapping[int, Features],
    limits: Mapping[int, GroupLimits],
    history: Sequence[tuple[datetime, int, Features]],
) -> str:
    per_group: defaultdict[int, list[Features]] = defaultdict(list)
    for _, group, entry in history:
        per_group[group].append(entry)
    groups: list[dict[str, object]] = []
    for group in sorted(features):
        latest = features[group]
        group_limits = limits.get(group, GroupLimits())
        item: dict[str, object] = {
            "group": group,
            "limits": _limits_json(group_limits, latest.supports_color_temp),
            "now": _now_json(latest),
            "state": state_json(latest, group_limits),
        }
        if per_group[group]:
            item["history"] = [_history_json(entry, latest.ts) for entry in per_group[group]]
        groups.append(item)
    return json.dumps({"groups": groups}, ensure_ascii=False, separators=(",", ":"))


def build_request(
    model: str,
    features: Mapping[int, Features],
    limits: Mapping[int, GroupLimits],
    history: Mapping[int, Sequence[Features]],
    cap_bytes: int,
    *,
    max_history: int = DEFAULT_MAX_HISTORY,
) -> ChatRequest:
    """Build the request with as much history as fits under ``cap_bytes``.

    History older than each group's latest features is kept up to ``max_history`` entries per
    group, then dropped oldest first (across all groups) until the body fits. Raise
    :class:`PayloadTooLargeError` when even the request without history does not fit.
    """
    budget = cap_bytes - SAFETY_MARGIN_BYTES
    entries = _history_entries(features, history, max_history)
    built: dict[int, ChatRequest] = {}

    def make(dropped: int) -> ChatRequest:
        if dropped not in built:
            messages = [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": _user_content(features, limits, entries[dropped:])},
            ]
            body = {"model": model, "messages": messages, "response_format": RESPONSE_FORMAT}
            built[dropped] = ChatRequest(
                model=model,
                messages=messages,
                response_format=RESPONSE_FORMAT,
                size_bytes=body_size(body),
                history_sent=len(entries) - dropped,
                history_dropped=dropped,
            )
        return built[dropped]

    smallest = make(len(entries))
    if smallest.size_bytes > budget:
        raise PayloadTooLargeError(smallest.size_bytes, cap_bytes)
    low, high = 0, len(entries)  # make(high) fits; find the fewest drops that fit
    while low < high:
        middle = (low + high) // 2
        if make(middle).size_bytes <= budget:
            high = middle
        else:
            low = middle + 1
    return make(low)
