"""Run the simulated office day on both skies: ``python -m simulation [--help]``.

Prints one table per sky and writes ``docs/simulation_clear.png``,
``docs/simulation_overcast.png`` and ``docs/simulation_scores.png``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
from dataclasses import replace
from datetime import date, datetime
from datetime import time as clock_time
from pathlib import Path

from .baselines import BASELINES
from .harness import headless_home_assistant, replay_smart
from .plots import day_figure, scores_figure
from .report import table
from .scenario import SKIES, DayData, Scenario, Sky, build_day
from .scoring import Scores, comfort_detail, score
from .trace import StrategyRun

DOCS = Path(__file__).resolve().parent.parent / "docs"


async def simulate(day: DayData) -> list[StrategyRun]:
    """The smart strategy through Home Assistant, then the baselines, on ``day``."""
    async with headless_home_assistant(day.minutes[0]) as (hass, clock):
        replay = await replay_smart(hass, clock, day)
    return [replay.run, *(baseline(day) for baseline in BASELINES)]


def _time(text: str) -> clock_time:
    return datetime.strptime(text, "%H:%M").time()


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m simulation", description=__doc__)
    default = Scenario()
    parser.add_argument("--date", type=date.fromisoformat, default=default.day)
    parser.add_argument("--start", type=_time, default=default.start, help="local HH:MM")
    parser.add_argument("--end", type=_time, default=default.end, help="local HH:MM")
    parser.add_argument("--seed", type=int, default=default.seed)
    parser.add_argument("--sky", choices=SKIES, action="append", help="default: both")
    parser.add_argument("--docs", type=Path, default=DOCS, help="folder for the PNGs")
    parser.add_argument("--no-plots", action="store_true")
    return parser.parse_args()


def main() -> None:
    """Simulate, print the tables, write the figures."""
    args = _arguments()
    logging.basicConfig(level=logging.ERROR)
    scenario = replace(Scenario(), day=args.date, start=args.start, end=args.end, seed=args.seed)
    skies: list[Sky] = args.sky or list(SKIES)
    all_scores: dict[str, dict[str, Scores]] = {}
    written: list[Path] = []
    for sky in skies:
        day = build_day(scenario, sky)
        started = time.perf_counter()
        runs = asyncio.run(simulate(day))
        elapsed = time.perf_counter() - started
        all_scores[sky] = {run.name: score(day, run)[0] for run in runs}
        print(table(day, all_scores[sky]))
        for run in runs[:1]:
            detail = comfort_detail(day, run)
            print(
                f"{run.name}: below target {detail.below_while_off} min with the group off, "
                f"{detail.below_while_on} min with it on; {detail.arrivals_left_in_the_dark} of "
                f"{detail.dark_arrivals} arrivals into a room darker than target found the lights "
                f"off (longest wait {detail.longest_wait} min)"
            )
        print(
            f"({len(day.minutes)} minutes replayed through Home Assistant in {elapsed:.1f} s, "
            f"{scenario.warmup_minutes} of them warm-up)\n"
        )
        if not args.no_plots:
            args.docs.mkdir(parents=True, exist_ok=True)
            written.append(day_figure(day, runs, args.docs / f"simulation_{sky}.png"))
    if not args.no_plots:
        written.append(scores_figure(all_scores, args.docs / "simulation_scores.png"))
        print("figures:", ", ".join(str(p) for p in written))


if __name__ == "__main__":
    main()
