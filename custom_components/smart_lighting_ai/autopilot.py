"""The decision coordinator: features -> predictor -> policy -> DALI bus.

One cycle runs after every aggregation (and on the entry's first refresh).
Each decision is stored with its reason and source and whether it was
applied (or why not); applied setpoints are logged "DALI applied setpoint".
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from .const import (
    AUTOMATIC_FADE_S,
    CONF_ANTI_FLICKER,
    CONF_SHADOW_MODE,
    DEFAULT_ANTI_FLICKER,
    DOMAIN,
    LOGGER,
)
from .dali import DaliError, GroupController
from .dali.conversions import fade_code, kelvin_limits, kelvin_to_mirek, mirek_to_kelvin
from .features import rooms_from_options
from .overrides import OverrideManager
from .pipeline import DataPipeline
from .predictor import Decision, Features, GroupLimits, Predictor
from .predictor.policy import GroupSituation, PolicySettings, skip_reason
from .predictor.schedule import in_schedule
from .profiles import ProfileManager
from .runtime import SmartLightingConfigEntry
from .setpoints import level_from_pct, pct_from_level
from .store import StoreError

STALE_WINDOWS = 2  # a feature row older than two windows is not acted upon
BELOW_TARGET = 0.9  # under 90 % of the target illuminance a room counts as too dark


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """A decision and what became of it."""

    decision: Decision
    applied: bool
    skip_reason: str | None
    decided_at: datetime


class SmartLightingCoordinator(DataUpdateCoordinator[dict[int, DecisionRecord]]):
    """Decides and applies setpoints for the groups under automatic control."""

    config_entry: SmartLightingConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: SmartLightingConfigEntry,
        *,
        controller: GroupController,
        pipeline: DataPipeline,
        overrides: OverrideManager,
        profiles: ProfileManager,
        predictor: Predictor,
        auto_control: dict[int, bool],
    ) -> None:
        """Decide for ``entry``'s groups with ``predictor``."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} decisions",
            update_interval=None,
            always_update=False,
        )
        self._controller = controller
        self._pipeline = pipeline
        self._overrides = overrides
        self._profiles = profiles
        self.predictor = predictor
        self._auto_control = auto_control
        self._last_change: dict[int, datetime] = {}
        self._restored: dict[int, DecisionRecord] = {}
        self.decisions_made = 0
        self._cycle_lock = asyncio.Lock()
        self.decisions_applied = 0

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
        limits = self._profiles.limits(group, base)
        low = min(max(limits.min_kelvin, base.min_kelvin), base.max_kelvin)
        high = max(min(limits.max_kelvin, base.max_kelvin), low)
        return replace(limits, min_kelvin=low, max_kelvin=high)

    async def _async_setup(self) -> None:
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
                self._restored[room.group] = DecisionRecord(
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
        decisions = await self.predictor.predict(features, limits)
        return {g: self._with_offset(d, limits[g]) for g, d in decisions.items()}

    def _with_offset(self, decision: Decision, limits: GroupLimits) -> Decision:
        offset = self._profiles.learned_offset(decision.group)
        if not offset or decision.brightness_pct <= 0:
            return decision
        pct = limits.clamp_brightness(decision.brightness_pct + offset)
        return replace(
            decision,
            brightness_pct=pct,
            reason=f"{decision.reason}; {offset:+.0f} % learned from manual changes",
        )

    async def _async_update_data(self) -> dict[int, DecisionRecord]:
        # cycles never overlap: a presence cycle and a scheduled one see each other's changes
        async with self._cycle_lock:
            return await self._async_cycle()

    async def _async_cycle(self) -> dict[int, DecisionRecord]:
        records = dict(self._restored if self.data is None else self.data)
        try:
            features = await self.async_latest_features()
        except StoreError as err:
            LOGGER.warning("No decision cycle: features could not be read: %s", err)
            return records
        if not features:
            return records
        decisions = await self.async_predict(features)
        now = dt_util.utcnow()
        for group, decision in decisions.items():
            situation = self._situation(group, now, features[group])
            reason = skip_reason(decision, situation, self.settings)
            if reason is None:
                try:
                    await self._apply(group, decision)
                except DaliError as err:
                    reason = f"bus error: {err}"
                else:
                    self._last_change[group] = now
            records[group] = DecisionRecord(decision, reason is None, reason, now)
            self.decisions_made += 1
            self.decisions_applied += reason is None
            await self._store_decision(group, records[group])
        return records

    def _situation(self, group: int, now: datetime, features: Features) -> GroupSituation:
        state = self._controller.states[group]
        last = self._last_change.get(group)
        lux = features.illuminance_mean
        local = dt_util.as_local(now)
        return GroupSituation(
            in_schedule=in_schedule(self._profiles.schedule(group), local),
            below_target=lux is not None and lux < BELOW_TARGET * self.limits(group).target_lux,
            auto_enabled=self._auto_control.get(group, False),
            override_active=self._overrides.is_active(group, now),
            level_pct=pct_from_level(state.level),
            kelvin=mirek_to_kelvin(state.mirek) if state.mirek else None,
            seconds_since_last_change=(now - last).total_seconds() if last else None,
        )

    async def _apply(self, group: int, decision: Decision) -> None:
        info = self._controller.groups[group]
        kelvin = decision.color_temp_kelvin if info.supports_colour_temperature else None
        level = level_from_pct(decision.brightness_pct)
        await self._controller.apply(
            group,
            level=level,
            mirek=kelvin_to_mirek(kelvin) if kelvin and level else None,
            fade_code=fade_code(AUTOMATIC_FADE_S),
        )
        LOGGER.info(
            "DALI applied setpoint to group %d: %.0f %%%s (%s, %s)",
            group,
            decision.brightness_pct,
            f", {kelvin} K" if kelvin and level else "",
            decision.source,
            decision.reason,
        )

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
        record = (self.data or {}).get(group)
        return record.decision.brightness_pct if record and record.applied else None

    def forget_last_change(self, group: int) -> None:
        """Let the next automatic change of ``group`` happen at once (auto switched back on)."""
        self._last_change.pop(group, None)


def decision_attributes(record: DecisionRecord) -> dict[str, Any]:
    """The attributes a user reads to see why the lights did what they did."""
    decision = record.decision
    return {
        "reason": decision.reason,
        "source": decision.source,
        "confidence": round(decision.confidence, 2),
        "color_temp_kelvin": decision.color_temp_kelvin,
        "applied": record.applied,
        "not_applied_because": record.skip_reason,
        "decided_at": record.decided_at.isoformat(),
    }
