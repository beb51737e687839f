"""A bus is known by its interface's serial number (or by-id link), not by the port it is on.

The config flow drives python-dali's real HID drivers against interfaces played on
pseudo-terminals; entries from before this scheme keep their unique_id, entities and devices.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from unittest.mock import patch

import pytest
from dali.address import GearBroadcast
from dali.gear.general import QueryControlGearPresent
from homeassistant.config_entries import (
    SOURCE_USER,
    ConfigEntryDisabler,
    ConfigEntryState,
    ConfigFlowResult,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_lighting_ai.config_flow import SmartLightingConfigFlow
from custom_components.smart_lighting_ai.const import DOMAIN
from custom_components.smart_lighting_ai.dali.backend import InterfaceIdentity
from custom_components.smart_lighting_ai.dali.backends import device_links
from custom_components.smart_lighting_ai.dali.backends.simulated import SimulatedBackend
from tests.pty_interfaces import (
    PTY_UNSAFE,
    PTY_UNSAFE_REASON,
    HassebMaster,
    TridonicUsb,
    frame_int,
)

pytestmark = pytest.mark.skipif(PTY_UNSAFE, reason=PTY_UNSAFE_REASON)

SETUP_BACKEND = "custom_components.smart_lighting_ai.create_backend"
GEAR_PRESENT = frame_int(QueryControlGearPresent(GearBroadcast()))


@pytest.fixture
async def tridonic() -> AsyncIterator[TridonicUsb]:
    """A Tridonic DALI-USB with serial 12345678 and firmware 2.5, some gear on its bus."""
    interface = TridonicUsb()
    interface.answers[GEAR_PRESENT] = 0xFF
    yield interface
    interface.device.close()


def _hasseb() -> HassebMaster:
    interface = HassebMaster()
    interface.answers[GEAR_PRESENT] = b"\x02\xff"
    return interface


@pytest.fixture
async def hassebs() -> AsyncIterator[list[HassebMaster]]:
    """hasseb interfaces (no serial number) made by a test, closed after it."""
    made: list[HassebMaster] = []
    yield made
    for interface in made:
        interface.device.close()


@pytest.fixture
def by_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A /dev/serial/by-id of the test's own."""
    directory = tmp_path / "by-id"
    directory.mkdir()
    monkeypatch.setattr(device_links, "BY_ID_DIRECTORY", str(directory))
    return directory


def _link(by_id: Path, name: str, target: str) -> str:
    link = by_id / name
    link.unlink(missing_ok=True)
    link.symlink_to(target)
    return str(link)


async def _add_hid(hass: HomeAssistant, bus_type: str, path: str) -> ConfigFlowResult:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"bus_type": bus_type}
    )
    assert result["step_id"] == "hid"
    return await hass.config_entries.flow.async_configure(result["flow_id"], {"path": path})


def _bus_device(hass: HomeAssistant, entry: MockConfigEntry) -> dr.DeviceEntry:
    """The entry's bus device (looked up the same way on 2025.4 and 2026.11)."""
    identifier = (DOMAIN, entry.unique_id)
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    device = next((d for d in devices if identifier in d.identifiers), None)
    assert device is not None
    return device


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


def _old_entry(hass: HomeAssistant, data: dict[str, str], unique_id: str) -> MockConfigEntry:
    """An entry as version 1.1 of the flow made it (the unique_id built from the path)."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"DALI bus ({unique_id})",
        data=data,
        unique_id=unique_id,
        version=1,
        minor_version=1,
    )
    entry.add_to_hass(hass)
    return entry


# new entries -------------------------------------------------------------------------
async def test_tridonic_serial_is_the_unique_id_and_the_device_shows_it(
    hass: HomeAssistant, tridonic: TridonicUsb
) -> None:
    """The flow and the setup use python-dali's Tridonic driver on the interface itself."""
    result = await _add_hid(hass, "hid_tridonic", tridonic.path)
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.unique_id == "hid_tridonic:12345678"
    assert entry.data["path"] == tridonic.path
    assert entry.data["interface_id"] == "12345678"
    assert entry.state is ConfigEntryState.LOADED
    device = _bus_device(hass, entry)
    assert (device.manufacturer, device.model) == ("Tridonic", "DALI-USB")
    assert (device.sw_version, device.serial_number) == ("2.5", "12345678")
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_same_tridonic_on_another_port_is_already_configured(
    hass: HomeAssistant, tridonic: TridonicUsb
) -> None:
    """Plugged into another USB port it gets another hidraw node: the entry follows it."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Tridonic DALI-USB (/dev/hidraw1)",
        data={"bus_type": "hid_tridonic", "path": "/dev/hidraw1", "interface_id": "12345678"},
        unique_id="hid_tridonic:12345678",
        minor_version=2,
    )
    entry.add_to_hass(hass)
    result = await _add_hid(hass, "hid_tridonic", tridonic.path)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1
    assert entry.data["path"] == tridonic.path
    assert entry.title == f"Tridonic DALI-USB ({tridonic.path})"
    assert entry.unique_id == "hid_tridonic:12345678"


async def test_old_entry_is_found_by_the_serial_its_device_shows(
    hass: HomeAssistant, tridonic: TridonicUsb
) -> None:
    """An entry from before keeps its path-based unique_id, yet is recognised by serial."""
    entry = _old_entry(
        hass, {"bus_type": "hid_tridonic", "path": "/dev/hidraw1"}, "hid_tridonic:/dev/hidraw1"
    )
    devices = dr.async_get(hass)
    devices.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, "hid_tridonic:/dev/hidraw1-group-0")}
    )
    devices.async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, "hid_tridonic:/dev/hidraw1")},
        serial_number="12345678",
    )
    result = await _add_hid(hass, "hid_tridonic", tridonic.path)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data["path"] == tridonic.path
    assert entry.unique_id == "hid_tridonic:/dev/hidraw1"


async def test_another_tridonic_is_another_bus(hass: HomeAssistant, tridonic: TridonicUsb) -> None:
    other = MockConfigEntry(
        domain=DOMAIN,
        data={"bus_type": "hid_tridonic", "path": "/dev/hidraw1", "interface_id": "CAFEBABE"},
        unique_id="hid_tridonic:CAFEBABE",
        minor_version=2,
        # disabled: it must count as configured without being set up beside the new one
        disabled_by=ConfigEntryDisabler.USER,
    )
    other.add_to_hass(hass)
    with patch(SETUP_BACKEND, return_value=SimulatedBackend()):
        result = await _add_hid(hass, "hid_tridonic", tridonic.path)
        await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == "hid_tridonic:12345678"


async def test_hasseb_by_id_link_is_the_unique_id_and_survives_a_replug(
    hass: HomeAssistant, hassebs: list[HassebMaster], by_id: Path
) -> None:
    """A hasseb has no serial number; its udev by-id link stays put across ports."""
    hassebs.append(first := _hasseb())
    link = _link(by_id, "usb-hasseb_DALI_Master_A1B2-if00", first.path)
    with patch(SETUP_BACKEND, return_value=SimulatedBackend()):
        result = await _add_hid(hass, "hid_hasseb", first.path)
        await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.unique_id == f"hid_hasseb:{link}"
    assert entry.data["interface_id"] == link

    hassebs.append(second := _hasseb())  # unplugged, plugged into another port
    _link(by_id, "usb-hasseb_DALI_Master_A1B2-if00", second.path)
    with patch(SETUP_BACKEND, return_value=SimulatedBackend()):
        result = await _add_hid(hass, "hid_hasseb", second.path)
        await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data["path"] == second.path
    assert entry.state is ConfigEntryState.LOADED  # reloaded onto the new port
    assert entry.unique_id == f"hid_hasseb:{link}"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_interface_without_identity_keeps_the_path_scheme(
    hass: HomeAssistant, hassebs: list[HassebMaster], by_id: Path
) -> None:
    hassebs.append(interface := _hasseb())
    with patch(SETUP_BACKEND, return_value=SimulatedBackend()):
        result = await _add_hid(hass, "hid_hasseb", interface.path)
        await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == f"hid_hasseb:{interface.path}"
    assert result["data"] == {"bus_type": "hid_hasseb", "path": interface.path}


# reconfigure -------------------------------------------------------------------------
async def test_reconfigure_onto_a_replacement_interface_keeps_the_unique_id(
    hass: HomeAssistant, tridonic: TridonicUsb
) -> None:
    """A broken dongle swapped for a new one: the bus, its entities and history stay."""
    entry = _old_entry(
        hass,
        {"bus_type": "hid_tridonic", "path": "/dev/hidraw1", "interface_id": "CAFEBABE"},
        "hid_tridonic:CAFEBABE",
    )
    result = await entry.start_reconfigure_flow(hass)
    with patch(SETUP_BACKEND, return_value=SimulatedBackend()):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"path": tridonic.path}
        )
        await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.unique_id == "hid_tridonic:CAFEBABE"
    assert entry.data["interface_id"] == "12345678"
    assert entry.data["path"] == tridonic.path


async def test_reconfigure_onto_another_entrys_interface_aborts(
    hass: HomeAssistant, tridonic: TridonicUsb
) -> None:
    entry = _old_entry(
        hass, {"bus_type": "hid_tridonic", "path": "/dev/hidraw1"}, "hid_tridonic:/dev/hidraw1"
    )
    _old_entry(
        hass,
        {"bus_type": "hid_tridonic", "path": "/dev/hidraw2", "interface_id": "12345678"},
        "hid_tridonic:12345678",
    )
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"path": tridonic.path}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data["path"] == "/dev/hidraw1"


async def test_reconfigure_onto_an_interface_without_identity_forgets_the_old_one(
    hass: HomeAssistant, hassebs: list[HassebMaster], by_id: Path
) -> None:
    entry = _old_entry(
        hass,
        {"bus_type": "hid_hasseb", "path": "/dev/hidraw1", "interface_id": "/gone"},
        "hid_hasseb:/gone",
    )
    hassebs.append(interface := _hasseb())
    result = await entry.start_reconfigure_flow(hass)
    with patch(SETUP_BACKEND, return_value=SimulatedBackend()):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"path": interface.path}
        )
        await hass.async_block_till_done()
    assert result["reason"] == "reconfigure_successful"
    assert "interface_id" not in entry.data
    assert entry.unique_id == "hid_hasseb:/gone"


# migration of entries made before --------------------------------------------------------
def _registered_light(
    hass: HomeAssistant, entry: MockConfigEntry, key: str, object_id: str
) -> tuple[str, str, str]:
    """Register bus device, group 0 device and its light as an earlier version left them."""
    devices = dr.async_get(hass)
    bus = devices.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, key)}, name=entry.title
    )
    group = devices.async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, f"{key}-group-0")},
        name="DALI group 0",
    )
    light = er.async_get(hass).async_get_or_create(
        "light",
        DOMAIN,
        f"{key}-group-0",
        config_entry=entry,
        device_id=group.id,
        suggested_object_id=object_id,
    )
    return bus.id, group.id, light.entity_id


async def test_old_simulated_entry_keeps_unique_id_entities_and_devices(
    hass: HomeAssistant,
) -> None:
    entry = _old_entry(hass, {"bus_type": "simulated"}, "simulated")
    bus_id, group_id, light_id = _registered_light(hass, entry, "simulated", "reception")
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert (entry.version, entry.minor_version) == (1, 2)
    assert entry.unique_id == "simulated"
    assert entry.data["bus_type"] == "simulated"
    assert "interface_id" not in entry.data
    light = er.async_get(hass).async_get(light_id)
    assert light is not None
    assert (light.unique_id, light.device_id) == ("simulated-group-0", group_id)
    assert _state(hass, light_id) == "off"  # the same entity, driven again
    assert "light.dali_group_0" not in hass.states.async_entity_ids("light")
    bus = _bus_device(hass, entry)
    assert bus.id == bus_id
    assert bus.serial_number == SimulatedBackend().identity.serial_number
    assert bus.manufacturer == "Smart Lighting AI"
    assert bus.model == "Simulated DALI interface"
    assert bus.sw_version == SimulatedBackend().identity.firmware


async def test_old_hid_entry_records_its_by_id_link_and_keeps_its_entities(
    hass: HomeAssistant, hassebs: list[HassebMaster], by_id: Path
) -> None:
    hassebs.append(first := _hasseb())
    old_key = f"hid_hasseb:{first.path}"
    entry = _old_entry(hass, {"bus_type": "hid_hasseb", "path": first.path}, old_key)
    bus_id, group_id, light_id = _registered_light(hass, entry, old_key, "shop")
    link = _link(by_id, "usb-hasseb_DALI_Master_77-if00", first.path)
    with patch(SETUP_BACKEND, return_value=SimulatedBackend()):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    assert (entry.version, entry.minor_version) == (1, 2)
    assert entry.unique_id == old_key
    assert entry.data["interface_id"] == link
    light = er.async_get(hass).async_get(light_id)
    assert light is not None
    assert (light.unique_id, light.device_id) == (f"{old_key}-group-0", group_id)
    assert _state(hass, light_id) == "off"
    assert _bus_device(hass, entry).id == bus_id

    # the same hasseb moved to another port is recognised by the recorded link
    hassebs.append(second := _hasseb())
    _link(by_id, "usb-hasseb_DALI_Master_77-if00", second.path)
    with patch(SETUP_BACKEND, return_value=SimulatedBackend()):
        result = await _add_hid(hass, "hid_hasseb", second.path)
        await hass.async_block_till_done()
    assert result["reason"] == "already_configured"
    assert entry.data["path"] == second.path


async def test_serial_entry_migration_looks_up_the_port_of_the_url(
    hass: HomeAssistant, tmp_path: Path, by_id: Path
) -> None:
    port = tmp_path / "ttyUSB0"
    port.write_bytes(b"")
    link = _link(by_id, "usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0", str(port))
    entry = _old_entry(
        hass, {"bus_type": "serial", "url": f"luba232:{port}"}, f"serial:luba232:{port}"
    )
    with patch(SETUP_BACKEND, return_value=SimulatedBackend()):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    assert entry.data["interface_id"] == link
    assert entry.unique_id == f"serial:luba232:{port}"


async def test_old_entry_without_a_link_only_changes_version(hass: HomeAssistant) -> None:
    entry = _old_entry(
        hass, {"bus_type": "hid_hasseb", "path": "/dev/hidraw250"}, "hid_hasseb:/dev/hidraw250"
    )
    with patch(SETUP_BACKEND, return_value=SimulatedBackend()):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    assert entry.minor_version == 2
    assert entry.data == {
        "bus_type": "hid_hasseb",
        "path": "/dev/hidraw250",
        "fernet_keys": entry.data["fernet_keys"],
    }


async def test_entry_from_a_newer_major_version_is_refused(hass: HomeAssistant) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={"bus_type": "simulated"},
        unique_id="simulated",
        version=SmartLightingConfigFlow.VERSION + 1,
    )
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.MIGRATION_ERROR


async def test_entry_from_a_newer_minor_version_still_loads(hass: HomeAssistant) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={"bus_type": "simulated"},
        unique_id="simulated",
        version=1,
        minor_version=SmartLightingConfigFlow.MINOR_VERSION + 1,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert entry.unique_id == "simulated"


# the bus device ---------------------------------------------------------------------------
class _QuietInterface(SimulatedBackend):
    """An interface that names its maker and model but reports no firmware or serial."""

    @property
    def identity(self) -> InterfaceIdentity:
        return InterfaceIdentity("hasseb", "DALI Master")


async def test_bus_device_keeps_what_the_interface_does_not_report(hass: HomeAssistant) -> None:
    key = "hid_hasseb:/dev/hidraw1"
    entry = _old_entry(hass, {"bus_type": "hid_hasseb", "path": "/dev/hidraw1"}, key)
    dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, key)}, sw_version="0.9"
    )
    with patch(SETUP_BACKEND, return_value=_QuietInterface()):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    device = _bus_device(hass, entry)
    assert (device.manufacturer, device.model) == ("hasseb", "DALI Master")
    assert device.sw_version == "0.9"  # not wiped by an interface that does not say
    assert device.serial_number is None


async def test_bus_device_of_a_backend_without_identity(hass: HomeAssistant) -> None:
    """A stand-in backend from before identities: the bus device names the bus type's maker."""

    class _Anonymous(SimulatedBackend):
        identity = None  # type: ignore[assignment]

    key = "hid_hasseb:/dev/hidraw1"
    entry = _old_entry(hass, {"bus_type": "hid_hasseb", "path": "/dev/hidraw1"}, key)
    with patch(SETUP_BACKEND, return_value=_Anonymous()):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    device = _bus_device(hass, entry)
    assert (device.manufacturer, device.model) == ("hasseb", "DALI interface (hid_hasseb)")
