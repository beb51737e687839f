"""Operations: encrypted profiles and key rotation, health endpoint, telemetry, repairs, limits."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError, Unauthorized
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.smart_lighting_ai.const import DOMAIN
from custom_components.smart_lighting_ai.store import ProfileCipher
from custom_components.smart_lighting_ai.system_health import system_health_info

from ..fake_openai import API_KEY, FakeOpenAI, api_error
from .common import OFFICE_START, ROOMS_OPTIONS, runtime, setup_office, simulator

START = OFFICE_START
OFFICE = "light.open_office"
SECRET_LUX = 437.25  # a profile value that must never appear in plain text anywhere


@pytest.fixture
async def office(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> MockConfigEntry:
    return await setup_office(hass, freezer)


async def _call(
    hass: HomeAssistant, action: str, data: dict[str, Any] | None = None, **kw: Any
) -> Any:
    return await hass.services.async_call(
        DOMAIN, action, data or {}, blocking=True, return_response=kw.pop("response", False), **kw
    )


async def _set_profile(hass: HomeAssistant, **values: Any) -> None:
    await _call(hass, "set_profile", {"entity_id": OFFICE, **values})


def _raw_profiles(hass: HomeAssistant) -> list[bytes]:
    with sqlite3.connect(hass.config.path("smart_lighting_ai.db")) as conn:
        return [bytes(r[0]) for r in conn.execute("SELECT ciphertext FROM profiles")]


async def test_profile_is_encrypted_and_bounds_the_predictor(
    hass: HomeAssistant, office: MockConfigEntry, hass_read_only_user: MockUser
) -> None:
    with pytest.raises(Unauthorized):
        await _call(
            hass,
            "set_profile",
            {"entity_id": OFFICE, "max_brightness_pct": 50},
            context=Context(user_id=hass_read_only_user.id),
        )
    await _set_profile(hass, max_brightness_pct=50, target_lux=SECRET_LUX, max_kelvin=3500)
    [token] = _raw_profiles(hass)
    assert b"target_lux" not in token
    assert str(SECRET_LUX).encode() not in token
    key = office.data["fernet_keys"][0]
    assert ProfileCipher([key]).decrypt(token)["target_lux"] == SECRET_LUX
    await _call(hass, "aggregate_now", response=True)
    decision = hass.states.get("sensor.open_office_last_decision")
    assert 0 < float(decision.state) <= 50
    assert decision.attributes["color_temp_kelvin"] <= 3500
    # a partial update keeps the rest; an inconsistent one is refused and changes nothing
    await _set_profile(hass, min_brightness_pct=10)
    with pytest.raises(ServiceValidationError) as err:
        await _set_profile(hass, min_brightness_pct=80)
    assert err.value.translation_key == "profile_brightness_range"
    assert (
        runtime(office).profiles.limits(0, runtime(office).autopilot.limits(1)).max_brightness_pct
        == 50
    )


async def test_rotate_key_loses_nothing_even_with_a_write_during_it(
    hass: HomeAssistant, office: MockConfigEntry
) -> None:
    await _set_profile(hass, target_lux=300)
    old_key = office.data["fernet_keys"][0]
    rotation = hass.async_create_task(_call(hass, "rotate_key", response=True))
    write = hass.async_create_task(
        _call(hass, "set_profile", {"entity_id": "light.corridor", "target_lux": 150})
    )
    result, _ = await asyncio.gather(rotation, write)
    assert result == {"profiles_rotated": 1}
    [new_key] = office.data["fernet_keys"]
    assert new_key != old_key
    assert await hass.config_entries.async_reload(office.entry_id)  # nothing depends on memory
    profiles = runtime(office).profiles
    assert not profiles.undecryptable
    assert profiles.has_profile(0)
    assert profiles.has_profile(2)
    for token in _raw_profiles(hass):
        ProfileCipher([new_key]).decrypt(token)  # every row is under the new key only


async def test_wrong_key_gives_a_fixable_repair_and_defaults(
    hass: HomeAssistant,
    office: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await _set_profile(hass, max_brightness_pct=20)
    hass.config_entries.async_update_entry(
        office, data={**office.data, "fernet_keys": [ProfileCipher.generate_key()]}
    )
    assert await hass.config_entries.async_reload(office.entry_id)
    assert "cannot be decrypted" in caplog.text
    assert office.data["fernet_keys"][0] not in caplog.text
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"undecryptable_profiles_{office.entry_id}")
    assert issue is not None
    assert issue.is_fixable
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "rotate_key", response=True)
    assert err.value.translation_key == "undecryptable_profiles"
    await _call(hass, "aggregate_now", response=True)  # runs on defaults, not 20 %
    assert float(hass.states.get("sensor.open_office_last_decision").state) > 20

    assert await async_setup_component(hass, "repairs", {})
    client = await hass_client()
    response = await client.post(
        "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue.issue_id}
    )
    flow = await response.json()
    assert flow["step_id"] == "confirm"
    # the step's text names the groups (an issue with a fix flow shows no text of its own)
    assert flow["description_placeholders"]["groups"] == issue.translation_placeholders["groups"]
    response = await client.post(f"/api/repairs/issues/fix/{flow['flow_id']}", json={})
    assert (await response.json())["type"] == "create_entry"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue.issue_id) is None
    assert _raw_profiles(hass) == []


async def test_corrupted_profile_row(hass: HomeAssistant, office: MockConfigEntry) -> None:
    await _set_profile(hass, target_lux=300)
    with sqlite3.connect(hass.config.path("smart_lighting_ai.db")) as conn:
        conn.execute("UPDATE profiles SET ciphertext = ?", (b"gAAAAA-not-a-token",))
    assert await hass.config_entries.async_reload(office.entry_id)
    assert runtime(office).profiles.undecryptable == {0}


async def test_health_endpoint_needs_authentication(
    hass: HomeAssistant,
    office: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    anonymous = await hass_client_no_auth()
    assert (await anonymous.get("/api/smart_lighting_ai/health")).status == 401
    client = await hass_client()
    response = await client.get("/api/smart_lighting_ai/health")
    assert response.status == 200
    body = await response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["scheduler"] == "running"
    assert body["dali"]["connected"] is True
    assert body["dali"]["interface"] == "simulated"
    assert body["dali"]["gear"] == 19
    simulator(office).unplug()
    body = await (await client.get("/api/smart_lighting_ai/health")).json()
    assert body["status"] == "error"
    other = MockConfigEntry(domain=DOMAIN, data={"bus_type": "simulated"}, unique_id="other")
    other.add_to_hass(hass)
    assert await hass.config_entries.async_setup(other.entry_id)
    body = await (await client.get("/api/smart_lighting_ai/health")).json()
    assert body["status"] == "error"
    assert set(body["entries"]) == {office.entry_id, other.entry_id}
    body = await (
        await client.get(f"/api/smart_lighting_ai/health?config_entry_id={other.entry_id}")
    ).json()
    assert body["status"] == "ok"
    response = await client.get("/api/smart_lighting_ai/health?config_entry_id=nope")
    assert response.status == 404


async def test_binary_sensors_and_system_health(
    hass: HomeAssistant, office: MockConfigEntry
) -> None:
    assert hass.states.get("binary_sensor.mock_title_interface").state == "on"
    assert hass.states.get("binary_sensor.mock_title_scheduler").state == "on"
    assert hass.states.get("binary_sensor.mock_title_database_problem").state == "off"
    info = await system_health_info(hass)
    assert info == {
        "interface": "Simulated bus",
        "connected": "Connected",
        "gear": "19 control gear",
        "database": "OK",
        "scheduler": "Running",
    }
    simulator(office).unplug()
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.mock_title_interface").state == "off"


async def test_bus_disconnected_for_minutes_raises_a_repair(
    hass: HomeAssistant, office: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    issue_id = f"bus_disconnected_{office.entry_id}"
    simulator(office).unplug()
    freezer.tick(timedelta(minutes=2))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None  # a short blip is fine
    freezer.tick(timedelta(minutes=2))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    runtime(office).bus._backend_connection_changed(True)  # the interface came back
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_unhealthy_database_raises_a_repair(
    hass: HomeAssistant, office: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    store = runtime(office).pipeline.store
    assert store is not None
    store.path.unlink()
    await _call(hass, "health", response=True)
    issue_id = f"database_unhealthy_{office.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    freezer.tick(timedelta(seconds=31))
    await _call(hass, "health", response=True)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_rejected_api_key_repair_asks_for_a_new_one(
    hass: HomeAssistant,
    office: MockConfigEntry,
    fake_openai: FakeOpenAI,
    hass_client: ClientSessionGenerator,
) -> None:
    hass.config_entries.async_update_entry(
        office,
        options={
            **office.options,
            "predictor": "openai",
            "api_key": "sk-revoked",
            "base_url": fake_openai.base_url,
        },
    )
    await hass.async_block_till_done()
    await _call(hass, "aggregate_now", response=True)
    issue_id = f"api_key_rejected_{office.entry_id}"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert hass.states.get("sensor.open_office_last_decision").attributes["source"] == "fallback"
    assert await async_setup_component(hass, "repairs", {})
    client = await hass_client()
    flow = await (
        await client.post("/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue_id})
    ).json()
    # The explanation comes first, with the two ways out.
    assert (flow["type"], flow["step_id"]) == ("menu", "init")
    assert flow["menu_options"] == ["api_key", "use_local"]
    assert flow["description_placeholders"]["title"] == office.title
    flow = await (
        await client.post(
            f"/api/repairs/issues/fix/{flow['flow_id']}", json={"next_step_id": "api_key"}
        )
    ).json()
    assert (flow["type"], flow["step_id"]) == ("form", "api_key")
    flow = await (
        await client.post(f"/api/repairs/issues/fix/{flow['flow_id']}", json={"api_key": "sk-bad"})
    ).json()
    assert flow["errors"] == {"api_key": "invalid_auth"}
    flow = await (
        await client.post(f"/api/repairs/issues/fix/{flow['flow_id']}", json={"api_key": API_KEY})
    ).json()
    assert flow["type"] == "create_entry"
    await hass.async_block_till_done()
    assert office.options["api_key"] == API_KEY
    await _call(hass, "aggregate_now", response=True)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert hass.states.get("sensor.open_office_last_decision").attributes["source"] == "openai"


async def test_rejected_api_key_repair_can_switch_back_to_the_local_predictor(
    hass: HomeAssistant,
    office: MockConfigEntry,
    fake_openai: FakeOpenAI,
    hass_client: ClientSessionGenerator,
) -> None:
    hass.config_entries.async_update_entry(
        office,
        options={
            **office.options,
            "predictor": "openai",
            "api_key": "sk-revoked",
            "base_url": fake_openai.base_url,
        },
    )
    await hass.async_block_till_done()
    await _call(hass, "aggregate_now", response=True)
    issue_id = f"api_key_rejected_{office.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    assert await async_setup_component(hass, "repairs", {})
    client = await hass_client()
    flow = await (
        await client.post("/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue_id})
    ).json()
    flow = await (
        await client.post(
            f"/api/repairs/issues/fix/{flow['flow_id']}", json={"next_step_id": "use_local"}
        )
    ).json()
    assert flow["type"] == "create_entry"
    await hass.async_block_till_done()
    assert office.options["predictor"] == "local"
    assert office.options["api_key"] == "sk-revoked"  # kept for a later switch back to the AI
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    calls = len(fake_openai.requests)
    await _call(hass, "aggregate_now", response=True)
    assert hass.states.get("sensor.open_office_last_decision").attributes["source"] == "local"
    assert len(fake_openai.requests) == calls  # the AI service is no longer asked
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_telemetry_counts_and_survives_a_restart(
    hass: HomeAssistant, office: MockConfigEntry
) -> None:
    await _call(hass, "aggregate_now", response=True)
    await hass.services.async_call("light", "turn_off", {"entity_id": OFFICE}, blocking=True)
    report = await _call(hass, "telemetry", response=True)
    assert report["decisions"] == 2  # office and corridor
    assert report["applied"] == 1  # the office lit; the empty corridor (already off) left off
    assert report["overrides"] == 1
    assert report["frames"] > 0
    assert report["ai_calls"] == 0
    assert report["tokens"] == 0
    assert report["errors"] == 0
    assert report["today"]["decisions"] == 2
    assert await hass.config_entries.async_reload(office.entry_id)
    await hass.async_block_till_done()  # the first cycle runs once the entities are set up
    after = await _call(hass, "telemetry", response=True)
    assert after["decisions"] == 4  # the stored two, and the two of the first cycle after start
    assert after["frames"] >= report["frames"]


async def test_costly_actions_are_rate_limited_per_user(
    hass: HomeAssistant,
    office: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_admin_user: MockUser,
    hass_read_only_user: MockUser,
) -> None:
    await _call(hass, "aggregate_now", response=True)
    admin = Context(user_id=hass_admin_user.id)
    for _ in range(20):
        await _call(hass, "predict", {"entity_id": OFFICE}, response=True, context=admin)
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "predict", {"entity_id": OFFICE}, response=True, context=admin)
    assert err.value.translation_key == "rate_limited"
    # another user, and Home Assistant itself (automations), are not held back by it
    other = Context(user_id=hass_read_only_user.id)
    await _call(hass, "predict", {"entity_id": OFFICE}, response=True, context=other)
    for _ in range(25):
        await _call(hass, "predict", {"entity_id": OFFICE}, response=True)
    freezer.tick(timedelta(seconds=10))
    await _call(hass, "predict", {"entity_id": OFFICE}, response=True, context=admin)


async def test_actions_accept_areas_and_devices_as_targets(
    hass: HomeAssistant, office: MockConfigEntry
) -> None:
    await _call(hass, "aggregate_now", response=True)
    light = er.async_get(hass).async_get(OFFICE)
    assert light is not None
    response = await _call(hass, "predict", {"device_id": light.device_id}, response=True)
    assert list(response["predictions"]) == [OFFICE]
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "predict", {"area_id": "nowhere"}, response=True)
    assert err.value.translation_key == "no_group_lights"


async def test_no_secret_is_ever_shown(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
    fake_openai: FakeOpenAI,
) -> None:
    """Real time here: the repairs in the diagnostics cannot carry frozen timestamps."""
    hass.states.async_set("binary_sensor.office_motion", "on")
    hass.states.async_set("sensor.office_lux", "40")
    await async_wait_recording_done(hass)
    office = MockConfigEntry(
        domain=DOMAIN, data={"bus_type": "simulated"}, options=ROOMS_OPTIONS, unique_id="simulated"
    )
    office.add_to_hass(hass)
    assert await hass.config_entries.async_setup(office.entry_id)

    async def broken(server: FakeOpenAI, request: dict[str, Any]) -> Any:
        return api_error(401, f"bad key {API_KEY}", "invalid_request_error")

    fake_openai.default_reply = broken  # type: ignore[assignment]
    hass.config_entries.async_update_entry(
        office,
        options={
            **office.options,
            "predictor": "openai",
            "api_key": API_KEY,
            "base_url": fake_openai.base_url,
        },
    )
    await hass.async_block_till_done()
    await _set_profile(hass, target_lux=SECRET_LUX)
    await _call(hass, "rotate_key", response=True)
    await _call(hass, "aggregate_now", response=True)
    assert await async_setup_component(hass, "diagnostics", {})
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, office)
    ours = "\n".join(
        r.getMessage() for r in caplog.records if r.name.startswith("custom_components")
    )
    outputs = [
        json.dumps(diagnostics),
        ours,
        json.dumps(await _call(hass, "telemetry", response=True)),
        json.dumps(await _call(hass, "health", response=True)),
        json.dumps(
            [
                i.to_json() if hasattr(i, "to_json") else repr(i)
                for i in ir.async_get(hass).issues.values()
            ]
        ),
    ]
    secrets = [API_KEY, *office.data["fernet_keys"], str(SECRET_LUX)]
    for text in outputs:
        for secret in secrets:
            assert secret not in text


async def test_energy_sensor_integrates_the_level_over_time(
    hass: HomeAssistant, office: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    energy = "sensor.corridor_estimated_energy"
    assert hass.states.get(energy).attributes["unit_of_measurement"] == "kWh"
    assert hass.states.get(energy).attributes["state_class"] == "total_increasing"
    start = float(hass.states.get(energy).state)
    await hass.services.async_call(
        "light", "turn_on", {"entity_id": "light.corridor", "brightness": 255}, blocking=True
    )
    freezer.tick(timedelta(hours=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    # 4 gear x 10 W at full output for an hour
    assert float(hass.states.get(energy).state) - start == pytest.approx(0.040, abs=0.001)
    await hass.services.async_call(
        "light", "turn_off", {"entity_id": "light.corridor"}, blocking=True
    )
    freezer.tick(timedelta(hours=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert float(hass.states.get(energy).state) - start == pytest.approx(0.040, abs=0.001)


async def test_ai_usage_sensors_follow_the_telemetry(
    hass: HomeAssistant, office: MockConfigEntry, fake_openai: FakeOpenAI
) -> None:
    hass.config_entries.async_update_entry(
        office,
        options={
            **office.options,
            "predictor": "openai",
            "api_key": API_KEY,
            "base_url": fake_openai.base_url,
            "ai_price_input_per_mtok": 1.0,
            "ai_price_output_per_mtok": 2.0,
        },
    )
    await hass.async_block_till_done()
    await _call(hass, "aggregate_now", response=True)
    assert hass.states.get("sensor.mock_title_ai_calls_today").state == "1"
    assert hass.states.get("sensor.mock_title_ai_tokens_today").state == str(321 + 45)
    assert float(hass.states.get("sensor.mock_title_ai_cost_today").state) == pytest.approx(
        (321 * 1.0 + 45 * 2.0) / 1_000_000
    )


async def test_weekly_schedule_keeps_automatic_control_to_its_hours(
    hass: HomeAssistant, office: MockConfigEntry
) -> None:
    # OFFICE_START is Tuesday 11:00 local: allow only Monday
    await _set_profile(hass, schedule={"mon": ["07:00-19:00"]})
    await _call(hass, "aggregate_now", response=True)
    assert hass.states.get(OFFICE).state == "off"
    decision = hass.states.get("sensor.open_office_last_decision")
    assert decision.attributes["not_applied_because"] == "outside the profile's schedule"
    await _set_profile(hass, schedule={"tue": ["10:00-12:00"]})
    await _call(hass, "aggregate_now", response=True)
    assert hass.states.get(OFFICE).state == "on"
    with pytest.raises(ServiceValidationError) as err:
        await _set_profile(hass, schedule={"tuesday": ["10:00-12:00"]})
    assert err.value.translation_key == "profile_schedule_day"


async def test_people_dimming_teaches_an_offset(
    hass: HomeAssistant, office: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await _call(hass, "aggregate_now", response=True)
    decided = float(hass.states.get("sensor.open_office_last_decision").state)
    await hass.services.async_call(
        "light", "turn_on", {"entity_id": OFFICE, "brightness": 128}, blocking=True
    )  # a person prefers it at half
    await hass.async_block_till_done()
    profiles = runtime(office).profiles
    assert profiles.learned_offset(0) == 0  # not while the person may still be adjusting it
    freezer.tick(timedelta(seconds=31))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()  # settled: one learning step
    assert profiles.learned_offset(0) < 0
    await _call(hass, "clear_override", {"entity_id": OFFICE})
    freezer.tick(timedelta(minutes=5))
    await _call(hass, "aggregate_now", response=True)
    sensor = hass.states.get("sensor.open_office_last_decision")
    assert float(sensor.state) < decided
    assert "learned from manual changes" in sensor.attributes["reason"]
    # kept encrypted with the rest of the profile, across a restart
    assert await hass.config_entries.async_reload(office.entry_id)
    assert runtime(office).profiles.learned_offset(0) == profiles.learned_offset(0)
