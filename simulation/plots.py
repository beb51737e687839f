"""PNG figures of the simulated days.

Figures are drawn on matplotlib's Agg canvas directly (no pyplot, no display, no global backend
switch) and reduced to a palette.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import matplotlib.dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from .physics import MAX_ARC
from .scenario import DayData
from .scoring import Scores
from .trace import StrategyRun

DPI = 100
PALETTE = 128
PLOT_STEP_S = 20.0
STYLES: dict[str, dict[str, object]] = {
    "smart (integration)": {"color": "tab:green", "linewidth": 1.4, "zorder": 4},
    "always on": {"color": "tab:gray", "linewidth": 0.9, "linestyle": "--"},
    "occupancy only": {"color": "tab:orange", "linewidth": 0.9},
    "circadian only": {"color": "tab:purple", "linewidth": 0.9, "linestyle": ":"},
    "always on, trimmed": {"color": "tab:blue", "linewidth": 0.9, "linestyle": "-."},
}
SHOWN = ("smart (integration)", "occupancy only", "always on, trimmed")
LUX_HEADROOM = 3.0


def _save(fig: Figure, path: Path) -> None:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    buffer.seek(0)
    with Image.open(buffer) as image:
        palette = image.convert("RGB").quantize(colors=PALETTE, dither=Image.Dither.NONE)
        palette.save(path, format="PNG", optimize=True)


def day_figure(day: DayData, runs: list[StrategyRun], path: Path) -> Path:
    """Per room: light at its darkest place, daylight at each place, and the group's level."""
    zone = day.scenario.zone
    times: list[float] = []
    t = day.scored_from
    while t < day.end:
        times.append(t)
        t += PLOT_STEP_S
    x: list[datetime] = [day.utc(s).astimezone(zone).replace(tzinfo=None) for s in times]
    rows = len(day.rooms)
    fig = Figure(figsize=(13, 2.5 * rows + 0.9))
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, 2, sharex=True, squeeze=False)
    for row, (group, room) in enumerate(sorted(day.rooms.items())):
        lux_ax, level_ax = axes[row]
        spec = room.spec
        darkest = min(range(len(spec.places)), key=lambda p: sum(room.daylight[p]))
        occupied = [any(s.start <= t < s.end for s in room.stays) for t in times]
        for ax in (lux_ax, level_ax):
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
        for p in range(len(spec.places)):
            lux_ax.plot(
                x,
                [room.daylight[p][min(day.index(t), day.samples - 1)] for t in times],
                color="gold",
                linewidth=0.7 if p != darkest else 1.1,
                alpha=0.6 if p != darkest else 1.0,
                label=("daylight at each place" if p == 0 and row == 0 else None),
            )
        place = spec.places[darkest]
        for run in runs:
            if run.name not in SHOWN:
                continue
            light = run.lights[group]
            style = STYLES.get(run.name, {})
            lux = [
                room.daylight[darkest][min(day.index(t), day.samples - 1)]
                + place.lamp_lux_at_full * light.output_at(t)
                for t in times
            ]
            lux_ax.plot(x, lux, label=f"{run.name}" if row == 0 else None, **style)
        for run in runs:
            light = run.lights[group]
            style = STYLES.get(run.name, {})
            level_ax.plot(x, [light.arc_at(t) / MAX_ARC * 100 for t in times], **style)
        lux_ax.axhline(spec.target_lux, color="black", linewidth=0.8, linestyle="-.")
        lux_ax.set_ylim(0, spec.target_lux * LUX_HEADROOM)
        lux_ax.set_ylabel("lx")
        lux_ax.set_title(
            f"group {group}: {spec.name} - lx at {place.name} (darkest), target "
            f"{spec.target_lux:.0f} lx",
            fontsize=8,
            loc="left",
        )
        level_ax.set_ylim(-3, 103)
        level_ax.set_ylabel("arc level %")
        level_ax.set_title("DALI level per strategy (arc / 254)", fontsize=8, loc="left")
    for ax in axes[-1]:
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))
        ax.xaxis.set_major_locator(mdates.HourLocator(interval=2))
    handles, labels = axes[0][0].get_legend_handles_labels()
    for run in runs:
        if run.name not in SHOWN:
            handles.append(axes[0][0].plot([], [], **STYLES.get(run.name, {}))[0])
            labels.append(f"{run.name} (level only)")
    axes[0][0].legend(handles, labels, loc="upper left", fontsize=6, ncol=2)
    fig.suptitle(
        f"{day.scenario.title} - seed {day.seed} (lux clipped at {LUX_HEADROOM:.0f}x target)",
        fontsize=10,
    )
    fig.tight_layout()
    _save(fig, path)
    return path


def scores_figure(scores: dict[str, dict[str, Scores]], path: Path) -> Path:
    """Energy against always-on and occupied minutes below target, per scenario and strategy."""
    scenarios = list(scores)
    strategies = list(next(iter(scores.values())))
    fig = Figure(figsize=(13, 4.2))
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, 3)
    width = 0.8 / len(strategies)
    panels = (
        ("energy vs always-on", lambda s, ref: s.energy_kwh / ref if ref else 0.0),
        ("occupied minutes below 90 % of target", lambda s, _ref: s.below_minutes),
        ("false-offs (offs + dims below target)", lambda s, _ref: float(s.false_total)),
    )
    for ax, (title, value) in zip(axes, panels, strict=True):
        for k, name in enumerate(strategies):
            heights = [
                value(scores[sc][name], scores[sc]["always on"].energy_kwh) for sc in scenarios
            ]
            positions = [i + (k - (len(strategies) - 1) / 2) * width for i in range(len(scenarios))]
            color = STYLES.get(name, {}).get("color")
            ax.bar(positions, heights, width, label=name, color=color)
        ax.set_title(title, fontsize=9)
        ax.set_xticks(range(len(scenarios)))
        ax.set_xticklabels(scenarios, fontsize=7, rotation=20)
    axes[0].legend(fontsize=7)
    fig.suptitle("Smart Lighting AI against baselines, median of seeds per scenario", fontsize=10)
    fig.tight_layout()
    _save(fig, path)
    return path
