"""Manual overrides: changes to a group that the decision loop did not make.

A person in the UI, an automation, a script or a voice assistant (any call of
``light.turn_on``/``turn_off`` on a group light) or a change seen on the bus (a
wall panel, another DALI master). An override lasts ``override_minutes`` and is
cleared by ``clear_override`` or by switching automatic control off and on.

An override takes hold in memory at once, before any await, so an automatic
command waiting for the bus sees it when it re-checks; a command that then fails
lets go of it again. Storing it comes after the bus command and never delays
it: it goes to the SQLite ``overrides`` table (the record, contract C8) and to
a small file in ``.storage``, so that it survives a restart even when the
database was locked, full or deleted meanwhile. On start-up the two are merged
and what the database lacks is written back to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers.storage import Store as HaStore
from homeassistant.util import dt as dt_util

from .const import CONF_OVERRIDE_MINUTES, DEFAULT_OVERRIDE_MINUTES, DOMAIN, LOGGER
from .entity import group_label
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


def override_state_store(hass: HomeAssistant, entry_id: str) -> HaStore[dict[str, Any]]:
    """Where the active overrides of entry ``entry_id`` are mirrored in .storage."""
    return HaStore(hass, 1, f"{DOMAIN}.overrides.{entry_id}")


@dataclass(frozen=True, slots=True)
class Override:
    """One manual override of a group."""

    group: int
    origin: str
    started: datetime
    expires: datetime
    is_on: bool | None = None
    brightness_pct: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The override as JSON for .storage."""
        data = asdict(self)
        data["started"] = self.started.isoformat()
        data["expires"] = self.expires.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Override:
        """Read an override written by :meth:`to_dict`; raises on a malformed one."""
        started = dt_util.parse_datetime(data["started"])
        expires = dt_util.parse_datetime(data["expires"])
        if started is None or expires is None:
            raise ValueError("unreadable override times")
        return cls(
            group=int(data["group"]),
            origin=str(data["origin"]),
            started=started,
            expires=expires,
            is_on=data.get("is_on"),
            brightness_pct=data.get("brightness_pct"),
        )


class OverrideManager:
    """Active overrides of one entry: held in memory, stored in the database and .storage."""

    def __init__(
        self, hass: HomeAssistant, entry: SmartLightingConfigEntry, store: Store | None
    ) -> None:
        """Keep the overrides of ``entry`` (``store`` None: the database is unusable)."""
        self._entry = entry
        self._store = store
        self._mirror = override_state_store(hass, entry.entry_id)
        self._active: dict[int, Override] = {}
        self._unsaved: dict[int, Override] = {}  # held while another write of the group ran
        self._saving: set[int] = set()
        self.recorded = 0
        self.listeners: list[Callable[[], None]] = []
        """Called whenever an override starts, ends early or is let go."""

    @property
    def duration(self) -> timedelta:
        """How long a manual override lasts."""
        minutes = self._entry.options.get(CONF_OVERRIDE_MINUTES, DEFAULT_OVERRIDE_MINUTES)
        return timedelta(minutes=minutes)

    async def async_load(self) -> None:
        """Take the overrides still active from .storage and the database (after a restart)."""
        now = dt_util.utcnow()
        for raw in ((await self._mirror.async_load()) or {}).get("overrides", []):
            try:
                override = Override.from_dict(raw)
            except (KeyError, TypeError, ValueError) as err:
                LOGGER.warning("Skipped an unreadable stored override: %s", err)
                continue
            if override.expires > now:
                self._active[override.group] = override
        in_database: set[int] = set()
        if self._store is not None:
            try:
                rows = await self._store.active_overrides(self._entry.entry_id, now)
            except StoreError as err:
                LOGGER.warning("Could not read stored overrides: %s", err)
                return
            for row in rows:
                in_database.add(row.group_id)
                known = self._active.get(row.group_id)
                if known is None or known.expires < row.expires:
                    self._active[row.group_id] = Override(
                        row.group_id,
                        row.origin,
                        row.ts,
                        row.expires,
                        row.is_on,
                        row.brightness_pct,
                    )
        for group, override in self._active.items():
            if group not in in_database:  # the database was deleted, locked or full meanwhile
                await self._async_write_row(override)

    def is_active(self, group: int, now: datetime | None = None) -> bool:
        """Whether an override holds ``group`` now."""
        return self.active(group, now) is not None

    def active(self, group: int, now: datetime | None = None) -> Override | None:
        """The override holding ``group`` now, if any."""
        override = self._active.get(group)
        if override is None or override.expires <= (now or dt_util.utcnow()):
            return None
        return override

    def hold(
        self,
        group: int,
        origin: str,
        *,
        is_on: bool | None = None,
        brightness_pct: float | None = None,
        minutes: float | None = None,
    ) -> tuple[Override, Override | None]:
        """Hold ``group`` now, in memory only; returns the new and the replaced override.

        Synchronous on purpose: an automatic command that re-checks inside its bus
        transaction sees the hold even if nothing has been stored yet.
        """
        now = dt_util.utcnow()
        length = timedelta(minutes=minutes) if minutes is not None else self.duration
        override = Override(group, origin, now, now + length, is_on, brightness_pct)
        previous = self._active.get(group)
        self._active[group] = override
        self._changed()
        return override, previous

    def let_go(self, override: Override, previous: Override | None) -> None:
        """Undo :meth:`hold` (the command it was held for failed)."""
        if self._active.get(override.group) is not override:
            return  # something newer holds the group now
        if previous is None:
            del self._active[override.group]
        else:
            self._active[override.group] = previous
        self._changed()

    def _changed(self) -> None:
        for listener in list(self.listeners):
            listener()

    async def async_save(self, override: Override) -> None:
        """Store a held override, in the database and in .storage, and log it.

        One write per group at a time: overrides held while one is being stored (a dragged
        slider, a locked database) are stored once it is done, and only the latest of them.
        """
        group = override.group
        if self._active.get(group) is not override:
            return  # replaced or cleared before it could be stored
        self._unsaved[group] = override
        if group in self._saving:
            return  # the write running now stores this one after it
        self._saving.add(group)
        try:
            while (latest := self._unsaved.pop(group, None)) is not None:
                if self._active.get(group) is not latest:
                    continue
                self.recorded += 1
                await self._async_save_mirror()
                await self._async_write_row(latest)
                LOGGER.info(
                    "Manual override stored for DALI %s (by %s) until %s",
                    group_label(self._entry, group),
                    latest.origin,
                    dt_util.as_local(latest.expires).isoformat(timespec="minutes"),
                )
        finally:
            self._saving.discard(group)

    async def async_record(
        self,
        group: int,
        origin: str,
        *,
        is_on: bool | None,
        brightness_pct: float | None,
        minutes: float | None = None,
    ) -> datetime:
        """Hold and store an override of ``group``; return when it ends."""
        override, _ = self.hold(
            group, origin, is_on=is_on, brightness_pct=brightness_pct, minutes=minutes
        )
        await self.async_save(override)
        return override.expires

    async def async_clear(self, group: int) -> None:
        """End the override of ``group``."""
        if self._active.pop(group, None) is not None:
            self._changed()
            await self._async_save_mirror()
        if self._store is not None:
            try:
                await self._store.clear_overrides(self._entry.entry_id, group, dt_util.utcnow())
            except StoreError as err:
                LOGGER.warning("Could not clear the stored override of group %d: %s", group, err)

    async def _async_write_row(self, override: Override) -> None:
        if self._store is None:
            return
        try:
            await self._store.add_override(
                self._entry.entry_id,
                override.started,
                override.group,
                expires=override.expires,
                origin=override.origin,
                brightness_pct=override.brightness_pct,
                is_on=override.is_on,
            )
        except StoreError as err:
            LOGGER.warning(
                "Override of group %d not in the database (kept in .storage): %s",
                override.group,
                err,
            )

    async def _async_save_mirror(self) -> None:
        now = dt_util.utcnow()
        await self._mirror.async_save(
            {"overrides": [o.to_dict() for o in self._active.values() if o.expires > now]}
        )
