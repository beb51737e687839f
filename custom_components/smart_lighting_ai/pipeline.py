"""The data pipeline of one bus entry: aggregation every window, retention every night.

Aggregation runs every ``feature_window_minutes`` (and when the decision loop asks for
one, e.g. someone walked in) and is followed by the ``after_aggregation`` hooks (the
decision loop's cycle). Retention runs at 00:00 local time;
because a night may have no 00:00 (a DST change at midnight) or Home Assistant
may have been down then, every aggregation and the start-up also run a prune
that is due, at most one per local day.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection
from datetime import datetime, timedelta
from typing import Any

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers.event import (
    async_track_time_change,
    async_track_time_interval,
)
from homeassistant.helpers.storage import Store as HaStore
from homeassistant.util import dt as dt_util

from .const import (
    CONF_FEATURE_WINDOW,
    CONF_RETENTION_DAYS,
    CONF_WEATHER_ENTITY,
    DEFAULT_FEATURE_WINDOW,
    DEFAULT_RETENTION_DAYS,
    DOMAIN,
    HEALTH_CHECK_INTERVAL_S,
    LOGGER,
)
from .dali import GroupController
from .entity import group_label
from .features import FeatureCollector, read_weather, rooms_from_options
from .room_sensing import RoomSensing
from .runtime import SmartLightingConfigEntry
from .store import Store, StoreError

type CycleHook = Callable[[], Awaitable[Any]]


def pipeline_state_store(hass: HomeAssistant, entry_id: str) -> HaStore[dict[str, Any]]:
    """Where the pipeline of entry ``entry_id`` keeps its state (the last prune) in .storage."""
    return HaStore(hass, 1, f"{DOMAIN}.pipeline.{entry_id}")


class DataPipeline:
    """Feature rows in, old rows out, for one entry."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: SmartLightingConfigEntry,
        controller: GroupController,
        store: Store | None,
        sensing: RoomSensing,
    ) -> None:
        """Collect for ``controller``'s groups into ``store`` (None: the database is unusable)."""
        self._hass = hass
        self._entry = entry
        self._controller = controller
        self.store = store
        self._collector = FeatureCollector(hass, controller, sensing)
        self._state = pipeline_state_store(hass, entry.entry_id)
        self._lock = asyncio.Lock()
        # the check of ``last_prune`` and the prune together; not ``_lock``, so that a
        # long nightly prune never holds back the feature rows of someone walking in
        self._prune_lock = asyncio.Lock()
        self._unsubscribe: list[CALLBACK_TYPE] = []
        self.after_aggregation: list[CycleHook] = []
        self.health_listeners: list[Callable[[bool], None]] = []
        self.last_prune: datetime | None = None
        self.last_aggregation: datetime | None = None
        self._checked_at: datetime | None = None
        self.database_ok: bool = store is not None

    @property
    def running(self) -> bool:
        """Whether the schedules are active."""
        return bool(self._unsubscribe)

    @property
    def window(self) -> timedelta:
        """The aggregation window."""
        return timedelta(
            minutes=self._entry.options.get(CONF_FEATURE_WINDOW, DEFAULT_FEATURE_WINDOW)
        )

    @property
    def retention(self) -> timedelta:
        """How long rows are kept."""
        return timedelta(days=self._entry.options.get(CONF_RETENTION_DAYS, DEFAULT_RETENTION_DAYS))

    async def async_start(self) -> None:
        """Schedule aggregation, the nightly prune and health checks; run a missed prune."""
        saved = await self._state.async_load() or {}
        if last := saved.get("last_prune"):
            self.last_prune = dt_util.parse_datetime(last)
        hass = self._hass
        self._unsubscribe = [
            async_track_time_interval(hass, self._scheduled_aggregation, self.window),
            async_track_time_change(hass, self._scheduled_prune, hour=0, minute=0, second=0),
            async_track_time_interval(
                hass, self._scheduled_health_check, timedelta(seconds=HEALTH_CHECK_INTERVAL_S)
            ),
            # entries are not unloaded at shutdown: stop before the recorder goes away
            hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, self._stop_at_shutdown),
        ]
        await self._async_prune_if_due(dt_util.utcnow())

    def async_stop(self) -> None:
        """Cancel the schedules."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []

    @callback
    def _stop_at_shutdown(self, _event: Event) -> None:
        self._unsubscribe.pop()  # the one-time listener is gone once it has fired
        self.async_stop()

    async def _scheduled_aggregation(self, now: datetime) -> None:
        await self.async_aggregate(now)
        await self._async_prune_if_due(now)

    async def _scheduled_prune(self, now: datetime) -> None:
        await self._async_prune_if_due(now)

    async def _scheduled_health_check(self, _now: datetime) -> None:
        await self.async_health_check()

    async def async_aggregate(
        self, now: datetime | None = None, *, raise_store_error: bool = False
    ) -> int:
        """Write one feature row per configured group, then run the decision cycle.

        A database error is logged and gives 0 rows; with ``raise_store_error`` it is
        raised instead, after the decision cycle ran (0 rows without rooms is no error).
        """
        now = now or dt_util.utcnow()
        rows, failure = await self._async_aggregate(now, None)
        self.last_aggregation = now
        for hook in list(self.after_aggregation):
            await hook()
        if failure is not None and raise_store_error:
            raise failure
        return rows

    async def async_aggregate_rooms(self, groups: Collection[int]) -> int:
        """Write a feature row for ``groups`` only, now, with no hooks (a room's own re-decision).

        The window still ends now and spans ``feature_window_minutes``; the scheduled
        aggregation keeps its own rhythm.
        """
        rows, _ = await self._async_aggregate(dt_util.utcnow(), set(groups))
        return rows

    async def _async_aggregate(
        self, now: datetime, groups: set[int] | None
    ) -> tuple[int, StoreError | None]:
        async with self._lock:
            rooms = rooms_from_options(self._entry.options, self._controller.groups)
            if groups is not None:
                rooms = [room for room in rooms if room.group in groups]
            if not rooms or self.store is None:
                return 0, None
            try:
                return await self._async_write_features(rooms, now), None
            except StoreError as err:
                return 0, err

    async def _async_write_features(self, rooms: list[Any], now: datetime) -> int:
        assert self.store is not None
        entry_id = self._entry.entry_id
        weather = read_weather(self._hass, self._entry.options.get(CONF_WEATHER_ENTITY))
        try:
            overridden = {o.group_id for o in await self.store.active_overrides(entry_id, now)}
            features = await self._collector.async_collect(
                rooms, now, self.window, weather, overridden
            )
            rows = await self.store.add_features(
                entry_id,
                now,
                [(group, f.to_dict()) for group, f in features.items()],
                int(self.window.total_seconds() // 60),
            )
            if self._entry.options.get(CONF_WEATHER_ENTITY):
                await self.store.add_weather(entry_id, now, weather.to_dict())
        except StoreError as err:
            self.database_ok = False
            LOGGER.error("Database health check failed: feature rows not written: %s", err)
            raise
        except Exception:  # the recorder failed: keep the schedule and the decision cycle going
            LOGGER.exception("Feature rows could not be collected from the recorder")
            return 0
        LOGGER.info(
            "Feature row created for %s (%d min window)",
            ", ".join(group_label(self._entry, g) for g in features),
            self.window.total_seconds() // 60,
        )
        return rows

    async def async_prune(self, now: datetime | None = None) -> dict[str, int]:
        """Delete rows older than the retention period from every table of this entry."""
        now = now or dt_util.utcnow()
        if self.store is None:
            return {}
        try:
            deleted = await self.store.prune(self._entry.entry_id, now - self.retention)
        except StoreError as err:
            self.database_ok = False
            LOGGER.error("Database health check failed: prune failed: %s", err)
            return {}
        self.last_prune = now
        await self._state.async_save({"last_prune": now.isoformat()})
        LOGGER.info(
            "Retention prune (older than %d days) deleted %s",
            self.retention.days,
            ", ".join(f"{count} {table}" for table, count in deleted.items()),
        )
        return deleted

    async def _async_prune_if_due(self, now: datetime) -> None:
        today = dt_util.as_local(now).date()
        async with self._prune_lock:  # two callers at midnight: the second sees the first's
            if self.last_prune is None or dt_util.as_local(self.last_prune).date() < today:
                await self.async_prune(now)

    async def async_health_check(self, max_age: timedelta | None = None) -> bool:
        """Check the database (or reuse a check younger than ``max_age``)."""
        now = dt_util.utcnow()
        if (
            max_age is not None
            and self._checked_at is not None
            and now - self._checked_at < max_age
        ):
            return self.database_ok
        self._checked_at = now
        self.database_ok = self.store is not None and await self.store.health_check()
        for listener in list(self.health_listeners):
            listener(self.database_ok)
        return self.database_ok
