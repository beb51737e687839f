"""A damaged profile key or profile row never takes the lights down, and loses nothing."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.smart_lighting_ai.const import DOMAIN
from custom_components.smart_lighting_ai.predictor import GroupLimits
from custom_components.smart_lighting_ai.store import ProfileCipher

from .common import runtime, setup_office

OFFICE = "light.open_office"  # group 0
CORRIDOR = "light.corridor"  # group 2
BROKEN_KEY = "this-is-not-a-fernet-key"


@pytest.fixture
async def office(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> MockConfigEntry:
    return await setup_office(hass, freezer)


async def _call(hass: HomeAssistant, action: str, data: dict[str, Any] | None = None) -> Any:
    return await hass.services.async_call(
        DOMAIN, action, data or {}, blocking=True, return_response=action != "set_profile"
    )


def _rows(hass: HomeAssistant) -> list[tuple[int, Any]]:
    """Every stored profile row as SQLite holds it, read beside the integration."""
    conn = sqlite3.connect(hass.config.path("smart_lighting_ai.db"))
    try:
        return conn.execute(
            "SELECT group_id, ciphertext FROM profiles ORDER BY group_id"
        ).fetchall()
    finally:
        conn.close()


def _raw(hass: HomeAssistant, sql: str) -> None:
    conn = sqlite3.connect(hass.config.path("smart_lighting_ai.db"))
    try:
        with conn:
            conn.execute(sql)
    finally:
        conn.close()


def _issue(hass: HomeAssistant, kind: str, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"{kind}_{entry.entry_id}")


async def _lights_answer(hass: HomeAssistant, entity_ids: list[str]) -> None:
    for entity_id in entity_ids:
        await hass.services.async_call(
            "light", "turn_on", {"entity_id": entity_id, "brightness": 128}, blocking=True
        )
        state = hass.states.get(entity_id)
        assert state is not None, entity_id
        assert state.state == "on", entity_id


async def _set_keys(hass: HomeAssistant, entry: MockConfigEntry, keys: Any) -> None:
    hass.config_entries.async_update_entry(entry, data={**entry.data, "fernet_keys": keys})
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()


async def _fix(hass: HomeAssistant, client_factory: ClientSessionGenerator, issue_id: str) -> Any:
    """Go through the issue's fix flow as a user in Settings -> Repairs; return its first step."""
    assert await async_setup_component(hass, "repairs", {})
    client = await client_factory()
    response = await client.post(
        "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue_id}
    )
    flow = await response.json()
    response = await client.post(f"/api/repairs/issues/fix/{flow['flow_id']}", json={})
    assert (await response.json())["type"] == "create_entry"
    return flow


@pytest.mark.parametrize("keys", [[BROKEN_KEY], BROKEN_KEY, 42])
async def test_malformed_key_keeps_the_lights_and_raises_a_repair(
    hass: HomeAssistant, entry: MockConfigEntry, caplog: pytest.LogCaptureFixture, keys: Any
) -> None:
    hass.config_entries.async_update_entry(entry, data={**entry.data, "fernet_keys": keys})
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED
    await _lights_answer(hass, [f"light.dali_group_{n}" for n in range(4)])
    issue = _issue(hass, "invalid_profile_key", entry)
    assert issue is not None
    assert issue.is_fixable
    assert BROKEN_KEY not in caplog.text
    assert "not a valid Fernet key" in caplog.text
    # nothing can be encrypted with it: a profile is refused, with the reason
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "set_profile", {"entity_id": "light.dali_group_0", "target_lux": 300})
    assert err.value.translation_key == "invalid_profile_key"
    # no profile depends on the broken key, so rotating it simply replaces it
    assert await _call(hass, "rotate_key") == {"profiles_rotated": 0}
    [key] = entry.data["fernet_keys"]
    ProfileCipher([key])  # a valid key now
    assert _issue(hass, "invalid_profile_key", entry) is None
    await _call(hass, "set_profile", {"entity_id": "light.dali_group_0", "target_lux": 300})
    assert runtime(entry).profiles.has_profile(0)


async def test_malformed_key_over_stored_profiles_loses_nothing(
    hass: HomeAssistant, office: MockConfigEntry
) -> None:
    await _call(hass, "set_profile", {"entity_id": OFFICE, "max_brightness_pct": 20})
    await _call(hass, "set_profile", {"entity_id": CORRIDOR, "target_lux": 150})
    good_keys = list(office.data["fernet_keys"])
    stored = _rows(hass)
    assert [group for group, _ in stored] == [0, 2]

    await _set_keys(hass, office, [good_keys[0][:-3]])  # a key damaged by hand editing

    assert office.state is ConfigEntryState.LOADED
    await _lights_answer(hass, [OFFICE, CORRIDOR])
    issue = _issue(hass, "invalid_profile_key", office)
    assert issue is not None
    assert issue.translation_placeholders == {"title": office.title, "count": "2"}
    assert _issue(hass, "undecryptable_profiles", office) is None  # one issue, one cause
    profiles = runtime(office).profiles
    assert not profiles.has_profile(0)  # defaults for now
    await _call(hass, "aggregate_now")
    decision = hass.states.get("sensor.open_office_last_decision")
    assert decision is not None
    assert float(decision.state) > 20
    # neither a new profile, nor learning, nor a rotation touches the rows
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "set_profile", {"entity_id": OFFICE, "target_lux": 500})
    assert err.value.translation_key == "invalid_profile_key"
    await profiles.async_learn(0, 80, 40, GroupLimits())
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "rotate_key")
    assert err.value.translation_key == "undecryptable_profiles"
    assert _rows(hass) == stored
    assert office.data["fernet_keys"] == [good_keys[0][:-3]]  # kept for the user to mend

    await _set_keys(hass, office, good_keys)  # the right key is back (e.g. from a backup)

    profiles = runtime(office).profiles
    assert runtime(office).profiles.limits(0, GroupLimits()).max_brightness_pct == 20
    assert profiles.has_profile(2)
    assert _issue(hass, "invalid_profile_key", office) is None


async def test_fix_flow_replaces_an_invalid_key(
    hass: HomeAssistant, office: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    await _call(hass, "set_profile", {"entity_id": OFFICE, "max_brightness_pct": 20})
    await _set_keys(hass, office, [BROKEN_KEY])
    issue = _issue(hass, "invalid_profile_key", office)
    assert issue is not None

    flow = await _fix(hass, hass_client, issue.issue_id)

    assert flow["step_id"] == "confirm"
    assert flow["description_placeholders"]["count"] == "1"
    assert _issue(hass, "invalid_profile_key", office) is None
    assert _rows(hass) == []
    [key] = office.data["fernet_keys"]
    assert key != BROKEN_KEY
    await _call(hass, "set_profile", {"entity_id": OFFICE, "target_lux": 300})
    [(_, token)] = _rows(hass)
    assert ProfileCipher([key]).decrypt(token)["target_lux"] == 300


async def test_text_row_is_skipped_with_a_repair_and_kept(
    hass: HomeAssistant, office: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    await _call(hass, "set_profile", {"entity_id": OFFICE, "max_brightness_pct": 20})
    await _call(hass, "set_profile", {"entity_id": CORRIDOR, "target_lux": 150})
    _raw(hass, "UPDATE profiles SET ciphertext = 'written by another tool' WHERE group_id = 0")

    assert await hass.config_entries.async_reload(office.entry_id)
    await hass.async_block_till_done()

    assert office.state is ConfigEntryState.LOADED
    await _lights_answer(hass, [OFFICE, CORRIDOR])
    profiles = runtime(office).profiles
    assert profiles.undecryptable == {0}
    assert profiles.has_profile(2)  # one bad row costs only its own group
    assert "Profile of group 0 could not be read" in caplog.text
    assert "written by another tool" not in caplog.text
    issue = _issue(hass, "undecryptable_profiles", office)
    assert issue is not None
    assert issue.translation_placeholders == {"title": office.title, "groups": "0"}
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "set_profile", {"entity_id": OFFICE, "target_lux": 500})
    assert err.value.translation_key == "profile_unreadable"
    await profiles.async_learn(0, 80, 40, GroupLimits())
    assert _rows(hass)[0] == (0, "written by another tool")  # only the purge deletes it


async def test_token_stored_as_text_is_read(hass: HomeAssistant, office: MockConfigEntry) -> None:
    await _call(hass, "set_profile", {"entity_id": OFFICE, "max_brightness_pct": 20})
    _raw(hass, "UPDATE profiles SET ciphertext = CAST(ciphertext AS TEXT)")

    assert await hass.config_entries.async_reload(office.entry_id)
    await hass.async_block_till_done()

    assert runtime(office).profiles.limits(0, GroupLimits()).max_brightness_pct == 20
    assert _issue(hass, "undecryptable_profiles", office) is None
