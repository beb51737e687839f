"""What a strategy did over a replay: the commands each group's gear received."""

from __future__ import annotations

from dataclasses import dataclass, field

from .physics import LightTimeline


@dataclass(slots=True)
class StrategyRun:
    """The result of one strategy on one day."""

    name: str
    lights: dict[int, LightTimeline] = field(default_factory=dict)
    ai_calls: int = 0
    tokens: int = 0
    through_home_assistant: bool = False
    wall_s: float = 0.0
    """Real time the replay took (s)."""
