"""Emergency lighting (DT1, contract C16): watch the tests of every emergency fitting.

The monitor reads each DT1 fitting after the coordinator's read-back, but only when it is due:
every ``FULL_READ_INTERVAL`` (status changes slowly), and at every read-back while a test is
pending or running. A finished test's result ("done and result valid" flag) is taken with the
time it was seen, kept across restarts, and the flag is cleared on the gear so the next flag
means a new result.

A repair issue names the fitting when its last function or duration test failed, and when a
test is overdue: the gear says so (its "maximum delay exceeded" bits), or no test passed for
longer than the interval (a function test a month, a duration test a year, as EN 50172 asks)
since the fitting was first seen. Each clears once a test passes again.

Entities per DT1 fitting (on the fitting's device): battery charge, emergency mode and status,
the last function and duration test results and when they ran (``sensor.py``), an emergency
problem binary sensor (``binary_sensor.py``), and buttons to start a function test, start a
duration test and stop a test (``button.py``); their base is
:class:`.entity.EmergencyFittingEntity`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN, LOGGER
from .dali import DaliError, GearInfo
from .dali.emergency import (
    EmergencyStatus,
    EmergencyTest,
    EmergencyTestNotStartedError,
    acknowledge_result,
    emergency_gear,
    is_emergency,
    read_emergency,
    start_test,
    stop_test,
)
from .entity import fitting_name
from .exceptions import dali_error
from .runtime import SmartLightingConfigEntry

STORE_VERSION = 1
FULL_READ_INTERVAL = timedelta(minutes=10)
TEST_INTERVALS = {
    EmergencyTest.FUNCTION: timedelta(days=31),
    EmergencyTest.DURATION: timedelta(days=366),
}
RESULTS = [
    "passed",
    "lamp_failure",
    "battery_failure",
    "battery_duration_failure",
    "circuit_failure",
    "failed",
]
STATUSES = [
    "ok",
    "failure",
    "test_overdue",
    "test_running",
    "test_pending",
    "inhibited",
    "charging",
]


@dataclass
class TestRecord:
    """One finished test: what it found and when it was seen finished."""

    outcome: str
    at: datetime
    lasted_minutes: int | None = None  # duration tests

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe form."""
        return {"outcome": self.outcome, "at": self.at.isoformat(), "lasted": self.lasted_minutes}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TestRecord:
        """Rebuild from :meth:`to_dict` output."""
        return cls(str(data["outcome"]), datetime.fromisoformat(data["at"]), data.get("lasted"))


@dataclass
class FittingRecord:
    """What the monitor knows of one emergency fitting."""

    first_seen: datetime
    results: dict[EmergencyTest, TestRecord] = field(default_factory=dict)
    last_passed: dict[EmergencyTest, datetime] = field(default_factory=dict)
    status: EmergencyStatus | None = None
    read_at: datetime | None = None
    read_failed: bool = False
    watching: bool = False  # a test was started here: read at every cycle until it ends

    def to_dict(self) -> dict[str, Any]:
        """The part that survives a restart."""
        return {
            "first_seen": self.first_seen.isoformat(),
            "results": {k.value: r.to_dict() for k, r in self.results.items()},
            "last_passed": {k.value: t.isoformat() for k, t in self.last_passed.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FittingRecord:
        """Rebuild from :meth:`to_dict` output."""
        return cls(
            first_seen=datetime.fromisoformat(data["first_seen"]),
            results={EmergencyTest(k): TestRecord.from_dict(r) for k, r in data["results"].items()},
            last_passed={
                EmergencyTest(k): datetime.fromisoformat(t) for k, t in data["last_passed"].items()
            },
        )

    def overdue(self, kind: EmergencyTest, now: datetime) -> bool:
        """Whether a ``kind`` test is overdue: the gear says so, or none passed in time."""
        if self.status is not None and self.status.overdue(kind):
            return True
        since = self.last_passed.get(kind, self.first_seen)
        return now - since > TEST_INTERVALS[kind]

    def failed(self, kind: EmergencyTest) -> bool:
        """Whether the last ``kind`` test seen failed."""
        result = self.results.get(kind)
        return result is not None and result.outcome != "passed"

    @property
    def status_summary(self) -> str | None:
        """One word for the fitting's emergency state (None: never read)."""
        status = self.status
        if status is None:
            return None
        now = dt_util.utcnow()
        checks = (
            ("failure", bool(status.failures) or any(self.failed(k) for k in EmergencyTest)),
            ("test_overdue", any(self.overdue(k, now) for k in EmergencyTest)),
            ("test_running", any(status.running(k) for k in EmergencyTest)),
            ("test_pending", any(status.pending(k) for k in EmergencyTest)),
            ("inhibited", status.inhibited),
            ("charging", not status.battery_full),
        )
        return next((name for name, found in checks if found), "ok")


class EmergencyMonitor:
    """Reads, tests and reports the emergency fittings of one bus entry."""

    def __init__(self, hass: HomeAssistant, entry: SmartLightingConfigEntry) -> None:
        """Watch ``entry``'s DT1 fittings."""
        self._hass = hass
        self._entry = entry
        self._store: Store[dict[str, Any]] = Store(
            hass, STORE_VERSION, f"{DOMAIN}.emergency.{entry.entry_id}"
        )
        self._lock = asyncio.Lock()
        self.records: dict[str, FittingRecord] = {}

    async def async_load(self) -> None:
        """Take the results kept from before a restart (an unreadable store is ignored)."""
        data = await self._store.async_load() or {}
        try:
            self.records = {k: FittingRecord.from_dict(v) for k, v in data.items()}
        except (KeyError, TypeError, ValueError):
            LOGGER.warning("Ignoring unreadable emergency test results")
            self.records = {}

    def record(self, key: str) -> FittingRecord | None:
        """What is known of the fitting ``key``."""
        return self.records.get(key)

    # polling -------------------------------------------------------------------------
    async def async_poll(self) -> None:
        """Read every emergency fitting that is due; update issues (a coordinator poller)."""
        async with self._lock:
            now = dt_util.utcnow()
            changed = False
            fittings = emergency_gear(self._entry.runtime_data.controller.inventory)
            # a fitting that left the inventory (or is no longer DT1) takes its issues along
            self.async_clear_all(self._hass, self._entry, frozenset(g.key for g in fittings))
            for gear in fittings:
                record = self.records.get(gear.key)
                if record is None:
                    record = self.records[gear.key] = FittingRecord(first_seen=now)
                    changed = True
                if self._due(record, now):
                    changed |= await self._async_read(gear, record, now)
                self._check_issues(gear, record, now)
            if changed:
                await self._store.async_save({k: r.to_dict() for k, r in self.records.items()})

    async def async_poll_and_show(self) -> None:
        """Poll now and write the entities (the first read after setup, or after a start)."""
        await self.async_poll()
        self._entry.runtime_data.state.async_update_listeners()

    @staticmethod
    def _due(record: FittingRecord, now: datetime) -> bool:
        if record.status is None or record.read_at is None or record.read_failed:
            return True
        if record.watching or record.status.active():
            return True
        return now - record.read_at >= FULL_READ_INTERVAL

    async def _async_read(self, gear: GearInfo, record: FittingRecord, now: datetime) -> bool:
        """Read ``gear``; take finished results. Whether something worth keeping changed."""
        bus = self._entry.runtime_data.bus
        try:
            status = await read_emergency(bus, gear)
        except DaliError as err:
            LOGGER.debug("Emergency read of DALI fitting %s failed: %s", gear.short_address, err)
            record.read_failed = True
            return False
        record.status, record.read_at, record.read_failed = status, now, False
        changed = False
        for kind in EmergencyTest:
            if not status.done(kind):
                continue
            lasted = status.duration_test_minutes if kind is EmergencyTest.DURATION else None
            record.results[kind] = TestRecord(status.outcome(kind), now, lasted)
            if not status.failed(kind):
                record.last_passed[kind] = now
            changed = True
            try:
                await acknowledge_result(bus, gear, kind)
            except DaliError as err:  # the flag stays: the next read takes the result again
                LOGGER.debug("Could not clear the test flag of %s: %s", gear.short_address, err)
        if not status.active():
            record.watching = False
        return changed

    # issues --------------------------------------------------------------------------
    def _check_issues(self, gear: GearInfo, record: FittingRecord, now: datetime) -> None:
        # One literal key per call, so that the translation validator checks each has its text.
        function, duration = EmergencyTest.FUNCTION, EmergencyTest.DURATION
        function_failed, duration_failed = record.failed(function), record.failed(duration)
        function_overdue = not function_failed and record.overdue(function, now)
        duration_overdue = not duration_failed and record.overdue(duration, now)
        self._set_issue("emergency_function_test_failed", function, gear, record, function_failed)
        self._set_issue("emergency_function_test_overdue", function, gear, record, function_overdue)
        self._set_issue("emergency_duration_test_failed", duration, gear, record, duration_failed)
        self._set_issue("emergency_duration_test_overdue", duration, gear, record, duration_overdue)

    def _set_issue(
        self, issue_key: str, kind: EmergencyTest, gear: GearInfo, record: FittingRecord, on: bool
    ) -> None:
        """Raise (``on``) or clear the ``issue_key`` issue of ``gear``."""
        issue_id = f"{issue_key}_{self._entry.entry_id}_{gear.key}"
        if not on:
            ir.async_delete_issue(self._hass, DOMAIN, issue_id)
            return
        result = record.results.get(kind)
        last = record.last_passed.get(kind)
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=issue_key,
            translation_placeholders={
                "title": self._entry.title,
                "fitting": fitting_name(self._hass, self._entry, gear),
                "result": (result.outcome if result else "failed").replace("_", " "),
                "last_passed": last.date().isoformat() if last else "never",
            },
            data={"entry_id": self._entry.entry_id, "fitting": gear.key},
        )

    @staticmethod
    def async_clear_all(
        hass: HomeAssistant, entry: SmartLightingConfigEntry, keep: frozenset[str] = frozenset()
    ) -> None:
        """Remove the emergency issues of ``entry`` (unloaded), but those of fittings ``keep``."""
        registry = ir.async_get(hass)
        for (domain, issue_id), issue in list(registry.issues.items()):
            data = issue.data or {}
            if (
                domain == DOMAIN
                and issue_id.startswith("emergency_")
                and data.get("entry_id") == entry.entry_id
                and data.get("fitting") not in keep
            ):
                ir.async_delete_issue(hass, DOMAIN, issue_id)

    # commands ------------------------------------------------------------------------
    def _emergency_gear(self, key: str, entity_id: str) -> GearInfo:
        gear = self._entry.runtime_data.controller.inventory.by_key(key)
        if gear is None:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="fitting_not_in_inventory",
                translation_placeholders={"entity_id": entity_id},
            )
        if not is_emergency(gear):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="not_emergency_fitting",
                translation_placeholders={"fitting": fitting_name(self._hass, self._entry, gear)},
            )
        return gear

    async def async_start_test(self, key: str, kind: EmergencyTest, entity_id: str) -> None:
        """Start a ``kind`` test on fitting ``key``; translated errors for the user."""
        gear = self._emergency_gear(key, entity_id)
        try:
            status = await start_test(self._entry.runtime_data.bus, gear, kind)
        except EmergencyTestNotStartedError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="emergency_test_not_started",
                translation_placeholders={"fitting": fitting_name(self._hass, self._entry, gear)},
            ) from err
        except DaliError as err:
            raise dali_error(err) from err
        self._took(gear, status, watching=True)

    async def async_stop_test(self, key: str, entity_id: str) -> None:
        """Stop the tests of fitting ``key``."""
        gear = self._emergency_gear(key, entity_id)
        try:
            status = await stop_test(self._entry.runtime_data.bus, gear)
        except DaliError as err:
            raise dali_error(err) from err
        self._took(gear, status, watching=False)

    def _took(self, gear: GearInfo, status: EmergencyStatus, *, watching: bool) -> None:
        now = dt_util.utcnow()
        record = self.records.setdefault(gear.key, FittingRecord(first_seen=now))
        record.status, record.read_at, record.read_failed = status, now, False
        record.watching = watching
        self._entry.runtime_data.state.async_update_listeners()


async def async_setup_emergency(
    hass: HomeAssistant, entry: SmartLightingConfigEntry
) -> EmergencyMonitor:
    """Create the monitor, load its results and poll it after every read-back.

    The first read runs as a task of the entry right after setup, so a line with many
    emergency fittings does not hold the setup up.
    """
    monitor = EmergencyMonitor(hass, entry)
    await monitor.async_load()
    entry.async_on_unload(entry.runtime_data.state.add_poller(monitor.async_poll))
    entry.async_on_unload(lambda: EmergencyMonitor.async_clear_all(hass, entry))
    entry.async_create_task(hass, monitor.async_poll_and_show(), f"{DOMAIN} emergency first read")
    return monitor


def emergency_fittings(entry: SmartLightingConfigEntry) -> Iterable[GearInfo]:
    """The emergency fittings of ``entry`` that get entities (none without a monitor)."""
    if entry.runtime_data.emergency is None:
        return ()
    return emergency_gear(entry.runtime_data.controller.inventory)
