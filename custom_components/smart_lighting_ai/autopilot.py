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
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from homeassistant.const import STATE_ON
from homeassistant.core import CALLBACK_TYPE, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util

from .brightness import level_from_pct, pct_from_level
from .const import (
    AUTOMATIC_FADE_S,
    CONF_ANTI_FLICKER,
    CONF_GROUPS,
    CONF_SHADOW_MODE,
    DEFAULT_ANTI_FLICKER,
    LOGGER,
)
from .coordinator import BusStateCoordinator
from .dali import ChangeWithdrawn, DaliError, GroupController, GroupState
from .dali.conversions import fade_code, kelvin_limits, kelvin_to_mirek, mirek_to_kelvin
from .entity import group_label
from .features import rooms_from_options
from .overrides import ORIGIN_BUS, Override, OverrideManager
from .pipeline import DataPipeline
from .predictor import Decision, Features, GroupLimits, OpenAIPredictor, Predictor
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
from .predictor.schedule import in_schedule
from .profiles import ProfileManager
from .runtime import SmartLightingConfigEntry
from .store import StoreError

STALE_WINDOWS = 2  # a feature row older than two windows is not acted upon
HISTORY_WINDOWS = 6  # the AI model sees the last six windows of each room
BELOW_TARGET = 0.9  # under 90 % of the target illuminance a room counts as too dark
SKIP_CHANGED_MEANWHILE = "changed by someone else while waiting for the bus"
AUTO_ON_COOLDOWN_S = 1.0  # switches flipped together give one cycle
ARRIVAL_COOLDOWN_S = 30.0  # at most one arrival cycle per room in this time


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
        self.predictor = predictor
        # on for every group with room settings until its switch restores what a user chose
        # (a switch disabled in the entity registry leaves it on, never silently off)
        rooms = entry.options.get(CONF_GROUPS, {})
        self.auto_control: dict[int, bool] = {g: str(g) in rooms for g in controller.groups}
        self.records: dict[int, DecisionRecord] = {}
        self.after_cycle: list[Callable[[], Coroutine[Any, Any, None]]] = []
        self._listeners: list[CALLBACK_TYPE] = []
        self._rooms_of: dict[str, set[int]] = {}  # occupancy sensor -> the rooms it watches
        self._arrivals: dict[int, Debouncer[Coroutine[Any, Any, Any]]] = {}
        self._last_change: dict[int, datetime] = {}
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
        self._rooms_of = {}
        for room in rooms:
            for entity_id in room.occupancy:
                self._rooms_of.setdefault(entity_id, set()).add(room.group)
        self._arrivals = {
            room.group: Debouncer(
                self._hass,
                LOGGER,
                cooldown=ARRIVAL_COOLDOWN_S,
                immediate=True,
                function=self._pipeline.async_aggregate,
            )
            for room in rooms
        }

        def _stop() -> None:
            self._pipeline.after_aggregation.remove(self.async_run_cycle)
            for debouncer in (self._auto_on, *self._arrivals.values()):
                debouncer.async_shutdown()

        return [
            self._state.add_manual_change_listener(self._changed_by_someone_else),
            async_track_state_change_event(self._hass, sorted(self._rooms_of), self._arrived),
            _stop,
        ]

    @callback
    def _arrived(self, event: Event[EventStateChangedData]) -> None:
        """An occupancy sensor turned on: decide now rather than at the end of the window."""
        old, new = event.data["old_state"], event.data["new_state"]
        if new is None or new.state != STATE_ON or (old is not None and old.state == STATE_ON):
            return
        for group in self._rooms_of.get(event.data["entity_id"], ()):
            self._arrivals[group].async_schedule_call()

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
        """Store the override and learn from it, after the bus command and without delaying it."""
        self.config_entry.async_create_task(
            self._hass, self._async_remember(change, level), "smart_lighting_ai manual change"
        )

    async def _async_remember(self, change: ManualChange, level: int | None) -> None:
        await self.overrides.async_save(change.override)
        decided = self.last_decided_pct(change.override.group)
        if not level or not decided:
            return
        group = change.override.group
        try:
            await self.profiles.async_learn(
                group, pct_from_level(level), decided, self.limits(group)
            )
        except (StoreError, ValueError) as err:
            LOGGER.debug("Offset of group %d not learned: %s", group, err)

    # listeners -----------------------------------------------------------------------

    @callback
    def add_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call ``listener()`` after every cycle."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

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
        return replace(limits, min_kelvin=low, max_kelvin=high)

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
        return {g: self._with_offset(d, limits[g]) for g, d in decisions.items()}

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
        offset = self.profiles.learned_offset(decision.group)
        if not offset or decision.brightness_pct <= 0:
            return decision
        pct = limits.clamp_brightness(decision.brightness_pct + offset)
        return replace(
            decision,
            brightness_pct=pct,
            reason=f"{decision.reason}; {offset:+.0f} % learned from manual changes",
        )

    async def async_run_cycle(self) -> None:
        """One decision cycle; cycles never overlap, and a failing one changes nothing."""
        async with self._cycle_lock:
            try:
                await self._async_cycle()
            except Exception:  # the lights keep working whatever the predictor does
                LOGGER.exception("Decision cycle failed")
        for listener in list(self._listeners):
            listener()
        for hook in list(self.after_cycle):
            await hook()

    async def _async_cycle(self) -> None:
        try:
            features = await self.async_latest_features()
        except StoreError as err:
            LOGGER.warning("No decision cycle: features could not be read: %s", err)
            return
        if not features:
            return
        decisions = await self.async_predict(features)
        now = dt_util.utcnow()
        for group, decision in decisions.items():
            situation = self._situation(group, now, features[group])
            reason = skip_reason(decision, situation, self.settings)
            if reason is None:
                reason = await self._apply(group, decision)
                if reason is None:
                    self._last_change[group] = now
            self.records[group] = DecisionRecord(decision, reason is None, reason, now)
            self.decisions_made += 1
            self.decisions_applied += reason is None
            await self._store_decision(group, self.records[group])

    def _situation(self, group: int, now: datetime, features: Features) -> GroupSituation:
        state = self._controller.states[group]
        last = self._last_change.get(group)
        lux = features.illuminance_mean
        local = dt_util.as_local(now)
        return GroupSituation(
            in_schedule=in_schedule(self.profiles.schedule(group), local),
            below_target=lux is not None and lux < BELOW_TARGET * self.limits(group).target_lux,
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

        def still_ours() -> bool:  # asked inside the bus transaction, before the first frame
            return self.auto_control.get(group, False) and not self.overrides.is_active(group)

        try:
            await self._controller.apply(
                group,
                level=level,
                mirek=kelvin_to_mirek(kelvin) if kelvin and level else None,
                fade_code=fade_code(AUTOMATIC_FADE_S),
                guard=still_ours,
            )
        except ChangeWithdrawn:
            LOGGER.info("Decision for DALI group %d withdrawn: %s", group, SKIP_CHANGED_MEANWHILE)
            return SKIP_CHANGED_MEANWHILE
        except DaliError as err:
            return f"bus error: {err}"
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
