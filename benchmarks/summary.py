"""Headline figures each benchmark hands to ``scripts/bench`` for its combined table.

A benchmark calls :func:`emit` with rows of (figure, ours, baseline, unit); when
``BENCH_SUMMARY`` names a file the rows are appended to it as JSON lines.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

type Row = tuple[str, float, float, str]


def emit(benchmark: str, rows: list[Row]) -> None:
    """Append ``rows`` for ``benchmark`` to the summary file, if one is asked for."""
    target = os.environ.get("BENCH_SUMMARY")
    if not target:
        return
    with Path(target).open("a", encoding="utf-8") as out:
        for figure, ours, baseline, unit in rows:
            out.write(
                json.dumps(
                    {
                        "benchmark": benchmark,
                        "figure": figure,
                        "ours": ours,
                        "baseline": baseline,
                        "unit": unit,
                    }
                )
                + "\n"
            )


def print_table(path: Path) -> None:
    """Print every collected row with its ratio."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    print(f"\n{'benchmark':12} {'figure':52} {'ours':>14} {'baseline':>14} {'ratio':>8}")
    print("-" * 104)
    for row in rows:
        ratio = row["ours"] / row["baseline"] if row["baseline"] else float("nan")
        unit = row["unit"]
        print(
            f"{row['benchmark']:12} {row['figure']:52} {row['ours']:>10.4g} {unit:3} "
            f"{row['baseline']:>10.4g} {unit:3} {ratio:8.3f}"
        )


if __name__ == "__main__":
    import sys

    print_table(Path(sys.argv[1]))
