"""Usage counters per entry, kept in the database by local day (contract C6 ``telemetry``).

The live counters (bus, decision loop, overrides, AI client) only grow, from this setup of the
entry on (``started``); every aggregation cycle the growth since the last flush is added to the
current day's row. At local midnight the growth so far goes to the day that ends and the day's
counters start again at 0, so ``today`` and ``day_start`` always change together (the AI usage
sensors' value and ``last_reset``).

The report says what each figure covers: the totals are over every day still stored (the
days of ``retention_days``, restarts included) and start at ``counted_since``; ``today`` starts
at local midnight; ``days`` lists the stored days one by one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_change
from homeassistant.util import dt as dt_util

from .const import (
    CONF_PRICE_INPUT,
    CONF_PRICE_OUTPUT,
    CONF_RETENTION_DAYS,
    DEFAULT_RETENTION_DAYS,
    LOGGER,
)
from .predictor import OpenAIPredictor
from .runtime import SmartLightingConfigEntry
from .store import Store, StoreError

COUNTERS = (
    "frames",
    "commands",
    "bus_errors",
    "decisions",
    "applied",
    "overrides",
    "ai_calls",
    "ai_errors",
    "tokens_in",
    "tokens_out",
    "cost",
)


class Telemetry:
    """Reads the live counters, flushes their growth by day, answers the totals."""

    def __init__(self, hass: HomeAssistant, entry: SmartLightingConfigEntry) -> None:
        """Count for ``entry``."""
        self._hass = hass
        self._entry = entry
        self._flushed: dict[str, float] = dict.fromkeys(COUNTERS, 0.0)
        self._listeners: list[Callable[[], None]] = []
        self.today: dict[str, float] = dict.fromkeys(COUNTERS, 0.0)
        self._day = _today()
        self._lock = asyncio.Lock()
        # The live counters (and the bus's frames_sent and bus_time_s) count from here on.
        self.started = dt_util.utcnow()

    @property
    def day_start(self) -> datetime:
        """Local midnight at the start of the day that ``today`` counts."""
        return dt_util.start_of_local_day(date.fromisoformat(self._day))

    def live(self) -> dict[str, float]:
        """Cumulative counters since setup."""
        data = self._entry.runtime_data
        predictor = data.autopilot.predictor
        ai: dict[str, float] = dict.fromkeys(
            ("ai_calls", "ai_errors", "tokens_in", "tokens_out"), 0
        )
        if isinstance(predictor, OpenAIPredictor):
            ai = {
                "ai_calls": predictor.calls,
                "ai_errors": predictor.errors,
                "tokens_in": predictor.tokens_in,
                "tokens_out": predictor.tokens_out,
            }
        options = self._entry.options
        cost = (
            ai["tokens_in"] * options.get(CONF_PRICE_INPUT, 0.0)
            + ai["tokens_out"] * options.get(CONF_PRICE_OUTPUT, 0.0)
        ) / 1_000_000
        return {
            "frames": data.bus.frames_sent,
            "commands": data.bus.commands_sent,
            "bus_errors": data.bus.errors,
            "decisions": data.autopilot.decisions_made,
            "applied": data.autopilot.decisions_applied,
            "overrides": data.overrides.recorded,
            **ai,
            "cost": round(cost, 6),
        }

    def _pending(self) -> dict[str, float]:
        live = self.live()
        return {name: live[name] - self._flushed[name] for name in COUNTERS}

    async def async_load(self) -> None:
        """Read today's counters so the sensors start from them."""
        store = self._entry.runtime_data.pipeline.store
        if store is None:
            return
        try:
            stored = await store.telemetry(self._entry.entry_id, _today())
        except StoreError:
            return
        self.today = {name: stored.get(name, 0.0) for name in COUNTERS}

    async def async_flush(self) -> None:
        """Add the growth since the last flush to the current day; after midnight start anew."""
        async with self._lock:
            if not await self._async_store_pending():
                return
        for listener in list(self._listeners):
            listener()

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Start a new day each local midnight; returns what stops it."""
        return async_track_time_change(self._hass, self._async_new_day, hour=0, minute=0, second=0)

    async def _async_new_day(self, _now: datetime) -> None:
        await self.async_flush()

    async def _async_store_pending(self) -> bool:
        """Store the growth under the day it belongs to; False when the database refused it."""
        store = self._entry.runtime_data.pipeline.store
        pending = self._pending()
        if store is not None and any(pending.values()):
            try:
                await store.add_telemetry(
                    self._entry.entry_id, self._day, pending, dt_util.utcnow()
                )
            except StoreError as err:
                LOGGER.warning("Telemetry not stored: %s", err)
                return False
        self._flushed = {name: self._flushed[name] + pending[name] for name in COUNTERS}
        self.today = {name: self.today.get(name, 0.0) + pending[name] for name in COUNTERS}
        if (day := _today()) != self._day:
            self._day, self.today = day, dict.fromkeys(COUNTERS, 0.0)
        return True

    async def async_report(self) -> dict[str, Any]:
        """Totals over the stored days, today's counters and each day's; unflushed growth in.

        Each part names where it starts: ``counted_since`` (the oldest stored day's local
        midnight, today's when nothing older is stored) and ``today.counted_since``.
        """
        store = self._entry.runtime_data.pipeline.store
        pending = self._pending()
        total: dict[str, float] = {}
        days: dict[str, dict[str, float]] = {}
        if store is not None:
            try:
                total = await store.telemetry(self._entry.entry_id)
                days = await self._stored_days(store) if total else {}
            except StoreError:
                total, days = {}, {}
        totals = {name: total.get(name, 0.0) + pending[name] for name in COUNTERS}
        today = {name: self.today.get(name, 0.0) + pending[name] for name in COUNTERS}
        days[self._day] = today
        oldest = min(days)
        return {
            **_with_sums(totals),
            "counted_since": _midnight(oldest),
            "today": {**_with_sums(today), "counted_since": self.day_start.isoformat()},
            "days": [{"day": day, **_with_sums(days[day])} for day in sorted(days)],
        }

    async def _stored_days(self, store: Store) -> dict[str, dict[str, float]]:
        """The counters of each day before today that the store may still hold.

        Pruning keeps ``retention_days`` of rows (and runs nightly), so no stored day is
        older than that plus one.
        """
        keep = int(self._entry.options.get(CONF_RETENTION_DAYS, DEFAULT_RETENTION_DAYS))
        current = date.fromisoformat(self._day)
        days: dict[str, dict[str, float]] = {}
        for back in range(keep + 1, 0, -1):
            day = (current - timedelta(days=back)).isoformat()
            if counters := await store.telemetry(self._entry.entry_id, day):
                days[day] = {name: counters.get(name, 0.0) for name in COUNTERS}
        return days

    @callback
    def add_listener(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Be told after each flush."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)


def _today() -> str:
    return dt_util.as_local(dt_util.utcnow()).date().isoformat()


def _midnight(day: str) -> str:
    """The local midnight that starts ``day``, as an ISO timestamp."""
    return dt_util.start_of_local_day(date.fromisoformat(day)).isoformat()


def _clean(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 6)


def _with_sums(counters: dict[str, float]) -> dict[str, float | int]:
    """The counters plus ``errors`` (bus and AI) and ``tokens`` (in and out)."""
    return {
        **{name: _clean(value) for name, value in counters.items()},
        "errors": _clean(counters["bus_errors"] + counters["ai_errors"]),
        "tokens": _clean(counters["tokens_in"] + counters["tokens_out"]),
    }
