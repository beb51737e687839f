"""Two hours of the simulated office through the real integration: invariants, not figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta
from itertools import pairwise

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Context, HomeAssistant
from pytest_homeassistant_custom_component.common import MockUser

from simulation.baselines import always_on
from simulation.harness import ManualChange, replay_smart
from simulation.scenario import Scenario, build_day
from simulation.scoring import changed, score

ANTI_FLICKER_S = 600  # longer than a step, so that it binds
OVERRIDE_MINUTES = 45
OFFICE = 0
SCENARIO = replace(Scenario(), start=time(7, 30), end=time(9, 30))


async def test_two_hours_keep_the_invariants(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, hass_admin_user: MockUser
) -> None:
    day = build_day(SCENARIO, "overcast")
    zone = SCENARIO.zone
    local = [m.astimezone(zone) for m in day.minutes]
    turned_off = next(i for i, m in enumerate(local) if (m.hour, m.minute) == (8, 12))
    replay = await replay_smart(
        hass,
        freezer,
        day,
        options={"anti_flicker_seconds": ANTI_FLICKER_S, "override_minutes": OVERRIDE_MINUTES},
        manual=[ManualChange(turned_off, OFFICE, "turn_off")],
        context=Context(user_id=hass_admin_user.id),
    )
    run = replay.run
    office = run.rooms[OFFICE]
    assert office.level[turned_off - 1] > 0, "the office must be lit when the person turns it off"

    # never on while overridden off: dark from the user's turn_off until the override ends
    held = range(turned_off, turned_off + OVERRIDE_MINUTES)
    assert all(office.level[i] == 0 for i in held)
    assert office.manual == {turned_off}

    # no automatic dimming step or switch-off inside the anti-flicker interval (switching on
    # and brightening a dark room are never delayed), on the gear ...
    for group, trace in run.rooms.items():
        automatic = [
            i for i in range(1, len(trace.level)) if i not in trace.manual and changed(trace, i)
        ]
        limited = [
            (earlier, later)
            for earlier, later in pairwise(automatic)
            if trace.level[later] <= trace.level[later - 1]
        ]
        assert all((later - earlier) * 60 >= ANTI_FLICKER_S for earlier, later in limited), (
            group,
            automatic,
        )

    # ... and in the decisions the integration stored
    store = replay.entry.runtime_data.pipeline.store
    assert store is not None
    reasons: set[str | None] = set()
    for group in day.rooms:
        rows = await store.decisions_since(replay.entry.entry_id, group, day.minutes[0])
        assert rows, f"no decision stored for group {group}"
        applied = [r for r in rows if r.applied]
        assert all(
            later.ts - earlier.ts >= timedelta(seconds=ANTI_FLICKER_S)
            for earlier, later in pairwise(applied)
            if later.brightness_pct <= earlier.brightness_pct
        ), (group, [(r.ts, r.brightness_pct) for r in applied])
        reasons |= {r.skip_reason for r in rows}
        if group == OFFICE:
            overridden = [r for r in rows if day.minutes[turned_off] < r.ts < day.minutes[held[-1]]]
            assert overridden
            assert {r.skip_reason for r in overridden} == {"manual override active"}
    assert "anti-flicker interval" in reasons  # the interval did hold a change back

    # less energy than lights always on over the same hours
    smart, _ = score(day, run)
    reference, _ = score(day, always_on(day))
    assert smart.energy_kwh < reference.energy_kwh
    assert (smart.ai_calls, smart.tokens) == (0, 0)
