"""A short replay through the real integration: invariants, not the figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import time

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant

from simulation.harness import replay_smart
from simulation.scenario import CORRIDOR, build_day
from simulation.scoring import TOLERANCE, score_room

# the corridor's first hour: quiet, then a pass every few minutes; the lamps alone light it
SCENARIO = replace(CORRIDOR, start=time(7, 0), end=time(7, 50), warmup_s=120.0)
GROUP = 2
ARRIVAL_LIMIT_S = 5.0
"""PIR latency (up to 1.2 s) plus the 2.8 s automatic fade, with a little slack."""


def _motion_on(motion: list[tuple[float, bool]], t: float) -> bool:
    state = False
    for when, on in motion:
        if when > t:
            break
        state = on
    return state


async def test_short_corridor_morning_keeps_the_invariants(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    day = build_day(SCENARIO, 1)
    replay = await replay_smart(hass, freezer, day)
    room = day.rooms[GROUP]
    light = replay.run.lights[GROUP]
    assert replay.sensors.motion[GROUP], "people passed"
    assert light.commands, "the corridor was lit for them"

    # never switched on with nobody there and the motion sensor off
    for command in light.commands:
        if command.start_arc == 0 and command.arc > 0:
            someone = any(s.start <= command.t < s.end for s in room.stays)
            assert someone or _motion_on(room.motion, command.t), command

    # nobody waits in the dark: every pass into a dark corridor is lit within seconds
    scores = score_room(day, GROUP, light)
    assert scores.dark_arrivals > 0
    assert scores.passes_left == 0
    assert scores.arrival_worst_s is not None
    assert scores.arrival_worst_s <= ARRIVAL_LIMIT_S
    threshold = TOLERANCE * room.spec.target_lux
    assert threshold == 90.0

    # the replay stopped around events, not once a minute: sub-minute time
    assert replay.stops > day.end / 60
