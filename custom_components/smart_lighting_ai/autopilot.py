"""The decision loop: features -> predictor -> policy -> DALI bus, with one owner.

Its triggers, all registered in :meth:`Autopilot.async_start`:
- an aggregation finished (every feature window, ``aggregate_now``);
- someone walked into a room (an occupancy sensor turned on): an aggregation and a cycle at
  once rather than at the end of the window, at most one per room per 30 s (Home
  Assistant's ``Debouncer``; a second arrival inside that time gets one at its end);
- automatic control switched back on for a group (a cycle a moment later);
- a change nobody here made (a person, an automation, a wall panel): not a cycle, but an
  override that holds the group, taken in memory at once and stored after the bus command.

Each decision is stored with its reason and source and whether it was applied (or why
not); applied setpoints are logged "DALI applied setpoint". An automatic command re-checks
inside the bus transaction, right before its first frame, that the group is still under
automatic control and not overridden: a person's change that was queued or seen meanwhile
always wins.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Coroutine
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from homeassistant.const import STATE_ON
from homeassistant.core import (
    CALLBACK_TYPE,
    Context,
    Event,
    EventStateChangedData,
    HomeAssistant,
    callback,
)
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.event import async_call_later, async_track_state_change_event
from homeassistant.util import dt as dt_util

from .brightness import level_from_pct, pct_from_level
from .const import (
    AUTOMATIC_FADE_S,
    CONF_ANTI_FLICKER,
    CONF_DESK_DAYLIGHT_RATIO,
    CONF_GROUPS,
    CONF_SHADOW_MODE,
    DEFAULT_ANTI_FLICKER,
    DOMAIN,
    EVENT_AUTOMATIC_CHANGE,
    LOGGER,
    SWITCH_ON_FADE_S,
)
from .coordinator import BusStateCoordinator
from .dali import ChangeWithdrawn, DaliError, GroupController, GroupState
from .dali.conversions import (
    fade_code,
    fade_seconds,
    kelvin_limits,
    kelvin_to_mirek,
    mirek_to_kelvin,
)
from .entity import entry_key, group_label
from .features import rooms_from_options
from .overrides import ORIGIN_BUS, Override, OverrideManager
from .pipeline import DataPipeline
from .predictor import Decision, Features, GroupLimits, OpenAIPredictor, Predictor
from .predictor.lamp import light_output
from .predictor.local import desk_daylight
from .predictor.policy import (
    SKIP_ANTI_FLICKER,
    SKIP_AUTO_OFF,
    SKIP_DEADBAND,
    SKIP_OVERRIDE,
    SKIP_SCHEDULE,
    SKIP_SHADOW,
    GroupSituation,
    PolicySettings,
    skip_reason,
)
from .predictor.safety import below_target, make_safe
from .predictor.schedule import decayed_offset, in_schedule
from .profiles import ProfileManager
from .room_learning import lengthened
from .room_sensing import RoomSensing
from .runtime import SmartLightingConfigEntry
from .store import StoreError

STALE_WINDOWS = 2  # a feature row older than two windows is not acted upon
HISTORY_WINDOWS = 6  # the AI model sees the last six windows of each room
SKIP_CHANGED_MEANWHILE = "changed by someone else while waiting for the bus"
AUTO_ON_COOLDOWN_S = 1.0  # switches flipped together give one cycle
ARRIVAL_COOLDOWN_S = 30.0  # at most one arrival cycle per room in this time
LIGHT_CHANGE_COOLDOWN_S = 30.0  # at most one daylight re-decision per room in this time
LIGHT_CHANGE_SHARE = 0.1  # a daylight change of 10 % of the target re-decides the room ...
LIGHT_CHANGE_MIN_LUX = 25.0  # ... and at least 25 lx (a lit room at its target re-decides
# before it falls below 90 % of it)
RETURN_WINDOW = timedelta(minutes=1)
"""Motion during a vacancy warning dim, or this soon after the switch-off, was a still person
(someone new walking by minutes later was not)."""
LEARN_AFTER_S = 30.0  # a person's change is learned from once it has settled this long
VACANCY_STEP_MARGIN_S = 5.0


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """A decision and what became of it."""

    decision: Decision
    applied: bool
    skip_reason: str | None
    decided_at: datetime


@dataclass(frozen=True, slots=True)
class ManualChange:
    """An override held for a person's command that has not reached the bus yet."""

    override: Override
    previous: Override | None


class Autopilot:
    """Decides and applies setpoints for the groups under automatic control."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: SmartLightingConfigEntry,
        *,
        controller: GroupController,
        state: BusStateCoordinator,
        pipeline: DataPipeline,
        overrides: OverrideManager,
        profiles: ProfileManager,
        sensing: RoomSensing,
        predictor: Predictor,
    ) -> None:
        """Decide for ``entry``'s groups with ``predictor``."""
        self._hass = hass
        self.config_entry = entry
        self._controller = controller
        self._state = state
        self._pipeline = pipeline
        self.overrides = overrides
        self.profiles = profiles
        self.sensing = sensing
        self.learning = sensing.learning
        sensing.limits = self.limits
        self.predictor = predictor
        # on for every group with room settings until its switch restores what a user chose
        # (a switch disabled in the entity registry leaves it on, never silently off)
        rooms = entry.options.get(CONF_GROUPS, {})
        self.auto_control: dict[int, bool] = {g: str(g) in rooms for g in controller.groups}
        self.records: dict[int, DecisionRecord] = {}
        self.after_cycle: list[Callable[[], Coroutine[Any, Any, None]]] = []
        self._listeners: list[CALLBACK_TYPE] = []
        self._rooms_of: dict[str, set[int]] = {}  # occupancy sensor -> the rooms it watches
        self._lit_by: dict[str, set[int]] = {}  # illuminance sensor -> the rooms it measures
        self._arrivals: dict[int, Debouncer[Coroutine[Any, Any, Any]]] = {}
        self._light_changes: dict[int, Debouncer[Coroutine[Any, Any, Any]]] = {}
        self._last_change: dict[int, datetime] = {}
        self._daylight_decided: dict[int, float] = {}  # desk daylight at the last decision
        self._switched_off: dict[int, datetime] = {}  # last automatic off or warning dim
        self._contexts: dict[int, Context] = {}
        self._learn_timers: dict[int, CALLBACK_TYPE] = {}
        self._vacancy_timers: dict[int, CALLBACK_TYPE] = {}
        self._learned_until: dict[int, datetime] = {}
        self._cycle_lock = asyncio.Lock()
        self._auto_on = Debouncer(
            hass,
            LOGGER,
            cooldown=AUTO_ON_COOLDOWN_S,
            immediate=False,
            function=self.async_run_cycle,
        )
        self.decisions_made = 0
        self.decisions_applied = 0

    # triggers --------------------------------------------------------------------

    @callback
    def async_start(self) -> list[CALLBACK_TYPE]:
        """Register the loop's triggers; returns what undoes them."""
        self._pipeline.after_aggregation.append(self.async_run_cycle)
        rooms = rooms_from_options(self.config_entry.options, self._controller.groups)
        self._rooms_of, self._lit_by = {}, {}
        for room in rooms:
            for entity_id in room.occupancy:
                self._rooms_of.setdefault(entity_id, set()).add(room.group)
            for entity_id in room.illuminance:
                self._lit_by.setdefault(entity_id, set()).add(room.group)
        self._arrivals = {
            room.group: self._room_debouncer(room.group, ARRIVAL_COOLDOWN_S) for room in rooms
        }
        self._light_changes = {
            room.group: self._room_debouncer(room.group, LIGHT_CHANGE_COOLDOWN_S) for room in rooms
        }
        self._record_lamps()

        def _stop() -> None:
            self._pipeline.after_aggregation.remove(self.async_run_cycle)
            for debouncer in (
                self._auto_on,
                *self._arrivals.values(),
                *self._light_changes.values(),
            ):
                debouncer.async_shutdown()
            for timers in (self._learn_timers, self._vacancy_timers):
                for cancel in timers.values():
                    cancel()
                timers.clear()

        return [
            self._state.add_manual_change_listener(self._changed_by_someone_else),
            self._state.async_add_listener(self._record_lamps),
            async_track_state_change_event(self._hass, sorted(self._rooms_of), self._arrived),
            async_track_state_change_event(self._hass, sorted(self._lit_by), self._light_changed),
            _stop,
        ]

    def _room_debouncer(self, group: int, cooldown: float) -> Debouncer[Coroutine[Any, Any, Any]]:
        """Re-decides ``group`` at once, then at most once per ``cooldown``."""
        return Debouncer(
            self._hass,
            LOGGER,
            cooldown=cooldown,
            immediate=True,
            function=partial(self.async_run_room_cycle, group),
        )

    async def async_run_room_cycle(self, group: int) -> None:
        """A fresh feature row and a decision for ``group`` alone (someone came, light changed)."""
        await self._pipeline.async_aggregate_rooms([group])
        await self.async_run_cycle({group})

    @callback
    def _record_lamps(self) -> None:
        """Every level the groups show, with its time: readings are paired with it."""
        now = dt_util.utcnow()
        for group in self._controller.groups:
            pct = pct_from_level(self._controller.states[group].level)
            output = light_output(pct, self.limits(group).dimming_curve)
            # the fade the group holds, or the longest automatic one when its members differ
            held = self._controller.held_fade(group)
            fade_s = AUTOMATIC_FADE_S if held is None else fade_seconds(held)
            self.sensing.record_output(group, now, output, fade_s)

    @callback
    def _arrived(self, event: Event[EventStateChangedData]) -> None:
        """An occupancy sensor turned on: decide now rather than at the end of the window."""
        old, new = event.data["old_state"], event.data["new_state"]
        if new is None or new.state != STATE_ON or (old is not None and old.state == STATE_ON):
            return
        now = dt_util.utcnow()
        for group in self._rooms_of.get(event.data["entity_id"], ()):
            if (cancel := self._vacancy_timers.pop(group, None)) is not None:
                cancel()
            self._arrivals[group].async_schedule_call()
            off_at = self._switched_off.pop(group, None)
            warned = self._controller.states[group].level > 0  # still in the warning dim
            if off_at is not None and (warned or now - off_at <= RETURN_WINDOW):
                self._lengthen_vacancy(group, now)

    def _lengthen_vacancy(self, group: int, now: datetime) -> None:
        """Someone moved soon after the room was dimmed or switched off: wait longer next time."""
        base = self.profile_vacancy_minutes(group)
        lessons = lengthened(self.learning.get(group), base, now)
        self.learning.set(group, lessons)
        LOGGER.info(
            "Vacancy timeout of %s lengthened to %.0f min: someone moved soon after the lights"
            " dimmed for vacancy",
            group_label(self.config_entry, group),
            base + lessons.extra_now(now),
        )
        self._notify()

    @callback
    def _light_changed(self, event: Event[EventStateChangedData]) -> None:
        """A clear change of daylight (blinds, clouds): re-decide the rooms that sensor measures."""
        new = event.data["new_state"]
        if new is None:
            return
        try:
            lux = float(new.state)
        except ValueError:
            return
        now = dt_util.utcnow()
        for group in self._lit_by.get(event.data["entity_id"], ()):
            decided = self._daylight_decided.get(group)
            reading = self.sensing.reading(group, now, lux)
            if decided is None or reading is None:  # nothing to compare, or a fade in progress
                continue
            if self.overrides.is_active(group, now):
                continue  # a person holds the room: nothing to re-decide
            limits = self.limits(group)
            change = abs(desk_daylight(lux, reading.lamp_output, limits) - decided)
            if change >= max(LIGHT_CHANGE_SHARE * limits.target_lux, LIGHT_CHANGE_MIN_LUX):
                self._light_changes[group].async_schedule_call()

    @callback
    def set_auto_control(self, group: int, enabled: bool) -> None:
        """Switch automatic control of ``group``; switching it on hands the group back now."""
        was = self.auto_control.get(group, False)
        self.auto_control[group] = enabled
        if enabled and not was:
            self.forget_last_change(group)
            self._auto_on.async_schedule_call()

    @callback
    def _changed_by_someone_else(self, group: int, state: GroupState | None) -> None:
        """A wall panel or another master: hold the group now, store it once read back."""
        if not self.auto_control.get(group):
            return
        if state is None:
            self.overrides.hold(group, ORIGIN_BUS)
            return
        override, _ = self.overrides.hold(
            group, ORIGIN_BUS, is_on=state.is_on, brightness_pct=pct_from_level(state.level)
        )
        self.config_entry.async_create_task(
            self._hass, self.overrides.async_save(override), "smart_lighting_ai override"
        )

    # a person's command ------------------------------------------------------------

    @callback
    def person_change_started(
        self, group: int, origin: str, level: int | None
    ) -> ManualChange | None:
        """Hold ``group`` for a person's command before it goes to the bus (no await)."""
        if not self.auto_control.get(group):
            return None
        override, previous = self.overrides.hold(
            group,
            origin,
            is_on=level is None or level > 0,
            brightness_pct=pct_from_level(level) if level is not None else None,
        )
        return ManualChange(override, previous)

    @callback
    def person_change_failed(self, change: ManualChange) -> None:
        """The command never reached the gear: it is neither an override nor a lesson."""
        self.overrides.let_go(change.override, change.previous)

    @callback
    def person_change_done(self, change: ManualChange, level: int | None) -> None:
        """Store the override after the bus command, and learn once the person has settled.

        A learning step is taken ``LEARN_AFTER_S`` after the person's last change of the
        group (four slider moves teach once, from where the slider stopped), at most once per
        override, and only from a level the bus accepted.
        """
        self.config_entry.async_create_task(
            self._hass, self.overrides.async_save(change.override), "smart_lighting_ai override"
        )
        self._notify()
        group = change.override.group
        if (cancel := self._learn_timers.pop(group, None)) is not None:
            cancel()
        if not level or change.override.started < self._learned_until.get(
            group, change.override.started
        ):
            return

        @callback
        def _settled(_now: datetime) -> None:
            self._learn_timers.pop(group, None)
            self.config_entry.async_create_task(
                self._hass, self._async_learn(group), "smart_lighting_ai learn"
            )

        self._learn_timers[group] = async_call_later(self._hass, LEARN_AFTER_S, _settled)

    async def _async_learn(self, group: int) -> None:
        """One learning step from the level the person settled on, against the last decision."""
        now = dt_util.utcnow()
        override = self.overrides.active(group, now)
        decided = self.last_decided_pct(group)
        level = self._controller.states[group].level
        if override is None or not decided or not level:
            return
        self._learned_until[group] = override.expires
        lessons = self.learning.get(group)
        current = decayed_offset(
            self.profiles.learned_offset(group), lessons.offset_learned_at, now
        )
        try:
            learned = await self.profiles.async_learn(
                group, pct_from_level(level), decided, self.limits(group), current=current
            )
        except (StoreError, ValueError) as err:
            LOGGER.debug("Offset of group %d not learned: %s", group, err)
            return
        if not learned:
            return  # the decay goes on from when the offset was really learned
        self.learning.set(group, replace(lessons, offset_learned_at=now))
        self._notify()

    def learned_offset(self, group: int, now: datetime | None = None) -> float:
        """The brightness offset learned from people, decayed since it was learned."""
        lessons = self.learning.get(group)
        return round(
            decayed_offset(
                self.profiles.learned_offset(group),
                lessons.offset_learned_at,
                now or dt_util.utcnow(),
            ),
            1,
        )

    def profile_vacancy_minutes(self, group: int) -> float:
        """The vacancy timeout the room's profile sets."""
        return self.profiles.limits(group, GroupLimits()).vacancy_minutes

    def vacancy_minutes(self, group: int, now: datetime | None = None) -> float:
        """The room's vacancy timeout now: its profile's, lengthened by what the room learned."""
        extra = self.learning.get(group).extra_now(now or dt_util.utcnow())
        return round(self.profile_vacancy_minutes(group) + extra, 1)

    def take_context(self, group: int) -> Context | None:
        """The context of the automatic change being applied to ``group`` (for its light)."""
        return self._contexts.get(group)

    # listeners -----------------------------------------------------------------------

    @callback
    def add_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call ``listener()`` after every cycle and every change of what the loop shows."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()

    @property
    def settings(self) -> PolicySettings:
        """Anti-flicker, deadband and shadow mode from the options."""
        options = self.config_entry.options
        return PolicySettings(
            anti_flicker_seconds=options.get(CONF_ANTI_FLICKER, DEFAULT_ANTI_FLICKER),
            shadow_mode=options.get(CONF_SHADOW_MODE, False),
        )

    def limits(self, group: int) -> GroupLimits:
        """The bounds the predictor keeps for ``group``: its profile within the gear's range."""
        info = self._controller.groups[group]
        base = GroupLimits()
        if info.supports_colour_temperature and info.mirek_range:
            warm, cool = kelvin_limits(*info.mirek_range)
            base = GroupLimits(min_kelvin=warm, max_kelvin=cool)
        limits = self.profiles.limits(group, base)
        low = min(max(limits.min_kelvin, base.min_kelvin), base.max_kelvin)
        high = max(min(limits.max_kelvin, base.max_kelvin), low)
        room = self.config_entry.options.get(CONF_GROUPS, {}).get(str(group), {})
        return replace(
            limits,
            min_kelvin=low,
            max_kelvin=high,
            vacancy_minutes=self.vacancy_minutes(group),
            lamp_lux_at_sensor=self.learning.get(group).lamp_lux_at_sensor,
            desk_daylight_ratio=room.get(CONF_DESK_DAYLIGHT_RATIO, limits.desk_daylight_ratio),
        )

    async def async_load(self) -> None:
        """Load the last stored decision of each group, shown until a new one is made."""
        store = self._pipeline.store
        if store is None:
            return
        for room in rooms_from_options(self.config_entry.options, self._controller.groups):
            try:
                row = await store.latest_decision(self.config_entry.entry_id, room.group)
            except StoreError:
                return
            if row is not None:
                decision = Decision(
                    group=row.group_id,
                    brightness_pct=row.brightness_pct,
                    color_temp_kelvin=row.color_temp_kelvin,
                    confidence=row.confidence,
                    reason=row.reason,
                    source=row.source,  # type: ignore[arg-type]
                )
                self.records[room.group] = DecisionRecord(
                    decision, row.applied, row.skip_reason, row.ts
                )

    async def async_latest_features(
        self, groups: list[int] | None = None, *, fresh_only: bool = True
    ) -> dict[int, Features]:
        """The latest feature row of each room (of ``groups``), skipping stale ones."""
        store = self._pipeline.store
        if store is None:
            return {}
        now = dt_util.utcnow()
        found: dict[int, Features] = {}
        for room in rooms_from_options(self.config_entry.options, self._controller.groups):
            if groups is not None and room.group not in groups:
                continue
            row = await store.latest_features(self.config_entry.entry_id, room.group)
            if row is None:
                continue
            if fresh_only and now - row.ts > self._pipeline.window * STALE_WINDOWS:
                continue
            try:
                found[room.group] = Features.from_dict(row.data)
            except (KeyError, TypeError, ValueError) as err:
                LOGGER.warning("Unreadable feature row of group %d: %s", room.group, err)
        return found

    async def async_predict(self, features: dict[int, Features]) -> dict[int, Decision]:
        """Decisions for ``features``, without applying them, with each room's learned offset."""
        limits = {group: self.limits(group) for group in features}
        if isinstance(self.predictor, OpenAIPredictor):
            self.predictor.set_history(await self._async_history(list(features)))
        decisions = await self.predictor.predict(features, limits)
        # the safety rules decide on and off; a learned offset then tunes the level people
        # chose (bounded, and never switching a room on or off)
        return {
            g: self._with_offset(make_safe(d, features[g], limits[g]), limits[g])
            for g, d in decisions.items()
            if g in features
        }

    async def _async_history(self, groups: list[int]) -> dict[int, list[Features]]:
        """The rooms' recent feature rows, the context an AI model decides in."""
        store = self._pipeline.store
        if store is None:
            return {}
        since = dt_util.utcnow() - self._pipeline.window * HISTORY_WINDOWS
        history: dict[int, list[Features]] = {}
        for group in groups:
            try:
                rows = await store.features_since(self.config_entry.entry_id, group, since)
            except StoreError:
                return history
            readable = []
            for row in rows:  # the payload keeps only rows older than the one decided on
                try:
                    readable.append(Features.from_dict(row.data))
                except (KeyError, TypeError, ValueError):
                    continue
            history[group] = readable
        return history

    def _with_offset(self, decision: Decision, limits: GroupLimits) -> Decision:
        offset = self.learned_offset(decision.group)
        if not offset or decision.brightness_pct <= 0:
            return decision
        pct = limits.clamp_brightness(decision.brightness_pct + offset)
        return replace(
            decision,
            brightness_pct=pct,
            reason=f"{decision.reason}; {offset:+.0f} % learned from manual changes",
        )

    async def async_run_cycle(self, groups: Collection[int] | None = None) -> None:
        """One decision cycle, of every room or of ``groups``.

        Cycles never overlap, and a failing one changes nothing.
        """
        async with self._cycle_lock:
            try:
                await self._async_cycle(groups)
            except Exception:  # the lights keep working whatever the predictor does
                LOGGER.exception("Decision cycle failed")
        self._notify()
        for hook in list(self.after_cycle):
            await hook()

    async def _async_cycle(self, groups: Collection[int] | None) -> None:
        try:
            features = await self.async_latest_features(None if groups is None else list(groups))
        except StoreError as err:
            LOGGER.warning("No decision cycle: features could not be read: %s", err)
            return
        if not features:
            return
        decisions = await self.async_predict(features)
        now = dt_util.utcnow()
        for group, predicted in decisions.items():
            situation = self._situation(group, now, features[group])
            decision = predicted
            vacancy_step = decision.brightness_pct < situation.level_pct and self._for_vacancy(
                features[group], group
            )
            if vacancy_step and decision.brightness_pct > 0 and group in self._switched_off:
                # already dimmed as a warning: hold it there until the grace period ends
                decision = replace(decision, brightness_pct=situation.level_pct)
            reason = skip_reason(decision, situation, self.settings)
            self._remember_daylight(group, features[group])
            self._schedule_vacancy_step(group, features[group])
            if reason is None:
                reason = await self._apply(group, decision)
                if reason is None:
                    self._last_change[group] = now
                    if vacancy_step and decision.brightness_pct > 0:
                        self._switched_off.setdefault(group, now)  # the warning dim
                    elif vacancy_step:
                        self._switched_off[group] = now  # the switch-off after it
                    elif decision.brightness_pct > 0:
                        self._switched_off.pop(group, None)  # lit for someone again
            self.records[group] = DecisionRecord(decision, reason is None, reason, now)
            self.decisions_made += 1
            self.decisions_applied += reason is None
            await self._store_decision(group, self.records[group])

    def _schedule_vacancy_step(self, group: int, features: Features) -> None:
        """A lit room with nobody seen is re-decided when its timeout (then its grace) ends.

        Windows are 5 minutes and the grace 2: without this, the first cycle after the timeout
        would often come after the grace too, and switch off without the warning dim.
        """
        if (cancel := self._vacancy_timers.pop(group, None)) is not None:
            cancel()
        since = features.minutes_since_occupied
        level = self._controller.states[group].level
        if since is None or since <= 0.0 or not level:
            return
        limits = self.limits(group)
        due = next(
            (
                end - since
                for end in (limits.vacancy_minutes, limits.vacancy_minutes + limits.grace_minutes)
                if end > since
            ),
            None,
        )
        if due is None:
            return

        @callback
        def _due(_now: datetime) -> None:
            self._vacancy_timers.pop(group, None)
            self.config_entry.async_create_task(
                self._hass, self.async_run_room_cycle(group), "smart_lighting_ai vacancy step"
            )

        # a few seconds late, so the new window's presence time is past the boundary
        self._vacancy_timers[group] = async_call_later(
            self._hass, due * 60 + VACANCY_STEP_MARGIN_S, _due
        )

    def _remember_daylight(self, group: int, features: Features) -> None:
        """The desk daylight of the newest reading decided on: a clear change re-decides."""
        latest, output = features.illuminance_latest, features.lamp_output_at_reading
        if latest is None or output is None:
            return
        self._daylight_decided[group] = desk_daylight(latest, output, self.limits(group))

    def _for_vacancy(self, features: Features, group: int) -> bool:
        """Whether a dimming or switch-off came from the vacancy timeout (nobody seen)."""
        since = features.minutes_since_occupied
        return since is not None and since >= self.limits(group).vacancy_minutes

    def _situation(self, group: int, now: datetime, features: Features) -> GroupSituation:
        state = self._controller.states[group]
        last = self._last_change.get(group)
        local = dt_util.as_local(now)
        return GroupSituation(
            in_schedule=in_schedule(self.profiles.schedule(group), local),
            below_target=below_target(features, self.limits(group)),
            auto_enabled=self.auto_control.get(group, False),
            override_active=self.overrides.is_active(group, now),
            level_pct=pct_from_level(state.level),
            kelvin=mirek_to_kelvin(state.mirek) if state.mirek else None,
            seconds_since_last_change=(now - last).total_seconds() if last else None,
        )

    async def _apply(self, group: int, decision: Decision) -> str | None:
        """Send ``decision``; None when it was applied, else why not."""
        info = self._controller.groups[group]
        kelvin = decision.color_temp_kelvin if info.supports_colour_temperature else None
        level = level_from_pct(decision.brightness_pct)
        state = self._controller.states[group]
        # someone waits for the light (switching on, back from a warning dim, a cloud): quick;
        # dimming and switching off fade gently
        fade = SWITCH_ON_FADE_S if level > state.level else AUTOMATIC_FADE_S

        # the logbook names Smart Lighting AI as the cause of the light's change: the event
        # goes out once the change is sure to be sent, and the light writes its new state
        # with the same context (``take_context``)
        context = Context()

        def still_ours() -> bool:  # asked inside the bus transaction, before the first frame
            if not self.auto_control.get(group, False) or self.overrides.is_active(group):
                return False
            self._contexts[group] = context
            self._hass.bus.async_fire(
                EVENT_AUTOMATIC_CHANGE,
                {
                    "entity_id": self.light_entity(group),
                    "group": group,
                    "brightness_pct": round(decision.brightness_pct),
                    "reason": decision.reason,
                    "source": decision.source,
                },
                context=context,
            )
            return True

        try:
            await self._controller.apply(
                group,
                level=level,
                mirek=kelvin_to_mirek(kelvin) if kelvin and level else None,
                fade_code=fade_code(fade),
                guard=still_ours,
            )
        except ChangeWithdrawn:
            LOGGER.info("Decision for DALI group %d withdrawn: %s", group, SKIP_CHANGED_MEANWHILE)
            return SKIP_CHANGED_MEANWHILE
        except DaliError as err:
            return f"bus error: {err}"
        finally:
            self._contexts.pop(group, None)
        LOGGER.info(
            "DALI applied setpoint to %s: %.0f %%%s (%s, %s)",
            group_label(self.config_entry, group),
            decision.brightness_pct,
            f", {kelvin} K" if kelvin and level else "",
            decision.source,
            decision.reason,
        )
        return None

    async def _store_decision(self, group: int, record: DecisionRecord) -> None:
        store = self._pipeline.store
        if store is None:
            return
        decision = record.decision
        try:
            await store.add_decision(
                self.config_entry.entry_id,
                record.decided_at,
                group,
                brightness_pct=decision.brightness_pct,
                color_temp_kelvin=decision.color_temp_kelvin,
                confidence=decision.confidence,
                reason=decision.reason,
                source=decision.source,
                applied=record.applied,
                skip_reason=record.skip_reason,
            )
        except StoreError as err:
            LOGGER.warning("Decision of group %d not stored: %s", group, err)

    def light_entity(self, group: int) -> str | None:
        """The entity id of ``group``'s light."""
        return er.async_get(self._hass).async_get_entity_id(
            "light", DOMAIN, f"{entry_key(self.config_entry)}-group-{group}"
        )

    def last_decided_pct(self, group: int) -> float | None:
        """The brightness last decided and applied for ``group``, if any."""
        record = self.records.get(group)
        return record.decision.brightness_pct if record and record.applied else None

    def forget_last_change(self, group: int) -> None:
        """Let the next automatic change of ``group`` happen at once (auto switched back on)."""
        self._last_change.pop(group, None)


SKIP_KEYS: dict[str, str] = {
    SKIP_AUTO_OFF: "auto_off",
    SKIP_SCHEDULE: "schedule",
    SKIP_OVERRIDE: "override",
    SKIP_DEADBAND: "deadband",
    SKIP_ANTI_FLICKER: "anti_flicker",
    SKIP_SHADOW: "shadow",
    SKIP_CHANGED_MEANWHILE: "changed_meanwhile",
}
"""The translatable key of each reason a decision was not applied (``skip_reason`` attribute)."""


def skip_key(sentence: str | None) -> str:
    """The translatable key of ``sentence`` (why a decision was not applied); "none" if applied."""
    if sentence is None:
        return "none"
    if sentence.startswith("bus error"):
        return "bus_error"
    return SKIP_KEYS.get(sentence, "other")


def decision_attributes(record: DecisionRecord) -> dict[str, Any]:
    """The attributes a user reads to see why the lights did what they did.

    ``source``, ``applied`` and ``skip_reason`` are enumerated: their values are translated in
    strings.json (``entity.sensor.decision.state_attributes.<name>.state``);
    ``not_applied_because`` keeps the English sentence for automations that read it.
    """
    decision = record.decision
    return {
        "reason": decision.reason,
        "source": decision.source,
        "confidence": round(decision.confidence, 2),
        "color_temp_kelvin": decision.color_temp_kelvin,
        "applied": record.applied,
        "skip_reason": skip_key(record.skip_reason),
        "not_applied_because": record.skip_reason,
        "decided_at": record.decided_at.isoformat(),
    }
