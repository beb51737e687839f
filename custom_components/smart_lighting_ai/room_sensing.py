"""What the rooms' sensors can be trusted with: lamp output over time, sensor faults, calibration.

- **Lamp output over time** (:class:`~.predictor.lamp_history.LampHistory`): every change of a
  group's level the bus-state coordinator shows is recorded with the fade in progress, so that
  each illuminance reading can be paired with the lamp light *at the moment it was taken*
  (readings taken during a fade are skipped).
- **Sensor faults**, checked every window (rules in ``predictor/sensor_health.py``):
  - an illuminance sensor that is unavailable, reads impossible values for the hour, does not
    see the lamps' own steps, or has not changed at all for ``FLAT_FOR`` of daylight while it
    reads daylight (a real sensor never holds one value while the sun moves; one in a
    windowless room, reading steady lamps, may);
  - an occupancy sensor that is unavailable, or has reported presence without a break for
    hours (stuck on: it then counts as unknown, not as present).
  Each fault raises a repair issue naming the sensor and its room; it is cleared when the
  sensor recovers.
- **Calibration**: each own level step that the sensor saw measures the lamps' light at the
  sensor (``predictor/calibration.py``); the room's estimate is kept by ``room_learning``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from homeassistant.const import STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN, LOGGER
from .entity import group_name
from .predictor import GroupLimits
from .predictor.calibration import calibrate
from .predictor.lamp_history import LampHistory
from .predictor.local import sensor_daylight
from .predictor.sensor_health import Reading, illuminance_fault, occupancy_stuck_on
from .room_learning import RoomLearning
from .runtime import SmartLightingConfigEntry
from .sun import sun_elevation_at

CHECK_AFTER = timedelta(minutes=5)
"""A lamp step is judged by the value the sensor shows this long after it (report intervals)."""
FLAT_FOR = timedelta(hours=1)
FLAT_SUN_ELEVATION = 5.0
"""Only with the sun this high at both ends of ``FLAT_FOR`` must a daylit sensor have moved."""
FLAT_MIN_DAYLIGHT_LUX = 50.0
"""... and only one that reads at least this much more than the lamps give it."""
KEEP_STEPS = 6

type Samples = Sequence[tuple[datetime, float | None]]

ISSUE_SENSOR_UNAVAILABLE = "sensor_unavailable"
ISSUE_SENSOR_STUCK = "sensor_stuck"
ISSUE_SENSOR_IMPLAUSIBLE = "sensor_implausible"
ISSUE_SENSOR_STUCK_ON = "sensor_stuck_on"
FAULT_ISSUES = {
    "unavailable": ISSUE_SENSOR_UNAVAILABLE,
    "stuck": ISSUE_SENSOR_STUCK,
    "implausible": ISSUE_SENSOR_IMPLAUSIBLE,
    "stuck_on": ISSUE_SENSOR_STUCK_ON,
}
"""The repair issue (translation key) of each fault."""


def value_at(samples: Samples, at: datetime) -> float | None:
    """The value in force at ``at`` (the newest sample not after it)."""
    found: float | None = None
    for when, value in sorted(samples, key=lambda s: s[0]):
        if when > at:
            break
        found = value
    return found


@dataclass(slots=True)
class _PendingStep:
    """A lamp step waiting for ``CHECK_AFTER`` to pass before the sensor is judged."""

    at: datetime
    before: Reading


class RoomSensing:
    """Sensor trust and lamp calibration of one entry's rooms."""

    def __init__(
        self, hass: HomeAssistant, entry: SmartLightingConfigEntry, learning: RoomLearning
    ) -> None:
        """Watch the sensors of ``entry``'s rooms."""
        self._hass = hass
        self._entry = entry
        self.learning = learning
        self.lamps = LampHistory()
        self.limits: Callable[[int], GroupLimits] = lambda _group: GroupLimits()
        self.faults: dict[str, str] = {}
        """Entity id -> its fault, for the sensors that have one now."""
        self._steps: dict[tuple[int, str], deque[Reading]] = {}
        self._pending: dict[tuple[int, str], list[_PendingStep]] = {}
        self._judged_until: dict[tuple[int, str], datetime] = {}

    # lamp output --------------------------------------------------------------------------

    def record_output(self, group: int, at: datetime, output: float, fade_s: float) -> None:
        """The group's light output changed to ``output`` at ``at``, over a ``fade_s`` fade."""
        self.lamps.record(group, at, output, fade_s)

    def reading(self, group: int, at: datetime, lux: float) -> Reading | None:
        """``lux`` read at ``at`` paired with the lamp output then; None during a fade."""
        output = self.lamps.output_at(group, at)
        return None if output is None else Reading(at, lux, output)

    def latest_reading(self, group: int, samples: Samples) -> Reading | None:
        """The newest reading of ``samples`` not taken during a fade."""
        for when, lux in sorted(samples, key=lambda s: s[0], reverse=True):
            if lux is None:
                return None  # the sensor went unavailable since: nothing current
            if (found := self.reading(group, when, lux)) is not None:
                return found
        return None

    def floor_reading(self, group: int, samples: Samples) -> Reading | None:
        """Of the readings in ``samples``, the one leaving the least daylight.

        ``samples`` cover the last ``DAYLIGHT_LOOKBACK`` (the state in force at its start
        included). Each is paired with the lamp output when it was taken; readings taken during
        a fade are left out.
        """
        limits = self.limits(group)
        readings: list[Reading] = []
        for when, lux in samples:
            if lux is not None and (reading := self.reading(group, when, lux)) is not None:
                readings.append(reading)
        if not readings:
            return None
        return min(readings, key=lambda r: sensor_daylight(r.lux, r.lamp_output, limits))

    # illuminance sensors ---------------------------------------------------------------------

    def check_illuminance(
        self,
        group: int,
        entity_id: str,
        samples: Samples,
        live: State | None,
        end: datetime,
        sun_elevation: float | None,
    ) -> str | None:
        """Judge ``entity_id`` over the window ending ``end``; returns its fault (or None)."""
        limits = self.limits(group)
        lamp_lux = limits.lamp_at_sensor
        steps = self._steps.setdefault((group, entity_id), deque(maxlen=2 * KEEP_STEPS))
        self._collect_steps(group, entity_id, samples, end, steps)
        newest = value_at(samples, end)
        available = newest is not None and (live is None or _numeric(live.state))
        readings = list(steps)
        if newest is not None and (now := self.reading(group, end, newest)) is not None:
            readings.append(now)
        fault = illuminance_fault(readings, lamp_lux, sun_elevation, available)
        if fault is None and self._flat(group, live, end, sun_elevation):
            fault = "stuck"
        self._set_fault(group, entity_id, fault)
        return fault

    def _collect_steps(
        self,
        group: int,
        entity_id: str,
        samples: Samples,
        end: datetime,
        steps: deque[Reading],
    ) -> None:
        """Pair the value before each own lamp step with the value ``CHECK_AFTER`` later."""
        key = (group, entity_id)  # a sensor shared by two rooms sees each room's own steps
        since = self._judged_until.get(key, end - timedelta(hours=1))
        pending = self._pending.setdefault(key, [])
        for at, before_output, _after in self.lamps.changes(group, since):
            before = value_at(samples, at - timedelta(milliseconds=1))
            if before is not None and all(p.at != at for p in pending):
                pending.append(_PendingStep(at, Reading(at, before, before_output)))
        self._judged_until[key] = end
        for step in list(pending):
            judged_at = step.at + CHECK_AFTER
            if judged_at > end:
                continue
            pending.remove(step)
            after_value = value_at(samples, judged_at)
            after_output = self.lamps.output_at(group, judged_at)
            if after_value is None or after_output is None:
                continue
            after = Reading(judged_at, after_value, after_output)
            steps.extend((step.before, after))
            self._calibrate(group, entity_id, step.before, after)

    def _calibrate(self, group: int, entity_id: str, before: Reading, after: Reading) -> None:
        """One own step the sensor saw measures the lamps' light at it (a faulty one: not)."""
        if self.faults.get(entity_id):
            return
        lessons = self.learning.get(group)
        profile = self.limits(group).lamp_lux_at_full
        estimate = calibrate(lessons.lamp_lux_at_sensor, before, after, profile)
        if estimate is not None and estimate != lessons.lamp_lux_at_sensor:
            self.learning.set(group, replace(lessons, lamp_lux_at_sensor=round(estimate, 1)))

    def _flat(
        self, group: int, live: State | None, end: datetime, sun_elevation: float | None
    ) -> bool:
        """A sensor that sees daylight and has shown the same value for ``FLAT_FOR`` of it.

        A sensor in a windowless room reads the steady lamps and may well hold its value.
        """
        if live is None or not _numeric(live.state) or sun_elevation is None:
            return False
        if sun_elevation < FLAT_SUN_ELEVATION or end - live.last_changed < FLAT_FOR:
            return False
        output = self.lamps.output_at(group, end) or 0.0
        if sensor_daylight(float(live.state), output, self.limits(group)) < FLAT_MIN_DAYLIGHT_LUX:
            return False
        return sun_elevation_at(self._hass, live.last_changed) >= FLAT_SUN_ELEVATION

    # occupancy sensors ------------------------------------------------------------------------

    def check_occupancy(
        self, group: int, entity_id: str, live: State | None, end: datetime
    ) -> str | None:
        """Judge an occupancy sensor now; returns its fault (or None)."""
        fault: str | None = None
        on = live is not None and live.state == STATE_ON
        since = self.learning.on_since(entity_id, live.last_changed if live and on else None)
        if live is None or live.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
            fault = "unavailable"
        elif on and occupancy_stuck_on(since, end):
            fault = "stuck_on"
        self._set_fault(group, entity_id, fault)
        return fault

    # repairs -----------------------------------------------------------------------------------

    def _set_fault(self, group: int, entity_id: str, fault: str | None) -> None:
        previous = self.faults.get(entity_id)
        if fault == previous:
            return
        room = group_name(self._entry, group)
        if previous is not None:
            ir.async_delete_issue(self._hass, DOMAIN, self._issue_id(entity_id, previous))
            self.faults.pop(entity_id)
            LOGGER.info("Sensor %s of %s recovered", entity_id, room)
        if fault is None:
            return
        self.faults[entity_id] = fault
        LOGGER.warning("Sensor %s of %s: %s; the room fails safe", entity_id, room, fault)
        match fault:
            case "unavailable":
                self._create_issue(ISSUE_SENSOR_UNAVAILABLE, entity_id, room)
            case "stuck":
                self._create_issue(ISSUE_SENSOR_STUCK, entity_id, room)
            case "implausible":
                self._create_issue(ISSUE_SENSOR_IMPLAUSIBLE, entity_id, room)
            case "stuck_on":
                self._create_issue(ISSUE_SENSOR_STUCK_ON, entity_id, room)

    def _create_issue(self, kind: str, entity_id: str, room: str) -> None:
        """Show the repair issue ``kind`` naming the sensor ``entity_id`` of ``room``."""
        state = self._hass.states.get(entity_id)
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            f"{kind}_{self._entry.entry_id}_{entity_id}",
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=kind,
            translation_placeholders={
                "sensor": state.name if state is not None else entity_id,
                "entity_id": entity_id,
                "room": room,
                "title": self._entry.title,
            },
            data={"entry_id": self._entry.entry_id, "entity_id": entity_id},
        )

    def _issue_id(self, entity_id: str, fault: str) -> str:
        return f"{FAULT_ISSUES[fault]}_{self._entry.entry_id}_{entity_id}"

    def clear_all(self) -> None:
        """Remove every sensor issue of the entry (it is unloaded)."""
        for entity_id, fault in list(self.faults.items()):
            ir.async_delete_issue(self._hass, DOMAIN, self._issue_id(entity_id, fault))
        self.faults.clear()


def _numeric(state: str) -> bool:
    try:
        float(state)
    except ValueError:
        return False
    return True
