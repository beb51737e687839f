"""Whether a decision may change a group now (pure, HA-free).

The order of the checks is the order of the reasons a user reads: a group
not under automatic control, a manual override, a change too small to be
worth it (deadband), a change too soon after the last one (anti-flicker),
and shadow mode, which decides and records but never applies.

Anti-flicker limits dimming steps and switch-offs only: switching a group on,
and brightening one whose room measured less light than its target, are never
delayed (a predictor switches on only where somebody is and it is too dark).
"""

from __future__ import annotations

from dataclasses import dataclass

from .types import Decision

SKIP_AUTO_OFF = "automatic control is off"
SKIP_SCHEDULE = "outside the profile's schedule"
SKIP_OVERRIDE = "manual override active"
SKIP_DEADBAND = "inside the deadband"
SKIP_ANTI_FLICKER = "anti-flicker interval"
SKIP_SHADOW = "shadow mode"


@dataclass(frozen=True, slots=True)
class PolicySettings:
    """Anti-flicker interval and deadband."""

    anti_flicker_seconds: float = 120.0
    deadband_pct: float = 5.0
    deadband_kelvin: int = 150
    shadow_mode: bool = False


@dataclass(frozen=True, slots=True)
class GroupSituation:
    """What the policy needs to know about one group now."""

    auto_enabled: bool
    override_active: bool
    level_pct: float
    kelvin: int | None
    seconds_since_last_change: float | None
    """None before the first automatic change since start-up (which is not delayed)."""
    in_schedule: bool = True
    """The profile's weekly schedule allows automatic changes now."""
    below_target: bool = False
    """The room measured less light than its target: a small brightening still counts."""


def skip_reason(decision: Decision, group: GroupSituation, settings: PolicySettings) -> str | None:
    """None when ``decision`` should be applied, else why it is not."""
    if not group.auto_enabled:
        return SKIP_AUTO_OFF
    if not group.in_schedule:
        return SKIP_SCHEDULE
    if group.override_active:
        return SKIP_OVERRIDE
    if not _worth_changing(decision, group, settings):
        return SKIP_DEADBAND
    since = group.seconds_since_last_change
    too_soon = since is not None and since < settings.anti_flicker_seconds
    if too_soon and not _lights_a_dark_room(decision, group):
        return SKIP_ANTI_FLICKER
    if settings.shadow_mode:
        return SKIP_SHADOW
    return None


def _lights_a_dark_room(decision: Decision, group: GroupSituation) -> bool:
    """Switching on, or brightening a room below its target: never held back."""
    if decision.brightness_pct <= group.level_pct:
        return False
    return group.level_pct <= 0.0 or group.below_target


def _worth_changing(decision: Decision, group: GroupSituation, settings: PolicySettings) -> bool:
    target_on = decision.brightness_pct > 0
    if target_on != (group.level_pct > 0):
        return True  # switching on or off is always worth it
    if not target_on:
        return False
    if abs(decision.brightness_pct - group.level_pct) >= settings.deadband_pct:
        return True
    if group.below_target and decision.brightness_pct > group.level_pct:
        return True  # daylight fading: do not let the room drift below its target in 5 % steps
    kelvin = decision.color_temp_kelvin
    return kelvin is not None and (
        group.kelvin is None or abs(kelvin - group.kelvin) >= settings.deadband_kelvin
    )
