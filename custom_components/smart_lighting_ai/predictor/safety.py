"""Safety rules every predictor's decision passes through (pure, HA-free).

The Home Assistant side applies :func:`make_safe` to every decision, the OpenAI model's included,
after the learned offset. Whatever a model or an offset says:

1. **Never light an empty room.** When presence is not occupied (vacant, or nobody assumed outside
   office hours) the group is off, except during the vacancy warning (rule 3). Within the vacancy
   timeout with nobody there now, a group that is off stays off: the timeout keeps a lit room lit,
   it never switches one on.
2. **Never leave an occupied dark room dark.** When somebody is there now (or presence is
   assumed without a usable sensor) and the local rules want light, a decision that is off, or
   whose light output plus the daylight estimate gives less than ``DARK_SHARE`` (90 %) of the
   target at the desks, is raised to the local rules' level.
3. **The vacancy warning wins.** Past the timeout, inside the grace period, a group may be at most
   at its warning level (the local rules' decision): a model cannot keep an expired room lit.

A decision that changes keeps its source, gets "; safety: ..." added to its reason, and has no
colour temperature when off.
"""

from __future__ import annotations

from dataclasses import replace

from .lamp import light_output
from .local import LocalPredictor, assess_presence, estimate_daylight
from .types import Decision, Features, GroupLimits

DARK_SHARE = 0.9
"""Share of the target below which an occupied room counts as too dark."""

EMPTY_KEPT_OFF = "empty room kept off"
NOBODY_NOW_KEPT_OFF = "nobody there now, kept off"
RAISED_TO_TARGET = "occupied room raised to {level:.0f}% for the target"
SWITCHED_ON = "occupied dark room switched on to {level:.0f}%"
WARNING_DIM = "vacancy warning dim to {level:.0f}%"

_LOCAL = LocalPredictor()


def _changed(decision: Decision, brightness: float, kelvin: int | None, why: str) -> Decision:
    return replace(
        decision,
        brightness_pct=brightness,
        color_temp_kelvin=kelvin if brightness > 0.0 else None,
        reason=f"{decision.reason}; safety: {why}",
    )


def desk_lux(decision: Decision, features: Features, limits: GroupLimits) -> float | None:
    """Return the light a decision gives at the desks (daylight estimate + lamps), if known."""
    daylight = estimate_daylight(features, limits).desk_lux
    if daylight is None:
        return None
    lamps = limits.lamp_lux_at_full * light_output(decision.brightness_pct, limits.dimming_curve)
    return daylight + lamps


def desk_lux_now(features: Features, limits: GroupLimits) -> float | None:
    """Return the light at the desks now (daylight estimate + lamps at the current level)."""
    daylight = estimate_daylight(features, limits).desk_lux
    if daylight is None:
        return None
    level = features.current_level_pct or 0.0
    return daylight + limits.lamp_lux_at_full * light_output(level, limits.dimming_curve)


def below_target(features: Features, limits: GroupLimits) -> bool:
    """Whether the desks get less than ``DARK_SHARE`` of the target now (False when unknown).

    For the policy's ``GroupSituation.below_target``: brightening such a room is never delayed.
    A faulty illuminance sensor counts as no daylight, so only the lamps count.
    """
    lux = desk_lux_now(features, limits)
    return lux is not None and lux < DARK_SHARE * limits.target_lux


def make_safe(decision: Decision, features: Features, limits: GroupLimits) -> Decision:
    """Return ``decision`` with the safety rules applied (see the module docstring)."""
    presence = assess_presence(features, limits)
    current = features.current_level_pct
    lit_now = current is not None and current > 0.0
    if presence.warning:
        local = _LOCAL.decide(features, limits)
        if decision.brightness_pct > local.brightness_pct:
            why = (
                WARNING_DIM.format(level=local.brightness_pct)
                if local.brightness_pct > 0.0
                else EMPTY_KEPT_OFF
            )
            kelvin = decision.color_temp_kelvin or local.color_temp_kelvin
            return _changed(decision, local.brightness_pct, kelvin, why)
        return decision
    if not presence.occupied:
        if decision.brightness_pct > 0.0:
            return _changed(decision, 0.0, None, EMPTY_KEPT_OFF)
        return decision
    if presence.recent:
        if not lit_now and decision.brightness_pct > 0.0:
            return _changed(decision, 0.0, None, NOBODY_NOW_KEPT_OFF)
        return decision
    local = _LOCAL.decide(features, limits)
    if local.brightness_pct <= 0.0 or decision.brightness_pct >= local.brightness_pct:
        return decision
    kelvin = decision.color_temp_kelvin or local.color_temp_kelvin
    if decision.brightness_pct <= 0.0:
        return _changed(
            decision,
            local.brightness_pct,
            kelvin,
            SWITCHED_ON.format(level=local.brightness_pct),
        )
    lux = desk_lux(decision, features, limits)
    if lux is not None and lux < DARK_SHARE * limits.target_lux:
        return _changed(
            decision,
            local.brightness_pct,
            kelvin,
            RAISED_TO_TARGET.format(level=local.brightness_pct),
        )
    return decision
