"""The OpenAI-compatible predictor: one capped, rate-limited Chat Completions call per cycle.

Works with ``openai`` 1.68 and 3.x; it uses only ``AsyncOpenAI.with_options``,
``chat.completions.create``, the SDK's ``APIError`` family and the response's ``choices`` and
``usage``. SDK retries are switched off on its own copy of the client, so one cycle makes at most
one HTTP request and ``calls_per_hour`` is the real request budget.

A cycle:

1. Same features (ignoring ``ts``) and limits as the last usable answer: reuse its decisions.
2. Build the request with as much history as fits under ``payload_cap_bytes``; if even the
   request without history is too large, no call.
3. Take a token from the hourly bucket; none left, no call.
4. Call, validate, clamp to the group limits.

Whatever goes wrong, the affected groups get the local predictor's decision with source
"fallback" and a reason that starts with ``AI unavailable (<why>): ``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

import openai
from openai.types.chat import ChatCompletion

from .local import LocalPredictor
from .payload import DEFAULT_MAX_HISTORY, PayloadTooLargeError, build_request
from .rate_limit import TokenBucket
from .schema import DEFAULT_MAX_ANSWER_BYTES, AnswerError, GroupAnswer, parse_answer
from .types import Decision, Features, GroupLimits

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from .payload import ChatRequest

_LOGGER = logging.getLogger(__name__)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DEFAULT_LIMITS = GroupLimits()

type _CacheKey = tuple[tuple[int, Features, GroupLimits], ...]


def _cache_key(features: Mapping[int, Features], limits: Mapping[int, GroupLimits]) -> _CacheKey:
    """Return what must be equal for an earlier answer to still apply (``ts`` ignored)."""
    return tuple(
        (group, replace(features[group], ts=_EPOCH), limits[group]) for group in sorted(features)
    )


def _fallback(decision: Decision, why: str) -> Decision:
    """Return a local decision marked as a fallback, with the reason for it."""
    return replace(decision, source="fallback", reason=f"AI unavailable ({why}): {decision.reason}")


AUTH_FAILED = "authentication failed"
MALFORMED = "malformed response"
NOT_JSON = "response is not JSON"

_BAD_BODY = (json.JSONDecodeError, UnicodeDecodeError)
"""What the SDK raises, unwrapped, when an HTTP 200 body is not JSON (prose, cut off, not UTF-8)."""


def _token_count(value: object) -> int:
    """Return ``value`` when it is a token count, else 0 (the SDK does not validate ``usage``)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return 0


def _message_content(response: object) -> str | None:
    """Return the first choice's message content; raise AnswerError when the shape is wrong.

    The SDK builds its response objects without validating them, so a ``null``, a list or a
    document with the wrong types arrives here as it is.
    """
    if not isinstance(response, ChatCompletion):
        raise AnswerError(MALFORMED)
    choices: object = response.choices
    if not choices:
        raise AnswerError("empty answer")
    if not isinstance(choices, list):
        raise AnswerError(MALFORMED)
    message = getattr(choices[0], "message", None)
    if message is None:
        raise AnswerError(MALFORMED)
    content: object = getattr(message, "content", None)
    if content is None or isinstance(content, str):
        return content
    raise AnswerError(MALFORMED)


def _describe_error(err: Exception) -> str:
    """Return a short description of an SDK error for reasons and ``last_error``."""
    if isinstance(err, openai.APITimeoutError | TimeoutError):
        return "timeout"
    if isinstance(err, openai.RateLimitError):
        return "rate limited"
    if isinstance(err, openai.AuthenticationError):
        return AUTH_FAILED
    if isinstance(err, openai.APIStatusError):
        return f"HTTP {err.status_code}"
    if isinstance(err, openai.APIError):
        return "connection error"
    return f"unexpected error: {type(err).__name__}"


class OpenAIPredictor:
    """Predictor that asks an OpenAI-compatible model, falling back to the local predictor.

    Counters (read them for telemetry): ``calls`` (HTTP requests made), ``errors`` (cycles with
    a failed call or rejected group, and cycles over the payload cap), ``rate_limited`` (cycles
    skipped for the hourly budget), ``cache_hits`` (cycles answered from the last answer),
    ``tokens_in`` / ``tokens_out`` (from ``usage``), ``last_request_bytes`` (measured size of the
    last request sent) and ``last_error`` (what went wrong in the last cycle that called or tried
    to, None once a call succeeds).
    """

    def __init__(
        self,
        client: openai.AsyncOpenAI,
        model: str,
        *,
        payload_cap_bytes: int = 16384,
        calls_per_hour: int = 60,
        timeout: float = 15.0,
        fallback: LocalPredictor | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
        max_history_per_group: int = DEFAULT_MAX_HISTORY,
    ) -> None:
        """Set the predictor up; no network traffic happens here."""
        if timeout <= 0.0:
            raise ValueError("timeout must be above 0")
        self._client = client.with_options(max_retries=0)
        self._model = model
        self._cap = payload_cap_bytes
        self._timeout = timeout
        self._fallback = fallback or LocalPredictor()
        self._bucket = TokenBucket.per_hour(max(0, calls_per_hour), clock)
        self._max_answer_bytes = max_answer_bytes
        self._max_history = max_history_per_group
        self._history: dict[int, tuple[Features, ...]] = {}
        self._cache: tuple[_CacheKey, dict[int, Decision]] | None = None
        self.calls = 0
        self.errors = 0
        self.rate_limited = 0
        self.cache_hits = 0
        self.tokens_in = 0
        self.tokens_out = 0
        self.last_error: str | None = None
        self.last_request_bytes = 0

    @property
    def model(self) -> str:
        """Return the model name."""
        return self._model

    def set_history(self, history: Mapping[int, Sequence[Features]]) -> None:
        """Set the per-group history sent with later calls (older features, any order)."""
        self._history = {group: tuple(entries) for group, entries in history.items()}

    def stats(self) -> dict[str, int | str | None]:
        """Return the counters as a dict."""
        return {
            "calls": self.calls,
            "errors": self.errors,
            "rate_limited": self.rate_limited,
            "cache_hits": self.cache_hits,
            "tokens_in": self.tokens_in,
            "tokens_out": self.tokens_out,
            "last_request_bytes": self.last_request_bytes,
            "last_error": self.last_error,
        }

    async def predict(
        self,
        features: Mapping[int, Features],
        limits: Mapping[int, GroupLimits],
        *,
        history: Mapping[int, Sequence[Features]] | None = None,
    ) -> dict[int, Decision]:
        """Return a decision for every group in ``features`` (see the module docstring).

        ``history`` replaces the history given to :meth:`set_history` for this call.
        """
        if not features:
            return {}
        group_limits = {group: limits.get(group, _DEFAULT_LIMITS) for group in features}
        key = _cache_key(features, group_limits)
        if self._cache is not None and self._cache[0] == key:
            self.cache_hits += 1
            return dict(self._cache[1])
        local = {
            group: self._fallback.decide(feat, group_limits[group])
            for group, feat in features.items()
        }
        try:
            request = build_request(
                self._model,
                features,
                group_limits,
                self._history if history is None else history,
                self._cap,
                max_history=self._max_history,
            )
        except PayloadTooLargeError as err:
            self._record_error(str(err))
            return self._fallback_all(local, "payload cap")
        if not self._bucket.try_acquire():
            self.rate_limited += 1
            _LOGGER.debug("AI call skipped: %g calls per hour used", self._bucket.capacity)
            return self._fallback_all(local, "hourly call limit reached")
        try:
            answers = await self._ask(request, features)
        except AnswerError as err:
            self._record_error(str(err))
            return self._fallback_all(local, str(err))
        decisions, problems = self._merge(answers, features, group_limits, local)
        if problems:
            self._record_error("; ".join(problems))
        else:
            self.last_error = None
        self._cache = (key, decisions)
        return dict(decisions)

    async def _ask(
        self, request: ChatRequest, features: Mapping[int, Features]
    ) -> dict[int, GroupAnswer | str]:
        """Make the call and validate the answer; raise AnswerError when it is unusable."""
        self.calls += 1
        self.last_request_bytes = request.size_bytes
        _LOGGER.debug(
            "AI call: %d bytes, %d history entries (%d dropped)",
            request.size_bytes,
            request.history_sent,
            request.history_dropped,
        )
        try:
            async with asyncio.timeout(self._timeout):
                response = await self._client.chat.completions.create(
                    model=request.model,
                    messages=cast("Any", request.messages),
                    response_format=cast("Any", request.response_format),
                    timeout=self._timeout,
                )
        except _BAD_BODY as err:
            raise AnswerError(NOT_JSON) from err
        except Exception as err:
            if not isinstance(err, openai.APIError | TimeoutError):
                _LOGGER.exception("Unexpected error from the AI call")
            raise AnswerError(_describe_error(err)) from err
        self._count_tokens(response)
        content = _message_content(response)
        return parse_answer(content, list(features), max_bytes=self._max_answer_bytes)

    def _count_tokens(self, response: object) -> None:
        """Add the answer's ``usage`` to the token counters, ignoring what is not a count."""
        usage = getattr(response, "usage", None)
        self.tokens_in += _token_count(getattr(usage, "prompt_tokens", None))
        self.tokens_out += _token_count(getattr(usage, "completion_tokens", None))

    def _merge(
        self,
        answers: Mapping[int, GroupAnswer | str],
        features: Mapping[int, Features],
        limits: Mapping[int, GroupLimits],
        local: Mapping[int, Decision],
    ) -> tuple[dict[int, Decision], list[str]]:
        """Turn validated answers into clamped decisions; fall back per rejected group."""
        decisions: dict[int, Decision] = {}
        problems: list[str] = []
        for group, answer in answers.items():
            if isinstance(answer, str):
                problems.append(f"group {group}: {answer}")
                decisions[group] = _fallback(local[group], answer)
                continue
            decisions[group] = self._to_decision(group, answer, features[group], limits[group])
        return decisions, problems

    @staticmethod
    def _to_decision(
        group: int, answer: GroupAnswer, features: Features, limits: GroupLimits
    ) -> Decision:
        brightness = round(limits.clamp_brightness(answer.brightness_pct), 1)
        kelvin: int | None = None
        if (
            features.supports_color_temp
            and brightness > 0.0
            and answer.color_temp_kelvin is not None
        ):
            kelvin = limits.clamp_kelvin(answer.color_temp_kelvin)
        reason = answer.reason
        clamped = abs(brightness - answer.brightness_pct) >= 0.1
        if clamped or (kelvin is not None and kelvin != answer.color_temp_kelvin):
            reason += " (clamped to the group's limits)"
        return Decision(
            group=group,
            brightness_pct=brightness,
            color_temp_kelvin=kelvin,
            confidence=answer.confidence,
            reason=reason,
            source="openai",
        )

    def _fallback_all(self, local: Mapping[int, Decision], why: str) -> dict[int, Decision]:
        return {group: _fallback(decision, why) for group, decision in local.items()}

    def _record_error(self, error: str) -> None:
        self.errors += 1
        if error != self.last_error:
            _LOGGER.warning("AI predictor falling back to local rules: %s", error)
        self.last_error = error
