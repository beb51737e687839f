"""One scenario on one seed: the smart strategy through Home Assistant, the baselines, scores.

A module of its own so that ``python -m simulation --jobs N`` can run it in worker processes.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from .baselines import BASELINES
from .harness import headless_home_assistant, replay_smart
from .scenario import SCENARIOS, build_day
from .scoring import Scores, score
from .trace import StrategyRun


@dataclass(slots=True)
class SeedResult:
    """One scenario on one seed."""

    key: str
    seed: int
    totals: dict[str, Scores]
    rooms: dict[str, dict[int, Scores]]
    wall_s: float
    runs: list[StrategyRun] | None
    stops: int


async def _smart(key: str, seed: int) -> tuple[StrategyRun, int]:
    day = build_day(SCENARIOS[key], seed)
    async with headless_home_assistant(day.utc(0)) as (hass, clock):
        replay = await replay_smart(hass, clock, day)
    return replay.run, replay.stops


def run_seed(key: str, seed: int, keep_runs: bool) -> SeedResult:
    """Replay ``key`` on ``seed`` through Home Assistant, run the baselines, score them all."""
    logging.basicConfig(level=logging.CRITICAL)
    logging.getLogger("homeassistant").setLevel(logging.CRITICAL)
    logging.getLogger("custom_components").setLevel(logging.CRITICAL)
    day = build_day(SCENARIOS[key], seed)
    smart, stops = asyncio.run(_smart(key, seed))
    runs = [smart, *(baseline(day) for baseline in BASELINES)]
    totals: dict[str, Scores] = {}
    rooms: dict[str, dict[int, Scores]] = {}
    for run in runs:
        totals[run.name], rooms[run.name] = score(day, run)
    return SeedResult(key, seed, totals, rooms, smart.wall_s, runs if keep_runs else None, stops)
