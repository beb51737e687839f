"""The config flow: every step, error, recovery, abort and reconfigure."""

from __future__ import annotations

from collections.abc import Iterator
from unittest.mock import patch

import pytest
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smart_lighting_ai.const import DOMAIN
from custom_components.smart_lighting_ai.dali.backends.simulated import (
    SIMULATED_IDENTITY,
    SimulatedBackend,
)
from custom_components.smart_lighting_ai.dali.factory import create_backend

FACTORY = "custom_components.smart_lighting_ai.config_flow.create_backend"
SERIAL = SIMULATED_IDENTITY.serial_number


@pytest.fixture
def stand_in_interface() -> Iterator[list[SimulatedBackend]]:
    """Let the hardware steps reach a working bus: a simulated one stands in for the dongle.

    Unless a test empties it, ``created`` gets each backend the flow builds, so a
    test can make the next one fail and then recover.
    """
    created: list[SimulatedBackend] = []
    prepared: list[SimulatedBackend] = []

    def factory(bus_type: str, *, path: str | None = None, url: str | None = None) -> object:
        if bus_type in {"hid_tridonic", "hid_hasseb"}:
            create_backend(bus_type, path=path)  # keeps the real path validation
        if bus_type == "serial":
            create_backend(bus_type, url=url)
        backend = prepared.pop(0) if prepared else SimulatedBackend()
        created.append(backend)
        return backend

    with patch(FACTORY, side_effect=factory):
        yield prepared


async def _start(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    return result["flow_id"]


async def test_simulated_bus_creates_entry(hass: HomeAssistant) -> None:
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, {"bus_type": "simulated"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "DALI bus (simulated)"
    assert result["data"] == {"bus_type": "simulated"}
    assert result["result"].unique_id == "simulated"
    await hass.async_block_till_done()
    assert len(hass.states.async_entity_ids("light")) == 7  # 4 groups, 3 fittings in none


async def test_simulated_bus_only_once(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, {"bus_type": "simulated"})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_simulated_bus_errors_and_recovers(
    hass: HomeAssistant, stand_in_interface: list[SimulatedBackend]
) -> None:
    unplugged = SimulatedBackend()
    unplugged.available = False
    empty = SimulatedBackend(gear=[])
    stand_in_interface.extend([unplugged, empty])
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, {"bus_type": "simulated"})
    assert result["errors"] == {"base": "cannot_connect"}
    result = await hass.config_entries.flow.async_configure(flow_id, {"bus_type": "simulated"})
    assert result["errors"] == {"base": "no_gear_found"}
    result = await hass.config_entries.flow.async_configure(flow_id, {"bus_type": "simulated"})
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    ("bus_type", "title"),
    [("hid_tridonic", "Tridonic DALI-USB"), ("hid_hasseb", "hasseb DALI Master")],
)
async def test_hid_interface(
    hass: HomeAssistant,
    stand_in_interface: list[SimulatedBackend],
    bus_type: str,
    title: str,
) -> None:
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, {"bus_type": bus_type})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "hid"
    result = await hass.config_entries.flow.async_configure(flow_id, {"path": "tty-nonsense"})
    assert result["errors"] == {"base": "invalid_path"}
    unplugged = SimulatedBackend()
    unplugged.available = False
    stand_in_interface.append(unplugged)
    result = await hass.config_entries.flow.async_configure(flow_id, {"path": "/dev/hidraw3"})
    assert result["errors"] == {"base": "cannot_connect"}
    with patch(
        "custom_components.smart_lighting_ai.create_backend", return_value=SimulatedBackend()
    ):
        result = await hass.config_entries.flow.async_configure(flow_id, {"path": "/dev/hidraw3"})
        await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"{title} (/dev/hidraw3)"
    # the stand-in reports the simulated interface's serial number: it names the bus
    assert result["data"] == {"bus_type": bus_type, "path": "/dev/hidraw3", "interface_id": SERIAL}
    assert result["result"].unique_id == f"{bus_type}:{SERIAL}"


async def test_missing_hidraw_device_cannot_connect(hass: HomeAssistant) -> None:
    """The real python-dali HID driver on a path that does not exist."""
    flow_id = await _start(hass)
    await hass.config_entries.flow.async_configure(flow_id, {"bus_type": "hid_hasseb"})
    result = await hass.config_entries.flow.async_configure(flow_id, {"path": "/dev/hidraw97"})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}


async def test_serial_interface(
    hass: HomeAssistant, stand_in_interface: list[SimulatedBackend]
) -> None:
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, {"bus_type": "serial"})
    assert result["step_id"] == "serial"
    result = await hass.config_entries.flow.async_configure(flow_id, {"url": "telnet://bus"})
    assert result["errors"] == {"base": "invalid_url"}
    stand_in_interface.append(SimulatedBackend(gear=[]))
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"url": "luba232:/dev/ttyUSB0"}
    )
    assert result["errors"] == {"base": "no_gear_found"}
    with patch(
        "custom_components.smart_lighting_ai.create_backend", return_value=SimulatedBackend()
    ):
        result = await hass.config_entries.flow.async_configure(
            flow_id, {"url": " luba232:/dev/ttyUSB0 "}
        )
        await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {
        "bus_type": "serial",
        "url": "luba232:/dev/ttyUSB0",
        "interface_id": SERIAL,
    }
    assert result["result"].unique_id == f"serial:{SERIAL}"


async def test_same_device_twice_aborts(
    hass: HomeAssistant, stand_in_interface: list[SimulatedBackend]
) -> None:
    MockConfigEntry(
        domain=DOMAIN,
        data={"bus_type": "hid_hasseb", "path": "/dev/hidraw1"},
        unique_id="hid_hasseb:/dev/hidraw1",
    ).add_to_hass(hass)
    flow_id = await _start(hass)
    await hass.config_entries.flow.async_configure(flow_id, {"bus_type": "hid_hasseb"})
    result = await hass.config_entries.flow.async_configure(flow_id, {"path": "/dev/hidraw1"})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def _hardware_entry(hass: HomeAssistant, unique_id: str, path: str) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"hasseb DALI Master ({path})",
        data={"bus_type": "hid_hasseb", "path": path},
        unique_id=unique_id,
    )
    entry.add_to_hass(hass)
    return entry


async def test_reconfigure_moves_to_another_path(
    hass: HomeAssistant, stand_in_interface: list[SimulatedBackend]
) -> None:
    entry = await _hardware_entry(hass, "hid_hasseb:/dev/hidraw1", "/dev/hidraw1")
    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"path": "bad"})
    assert result["errors"] == {"base": "invalid_path"}
    with patch(
        "custom_components.smart_lighting_ai.create_backend", return_value=SimulatedBackend()
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"path": "/dev/hidraw2"}
        )
        await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert (entry.data["bus_type"], entry.data["path"]) == ("hid_hasseb", "/dev/hidraw2")
    assert entry.data["fernet_keys"]  # the profile key survives a reconfigure
    assert entry.unique_id == "hid_hasseb:/dev/hidraw1"  # entity ids and history stay
    # the new path now counts as configured
    flow_id = await _start(hass)
    await hass.config_entries.flow.async_configure(flow_id, {"bus_type": "hid_hasseb"})
    result = await hass.config_entries.flow.async_configure(flow_id, {"path": "/dev/hidraw2"})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.title == "hasseb DALI Master (/dev/hidraw2)"


async def test_reconfigure_onto_another_entrys_device_aborts(
    hass: HomeAssistant, stand_in_interface: list[SimulatedBackend]
) -> None:
    entry = await _hardware_entry(hass, "hid_hasseb:/dev/hidraw1", "/dev/hidraw1")
    await _hardware_entry(hass, "hid_hasseb:/dev/hidraw2", "/dev/hidraw2")
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"path": "/dev/hidraw2"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reconfigure_simulated_bus_has_nothing_to_change(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_not_needed"
