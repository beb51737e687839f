"""The policy: who may change a group now, and when a change is worth it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from custom_components.smart_lighting_ai.predictor import Decision
from custom_components.smart_lighting_ai.predictor.policy import (
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


def _decision(pct: float, kelvin: int | None = None) -> Decision:
    return Decision(
        group=0,
        brightness_pct=pct,
        color_temp_kelvin=kelvin,
        confidence=0.9,
        reason="r",
        source="local",
    )


def _group(**changes: object) -> GroupSituation:
    values: dict[str, object] = {
        "auto_enabled": True,
        "override_active": False,
        "level_pct": 50.0,
        "kelvin": 4000,
        "seconds_since_last_change": None,
    }
    values.update(changes)
    return GroupSituation(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("decision", "group", "settings", "expected"),
    [
        (_decision(80), _group(auto_enabled=False), PolicySettings(), SKIP_AUTO_OFF),
        (_decision(80), _group(override_active=True), PolicySettings(), SKIP_OVERRIDE),
        (_decision(80), _group(in_schedule=False), PolicySettings(), SKIP_SCHEDULE),
        (_decision(53), _group(), PolicySettings(), SKIP_DEADBAND),
        (_decision(50, 4100), _group(), PolicySettings(), SKIP_DEADBAND),
        (_decision(50, 4200), _group(), PolicySettings(), None),
        (_decision(50, 4000), _group(kelvin=None), PolicySettings(), None),
        (_decision(0), _group(level_pct=0.0), PolicySettings(), SKIP_DEADBAND),
        (_decision(1), _group(level_pct=0.0), PolicySettings(), None),
        (_decision(0), _group(level_pct=2.0), PolicySettings(), None),
        (
            _decision(80),
            _group(seconds_since_last_change=60.0),
            PolicySettings(),
            SKIP_ANTI_FLICKER,
        ),
        (_decision(80), _group(seconds_since_last_change=121.0), PolicySettings(), None),
        (_decision(80), _group(), PolicySettings(shadow_mode=True), SKIP_SHADOW),
        (_decision(53), _group(below_target=True), PolicySettings(), None),
        (_decision(47), _group(below_target=True), PolicySettings(), SKIP_DEADBAND),
    ],
)
def test_skip_reason(
    decision: Decision, group: GroupSituation, settings: PolicySettings, expected: str | None
) -> None:
    assert skip_reason(decision, group, settings) == expected


@pytest.mark.parametrize(
    ("decision", "group"),
    [
        (_decision(100), _group(level_pct=0.0, below_target=True)),
        (_decision(80), _group(level_pct=0.0)),  # no illuminance sensor: off is too dark
        (_decision(80), _group(level_pct=50.0, below_target=True)),
        (_decision(53), _group(level_pct=50.0, below_target=True)),
    ],
    ids=["switch on dark room", "switch on without lux", "brighten dark room", "small step up"],
)
def test_anti_flicker_never_delays_lighting_a_dark_room(
    decision: Decision, group: GroupSituation
) -> None:
    soon = replace(group, seconds_since_last_change=10.0)
    assert skip_reason(decision, soon, PolicySettings()) is None


@pytest.mark.parametrize(
    ("decision", "group"),
    [
        (_decision(30), _group(level_pct=50.0, below_target=True)),
        (_decision(0), _group(level_pct=50.0, below_target=True)),
        (_decision(0), _group(level_pct=50.0)),
        (_decision(80), _group(level_pct=50.0)),  # brighter although the room is not dark
    ],
    ids=["dimming step", "switch-off of a dark room", "switch-off", "brightening a lit room"],
)
def test_anti_flicker_still_limits_dimming_and_switch_offs(
    decision: Decision, group: GroupSituation
) -> None:
    soon = replace(group, seconds_since_last_change=10.0)
    assert skip_reason(decision, soon, PolicySettings()) == SKIP_ANTI_FLICKER
