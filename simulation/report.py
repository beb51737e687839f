"""The printed table of one scenario: every strategy side by side, medians over the seeds."""

from __future__ import annotations

from .scenario import Scenario
from .scoring import Scores

REFERENCE = "always on"
COLUMNS = (
    ("strategy", 20),
    ("energy", 11),
    ("occ. min <90%", 13),
    ("arrive->target s", 16),
    ("unlit", 5),
    ("passes left", 11),
    ("drop->target s", 14),
    ("false-offs", 10),
    ("auto chg", 8),
    ("lit-empty h", 11),
)


def _seconds(median: float | None, worst: float | None) -> str:
    if median is None or worst is None:
        return "-"
    return f"{median:.1f} / {worst:.0f}" if worst >= 10 else f"{median:.1f} / {worst:.1f}"


def _row(cells: list[str]) -> str:
    return " | ".join(
        f"{cell:<{width}}" if i == 0 else f"{cell:>{width}}"
        for i, (cell, (_, width)) in enumerate(zip(cells, COLUMNS, strict=True))
    )


def table(scenario: Scenario, seeds: list[int], scores: dict[str, Scores], wall_s: float) -> str:
    """One row per strategy."""
    reference = scores[REFERENCE].energy_kwh if REFERENCE in scores else 0.0
    rooms = ", ".join(f"{r.name} (group {r.group})" for r in scenario.rooms)
    title = (
        f"{scenario.key}: {scenario.title}\n  {scenario.day.isoformat()} "
        f"{scenario.start:%H:%M}-{scenario.end:%H:%M} {scenario.time_zone}, sky {scenario.sky}; "
        f"{rooms}; median of seeds {', '.join(map(str, seeds))}"
    )
    header = _row([name for name, _ in COLUMNS])
    lines = [title, header, "-" * len(header)]
    for name, row in scores.items():
        ratio = f"{row.energy_kwh / reference:.2f}x" if reference else "-"
        lines.append(
            _row(
                [
                    name,
                    f"{row.energy_kwh:.2f} {ratio}",
                    f"{row.below_minutes:.0f}",
                    _seconds(row.arrival_median_s, row.arrival_worst_s),
                    f"{row.unlit_arrivals}/{row.dark_arrivals - row.passes}",
                    f"{row.passes_left}/{row.passes}",
                    _seconds(row.drop_median_s, row.drop_worst_s),
                    f"{row.false_offs}+{row.false_dims}",
                    str(row.auto_changes),
                    f"{row.lit_empty_h:.1f}",
                ]
            )
        )
    lines.append(f"  (smart strategy replayed through Home Assistant in {wall_s:.0f} s per seed)")
    return "\n".join(lines)


LEGEND = """\
energy: kWh and ratio to always-on. occ. min <90%: minutes in which someone present sat at a
place below 90 % of the target (the worst place of the room), summed over rooms.
arrive->target: seconds from a person's arrival at a place below target until it reaches 90 % of
target (PIR latency, reaction and fade), median / worst; unlit: stays (not passes) never lit /
dark arrivals. passes left: brief passes that ended before the light reached target / dark
passes. drop->target: seconds from a daylight drop (cloud, blinds, dusk) leaving a present
person below target until lit again, median / worst. false-offs: switch-offs + dims below target
while someone was present. auto chg: automatic changes while occupied (switch-ons not counted).
lit-empty h: hours lit with nobody there beyond the vacancy timeout + 2 min."""
