"""Setting up a USB bus: the hidraw devices to choose from, a path that is no device, makers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
import voluptuous as vol
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_lighting_ai import config_flow
from custom_components.smart_lighting_ai.const import DOMAIN
from custom_components.smart_lighting_ai.dali.backend import InterfaceIdentity
from custom_components.smart_lighting_ai.dali.backends.simulated import SimulatedBackend
from custom_components.smart_lighting_ai.dali.factory import create_backend

FACTORY = "custom_components.smart_lighting_ai.config_flow.create_backend"
SETUP_BACKEND = "custom_components.smart_lighting_ai.create_backend"


def _hidraw(sysfs: Path, number: int, uevent: str | None) -> None:
    device = sysfs / f"hidraw{number}" / "device"
    device.mkdir(parents=True)
    if uevent is not None:
        (device / "uevent").write_text(uevent)


@pytest.fixture
def sysfs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A /sys/class/hidraw of the test's own, empty until the test adds devices."""
    root = tmp_path / "hidraw"
    root.mkdir()
    monkeypatch.setattr(config_flow, "SYSFS_HIDRAW", str(root))
    return root


@pytest.fixture
def office_usb(sysfs: Path) -> Path:
    """A keyboard receiver, a Tridonic DALI-USB, a device without uevent, and a hasseb."""
    _hidraw(
        sysfs,
        0,
        "DRIVER=hid-generic\nHID_ID=0003:0000046D:0000C52B\nHID_NAME=Logitech USB Receiver\n",
    )
    _hidraw(sysfs, 1, "HID_ID=0003:000017B5:00000020\nHID_NAME=Tridonic DALI-USB\n")
    _hidraw(sysfs, 2, None)
    _hidraw(sysfs, 10, "HID_ID=0003:000004CC:00000802\nHID_NAME=hasseb DALI Master\n")
    return sysfs


@pytest.fixture
def stand_in() -> Iterator[None]:
    """A simulated bus answers for whatever interface the flow opens (after path checks)."""

    def factory(bus_type: str, *, path: str | None = None, url: str | None = None) -> object:
        create_backend(bus_type, path=path, url=url)  # keeps the real path validation
        return SimulatedBackend()

    with patch(FACTORY, side_effect=factory):
        yield


async def _hid_form(hass: HomeAssistant, bus_type: str) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"bus_type": bus_type}
    )
    assert (result["type"], result["step_id"]) == (FlowResultType.FORM, "hid")
    return dict(result)


def _path_field(result: dict[str, Any]) -> tuple[Any, Any]:
    """The path field's selector and its default (``vol.UNDEFINED`` when it has none)."""
    schema: vol.Schema = result["data_schema"]
    key = next(k for k in schema.schema if k == "path")
    default = key.default() if key.default is not vol.UNDEFINED else vol.UNDEFINED
    return schema.schema[key], default


async def test_hid_step_lists_the_hidraw_devices_with_the_dali_interfaces_first(
    hass: HomeAssistant, office_usb: Path
) -> None:
    selector, default = _path_field(await _hid_form(hass, "hid_hasseb"))
    options = selector.config["options"]
    assert [o["value"] for o in options] == [
        "/dev/hidraw10",  # the kind chosen
        "/dev/hidraw1",  # another DALI interface
        "/dev/hidraw0",
        "/dev/hidraw2",
    ]
    assert [o["label"] for o in options] == [
        "/dev/hidraw10: hasseb DALI Master [04cc:0802], a DALI interface (hasseb DALI Master)",
        "/dev/hidraw1: Tridonic DALI-USB [17b5:0020], a DALI interface (Tridonic DALI-USB)",
        "/dev/hidraw0: Logitech USB Receiver [046d:c52b]",
        "/dev/hidraw2: unnamed HID device",
    ]
    assert default == "/dev/hidraw10"
    assert selector.config["custom_value"] is True  # a path can still be typed in

    tridonic, default = _path_field(await _hid_form(hass, "hid_tridonic"))
    assert tridonic.config["options"][0]["value"] == "/dev/hidraw1"
    assert default == "/dev/hidraw1"


async def test_no_interface_of_the_kind_is_preselected_only_when_there_is_one(
    hass: HomeAssistant, sysfs: Path
) -> None:
    _hidraw(sysfs, 0, "HID_ID=0003:0000046D:0000C52B\nHID_NAME=Logitech USB Receiver\n")
    _hidraw(sysfs, 1, "HID_ID=garbage\nHID_NAME=Odd device\n")
    selector, default = _path_field(await _hid_form(hass, "hid_hasseb"))
    assert default is vol.UNDEFINED  # a keyboard is never suggested as the DALI interface
    assert [o["label"] for o in selector.config["options"]] == [
        "/dev/hidraw0: Logitech USB Receiver [046d:c52b]",
        "/dev/hidraw1: Odd device",
    ]


async def test_without_hidraw_devices_the_path_is_typed_in(
    hass: HomeAssistant, sysfs: Path, stand_in: None
) -> None:
    result = await _hid_form(hass, "hid_hasseb")
    selector, default = _path_field(result)
    assert "options" not in selector.config
    assert default == "/dev/hidraw0"


async def test_no_hidraw_class_at_all(hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config_flow, "SYSFS_HIDRAW", "/nonexistent/class/hidraw")
    _, default = _path_field(await _hid_form(hass, "hid_tridonic"))
    assert default == "/dev/hidraw0"


async def test_a_typed_path_that_is_not_listed_is_used(
    hass: HomeAssistant, office_usb: Path, stand_in: None
) -> None:
    result = await _hid_form(hass, "hid_hasseb")
    with patch(SETUP_BACKEND, return_value=SimulatedBackend()):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"path": "/dev/hidraw7"}
        )
        await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["path"] == "/dev/hidraw7"


async def test_a_path_that_is_no_hidraw_device_is_invalid_not_unreachable(
    hass: HomeAssistant, tmp_path: Path, sysfs: Path, stand_in: None
) -> None:
    regular_file = tmp_path / "not-hidraw"
    regular_file.write_text("")
    result = await _hid_form(hass, "hid_hasseb")
    flow_id = result["flow_id"]
    for path in (str(regular_file), "/tmp/not-hidraw", str(tmp_path)):
        result = await hass.config_entries.flow.async_configure(flow_id, {"path": path})
        assert result["errors"] == {"base": "invalid_path"}, path
        assert _path_field(result)[1] == path  # the form keeps what was typed
    # a hidraw path that is not there now (unplugged) is a connection problem
    unplugged = SimulatedBackend()
    unplugged.available = False
    with patch(FACTORY, return_value=unplugged):
        result = await hass.config_entries.flow.async_configure(flow_id, {"path": "/dev/hidraw5"})
    assert result["errors"] == {"base": "cannot_connect"}
    with patch(SETUP_BACKEND, return_value=SimulatedBackend()):
        result = await hass.config_entries.flow.async_configure(flow_id, {"path": "/dev/hidraw5"})
        await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY


def test_a_character_device_outside_dev_is_accepted() -> None:
    """A udev link or a pty (the tests' stand-in interfaces) leads to a character device."""
    assert config_flow.is_hid_device_path("/dev/null")
    assert not config_flow.is_hid_device_path("/tmp/not-hidraw")


# who made the devices ----------------------------------------------------------------------
class _Anonymous(SimulatedBackend):
    """A backend that does not say what it is."""

    identity = None  # type: ignore[assignment]


class _Hasseb(SimulatedBackend):
    @property
    def identity(self) -> InterfaceIdentity:
        return InterfaceIdentity("hasseb", "DALI Master")


def _devices(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, dr.DeviceEntry]:
    """The entry's devices by model."""
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    return {f"{d.model}:{d.name}": d for d in devices}


@pytest.mark.parametrize(
    ("bus_type", "backend", "maker"),
    [
        ("hid_hasseb", _Anonymous, "hasseb"),
        ("hid_tridonic", _Anonymous, "Tridonic"),
        ("hid_hasseb", _Hasseb, "hasseb"),
    ],
)
async def test_devices_name_the_interfaces_maker(
    hass: HomeAssistant, bus_type: str, backend: type[SimulatedBackend], maker: str
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="USB bus",
        data={"bus_type": bus_type, "path": "/dev/hidraw1"},
        unique_id=f"{bus_type}:SER1",
        minor_version=2,
    )
    entry.add_to_hass(hass)
    with patch(SETUP_BACKEND, return_value=backend()):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    devices = _devices(hass, entry)
    bus = next(d for d in devices.values() if (DOMAIN, entry.unique_id) in d.identifiers)
    assert bus.manufacturer == maker
    groups = [d for d in devices.values() if d.model == "DALI group"]
    assert len(groups) == 4
    # a DALI group is nobody's product on real hardware, least of all this integration's
    assert {d.manufacturer for d in groups} == {None}
    assert "Smart Lighting AI" not in {d.manufacturer for d in devices.values()}


async def test_only_the_simulated_line_is_made_by_smart_lighting_ai(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert {d.manufacturer for d in _devices(hass, entry).values()} == {"Smart Lighting AI"}
