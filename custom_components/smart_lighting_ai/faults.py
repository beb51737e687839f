"""Faults and maintenance (contract C15): lamp and control gear failure of every fitting.

:class:`FaultMonitor` polls each fitting's status through the bus-state coordinator's poller
(:class:`.dali.status.StatusSweep`: every fitting once per ``SWEEP_S``, a few per poll, so
that a line of 64 fittings spends about 1 % of the bus on it; see
``benchmarks/fault_polling.py``). It also reads a fitting at once when its state changes:
another master sent it a command, or a read-back found a level nobody here set.

Each fitting gets two problem ``binary_sensor``s (lamp failure, control gear failure) with
the DT6 LED failure detail as attributes (in ``binary_sensor.py``). A fitting that failed,
or went missing (it stopped answering, or the last scans missed it), gets a repair issue
naming it, removed once it recovers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from dali.address import GearBroadcast, GearGroup, GearShort
from dali.command import Command
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .const import DOMAIN, LOGGER
from .dali import DaliError, GearInfo, GroupState
from .dali.status import GearStatus, StatusSweep
from .entity import fitting_name
from .runtime import SmartLightingConfigEntry

SWEEP_S = 300.0  # every fitting's status once per 5 minutes
LED_EVERY_S = 3600.0  # the DT6 LED detail of a healthy fitting once an hour
REREAD_AFTER_S = 10.0  # a fitting read this recently is not read again for a state change
ISSUE_FITTING_FAILED = "fitting_failed"
ISSUE_FITTING_MISSING = "fitting_missing"


async def async_setup_faults(hass: HomeAssistant, entry: SmartLightingConfigEntry) -> FaultMonitor:
    """Start watching every fitting of ``entry``'s bus; stopped when the entry unloads."""
    monitor = FaultMonitor(hass, entry)
    for unsubscribe in monitor.async_start():
        entry.async_on_unload(unsubscribe)
    return monitor


def _now() -> float:
    return dt_util.utcnow().timestamp()


class FaultMonitor:
    """The status of every fitting, its repair issues, and who to tell when it changes."""

    def __init__(self, hass: HomeAssistant, entry: SmartLightingConfigEntry) -> None:
        """Watch the fittings of ``entry``'s inventory."""
        self._hass = hass
        self._entry = entry
        self._data = entry.runtime_data
        self.sweep = StatusSweep(
            self._data.bus,
            lambda: self._data.controller.inventory.gear,
            sweep_s=SWEEP_S,
            led_every_s=LED_EVERY_S,
        )
        self._listeners: list[Callable[[], None]] = []
        self._issues: dict[str, str] = {}  # fitting key -> the kind of issue raised for it
        self._pending: set[str] = set()
        self._read_at: dict[str, float] = {}
        self._reading = False

    @callback
    def async_start(self) -> list[CALLBACK_TYPE]:
        """Poll with the coordinator, follow changes, and clear the issues when stopped."""
        state = self._data.state
        return [
            state.add_poller(self._poll),
            state.add_frame_listener(self._frame),
            state.add_manual_change_listener(self._manual_change),
            self._data.controller.add_inventory_listener(self._inventory_changed),
            self._clear_issues,
        ]

    def add_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``listener()`` whenever a status or the missing set changed."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def status(self, key: str) -> GearStatus | None:
        """The last status read from fitting ``key`` (None before the first read)."""
        return self.sweep.statuses.get(key)

    def missing(self, gear: GearInfo) -> bool:
        """Whether the fitting stopped answering, or the last scans missed it."""
        missed = self._data.controller.inventory.missed_scans.get(gear.short_address, 0)
        return self.sweep.missing(gear.key) or missed > 0

    # reading ------------------------------------------------------------------------
    async def _poll(self) -> None:
        if not self._data.bus.connected:
            return  # the fittings whose turn it is wait for the bus
        now = _now()
        try:
            due = self.sweep.due(now)
            changed = await self.sweep.read(due, now)
        except DaliError as err:
            LOGGER.debug("DALI fault poll failed: %s", err)
            return
        self._read_at.update(dict.fromkeys((g.key for g in due), now))
        self._after_read(changed)

    @callback
    def request_read(self, keys: Iterable[str]) -> None:
        """Read fittings ``keys`` soon (coalesced; skipped when read a moment ago)."""
        now = _now()
        self._pending.update(
            k for k in keys if now - self._read_at.get(k, float("-inf")) >= REREAD_AFTER_S
        )
        if self._pending and not self._reading:
            self._reading = True
            self._entry.async_create_background_task(
                self._hass, self._read_pending(), f"{DOMAIN} fitting status read"
            )

    async def _read_pending(self) -> None:
        try:
            while self._pending:
                keys, now = set(self._pending), _now()
                self._pending.clear()
                self._read_at.update(dict.fromkeys(keys, now))
                try:
                    changed = await self.sweep.read_now(keys, now)
                except DaliError as err:
                    LOGGER.debug("DALI fitting status read failed: %s", err)
                    return
                self._after_read(changed)
        finally:
            self._reading = False
            self._pending.clear()

    @callback
    def _frame(self, command: Command) -> None:
        if command.response is not None:
            return  # another master's query changes nothing
        self.request_read(g.key for g in self._addressed(command))

    @callback
    def _manual_change(self, group: int, state: GroupState | None) -> None:
        if state is None:
            return  # a frame was seen; its read-back follows (and the frame listener reads)
        info = self._data.controller.groups.get(group)
        if info is not None:
            self.request_read(g.key for g in info.members)

    def _addressed(self, command: Command) -> list[GearInfo]:
        destination = getattr(command, "destination", None)
        gear = self._data.controller.inventory.gear
        if isinstance(destination, GearShort):
            return [g for g in gear if g.short_address == destination.address]
        if isinstance(destination, GearGroup):
            return [g for g in gear if destination.group in g.groups]
        if isinstance(destination, GearBroadcast):
            return list(gear)
        return []

    # results ------------------------------------------------------------------------
    def _after_read(self, changed: list[GearStatus]) -> None:
        for status in changed:
            if status.failed:
                LOGGER.warning(
                    "DALI fitting %d reports %s", status.short_address, _problems(status)
                )
        if self._update_issues() or changed:
            for listener in list(self._listeners):
                listener()

    @callback
    def _inventory_changed(self) -> None:
        self._update_issues()
        for listener in list(self._listeners):
            listener()

    def _update_issues(self) -> bool:
        """Raise and clear the fittings' issues; whether any of them changed."""
        before = dict(self._issues)
        wanted: dict[str, tuple[str, GearInfo, GearStatus | None]] = {}
        for gear in self._data.controller.inventory.gear:
            status = self.status(gear.key)
            if self.missing(gear):
                wanted[gear.key] = (ISSUE_FITTING_MISSING, gear, status)
            elif status is not None and status.failed:
                wanted[gear.key] = (ISSUE_FITTING_FAILED, gear, status)
        for key, kind in list(self._issues.items()):
            if wanted.get(key, ("",))[0] != kind:
                ir.async_delete_issue(self._hass, DOMAIN, self._issue_id(kind, key))
                del self._issues[key]
                LOGGER.info("DALI fitting %s recovered (%s)", key, kind)
        for kind, gear, status in wanted.values():
            if kind == ISSUE_FITTING_MISSING:
                self._raise(ISSUE_FITTING_MISSING, gear, status)
            else:
                self._raise(ISSUE_FITTING_FAILED, gear, status)
        return self._issues != before

    def _raise(self, kind: str, gear: GearInfo, status: GearStatus | None) -> None:
        self._issues[gear.key] = kind
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            self._issue_id(kind, gear.key),
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=kind,
            translation_placeholders={
                "title": self._entry.title,
                "fitting": fitting_name(self._hass, self._entry, gear),
                "short_address": str(gear.short_address),
                "problems": _problems(status) if status is not None else "",
            },
            data={"entry_id": self._entry.entry_id, "kind": kind, "fitting": gear.key},
        )

    def _issue_id(self, kind: str, key: str) -> str:
        return f"{kind}_{self._entry.entry_id}_{key}"

    @callback
    def _clear_issues(self) -> None:
        for key, kind in self._issues.items():
            ir.async_delete_issue(self._hass, DOMAIN, self._issue_id(kind, key))
        self._issues.clear()


def _problems(status: GearStatus) -> str:
    """What failed, in words: "lamp failure (open circuit), control gear failure"."""
    parts = []
    if status.lamp_failure:
        parts.append("lamp failure")
    if status.gear_failure:
        parts.append("control gear failure")
    if status.led is not None and status.led.active:
        detail = ", ".join(name.replace("_", " ") for name in status.led.active)
        parts.append(f"LED: {detail}")
    return "; ".join(parts)
