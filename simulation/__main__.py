"""Run the scenarios through Home Assistant beside the baselines: ``python -m simulation``.

Prints one table per scenario (median of the seeds) and writes ``docs/simulation_<scenario>.png``
(the first seed) and ``docs/simulation_scores.png``. ``--scenario`` and ``--seeds`` pick a quick
run; ``--jobs`` runs seeds in parallel processes.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .plots import day_figure, scores_figure
from .report import LEGEND, table
from .runner import run_seed
from .scenario import SCENARIOS, build_day
from .scoring import Scores, median_of_seeds

DOCS = Path(__file__).resolve().parent.parent / "docs"
DEFAULT_SEEDS = (1, 2, 3)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m simulation", description=__doc__)
    parser.add_argument(
        "--scenario", choices=sorted(SCENARIOS), action="append", help="default: all"
    )
    parser.add_argument(
        "--seeds", type=int, nargs="+", default=list(DEFAULT_SEEDS), help="default: 1 2 3"
    )
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--docs", type=Path, default=DOCS, help="folder for the PNGs")
    parser.add_argument("--no-plots", action="store_true")
    parser.add_argument("--rooms", action="store_true", help="also print each room's figures")
    return parser.parse_args()


def main() -> None:
    """Simulate, print the tables, write the figures."""
    args = _arguments()
    keys: list[str] = args.scenario or list(SCENARIOS)
    jobs = [(key, seed, seed == args.seeds[0]) for key in keys for seed in args.seeds]
    started = os.times().elapsed
    if args.jobs > 1:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(args.jobs, mp_context=context) as pool:
            results = list(pool.map(run_seed, *zip(*jobs, strict=True)))
    else:
        results = [run_seed(*job) for job in jobs]
    medians: dict[str, dict[str, Scores]] = {}
    written: list[Path] = []
    for key in keys:
        mine = [r for r in results if r.key == key]
        names = list(mine[0].totals)
        medians[key] = {n: median_of_seeds([r.totals[n] for r in mine]) for n in names}
        wall = sorted(r.wall_s for r in mine)[len(mine) // 2]
        print(table(SCENARIOS[key], args.seeds, medians[key], wall))
        if args.rooms and len(SCENARIOS[key].rooms) > 1:
            for room in SCENARIOS[key].rooms:
                print(f"  {room.name}:")
                for name in names:
                    s = median_of_seeds([r.rooms[name][room.group] for r in mine])
                    print(
                        f"    {name:<20} {s.energy_kwh:6.2f} kWh, {s.below_minutes:5.0f} min "
                        f"<90 %, false-offs {s.false_offs}+{s.false_dims}, "
                        f"lit-empty {s.lit_empty_h:.1f} h"
                    )
        print()
        first = next(r for r in mine if r.runs is not None)
        if not args.no_plots and first.runs is not None:
            args.docs.mkdir(parents=True, exist_ok=True)
            day = build_day(SCENARIOS[key], first.seed)
            written.append(day_figure(day, first.runs, args.docs / f"simulation_{key}.png"))
    print(LEGEND)
    _suite_summary(medians)
    if not args.no_plots:
        written.append(scores_figure(medians, args.docs / "simulation_scores.png"))
        print("figures:", ", ".join(str(p) for p in written))
    print(
        f"{len(jobs)} replays ({len(keys)} scenarios x {len(args.seeds)} seeds) in "
        f"{os.times().elapsed - started:.0f} s with {args.jobs} process(es)"
    )


def _suite_summary(medians: dict[str, dict[str, Scores]]) -> None:
    """Energy against always-on averaged over the scenarios, per strategy."""
    names = list(next(iter(medians.values())))
    parts = []
    for name in names:
        ratios = [
            m[name].energy_kwh / m["always on"].energy_kwh
            for m in medians.values()
            if m["always on"].energy_kwh
        ]
        parts.append(f"{name} {sum(ratios) / len(ratios):.2f}x")
    print("suite average energy vs always-on: " + ", ".join(parts))


if __name__ == "__main__":
    main()
