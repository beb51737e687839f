"""DALI scenes of a group: which ones its members store, recalling one, storing one.

A recall is one group-addressed ``GoToScene`` frame, whatever the number of members. Storing
reads every member's level first and writes nothing unless all of them answered; each member
is written only where its stored scene level differs (gear memory wears out), then read back.
Which scenes a gear stores comes from the inventory (``GearInfo.stored``, read once, see
:mod:`.gear_config`), so showing the scenes costs no frames.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import replace
from typing import Any

from dali.address import GearGroup, GearShort
from dali.gear.general import DTR0, GoToScene, QueryActualLevel, QuerySceneLevel, SetScene

from .bus import DaliBus
from .gear_config import MASK, SCENE_COUNT, GearNotAnswering, GearWriteFailed
from .inventory import GearInfo, GroupInfo

RECALL_PRIORITY = 2  # like a person's light command
STORE_PRIORITY = 3


def check_scene(scene: int) -> None:
    """Raise ``ValueError`` unless ``scene`` is a DALI scene number (0-15)."""
    if not 0 <= scene < SCENE_COUNT:
        raise ValueError(f"DALI scene {scene} is not in 0-15")


def group_scenes(info: GroupInfo) -> dict[int, dict[int, int]]:
    """The scenes any member of ``info`` stores: scene -> {short address: level}."""
    scenes: dict[int, dict[int, int]] = {}
    for gear in info.members:
        if gear.stored is None:
            continue
        for scene, level in enumerate(gear.stored.scenes):
            if level != MASK:
                scenes.setdefault(scene, {})[gear.short_address] = level
    return dict(sorted(scenes.items()))


async def recall_scene(bus: DaliBus, group: int, scene: int) -> None:
    """Recall ``scene`` in ``group``: one group-addressed GoToScene frame."""
    check_scene(scene)
    await bus.send(GoToScene(GearGroup(group), scene), priority=RECALL_PRIORITY)


def _level(response: Any) -> int | None:
    raw = None if response is None else response.raw_value
    return None if raw is None or raw.error else int(raw.as_integer)


def _store(info: GroupInfo, scene: int) -> Generator[Any, Any, dict[int, tuple[int, int | None]]]:
    """Read every member's level (and scene level), then write the ones that differ."""
    wanted: dict[int, tuple[int, int]] = {}
    for gear in info.members:
        short = GearShort(gear.short_address)
        level = _level((yield QueryActualLevel(short)))
        stored = _level((yield QuerySceneLevel(short, scene)))
        if level is None or level == MASK or stored is None:
            raise GearNotAnswering(gear.short_address)
        wanted[gear.short_address] = (level, stored)
    result: dict[int, tuple[int, int | None]] = {}
    for address, (level, stored) in wanted.items():
        if stored == level:
            result[address] = (level, stored)
            continue
        short = GearShort(address)
        yield DTR0(level)
        yield SetScene(short, scene)
        result[address] = (level, _level((yield QuerySceneLevel(short, scene))))
    return result


async def store_scene(bus: DaliBus, info: GroupInfo, scene: int) -> list[GearInfo]:
    """Store each member's present level into ``scene``; return the members as they are now.

    A member that does not answer stops it before anything is written
    (:class:`.GearNotAnswering`); one whose scene level reads back wrong raises
    :class:`.GearWriteFailed` (the others are written).
    """
    check_scene(scene)
    result = await bus.send(_store(info, scene), priority=STORE_PRIORITY)
    updated = []
    for gear in info.members:
        _level_now, stored = result[gear.short_address]
        updated.append(_with_scene(gear, scene, stored))
    wrong = [a for a, (level, stored) in result.items() if stored != level]
    if wrong:
        raise GearWriteFailed(wrong[0], f"scene {scene}", updated)
    return updated


def _with_scene(gear: GearInfo, scene: int, level: int | None) -> GearInfo:
    if gear.stored is None or level is None:
        return gear
    scenes = list(gear.stored.scenes)
    scenes[scene] = level
    return replace(gear, stored=replace(gear.stored, scenes=tuple(scenes)))
