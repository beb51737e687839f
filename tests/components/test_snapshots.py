"""Snapshots of every platform's entities and of the config entry diagnostics.

Each platform is loaded on its own (``snapshot_platform`` wants one domain per entry) on the
simulated bus with room settings for groups 0 (the open office, occupied and dark) and 2 (the
corridor, empty) and after one aggregation and decision cycle, so the snapshots show groups the
autopilot drives and two without room settings (1, 3) left off, DT8 groups (0, 1) and
dimmable-only ones (2, 3).

The corridor, whose sensor never saw anyone, is recorded off ("vacant (no presence recorded)"):
the vacancy timeout keeps a lit room lit but never switches a dark one on.

Read a changed snapshot as a change users see: an entity's name, translation key, device class,
unit, category, attributes or state.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta
from enum import Enum
from typing import Any

# A diagnostics download imports ``hassio`` (for the system info) on first use, and with it the
# Supervisor client's mashumaro models: compiled under a frozen clock they refer to freezegun's
# datetime class and the download fails with a 500. Importing them here, before any test
# freezes the clock, avoids that.
import aiohasupervisor  # noqa: F401
import pytest
from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    CLIENT_ID,
    MockConfigEntry,
    MockUser,
    snapshot_platform,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.syrupy import (
    HomeAssistantSnapshotExtension,
    HomeAssistantSnapshotSerializer,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.types import PropertyName, PropertyPath, SerializableData

from custom_components.smart_lighting_ai import PLATFORMS
from custom_components.smart_lighting_ai.const import DOMAIN

from .common import OFFICE_START, ROOMS_OPTIONS, runtime

ALL_PLATFORMS = list(PLATFORMS)


# One snapshot file serves every release from 2025.4 to the newest. What differs between releases
# is Home Assistant's, never the integration's, and is taken out of the snapshots:
# - registry fields that newer releases add or fill in themselves (2026.x: ``compat_name``,
#   ``object_id_base``, ``suggested_object_id``; ``aliases`` becomes ``[None]``, "the name");
# - the mired light attributes 2025.4 derives from our Kelvin ones (2026 removed them);
# - 2026.x keys state attributes and capabilities with ``StrEnum`` members
#   (``EntityStateAttribute.FRIENDLY_NAME``) where 2025.4 has plain strings: written as strings.
# A field that a future release adds shows up as a failure on the newest release only; add it
# here when it is Home Assistant's, or fix the integration when it is ours.
REGISTRY_FIELDS_OF_THE_RELEASE = frozenset(
    {"aliases", "compat_name", "object_id_base", "suggested_object_id"}
)
MIRED_ATTRIBUTES = frozenset({"color_temp", "max_mireds", "min_mireds"})


def _release_dependent(*, prop: PropertyName, path: PropertyPath) -> bool:
    """Whether ``prop`` (inside ``path``) is one of the values that depend on the release."""
    if not path:
        return prop in REGISTRY_FIELDS_OF_THE_RELEASE
    return path[-1][0] in {"attributes", "capabilities"} and prop in MIRED_ATTRIBUTES


class _PlainKeysSerializer(HomeAssistantSnapshotSerializer):  # type: ignore[misc]
    """Home Assistant's serializer, writing ``StrEnum`` mapping keys as the plain strings."""

    @classmethod
    def _serialize(cls, data: SerializableData, **kwargs: Any) -> str:
        if isinstance(data, Mapping) and any(isinstance(key, Enum) for key in data):
            same_kind: Any = type(data)  # dict, ReadOnlyDict, StateSnapshot...
            data = same_kind(
                {key.value if isinstance(key, Enum) else key: value for key, value in data.items()}
            )
        serialized: str = super()._serialize(data, **kwargs)
        return serialized


class _EveryReleaseExtension(HomeAssistantSnapshotExtension):  # type: ignore[misc]
    """Snapshots in ``snapshots/`` next to this file, the same on every release."""

    serializer_class = _PlainKeysSerializer


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots written by Home Assistant's serializer, the same on every release.

    Home Assistant's serializer leaves out random ids and timestamps (config entry, device and
    registry ids, ``created_at``/``modified_at``, ``last_changed``...).
    """
    return snapshot.with_defaults(
        extension_class=_EveryReleaseExtension, exclude=_release_dependent
    )


@pytest.fixture
def enable_all_entities() -> Iterator[None]:
    """Create every entity enabled, as if a user had enabled the disabled-by-default ones.

    ``snapshot_platform`` needs a state for every entity; which entities are disabled by
    default is snapshotted on its own by ``test_entities_disabled_by_default``.
    """
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(
            "homeassistant.helpers.entity.Entity.entity_registry_enabled_default", True
        )
        yield


async def _setup_office(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, platforms: list[Platform]
) -> MockConfigEntry:
    """The two-room entry with only ``platforms``, after one aggregation and decision cycle.

    The office has been occupied and dark for the 10 minutes before ``OFFICE_START``, the
    corridor empty.
    """
    freezer.move_to(OFFICE_START - timedelta(minutes=10))
    hass.states.async_set("binary_sensor.office_motion", "on")
    hass.states.async_set("binary_sensor.corridor_motion", "off")
    hass.states.async_set("sensor.office_lux", "40")
    await async_wait_recording_done(hass)
    freezer.move_to(OFFICE_START)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="DALI bus (simulated)",
        data={"bus_type": "simulated"},
        options=ROOMS_OPTIONS,
        unique_id="simulated",
    )
    entry.add_to_hass(hass)
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr("custom_components.smart_lighting_ai.PLATFORMS", platforms)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
        if Platform.SWITCH not in platforms:
            # the automatic-control switches hand their state to the autopilot when they are
            # added; without them no group would be driven, unlike on a real setup
            for group in ROOMS_OPTIONS["groups"]:
                runtime(entry).autopilot.set_auto_control(int(group), True)
        await hass.services.async_call(
            DOMAIN, "aggregate_now", {}, blocking=True, return_response=True
        )
        await hass.async_block_till_done(wait_background_tasks=True)
    return entry


@pytest.mark.usefixtures("enable_all_entities")
@pytest.mark.parametrize("platform", ALL_PLATFORMS)
async def test_platform_entities(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    platform: Platform,
) -> None:
    """Every entity of ``platform``: registry entry (names, classes, units) and state."""
    entry = await _setup_office(hass, freezer, [platform])

    await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)


async def test_entities_disabled_by_default(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Disabled at first: AI usage sensors (local predictor), lights of fittings in groups."""
    entry = await _setup_office(hass, freezer, ALL_PLATFORMS)

    disabled = {
        registered.entity_id: registered.disabled_by
        for registered in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
        if registered.disabled_by is not None
    }
    assert disabled == snapshot


async def test_diagnostics(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hass_client: ClientSessionGenerator,
    hass_admin_user: MockUser,
    snapshot: SnapshotAssertion,
) -> None:
    """The diagnostics a user downloads once the decision cycle lit the office."""
    assert await async_setup_component(hass, "diagnostics", {})
    entry = await _setup_office(hass, freezer, ALL_PLATFORMS)
    # the harness's token was issued before the clock moved back to OFFICE_START: it would be
    # "not yet valid" now, so sign in again at the frozen time
    refresh_token = await hass.auth.async_create_refresh_token(hass_admin_user, CLIENT_ID)
    token = hass.auth.async_create_access_token(refresh_token)

    async def client() -> TestClient[Any, Any]:
        signed_in: TestClient[Any, Any] = await hass_client(token)
        return signed_in

    diagnostics = await get_diagnostics_for_config_entry(hass, client, entry)

    assert diagnostics == snapshot
