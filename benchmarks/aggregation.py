"""Aggregation cost against the length of the recorder history.

Run: ``.venv/bin/python -m benchmarks.aggregation``

Starts a real Home Assistant with the real recorder on an SQLite file, writes
1 day of sensor history (and, in a second instance and database, 30 days) for
16 groups of 2 occupancy and 2 illuminance sensors, and times the data
pipeline's aggregation cycle on the last 5-minute windows of that history:
wall time and the time the event loop spent on it. The baseline, measured in
the same run, reads history the naive way: one ``get_significant_states`` call
for all the sensors over the last 24 hours and over the whole history. The
design goal (DESIGN.md section 5) is a 30-day / 1-day ratio of about 1 for the
aggregation cycle: its cost follows the events inside the window, not the
length of the history.

The history is bulk inserted into ``states`` with the recorder's own metadata
and attribute rows, then Home Assistant is started again on the file, as after
weeks of running. A cycle is ``pipeline.async_aggregate(now)``: the feature
collection, the feature rows written to our store and the decision hook; as
``now`` lies at the end of the (past) history, the decision cycle finds those
rows stale and predicts nothing, so the feature collection is also timed alone.
Each measurement reports wall time, event-loop time (CPU time of the loop's
thread) and CPU time of all threads, which the other load on the machine
disturbs least.
"""

from __future__ import annotations

import asyncio
import bisect
import gc
import logging
import math
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, cast
from unittest.mock import patch
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from homeassistant.core import HomeAssistant

from benchmarks.summary import emit
from custom_components.smart_lighting_ai.dali.backends.simulated import (
    SimulatedBackend,
    default_installation,
)

GEAR = 64
GROUPS = GEAR // 4
HISTORY_DAYS = (1, 30)
CYCLES = 30
NAIVE_RUNS = 3
SETTLE_S = 3.0
WINDOW = timedelta(minutes=5)
DAY_S = 86400.0

LUX_PERIOD_S = 60.0  # one illuminance state per sensor and minute
OFFICE_HOURS = (8, 18)  # occupancy changes on weekdays between these local hours
OCCUPANCY_GAP_MIN = (10.0, 20.0)  # minutes between two occupancy changes
END_HOUR = 15  # the history ends on a weekday at 15:00 local time

STATES_INSERT = (
    "INSERT INTO states (state_id, state, last_updated_ts, old_state_id, attributes_id,"
    " origin_idx, context_id_bin, metadata_id) VALUES (?, ?, ?, ?, ?, 0, ?, ?)"
)


@dataclass(frozen=True, slots=True)
class Sensor:
    """One simulated sensor of a room."""

    entity_id: str
    group: int
    index: int

    @property
    def illuminance(self) -> bool:
        """Whether this is an illuminance sensor (otherwise occupancy)."""
        return self.entity_id.startswith("sensor.")


OCCUPANCY = [
    Sensor(f"binary_sensor.room_{g}_occupancy_{i}", g, i) for g in range(GROUPS) for i in range(2)
]
ILLUMINANCE = [
    Sensor(f"sensor.room_{g}_illuminance_{i}", g, i) for g in range(GROUPS) for i in range(2)
]
SENSORS = OCCUPANCY + ILLUMINANCE
ENTITY_IDS = sorted(s.entity_id for s in SENSORS)


def _options() -> dict[str, Any]:
    return {
        "groups": {
            str(g): {
                "name": f"Room {g}",
                "occupancy_entities": [s.entity_id for s in OCCUPANCY if s.group == g],
                "illuminance_entities": [s.entity_id for s in ILLUMINANCE if s.group == g],
            }
            for g in range(GROUPS)
        }
    }


def _attributes(sensor: Sensor) -> dict[str, Any]:
    if sensor.illuminance:
        return {
            "device_class": "illuminance",
            "unit_of_measurement": "lx",
            "state_class": "measurement",
            "friendly_name": f"Room {sensor.group} illuminance {sensor.index}",
        }
    return {
        "device_class": "occupancy",
        "friendly_name": f"Room {sensor.group} occupancy {sensor.index}",
    }


# --- history ------------------------------------------------------------------------------


@dataclass(slots=True)
class History:
    """Generated state changes, oldest first, per day (seeded from the end)."""

    end_ts: float
    days: int
    tz: ZoneInfo
    occupancy: list[tuple[float, str, str]] = field(default_factory=list)
    _offsets: dict[int, float] = field(default_factory=dict)

    @property
    def start_ts(self) -> float:
        """Where the history starts."""
        return self.end_ts - self.days * DAY_S

    def local_hour(self, ts: float) -> float:
        """Local hour of day (0-24) of a timestamp."""
        hour = int(ts // 3600)
        if (offset := self._offsets.get(hour)) is None:
            utc = datetime.fromtimestamp(hour * 3600, UTC)
            delta = utc.astimezone(self.tz).utcoffset()
            offset = self._offsets[hour] = delta.total_seconds() if delta else 0.0
        return ((ts + offset) % DAY_S) / 3600

    def build_occupancy(self) -> None:
        """Occupancy changes every 10-20 minutes during office hours on weekdays."""
        first = datetime.fromtimestamp(self.start_ts, self.tz).date()
        last = datetime.fromtimestamp(self.end_ts, self.tz).date()
        events: list[tuple[float, str, str]] = []
        day = first
        while day <= last:
            if day.weekday() < 5:
                for sensor in OCCUPANCY:
                    events.extend(self._office_day(day, sensor))
            day += timedelta(days=1)
        self.occupancy = sorted(e for e in events if self.start_ts < e[0] < self.end_ts)

    def _office_day(self, day: date, sensor: Sensor) -> Iterator[tuple[float, str, str]]:
        rng = random.Random(f"{day.isoformat()}/{sensor.entity_id}")
        opens = datetime(day.year, day.month, day.day, OFFICE_HOURS[0], tzinfo=self.tz)
        closes = opens.replace(hour=OFFICE_HOURS[1]).timestamp()
        ts = opens.timestamp() + rng.uniform(0, 600)
        present = True
        while ts < closes:
            yield ts, sensor.entity_id, "on" if present else "off"
            ts += rng.uniform(*OCCUPANCY_GAP_MIN) * 60
            present = not present
        if not present:  # the last change was "on": the room empties after closing
            yield closes + rng.uniform(0, 300), sensor.entity_id, "off"

    def day_chunks(self) -> Iterator[list[tuple[float, str, str]]]:
        """(ts, entity_id, state) of each day, sorted, oldest day first."""
        occupancy_ts = [e[0] for e in self.occupancy]
        for days_back in range(self.days - 1, -1, -1):
            end = self.end_ts - days_back * DAY_S
            start = end - DAY_S
            # seeded by the distance from the end: the last day is the same in every database
            rng = random.Random(days_back)
            rows = self._illuminance(rng, start, end)
            lo = bisect.bisect_right(occupancy_ts, start)
            hi = bisect.bisect_left(occupancy_ts, end)
            rows.extend(self.occupancy[lo:hi])
            rows.sort()
            yield rows

    def _illuminance(self, rng: random.Random, start: float, end: float) -> list[Any]:
        """A daylight curve (06:30-18:30 local) with clouds and sensor noise."""
        rows: list[tuple[float, str, str]] = []
        clouds = rng.uniform(0.2, 1.0)
        for n, sensor in enumerate(ILLUMINANCE):
            window = 0.6 + 0.8 * ((n * 37) % 11) / 10  # how close the sensor is to a window
            phase = (n * 1.7) % LUX_PERIOD_S
            ts = math.floor((start - phase) / LUX_PERIOD_S) * LUX_PERIOD_S + phase
            if ts <= start:
                ts += LUX_PERIOD_S
            previous = ""
            while ts < end:
                hour = self.local_hour(ts)
                daylight = math.sin(math.pi * (hour - 6.5) / 12) if 6.5 < hour < 18.5 else 0.0
                lux = 3 + daylight * (250 + 550 * clouds) * window
                value = f"{max(0.0, rng.gauss(lux, 1 + lux * 0.02)):.1f}"
                if value != previous:  # the recorder writes a row per change only
                    rows.append((ts, sensor.entity_id, value))
                    previous = value
                ts += LUX_PERIOD_S
        return rows


def _history_end(tz: ZoneInfo) -> datetime:
    """The latest weekday 15:00 local time at least one window in the past."""
    end = (datetime.now(tz) - WINDOW).replace(hour=END_HOUR, minute=0, second=0, microsecond=0)
    while end > datetime.now(tz) - WINDOW or end.weekday() >= 5:
        end -= timedelta(days=1)
    return end.astimezone(UTC)


def _write_history(hass: HomeAssistant, history: History) -> tuple[int, dict[str, list[float]]]:
    """Runs in the recorder executor: bulk insert the history, one transaction per day.

    The recorder itself wrote one state per entity just before the history starts,
    so the entity's ``states_meta`` row and ``state_attributes`` row exist; the
    rows written here reuse them and link ``old_state_id`` like the recorder does.
    Returns the rows written and the timestamps of the last day per entity.
    """
    from homeassistant.helpers.recorder import session_scope
    from sqlalchemy import text

    with session_scope(hass=hass, read_only=True) as session:
        latest = session.execute(
            text(
                "SELECT m.entity_id, s.metadata_id, s.attributes_id, MAX(s.state_id) FROM states s"
                " JOIN states_meta m ON m.metadata_id = s.metadata_id GROUP BY s.metadata_id"
            )
        ).all()
        next_id = 1 + session.execute(text("SELECT MAX(state_id) FROM states")).scalar_one()
    meta = {row[0]: (row[1], row[2]) for row in latest}
    last_id: dict[str, int] = {row[0]: row[3] for row in latest}
    missing = set(ENTITY_IDS) - meta.keys()
    assert not missing, f"the recorder did not record {missing}"
    rng = random.Random(0)
    written = 0
    last_day: dict[str, list[float]] = {}
    for rows in history.day_chunks():
        params = []
        for ts, entity_id, state in rows:
            metadata_id, attributes_id = meta[entity_id]
            ulid = int(ts * 1000).to_bytes(6, "big") + rng.randbytes(10)
            params.append(
                (next_id, state, ts, last_id[entity_id], attributes_id, ulid, metadata_id)
            )
            last_id[entity_id] = next_id
            next_id += 1
        with session_scope(hass=hass) as session:
            session.connection().exec_driver_sql(STATES_INSERT, params)
        written += len(params)
        last_day = {}
        for ts, entity_id, _state in rows:
            last_day.setdefault(entity_id, []).append(ts)
    return written, last_day


def _count_states(hass: HomeAssistant) -> tuple[int, float]:
    from homeassistant.helpers.recorder import session_scope
    from sqlalchemy import text

    with session_scope(hass=hass, read_only=True) as session:
        rows = session.execute(text("SELECT COUNT(*) FROM states")).scalar_one()
        pages = session.execute(text("PRAGMA page_count")).scalar_one()
        size = session.execute(text("PRAGMA page_size")).scalar_one()
    return rows, pages * size / 1e6


# --- measurement --------------------------------------------------------------------------


@dataclass(slots=True)
class Samples:
    """Per call: wall ms, event-loop ms and CPU ms of all the process's threads."""

    wall: list[float] = field(default_factory=list)
    loop: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    async def timed(self, action: Callable[[], Awaitable[Any]]) -> Any:
        """Await ``action()`` from the event loop, record its cost, return its result.

        Event-loop time is the CPU time of the calling thread (``time.thread_time``),
        which is the event loop's thread: a thread's CPU clock only advances while
        that thread runs, so it counts what the loop ran between the two readings
        (our coroutines and callbacks, plus anything else the otherwise idle instance
        scheduled meanwhile) and not the recorder executor threads that run the
        queries, nor the time the loop spent waiting for them. ``time.process_time``
        adds those threads: the work done, whatever else the machine is running.
        """
        gc.collect()  # not inside the measurement: earlier reads leave garbage behind
        wall, loop, cpu = time.perf_counter(), time.thread_time(), time.process_time()
        result = await action()
        self.wall.append((time.perf_counter() - wall) * 1000)
        self.loop.append((time.thread_time() - loop) * 1000)
        self.cpu.append((time.process_time() - cpu) * 1000)
        return result


@dataclass(slots=True)
class Figures:
    """What one history length measured."""

    days: int
    states_rows: int = 0
    db_mb: float = 0.0
    generate_s: float = 0.0
    window_states: int = 0
    checks: list[str] = field(default_factory=list)
    cycle: Samples = field(default_factory=Samples)
    collect: Samples = field(default_factory=Samples)
    naive: dict[str, Samples] = field(default_factory=dict)
    naive_states: dict[str, int] = field(default_factory=dict)


async def _start_recorder(hass: HomeAssistant, db_path: Path) -> None:
    from homeassistant.helpers import recorder as recorder_helper
    from homeassistant.helpers.recorder import get_instance
    from homeassistant.setup import async_setup_component

    recorder_helper.async_initialize_recorder(hass)
    config = {
        "db_url": f"sqlite:///{db_path}",
        "auto_purge": False,
        "auto_repack": False,
        "purge_keep_days": 365,
        # commit each state at once (as the test harness does) so that
        # async_wait_recording_done really means "in the file"; reads are unaffected
        "commit_interval": 0,
    }
    assert await async_setup_component(hass, "recorder", {"recorder": config})
    assert await hass.data[recorder_helper.DATA_RECORDER].db_connected
    instance = get_instance(hass)
    assert await instance.async_db_ready
    await instance.async_recorder_ready.wait()  # schema set up, queued states are written next


def _set_live_states(hass: HomeAssistant, values: dict[str, str], ts: float) -> None:
    for sensor in SENSORS:
        hass.states.async_set(
            sensor.entity_id, values[sensor.entity_id], _attributes(sensor), timestamp=ts
        )


def _last_values(history: History) -> dict[str, str]:
    values = {s.entity_id: "off" if not s.illuminance else "0.0" for s in SENSORS}
    for ts, entity_id, state in history.occupancy:
        if ts < history.end_ts:
            values[entity_id] = state
    return values


async def _states_in(hass: HomeAssistant, entity_id: str, start: datetime, end: datetime) -> int:
    """States the recorder returns for ``entity_id``, asked as the feature collector does."""
    from homeassistant.components.recorder import history as recorder_history
    from homeassistant.helpers.recorder import get_instance

    found = await get_instance(hass).async_add_executor_job(
        partial(
            recorder_history.state_changes_during_period,
            hass,
            start,
            end,
            entity_id,
            no_attributes=True,
            include_start_time_state=True,
        )
    )
    return len(found.get(entity_id, []))


async def _verify(
    hass: HomeAssistant, history: History, last_day: dict[str, list[float]], done: list[str]
) -> int:
    """Check the recorder returns the bulk rows; the states of all sensors in the last window.

    Expected: the state in force at the start plus every row written inside the span.
    """
    end = datetime.fromtimestamp(history.end_ts, UTC)
    for entity_id, span in (
        ("sensor.room_0_illuminance_0", WINDOW),
        ("binary_sensor.room_3_occupancy_1", timedelta(hours=2)),
    ):
        start = end - span - timedelta(milliseconds=1)
        expected = 1 + sum(start.timestamp() < ts < history.end_ts for ts in last_day[entity_id])
        got = await _states_in(hass, entity_id, start, end)
        assert got == expected, f"{entity_id}: recorder returned {got} states, wrote {expected}"
        done.append(f"{entity_id} over the last {span.seconds // 60} min: {got} states")
    start = end - WINDOW - timedelta(milliseconds=1)
    return sum([await _states_in(hass, entity_id, start, end) for entity_id in ENTITY_IDS])


async def _measure_cycles(hass: HomeAssistant, entry: Any, figures: Figures, end: datetime) -> None:
    from custom_components.smart_lighting_ai.features import (
        FeatureCollector,
        Weather,
        rooms_from_options,
    )

    runtime = entry.runtime_data
    rooms = rooms_from_options(entry.options, runtime.controller.groups)
    assert len(rooms) == GROUPS, f"only {len(rooms)} rooms on the bus"
    features = await FeatureCollector(hass, runtime.controller).async_collect(
        rooms, end, WINDOW, Weather(), set()
    )
    assert all(f.illuminance_mean is not None for f in features.values()), "windows without lux"
    assert all(f.occupancy_ratio is not None for f in features.values()), "windows without presence"
    pipeline = runtime.pipeline
    first = end - CYCLES * WINDOW
    assert await pipeline.async_aggregate(first) == GROUPS  # warm-up, not counted
    for n in range(1, CYCLES + 1):
        rows = await figures.cycle.timed(partial(pipeline.async_aggregate, first + n * WINDOW))
        assert rows == GROUPS
    # The recorder read and the feature rows alone, without the store write and the
    # decision cycle that async_aggregate runs after them.
    collector = FeatureCollector(hass, runtime.controller)
    for n in range(1, CYCLES + 1):
        await figures.collect.timed(
            partial(collector.async_collect, rooms, first + n * WINDOW, WINDOW, Weather(), set())
        )


async def _measure_naive(hass: HomeAssistant, figures: Figures, history: History) -> None:
    from homeassistant.components.recorder import history as recorder_history
    from homeassistant.helpers.recorder import get_instance

    end = datetime.fromtimestamp(history.end_ts, UTC)
    spans = {"last 24 h": timedelta(days=1), "whole history": timedelta(days=history.days)}
    for name, span in spans.items():
        read = partial(
            recorder_history.get_significant_states,
            hass,
            end - span,
            end,
            ENTITY_IDS,
            include_start_time_state=True,
            no_attributes=True,
        )
        samples = figures.naive[name] = Samples()
        for _ in range(NAIVE_RUNS):
            result = await samples.timed(partial(get_instance(hass).async_add_executor_job, read))
            figures.naive_states[name] = sum(len(v) for v in result.values())
            del result


class _NoHttp:
    """Stands in for the web server: the benchmark needs no health endpoint."""

    def register_view(self, view: Any) -> None:
        """Accept and ignore the view."""


async def _populate(config_dir: str, history: History, figures: Figures) -> dict[str, list[float]]:
    """First Home Assistant on the database: write the history."""
    from homeassistant.helpers.recorder import get_instance
    from pytest_homeassistant_custom_component.common import async_test_home_assistant
    from pytest_homeassistant_custom_component.components.recorder.common import (
        async_wait_recording_done,
    )

    async with async_test_home_assistant(config_dir=config_dir) as hass:
        try:
            await _start_recorder(hass, Path(config_dir) / "home-assistant_v2.db")
            first = {s.entity_id: "off" if not s.illuminance else "0.0" for s in SENSORS}
            _set_live_states(hass, first, history.start_ts - 1)
            await async_wait_recording_done(hass)
            started = time.perf_counter()
            _written, last_day = await get_instance(hass).async_add_executor_job(
                _write_history, hass, history
            )
            figures.generate_s = time.perf_counter() - started
        finally:
            await hass.async_stop(force=True)  # also stops the recorder thread on a failure
    return last_day


async def _measure(
    hass: HomeAssistant, history: History, last_day: dict[str, list[float]], figures: Figures
) -> None:
    from homeassistant import loader
    from homeassistant.helpers.recorder import get_instance
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from pytest_homeassistant_custom_component.components.recorder.common import (
        async_wait_recording_done,
    )

    import custom_components.smart_lighting_ai as integration

    hass.config.components.add("http")  # the integration's dependency, not needed here
    hass.http = cast(Any, _NoHttp())
    hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)  # the harness hides custom integrations
    await _start_recorder(hass, Path(hass.config.config_dir) / "home-assistant_v2.db")
    _set_live_states(hass, _last_values(history), history.end_ts + 1)
    await async_wait_recording_done(hass)
    figures.window_states = await _verify(hass, history, last_day, figures.checks)
    entry = MockConfigEntry(
        domain="smart_lighting_ai",
        data={"bus_type": "simulated"},
        options=_options(),
        unique_id="bench",
    )
    entry.add_to_hass(hass)
    backend = SimulatedBackend(default_installation(GEAR))
    with patch.object(integration, "create_backend", return_value=backend):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    entry.runtime_data.pipeline.async_stop()  # no scheduled cycle in between ours
    # Let the start-up work of the other threads (recorder, store) finish first: it
    # would otherwise be counted in the first cycles' CPU time.
    await async_wait_recording_done(hass)
    await asyncio.sleep(SETTLE_S)
    await async_wait_recording_done(hass)
    end = datetime.fromtimestamp(history.end_ts, UTC)
    await _measure_cycles(hass, entry, figures, end)
    await _measure_naive(hass, figures, history)
    await async_wait_recording_done(hass)
    figures.states_rows, figures.db_mb = await get_instance(hass).async_add_executor_job(
        _count_states, hass
    )
    await hass.config_entries.async_unload(entry.entry_id)


async def run(days: int, end: datetime) -> Figures:
    """Write ``days`` of history, restart Home Assistant on it and measure."""
    from pytest_homeassistant_custom_component.common import async_test_home_assistant

    figures = Figures(days)
    history = History(end.timestamp(), days, ZoneInfo("US/Pacific"))
    history.build_occupancy()
    with tempfile.TemporaryDirectory() as config_dir:
        last_day = await _populate(config_dir, history, figures)
        # A restart on the filled database, as after weeks of running: the recorder
        # loads the oldest state time from the file and, as the sensors report their
        # current state, caches their metadata ids.
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            try:
                await _measure(hass, history, last_day, figures)
            finally:
                await hass.async_stop(force=True)
    return figures


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _print(short: Figures, long: Figures) -> None:
    rows: list[tuple[str, float, float, str]] = [
        ("rows in the states table", short.states_rows, long.states_rows, ",.0f"),
        ("database size (MB)", short.db_mb, long.db_mb, ".1f"),
        ("states in one window (64 entities)", short.window_states, long.window_states, ".0f"),
    ]
    measured = [("aggregation cycle", short.cycle, long.cycle)]
    measured.append(("feature collection alone", short.collect, long.collect))
    measured += [(f"naive, {name}", short.naive[name], long.naive[name]) for name in short.naive]
    for title, one, thirty in measured:
        rows += [
            (f"{title}: wall median (ms)", _median(one.wall), _median(thirty.wall), ".2f"),
            (f"{title}: wall p95 (ms)", _p95(one.wall), _p95(thirty.wall), ".2f"),
            (f"{title}: event loop median (ms)", _median(one.loop), _median(thirty.loop), ".2f"),
            (f"{title}: CPU all threads median (ms)", _median(one.cpu), _median(thirty.cpu), ".2f"),
        ]
        if title.startswith("naive"):
            name = title.removeprefix("naive, ")
            rows.append(
                (
                    f"{title}: states read",
                    short.naive_states[name],
                    long.naive_states[name],
                    ",.0f",
                )
            )
    print(f"{'':56} {'1 day':>11} {'30 days':>11} {'30d / 1d':>9}")
    for name, one_day, thirty_days, fmt in rows:
        ratio = f"{thirty_days / one_day:9.2f}" if one_day else f"{'-':>9}"
        print(f"{name:56} {one_day:>11{fmt}} {thirty_days:>11{fmt}} {ratio}")


def main() -> None:
    """Print the table."""
    logging.basicConfig(level=logging.ERROR)
    started = time.perf_counter()
    print(f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    end = _history_end(ZoneInfo("US/Pacific"))
    print(
        f"{GROUPS} groups x (2 occupancy + 2 illuminance sensors) on a {GEAR}-gear simulated bus; "
        f"history ends {end.astimezone(ZoneInfo('US/Pacific')):%a %Y-%m-%d %H:%M %Z}\n"
        f"rates: illuminance every {LUX_PERIOD_S:.0f} s (daylight curve, a row per change), "
        f"occupancy every {OCCUPANCY_GAP_MIN[0]:.0f}-{OCCUPANCY_GAP_MIN[1]:.0f} min "
        f"{OFFICE_HOURS[0]:02d}:00-{OFFICE_HOURS[1]:02d}:00 on weekdays\n"
        f"{CYCLES} aggregation cycles over the last {CYCLES} windows of {WINDOW.seconds // 60} min"
        f" (after 1 warm-up); naive baseline: {NAIVE_RUNS} get_significant_states calls each\n"
    )
    results = []
    for days in HISTORY_DAYS:
        figures = asyncio.run(run(days, end))
        print(
            f"{days:>2} days: history written in {figures.generate_s:.1f} s; the recorder returns"
            f" what was written: {'; '.join(figures.checks)} (start state included)"
        )
        results.append(figures)
    print()
    _print(results[0], results[1])
    short, long = results[0], results[1]
    naive = list(long.naive)[-1]  # the whole-history read
    emit(
        "aggregation",
        [
            (
                "cycle wall ms, 30 days of history (vs 1 day)",
                statistics.median(long.cycle.wall),
                statistics.median(short.cycle.wall),
                "ms",
            ),
            (
                "cycle event-loop ms, 30 days (vs 1 day)",
                statistics.median(long.cycle.loop),
                statistics.median(short.cycle.loop),
                "ms",
            ),
            (
                "window read, 30 days (vs naive whole-history read)",
                statistics.median(long.collect.wall),
                statistics.median(long.naive[naive].wall),
                "ms",
            ),
        ],
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\ntotal run time {time.perf_counter() - started:.0f} s; load average now {load}")


if __name__ == "__main__":
    main()
