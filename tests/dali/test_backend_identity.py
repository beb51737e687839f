"""Each backend says which interface it is: maker, model, firmware and serial number."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from custom_components.smart_lighting_ai.dali.backend import InterfaceIdentity, identity_of
from custom_components.smart_lighting_ai.dali.backends import device_links
from custom_components.smart_lighting_ai.dali.backends.hid_backend import HidBackend
from custom_components.smart_lighting_ai.dali.backends.serial_backend import SerialBackend
from custom_components.smart_lighting_ai.dali.backends.simulated import SimulatedBackend
from tests.pty_interfaces import (
    PTY_UNSAFE,
    PTY_UNSAFE_REASON,
    HassebMaster,
    LubaRs232,
    TridonicUsb,
)

pty_only = pytest.mark.skipif(PTY_UNSAFE, reason=PTY_UNSAFE_REASON)


@pytest.fixture
async def tridonic() -> AsyncIterator[TridonicUsb]:
    interface = TridonicUsb(serial=b"\x00\x1a\x2b\x3c", firmware=(3, 12))
    yield interface
    interface.device.close()


@pty_only
async def test_tridonic_reports_maker_model_firmware_and_serial(tridonic: TridonicUsb) -> None:
    backend = HidBackend("hid_tridonic", tridonic.path)
    assert backend.identity == InterfaceIdentity("Tridonic", "DALI-USB")  # known before connect
    await backend.connect()
    try:
        assert backend.identity == InterfaceIdentity("Tridonic", "DALI-USB", "3.12", "001A2B3C")
    finally:
        await backend.disconnect()


@pty_only
async def test_tridonic_identity_outlives_a_disconnect(tridonic: TridonicUsb) -> None:
    """The driver forgets firmware and serial on a drop; the device registry must not."""
    backend = HidBackend("hid_tridonic", tridonic.path)
    await backend.connect()
    await backend.disconnect()
    assert not backend.connected
    assert backend.identity.serial_number == "001A2B3C"
    assert backend.identity.firmware == "3.12"


@pty_only
async def test_hasseb_reports_maker_and_model_only() -> None:
    hasseb = HassebMaster()
    backend = HidBackend("hid_hasseb", hasseb.path)
    try:
        await backend.connect()
        assert backend.identity == InterfaceIdentity("hasseb", "DALI Master")
    finally:
        await backend.disconnect()
        hasseb.device.close()


@pty_only
async def test_luba_reports_its_device_id_as_serial_number() -> None:
    luba = LubaRs232(device_id=987654321)
    backend = SerialBackend(f"luba232:{luba.path}", connect_timeout=5)
    try:
        assert backend.identity == InterfaceIdentity("Lunatone", "LUBA RS232")
        await backend.connect()
        assert backend.identity == InterfaceIdentity("Lunatone", "LUBA RS232", None, "987654321")
    finally:
        await backend.disconnect()
        luba.device.close()
    assert backend.identity.serial_number == "987654321"


def test_serial_driver_without_device_info_has_no_serial() -> None:
    backend = SerialBackend("scirs232:/dev/ttyUSB7")
    assert backend.identity == InterfaceIdentity("Lunatone", "DALI SCI RS232")


def test_simulated_interface_has_fixed_identity() -> None:
    identity = SimulatedBackend().identity
    assert identity == SimulatedBackend(gear=[]).identity
    assert identity.manufacturer == "Smart Lighting AI"
    assert identity.model == "Simulated DALI interface"
    assert identity.firmware
    assert identity.serial_number


def test_backend_without_identity_is_unknown() -> None:
    """A stand-in backend (tests outside the project) that predates identities still works."""
    assert identity_of(object()) == InterfaceIdentity()


# stable device links ------------------------------------------------------------------
def _device_node(tmp_path: Path) -> Path:
    node = tmp_path / "ttyUSB3"
    node.write_bytes(b"")
    return node


def test_by_id_link_to_the_device_is_found(tmp_path: Path) -> None:
    node = _device_node(tmp_path)
    by_id = tmp_path / "by-id"
    by_id.mkdir()
    (by_id / "usb-Other_Adapter_X1-if00-port0").symlink_to(tmp_path / "ttyUSB0")
    link = by_id / "usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0"
    link.symlink_to(node)
    assert device_links.stable_link(str(node), str(by_id)) == str(link)
    # a symlink to the device (a udev alias) resolves to the same link
    alias = tmp_path / "dali"
    alias.symlink_to(node)
    assert device_links.stable_link(str(alias), str(by_id)) == str(link)


def test_no_link_no_directory_or_no_device(tmp_path: Path) -> None:
    node = _device_node(tmp_path)
    by_id = tmp_path / "by-id"
    assert device_links.stable_link(str(node), str(by_id)) is None  # no such directory
    by_id.mkdir()
    (by_id / "usb-stale-if00").symlink_to(tmp_path / "gone")
    assert device_links.stable_link(str(node), str(by_id)) is None
    assert device_links.stable_link(str(tmp_path / "gone"), str(by_id)) is None


def test_default_directory_is_read_at_call_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    node = _device_node(tmp_path)
    link = tmp_path / "usb-hasseb_DALI_Master_0042-if00"
    link.symlink_to(node)
    assert device_links.stable_link(str(node)) is None  # nothing in /dev/serial/by-id
    monkeypatch.setattr(device_links, "BY_ID_DIRECTORY", str(tmp_path))
    assert device_links.stable_link(str(node)) == str(link)


def test_module_has_no_homeassistant_imports() -> None:
    source = Path(device_links.__file__).read_text(encoding="utf-8")
    assert "homeassistant" not in source
