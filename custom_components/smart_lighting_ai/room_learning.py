"""What each room learned by itself, kept in ``.storage`` across restarts.

- ``lamp_lux_at_sensor``: the lamps' light at the illuminance sensor at 100 %, measured from
  the integration's own level steps (see ``predictor/calibration.py``).
- ``vacancy_extra_minutes``: how much the room's vacancy timeout was lengthened because
  people moved again soon after an automatic switch-off (still people). It halves every
  ``EXTRA_HALF_LIFE`` without such a miss, and never exceeds ``MAX_EXTRA_FACTOR`` times the
  profile's timeout (nor ``MAX_VACANCY_MINUTES`` in all).
- ``offset_learned_at``: when the learned brightness offset last moved (it decays from then).

Nothing here is secret: the values are shown as entity states.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store as HaStore
from homeassistant.util import dt as dt_util

from .const import DOMAIN

STORAGE_VERSION = 1
SAVE_DELAY_S = 10.0
MISS_FACTOR = 1.5
"""A miss lengthens the timeout to 1.5 times its current length."""
MAX_EXTRA_FACTOR = 3.0
"""The extra minutes never exceed three times the profile's timeout (4x in all)."""
MAX_VACANCY_MINUTES = 60.0
EXTRA_HALF_LIFE = timedelta(days=2)


@dataclass(frozen=True, slots=True)
class RoomLessons:
    """One room's learned values."""

    lamp_lux_at_sensor: float | None = None
    vacancy_extra_minutes: float = 0.0
    extra_since: datetime | None = None
    offset_learned_at: datetime | None = None

    def extra_now(self, now: datetime) -> float:
        """The extra vacancy minutes, decayed since the last miss."""
        if not self.vacancy_extra_minutes or self.extra_since is None:
            return 0.0
        halvings = max(0.0, (now - self.extra_since) / EXTRA_HALF_LIFE)
        return float(self.vacancy_extra_minutes * 0.5**halvings)

    def to_dict(self) -> dict[str, Any]:
        """JSON for .storage."""
        return {
            "lamp_lux_at_sensor": self.lamp_lux_at_sensor,
            "vacancy_extra_minutes": self.vacancy_extra_minutes,
            "extra_since": self.extra_since.isoformat() if self.extra_since else None,
            "offset_learned_at": self.offset_learned_at.isoformat()
            if self.offset_learned_at
            else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RoomLessons:
        """Read :meth:`to_dict` output; unreadable values fall back to nothing learned."""
        lamp = data.get("lamp_lux_at_sensor")
        extra = data.get("vacancy_extra_minutes") or 0.0
        return cls(
            lamp_lux_at_sensor=float(lamp) if isinstance(lamp, int | float) and lamp > 0 else None,
            vacancy_extra_minutes=float(extra) if isinstance(extra, int | float) else 0.0,
            extra_since=_time(data.get("extra_since")),
            offset_learned_at=_time(data.get("offset_learned_at")),
        )


def _time(value: Any) -> datetime | None:
    return dt_util.parse_datetime(value) if isinstance(value, str) else None


def lengthened(lessons: RoomLessons, base_minutes: float, now: datetime) -> RoomLessons:
    """The lessons after a miss: someone moved soon after the room was switched off."""
    current = base_minutes + lessons.extra_now(now)
    longest = min(base_minutes * (1 + MAX_EXTRA_FACTOR), max(MAX_VACANCY_MINUTES, base_minutes))
    extra = max(0.0, min(current * MISS_FACTOR, longest) - base_minutes)
    return replace(lessons, vacancy_extra_minutes=round(extra, 1), extra_since=now)


def room_learning_store(hass: HomeAssistant, entry_id: str) -> HaStore[dict[str, Any]]:
    """Where the lessons of entry ``entry_id`` are kept in .storage."""
    return HaStore(hass, STORAGE_VERSION, f"{DOMAIN}.rooms.{entry_id}")


class RoomLearning:
    """The lessons of every room of one entry."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Keep the lessons of entry ``entry_id``."""
        self._store = room_learning_store(hass, entry_id)
        self._rooms: dict[int, RoomLessons] = {}
        self._on_since: dict[str, datetime] = {}

    async def async_load(self) -> None:
        """Read what was learned before the restart (an unreadable room starts afresh)."""
        data = await self._store.async_load() or {}
        for key, raw in data.get("rooms", {}).items():
            try:
                self._rooms[int(key)] = RoomLessons.from_dict(raw)
            except (TypeError, ValueError, AttributeError):
                continue
        for entity_id, raw in data.get("on_since", {}).items():
            if (since := _time(raw)) is not None:
                self._on_since[str(entity_id)] = since

    def on_since(self, entity_id: str, seen_on: datetime | None) -> datetime | None:
        """Since when occupancy sensor ``entity_id`` reports presence without a break.

        ``seen_on`` is when Home Assistant saw it turn on (None: it is not on). A restart makes
        that the restart's time; the start of the spell kept here survives it, so a sensor stuck
        on is found even with a restart every night.
        """
        kept = self._on_since.get(entity_id)
        if seen_on is None:
            if kept is not None:
                del self._on_since[entity_id]
                self._store.async_delay_save(self._data, SAVE_DELAY_S)
            return None
        if kept is None or kept > seen_on:
            self._on_since[entity_id] = kept = seen_on
            self._store.async_delay_save(self._data, SAVE_DELAY_S)
        return kept

    def get(self, group: int) -> RoomLessons:
        """What room ``group`` learned (nothing yet: the defaults)."""
        return self._rooms.get(group, RoomLessons())

    def set(self, group: int, lessons: RoomLessons) -> None:
        """Keep ``lessons`` for ``group``; written to .storage a few seconds later."""
        self._rooms[group] = lessons
        self._store.async_delay_save(self._data, SAVE_DELAY_S)

    async def async_save(self) -> None:
        """Write the lessons now (the entry is unloaded)."""
        await self._store.async_save(self._data())

    def _data(self) -> dict[str, Any]:
        return {
            "rooms": {str(g): lessons.to_dict() for g, lessons in self._rooms.items()},
            "on_since": {e: since.isoformat() for e, since in self._on_since.items()},
        }
