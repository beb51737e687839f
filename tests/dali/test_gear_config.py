"""Group configuration and fades: gear memory is written only when a value changes."""

from __future__ import annotations

import pytest
from dali.address import GearGroup, GearShort
from dali.gear import general

from custom_components.smart_lighting_ai.dali import DaliBus, GroupController, scan_bus
from custom_components.smart_lighting_ai.dali.backends.simulated import SimulatedBackend
from custom_components.smart_lighting_ai.dali.conversions import (
    EXTENDED_FADE,
    fade_code,
    fade_seconds,
    transition_code,
)
from custom_components.smart_lighting_ai.dali.gear_config import (
    GearNotAnswering,
    GearWriteFailed,
    complete_inventory,
    configure_group,
    group_settings,
    with_gear,
)
from custom_components.smart_lighting_ai.dali.sim_gear import SimGear

SETTINGS = (general.SetFadeTime, general.SetExtendedFadeTime)


async def _setup(
    gear: list[SimGear] | None = None,
) -> tuple[GroupController, SimulatedBackend, DaliBus]:
    sim = SimulatedBackend(gear)
    bus = DaliBus(sim)
    await bus.connect()
    inventory = await complete_inventory(bus, await scan_bus(bus))
    return GroupController(bus, inventory), sim, bus


def _fade_writes(sim: SimulatedBackend) -> int:
    return sum(isinstance(c, SETTINGS) for c in sim.log)


def test_transition_code_reaches_sixteen_minutes() -> None:
    assert transition_code(2.8) == fade_code(2.8) == 5
    assert transition_code(90) == 15
    assert transition_code(0) == 0
    five_minutes = transition_code(300)
    assert five_minutes & EXTENDED_FADE
    assert fade_seconds(five_minutes) == 300
    assert fade_seconds(transition_code(16 * 60)) == 16 * 60
    assert fade_seconds(transition_code(3600)) == 16 * 60  # the longest there is
    assert fade_seconds(transition_code(150)) == 150  # 15 x 10 s


async def test_group_settings_come_from_the_members() -> None:
    controller, sim, _bus = await _setup()
    settings = group_settings(controller.groups[0])
    assert (settings.power_on_level, settings.system_failure_level, settings.fade) == (254, 254, 0)
    sim.gear[1].power_on_level = 100
    controller2, _sim, _bus2 = await _setup(sim.gear)
    assert group_settings(controller2.groups[0]).power_on_level is None  # members differ


async def test_configuration_writes_only_members_that_differ_and_reads_back() -> None:
    controller, sim, bus = await _setup()
    sim.gear[2].power_on_level = 120
    sim.log.clear()
    updated = await configure_group(bus, controller.groups[0], "power_on_level", 120)
    writes = [c for c in sim.log if isinstance(c, general.SetPowerOnLevel)]
    assert sorted(c.destination.address for c in writes) == [0, 1, 3]  # gear 2 held it already
    assert {g.power_on_level for g in sim.gear[:4]} == {120}
    assert {g.stored.power_on_level for g in updated if g.stored} == {120}
    assert [g.nvm_writes for g in sim.gear[:4]] == [1, 1, 0, 1]
    sim.log.clear()
    await configure_group(bus, controller.groups[0], "power_on_level", 120)
    assert not [c for c in sim.log if isinstance(c, general.SetPowerOnLevel)]  # nothing changed


async def test_a_group_that_differs_everywhere_takes_one_group_frame() -> None:
    controller, sim, bus = await _setup()
    sim.log.clear()
    await configure_group(bus, controller.groups[2], "system_failure_level", 255)
    writes = [c for c in sim.log if isinstance(c, general.SetSystemFailureLevel)]
    assert [type(c.destination) for c in writes] == [GearGroup]
    assert {g.system_failure_level for g in sim.gear[8:12]} == {255}


async def test_extended_fade_is_written_as_fade_time_0_plus_extended_fade() -> None:
    controller, sim, bus = await _setup()
    ten_minutes = transition_code(600)
    updated = await configure_group(bus, controller.groups[1], "fade", ten_minutes)
    assert {(g.fade_time, g.extended_fade) for g in sim.gear[4:8]} == {(0, ten_minutes & 0x7F)}
    controller.set_inventory(with_gear(controller.inventory, updated))
    assert group_settings(controller.groups[1]).fade == ten_minutes
    assert controller.held_fade(1) == ten_minutes
    # back to a standard fade: the extended fade is cleared too, so a later 0 is instant
    sim.log.clear()
    await configure_group(bus, controller.groups[1], "fade", 4)
    assert {(g.fade_time, g.extended_fade) for g in sim.gear[4:8]} == {(4, 0)}
    # a light command with a long transition fades in the gear (extended fade)
    sim.log.clear()
    await controller.apply(3, level=200, fade_code=transition_code(300))
    assert [type(c) for c in sim.log] == [  # the fade time is 0 already
        general.DTR0,
        general.SetExtendedFadeTime,
        general.DAPC,
    ]
    assert {g.extended_fade for g in sim.gear[12:16]} == {transition_code(300) & 0x7F}


async def test_configuration_with_a_silent_member_writes_nothing() -> None:
    controller, sim, bus = await _setup()
    sim.gear[5].responding = False
    sim.log.clear()
    with pytest.raises(GearNotAnswering):
        await configure_group(bus, controller.groups[1], "fade", 6)
    assert _fade_writes(sim) == 0
    with pytest.raises(ValueError, match="unknown"):
        await configure_group(bus, controller.groups[1], "colour", 6)


class _StuckGear(SimGear):
    def receive(self, command):  # type: ignore[no-untyped-def]
        if isinstance(command, general.SetPowerOnLevel):
            return None  # this driver keeps its factory power-on level
        return super().receive(command)


async def test_a_value_that_does_not_stick_is_reported() -> None:
    controller, _sim, bus = await _setup([SimGear(0, {0}), _StuckGear(1, {0})])
    with pytest.raises(GearWriteFailed) as err:
        await configure_group(bus, controller.groups[0], "power_on_level", 90)
    assert err.value.short_address == 1
    assert [g.stored.power_on_level for g in err.value.updated if g.stored] == [90, 254]


async def test_a_day_of_automatic_changes_does_not_rewrite_the_fade_time() -> None:
    """The autopilot switches on at 0.7 s and dims at 2.8 s; people switch without a transition.

    Before, every switch between those fades rewrote the fade time in every member. Now the
    group's fade is written once (the gear held none), and after that automatic changes and
    commands without a transition use what the gear holds.
    """
    controller, sim, _bus = await _setup()
    sim.log.clear()
    on, dim = fade_code(0.7), fade_code(2.8)
    for hour in range(24):
        level = 254 if 7 <= hour < 19 else 80
        await controller.apply(0, level=level, fade_code=on, guard=lambda: True)  # switch on
        await controller.apply(0, level=level - 40, fade_code=dim, guard=lambda: True)  # dim
        if hour in (9, 13, 17):  # a person, no transition: the group's own fade
            await controller.apply(0, level=30)
        if hour in (12, 20):  # a person switches off with transition 0: Off, instant
            await controller.apply(0, level=0, fade_code=0)
    assert _fade_writes(sim) == 1  # the first automatic change: the gear held no fade
    assert {g.fade_time for g in sim.gear[:4]} == {on}
    assert {g.nvm_writes for g in sim.gear[:4]} == {1}
    # a person's explicit transition is honoured (written once, as it differs)
    sim.log.clear()
    await controller.apply(0, level=120, fade_code=fade_code(10))
    await controller.apply(0, level=140, fade_code=fade_code(10))
    assert _fade_writes(sim) == 1
    # a fitting: switching it off with transition 0 needs no write either
    sim.log.clear()
    await controller.apply_gear(controller.inventory.gear[0], level=0, fade_code=0)
    assert [type(c) for c in sim.log] == [general.Off]
    assert isinstance(sim.log[0].destination, GearShort)


def test_fade_frames_write_nothing_for_the_held_fade() -> None:
    from custom_components.smart_lighting_ai.dali.gear_config import fade_frames

    assert list(fade_frames(GearGroup(0), 4, 4)) == []
    assert transition_code(95) == 15  # 90.5 s is nearer than any extended fade


class _HalfDeafGear(SimGear):
    def receive(self, command):  # type: ignore[no-untyped-def]
        if isinstance(command, general.QueryPowerOnLevel):
            return None  # answers scenes, not the power-on level
        return super().receive(command)


async def test_gear_that_answers_only_some_queries_is_not_read() -> None:
    from custom_components.smart_lighting_ai.dali.gear_config import read_stored
    from custom_components.smart_lighting_ai.dali.scenes import group_scenes, store_scene

    gear = [SimGear(0, {0}, actual_level=70), _HalfDeafGear(1, {0}, actual_level=70)]
    sim = SimulatedBackend(gear)
    bus = DaliBus(sim)
    await bus.connect()
    inventory = await complete_inventory(bus, await scan_bus(bus))
    assert [g.stored is None for g in inventory.gear] == [False, True]
    with pytest.raises(GearNotAnswering):
        await read_stored(bus, inventory.gear[1])
    # what the inventory does not know is left as it is; the gear itself is written
    updated = await store_scene(bus, inventory.groups()[0], 6)
    assert updated[1] == inventory.gear[1]
    assert [g.scenes[6] for g in sim.gear] == [70, 70]
    assert group_scenes(inventory.groups()[0]) == {}  # gear 0 was read before the store
    controller = GroupController(bus, inventory)
    changed = await configure_group(bus, controller.groups[0], "fade", 3)
    assert [g.fade_time for g in changed] == [3, 3]
    assert changed[1].stored is None
    with pytest.raises(GearNotAnswering):
        await configure_group(bus, controller.groups[0], "power_on_level", 3)
