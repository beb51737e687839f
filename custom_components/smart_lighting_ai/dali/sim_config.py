"""Scenes and stored configuration of a simulated control gear (IEC 62386-102 ed2).

- Scenes (9.19): 16 scene levels, 255 (MASK) when the gear is not in the scene.
  ``SetScene`` stores DTR0, ``RemoveFromScene`` stores MASK, ``QuerySceneLevel`` answers it and
  ``GoToScene`` goes to it (0 switches off, a level is clamped to min/max, MASK leaves the
  level as it is).
- Power-on level and system-failure level (9.13, 9.12): stored from DTR0 and queried; 255 means
  "the last level" (power on) or "no change" (system failure). :func:`power_cycle` and
  :func:`bus_failure` play them out.
- Extended fade time (9.5.2): DTR0 bits 3-0 are the base (1-16), bits 6-4 the multiplier (0:
  none, 1: 100 ms, 2: 1 s, 3: 10 s, 4: 1 min); a DTR0 above 0x4f stores 0. The extended fade
  applies only while the fade time is 0.
- NVM writes: every configuration command the gear acts on that stores a value in its
  non-volatile memory adds one to the gear's ``nvm_writes``, whether or not the value changed
  (gear that writes its memory on every such command is common, so a test counts what the
  integration asks for, not what a careful driver would skip).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from dali.command import Command
from dali.gear import general

if TYPE_CHECKING:
    from .sim_gear import SimGear

MASK = 0xFF
SCENE_COUNT = 16
EXTENDED_FADE_MAX_DTR = 0x4F

type _Handler = Callable[[SimGear, Command], int | None]

# Commands that write the gear's non-volatile memory when the gear acts on them.
NVM_COMMANDS: tuple[type[Command], ...] = (
    general.SetFadeTime,
    general.SetFadeRate,
    general.SetExtendedFadeTime,
    general.SetMaxLevel,
    general.SetMinLevel,
    general.SetPowerOnLevel,
    general.SetSystemFailureLevel,
    general.SetScene,
    general.RemoveFromScene,
    general.AddToGroup,
    general.RemoveFromGroup,
)


def empty_scenes() -> list[int]:
    """Sixteen scenes the gear is not part of."""
    return [MASK] * SCENE_COUNT


def _go_to_scene(gear: SimGear, command: Command) -> None:
    level = gear.scenes[command.param]
    if level == MASK:
        return
    gear._set_level(level)  # 0 switches off; a level is clamped to min/max


def _set_scene(gear: SimGear, command: Command) -> None:
    gear.scenes[command.param] = gear.dtr0


def _remove_from_scene(gear: SimGear, command: Command) -> None:
    gear.scenes[command.param] = MASK


def _set_extended_fade(gear: SimGear, _command: Command) -> None:
    gear.extended_fade = 0 if gear.dtr0 > EXTENDED_FADE_MAX_DTR else gear.dtr0


def _store(name: str) -> _Handler:
    def handler(gear: SimGear, _command: Command) -> None:
        setattr(gear, name, gear.dtr0)

    return handler


def _answer(name: str) -> _Handler:
    return lambda gear, _command: int(getattr(gear, name))


CONFIG_HANDLERS: dict[type[Command], _Handler] = {
    general.GoToScene: lambda g, c: _go_to_scene(g, c),
    general.SetScene: lambda g, c: _set_scene(g, c),
    general.RemoveFromScene: lambda g, c: _remove_from_scene(g, c),
    general.QuerySceneLevel: lambda g, c: g.scenes[c.param],
    general.SetPowerOnLevel: _store("power_on_level"),
    general.QueryPowerOnLevel: _answer("power_on_level"),
    general.SetSystemFailureLevel: _store("system_failure_level"),
    general.QuerySystemFailureLevel: _answer("system_failure_level"),
    general.SetExtendedFadeTime: lambda g, c: _set_extended_fade(g, c),
    general.QueryExtendedFadeTime: _answer("extended_fade"),
}


def counting_nvm_writes(handlers: dict[type[Command], _Handler]) -> dict[type[Command], _Handler]:
    """``handlers`` with every NVM-storing command counted in the gear's ``nvm_writes``."""

    def counted(handler: _Handler) -> _Handler:
        def run(gear: SimGear, command: Command) -> int | None:
            gear.nvm_writes += 1
            return handler(gear, command)

        return run

    return {
        kind: counted(handler) if issubclass(kind, NVM_COMMANDS) else handler
        for kind, handler in handlers.items()
    }


def extended_fade_seconds(value: int) -> float:
    """The duration of an extended fade time byte (base bits 3-0, multiplier bits 6-4)."""
    multiplier = (value >> 4) & 0x07
    unit = {1: 0.1, 2: 1.0, 3: 10.0, 4: 60.0}.get(multiplier, 0.0)
    return ((value & 0x0F) + 1) * unit


def power_cycle(gear: SimGear) -> None:
    """Mains off and on again: the gear goes to its power-on level (255: its last level)."""
    if gear.power_on_level != MASK:
        gear._set_level(gear.power_on_level)


def bus_failure(gear: SimGear) -> None:
    """The bus lost power: the gear goes to its system-failure level (255: no change)."""
    if gear.system_failure_level != MASK:
        gear._set_level(gear.system_failure_level)
