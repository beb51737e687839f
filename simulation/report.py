"""The printed table of one sky."""

from __future__ import annotations

from .scenario import DayData
from .scoring import Scores

COLUMNS = (
    ("strategy", 22),
    ("energy kWh", 10),
    ("vs always-on", 12),
    ("occ. min < target", 17),
    ("auto changes (occ.)", 19),
    ("would undo", 10),
    ("AI calls", 8),
    ("tokens", 7),
)
REFERENCE = "always on"


def table(day: DayData, scores: dict[str, Scores]) -> str:
    """One row per strategy; energy also as a ratio to always-on."""
    scenario = day.scenario
    reference = scores[REFERENCE].energy_kwh
    title = (
        f"{day.sky} sky, {scenario.day.isoformat()} {scenario.start:%H:%M}-{scenario.end:%H:%M} "
        f"({scenario.time_zone}), {len(scenario.rooms)} rooms, seed {scenario.seed}"
    )
    header = " | ".join(
        f"{name:>{width}}" if i else f"{name:<{width}}" for i, (name, width) in enumerate(COLUMNS)
    )
    lines = [title, header, "-" * len(header)]
    for name, row in scores.items():
        cells = (
            name,
            f"{row.energy_kwh:.2f}",
            f"{row.energy_kwh / reference:.2f}x" if reference else "-",
            str(row.below_target_minutes),
            str(row.changes_while_occupied),
            str(row.undone_changes),
            str(row.ai_calls),
            str(row.tokens),
        )
        lines.append(
            " | ".join(
                f"{cell:>{width}}" if i else f"{cell:<{width}}"
                for i, (cell, (_, width)) in enumerate(zip(cells, COLUMNS, strict=True))
            )
        )
    tolerance = round(scenario.comfort_tolerance * 100)
    lines.append(
        f"occ. min < target: minutes someone was in a room while the desk got < {tolerance} % of "
        "its target; auto changes (occ.): level/colour changes with people in the room before "
        f"and after; would undo: of those, drops > {round(scenario.undo_drop * 100)} % leaving "
        "the desk below target."
    )
    return "\n".join(lines)
