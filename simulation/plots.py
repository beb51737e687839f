"""PNG figures of a simulated day.

Figures are drawn on matplotlib's Agg canvas directly (no pyplot, no display, no global backend
switch).
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import matplotlib.dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from custom_components.smart_lighting_ai.dali.conversions import MAX_ARC_LEVEL

from .scenario import DayData
from .scoring import Scores
from .trace import StrategyRun

DPI = 100
PALETTE = 128
"""The PNGs are reduced to this many colours (a quarter of the size, no visible change)."""
STYLES = {
    "smart (integration)": {"color": "tab:green", "linewidth": 1.6, "zorder": 4},
    "always on": {"color": "tab:gray", "linewidth": 1.0, "linestyle": "--"},
    "occupancy only": {"color": "tab:orange", "linewidth": 1.0},
    "circadian only": {"color": "tab:purple", "linewidth": 1.0, "linestyle": ":"},
}
LUX_HEADROOM = 3.0
"""The lux axis ends at this multiple of the room's target (bright daylight is clipped)."""


def _save(fig: Figure, path: Path) -> None:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    buffer.seek(0)
    with Image.open(buffer) as image:
        palette = image.convert("RGB").quantize(colors=PALETTE, dither=Image.Dither.NONE)
        palette.save(path, format="PNG", optimize=True)


def _local_times(day: DayData) -> list[datetime]:
    zone = day.scenario.zone
    return [m.astimezone(zone).replace(tzinfo=None) for m in day.minutes]


def day_figure(day: DayData, runs: list[StrategyRun], path: Path) -> Path:
    """Desk illuminance and group level per room over the day, one line per strategy."""
    times = _local_times(day)
    scored = day.scored
    rows = len(day.rooms)
    fig = Figure(figsize=(12, 2.3 * rows + 0.8))
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, 2, sharex=True, squeeze=False)
    for row, (group, room) in enumerate(sorted(day.rooms.items())):
        lux_ax, level_ax = axes[row]
        spec = room.spec
        x = times[scored.start :]
        for ax in (lux_ax, level_ax):
            occupied = room.occupied[scored.start :]
            ax.fill_between(
                x,
                0,
                1,
                where=occupied,
                step="post",
                transform=ax.get_xaxis_transform(),
                color="tab:blue",
                alpha=0.08,
                linewidth=0,
                label="occupied" if ax is lux_ax and row == 0 else None,
            )
        daylight = room.daylight[scored.start :]
        lux_ax.plot(x, daylight, color="gold", linewidth=1.0, label="daylight only")
        for run in runs:
            trace = run.rooms[group]
            style = STYLES.get(run.name, {})
            lux_ax.plot(x, trace.lux[scored.start :], label=run.name, **style)
            levels = [level / MAX_ARC_LEVEL * 100 for level in trace.level[scored.start :]]
            level_ax.step(x, levels, where="post", **style)
        lux_ax.axhline(spec.target_lux, color="black", linewidth=0.8, linestyle="-.")
        lux_ax.set_ylim(0, spec.target_lux * LUX_HEADROOM)
        lux_ax.set_ylabel("lx at desk")
        lux_ax.set_title(
            f"group {group}: {spec.name} - target {spec.target_lux:.0f} lx", fontsize=9, loc="left"
        )
        level_ax.set_ylim(-3, 103)
        level_ax.set_ylabel("level %")
        kind = "DT8 tunable white" if spec.tunable_white else "DT6 dimmable"
        level_ax.set_title(f"DALI level (arc / 254), {kind}", fontsize=9, loc="left")
    for ax in axes[-1]:
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))
        ax.xaxis.set_major_locator(mdates.HourLocator(interval=2))
    axes[0][0].legend(loc="upper left", fontsize=7, ncol=2)
    scenario = day.scenario
    fig.suptitle(
        f"{day.sky.capitalize()} sky, {scenario.day.isoformat()} ({scenario.time_zone}): desk "
        f"illuminance (clipped at {LUX_HEADROOM:.0f}x target) and group level per strategy",
        fontsize=10,
    )
    fig.tight_layout()
    _save(fig, path)
    return path


def scores_figure(scores: dict[str, dict[str, Scores]], path: Path) -> Path:
    """Energy and comfort per strategy, one bar per sky."""
    skies = list(scores)
    strategies = list(next(iter(scores.values())))
    panels = (
        ("energy (kWh)", lambda s: s.energy_kwh),
        ("occupied minutes below target", lambda s: s.below_target_minutes),
        ("automatic changes while occupied", lambda s: s.changes_while_occupied),
        ("changes a person would undo", lambda s: s.undone_changes),
    )
    fig = Figure(figsize=(13, 3.6))
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, len(panels))
    width = 0.8 / len(skies)
    colours = {"clear": "tab:cyan", "overcast": "tab:gray"}
    for ax, (title, value) in zip(axes, panels, strict=True):
        for k, sky in enumerate(skies):
            heights = [float(value(scores[sky][name])) for name in strategies]
            positions = [i + (k - (len(skies) - 1) / 2) * width for i in range(len(strategies))]
            bars = ax.bar(positions, heights, width, label=sky, color=colours.get(sky))
            ax.bar_label(bars, fmt="%.3g", fontsize=7)
        ax.set_title(title, fontsize=9)
        ax.set_ylim(bottom=0, top=max(1.0, ax.get_ylim()[1]))
        ax.set_xticks(range(len(strategies)))
        ax.set_xticklabels([s.replace(" (integration)", "") for s in strategies], fontsize=8)
        ax.tick_params(axis="x", rotation=20)
    axes[0].legend(fontsize=8)
    fig.suptitle("Smart Lighting AI against baselines on the same simulated day", fontsize=10)
    fig.tight_layout()
    _save(fig, path)
    return path
