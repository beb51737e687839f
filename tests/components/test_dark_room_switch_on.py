"""Anti-flicker never delays lighting an occupied room that is too dark."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, State
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.smart_lighting_ai.const import DOMAIN

from .common import setup_office

OFFICE = "light.open_office"
OFFICE_MOTION = "binary_sensor.office_motion"


def _state(hass: HomeAssistant, entity_id: str) -> State:
    state = hass.states.get(entity_id)
    assert state is not None
    return state


async def _cycle(hass: HomeAssistant) -> None:
    await hass.services.async_call(DOMAIN, "aggregate_now", {}, blocking=True, return_response=True)
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_coming_back_right_after_a_vacancy_off_lights_the_room_at_once(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await setup_office(hass, freezer)  # occupied and dark
    await _cycle(hass)
    assert _state(hass, OFFICE).state == "on"
    freezer.tick(timedelta(minutes=1))
    hass.states.async_set(OFFICE_MOTION, "off")  # the person leaves ...
    await async_wait_recording_done(hass)
    freezer.tick(timedelta(minutes=15))
    await _cycle(hass)
    assert _state(hass, OFFICE).state == "on"  # ... the vacancy timeout dims as a warning,
    freezer.tick(timedelta(minutes=2))
    await _cycle(hass)
    assert _state(hass, OFFICE).state == "off"  # ... and the grace period ends: off

    freezer.tick(timedelta(seconds=30))  # well inside the 120 s anti-flicker interval
    hass.states.async_set(OFFICE_MOTION, "on")  # and comes back into the dark room
    await async_wait_recording_done(hass)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert _state(hass, OFFICE).state == "on"
