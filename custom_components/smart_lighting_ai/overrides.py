"""Manual overrides: changes to a group that the coordinator did not make.

A person in the UI, an automation, a script or a voice assistant (any call of
``light.turn_on``/``turn_off`` on a group light) or a level read back from the
bus that differs from the last one set (a wall panel, another DALI master).
An override lasts ``override_minutes``, is kept in the database so that it
survives a restart, and is cleared by ``clear_override`` or by switching
automatic control off and on.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from homeassistant.core import Context
from homeassistant.util import dt as dt_util

from .const import CONF_OVERRIDE_MINUTES, DEFAULT_OVERRIDE_MINUTES, LOGGER
from .runtime import SmartLightingConfigEntry
from .store import Store, StoreError

ORIGIN_BUS = "bus"


def origin_of(context: Context | None) -> str:
    """Who made a change: a user, an automation or script, or another service caller."""
    if context is None:
        return "service"
    if context.user_id:
        return "user"
    if context.parent_id:
        return "automation"
    return "service"


class OverrideManager:
    """Active overrides of one entry, mirrored in memory and in the database."""

    def __init__(self, entry: SmartLightingConfigEntry, store: Store | None) -> None:
        """Keep the overrides of ``entry`` (in memory only when the database is unusable)."""
        self._entry = entry
        self._store = store
        self._expires: dict[int, datetime] = {}
        self.recorded = 0

    @property
    def duration(self) -> timedelta:
        """How long a manual override lasts."""
        minutes = self._entry.options.get(CONF_OVERRIDE_MINUTES, DEFAULT_OVERRIDE_MINUTES)
        return timedelta(minutes=minutes)

    async def async_load(self) -> None:
        """Take the overrides still active from the database (after a restart)."""
        if self._store is None:
            return
        try:
            active = await self._store.active_overrides(self._entry.entry_id, dt_util.utcnow())
        except StoreError as err:
            LOGGER.warning("Could not read stored overrides: %s", err)
            return
        self._expires = {row.group_id: row.expires for row in active}

    def is_active(self, group: int, now: datetime | None = None) -> bool:
        """Whether an override holds ``group`` now."""
        expires = self._expires.get(group)
        return expires is not None and expires > (now or dt_util.utcnow())

    def expires(self, group: int) -> datetime | None:
        """When the override of ``group`` ends, if one is active."""
        return self._expires.get(group) if self.is_active(group) else None

    def active_groups(self, now: datetime | None = None) -> set[int]:
        """Every group an override holds now."""
        return {g for g in self._expires if self.is_active(g, now)}

    async def async_record(
        self,
        group: int,
        origin: str,
        *,
        is_on: bool | None,
        brightness_pct: float | None,
        minutes: float | None = None,
    ) -> datetime:
        """Store an override of ``group`` and return when it ends."""
        now = dt_util.utcnow()
        expires = now + (timedelta(minutes=minutes) if minutes is not None else self.duration)
        self._expires[group] = expires
        self.recorded += 1
        if self._store is not None:
            try:
                await self._store.add_override(
                    self._entry.entry_id,
                    now,
                    group,
                    expires=expires,
                    origin=origin,
                    brightness_pct=brightness_pct,
                    is_on=is_on,
                )
            except StoreError as err:
                LOGGER.warning("Override of group %d kept in memory only: %s", group, err)
        LOGGER.info(
            "Manual override stored for DALI group %d (by %s) until %s",
            group,
            origin,
            dt_util.as_local(expires).isoformat(timespec="minutes"),
        )
        return expires

    async def async_clear(self, group: int) -> None:
        """End the override of ``group``."""
        self._expires.pop(group, None)
        if self._store is not None:
            try:
                await self._store.clear_overrides(self._entry.entry_id, group, dt_util.utcnow())
            except StoreError as err:
                LOGGER.warning("Could not clear the stored override of group %d: %s", group, err)
