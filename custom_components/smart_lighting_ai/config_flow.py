"""Config flow: pick the DALI interface, test it, and create one entry per bus."""

from __future__ import annotations

import asyncio
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlparse

import voluptuous as vol
from dali.address import GearBroadcast
from dali.gear.general import QueryControlGearPresent
from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)

from .const import (
    CONF_BUS_TYPE,
    CONF_PATH,
    CONF_URL,
    CONNECT_TIMEOUT_S,
    DEFAULT_HID_PATH,
    DOMAIN,
    LOGGER,
)
from .dali import (
    BUS_TYPES,
    HID_BUS_TYPES,
    DaliBus,
    DaliConfigError,
    DaliError,
    create_backend,
)
from .dali.backend import InterfaceIdentity, identity_of
from .dali.backends.device_links import stable_link
from .dali.factory import BUS_HID_HASSEB, BUS_HID_TRIDONIC, BUS_SERIAL, BUS_SIMULATED
from .entity import bus_identifier
from .options_flow import SmartLightingOptionsFlow

# Entry data: what identifies the interface the entry uses now (its serial number, or the
# udev by-id link of its device node), when it has either.
CONF_INTERFACE_ID: Final = "interface_id"

TITLES = {
    BUS_SIMULATED: "DALI bus (simulated)",
    "hid_tridonic": "Tridonic DALI-USB",
    "hid_hasseb": "hasseb DALI Master",
    BUS_SERIAL: "DALI serial interface",
}


# Where Linux lists its hidraw devices; each has the uevent of its HID device.
SYSFS_HIDRAW: Final = "/sys/class/hidraw"
# The USB vendor and product IDs of the HID interfaces python-dali drives (the IDs its own
# dali/driver/tridonic.py and dali/driver/hasseb.py open).
KNOWN_HID_INTERFACES: Final[dict[tuple[int, int], str]] = {
    (0x17B5, 0x0020): BUS_HID_TRIDONIC,
    (0x04CC, 0x0802): BUS_HID_HASSEB,
}
_HID_ID = re.compile(r"(?P<bus>[0-9A-Fa-f]+):(?P<vendor>[0-9A-Fa-f]+):(?P<product>[0-9A-Fa-f]+)")
_HIDRAW_NODE = re.compile(r"hidraw(\d+)")


@dataclass(frozen=True, slots=True)
class HidrawDevice:
    """One ``/dev/hidrawN`` as sysfs describes it."""

    path: str
    name: str | None
    vendor_id: int | None
    product_id: int | None

    @property
    def interface(self) -> str | None:
        """The bus type of a known DALI interface, None for any other HID device."""
        if self.vendor_id is None or self.product_id is None:
            return None
        return KNOWN_HID_INTERFACES.get((self.vendor_id, self.product_id))

    def label(self) -> str:
        """How the device is listed, e.g. ``/dev/hidraw2: hasseb DALI Master [04cc:0802], …``."""
        name = self.name or "unnamed HID device"
        ids = (
            f" [{self.vendor_id:04x}:{self.product_id:04x}]"
            if self.vendor_id is not None and self.product_id is not None
            else ""
        )
        known = f", a DALI interface ({TITLES[self.interface]})" if self.interface else ""
        return f"{self.path}: {name}{ids}{known}"


def _uevent(path: Path) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def list_hidraw(sysfs: str | None = None, dev: str = "/dev") -> list[HidrawDevice]:
    """The hidraw devices with their USB names and IDs, in the order of their numbers.

    ``sysfs`` defaults to :data:`SYSFS_HIDRAW`. Reads the file system: run it in an executor.
    """
    sysfs = sysfs or SYSFS_HIDRAW
    try:
        nodes = [entry.name for entry in os.scandir(sysfs)]
    except OSError:
        return []
    devices = []
    for node in sorted(
        (n for n in nodes if _HIDRAW_NODE.fullmatch(n)), key=lambda n: int(n[len("hidraw") :])
    ):
        event = _uevent(Path(sysfs, node, "device", "uevent"))
        ids = _HID_ID.fullmatch(event.get("HID_ID", "").strip())
        devices.append(
            HidrawDevice(
                path=os.path.join(dev, node),
                name=event.get("HID_NAME", "").strip() or None,
                vendor_id=int(ids["vendor"], 16) if ids else None,
                product_id=int(ids["product"], 16) if ids else None,
            )
        )
    return devices


def is_hid_device_path(path: str) -> bool:
    """Whether ``path`` may be a hidraw node (checked before the interface is opened).

    What it leads to must be a character device; a path that does not exist (yet) may
    only be under /dev (an unplugged interface, or a udev link that is not there now).
    Reads the file system: run it in an executor.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return path.startswith("/dev/")
    except OSError:
        return True  # exists, but cannot be inspected: let the probe report it
    return stat.S_ISCHR(mode)


class CannotConnect(Exception):
    """The interface did not open or did not answer."""


class NoGearFound(Exception):
    """The interface works but no control gear answered."""


async def probe_bus(
    bus_type: str, path: str | None = None, url: str | None = None
) -> InterfaceIdentity:
    """Open the interface, ask whether any control gear is there, and close it again.

    One broadcast query is enough (any answer, even a collision, means gear is
    present); the full scan runs when the entry is set up. Returns what the interface
    said it is. Raises ``DaliConfigError`` for bad settings, :class:`CannotConnect` and
    :class:`NoGearFound`.
    """
    bus = DaliBus(create_backend(bus_type, path=path, url=url))  # DaliConfigError escapes here
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT_S):
            await bus.connect()
            answer = await bus.send(QueryControlGearPresent(GearBroadcast()))
    except (DaliError, TimeoutError) as err:
        LOGGER.debug("Probe of %s bus failed: %s", bus_type, err)
        raise CannotConnect from err
    finally:
        await bus.close()
    if not answer.value:
        raise NoGearFound
    return identity_of(bus.backend)


def device_path(data: Mapping[str, Any]) -> str | None:
    """The device node of an entry's interface: its hidraw path, or the port of its URL."""
    if path := data.get(CONF_PATH):
        return str(path)
    if url := data.get(CONF_URL):
        return urlparse(str(url).strip()).path or None
    return None


async def async_interface_id(
    hass: HomeAssistant, identity: InterfaceIdentity, device: str | None
) -> str | None:
    """What names the interface wherever it is plugged in: its serial, else its by-id link."""
    if identity.serial_number or device is None:
        return identity.serial_number
    return await hass.async_add_executor_job(stable_link, device)


async def async_migrate_data(hass: HomeAssistant, data: Mapping[str, Any]) -> dict[str, Any]:
    """Entry data of version 1.1 as 1.2 has it: the by-id link of the port, where there is one.

    The entry's unique_id stays as it is (see ``async_migrate_entry``). The serial number
    of an interface that reports one needs the interface itself: it reaches the bus device
    in the device registry at the next setup, where the config flow finds it.
    """
    migrated = dict(data)
    device = device_path(data)
    if device is None or CONF_INTERFACE_ID in migrated:
        return migrated
    if link := await hass.async_add_executor_job(stable_link, device):
        migrated[CONF_INTERFACE_ID] = link
    return migrated


def _unique_id(bus_type: str, address: str | None) -> str:
    """``bus_type``, or ``bus_type:address`` where ``address`` is a serial, link or path."""
    return bus_type if address is None else f"{bus_type}:{address}"


def _title(bus_type: str, address: str | None) -> str:
    return TITLES[bus_type] if address is None else f"{TITLES[bus_type]} ({address})"


class SmartLightingConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a DALI bus."""

    VERSION = 1
    # 1.2: a new hardware entry's unique_id is its interface's serial number or by-id link;
    # entries made before keep theirs and record the by-id link in their data.
    MINOR_VERSION = 2

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry[Any]) -> OptionsFlow:
        """Room settings and pipeline settings."""
        return SmartLightingOptionsFlow()

    def __init__(self) -> None:
        """Start with no bus type chosen."""
        self._bus_type = BUS_SIMULATED

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Choose the kind of DALI interface."""
        errors: dict[str, str] = {}
        if user_input is not None:
            self._bus_type = user_input[CONF_BUS_TYPE]
            if self._bus_type in HID_BUS_TYPES:
                return await self.async_step_hid()
            if self._bus_type == BUS_SERIAL:
                return await self.async_step_serial()
            await self.async_set_unique_id(_unique_id(BUS_SIMULATED, None))
            self._abort_if_unique_id_configured()
            errors, _ = await self._test(None, None)
            if not errors:
                return self.async_create_entry(
                    title=TITLES[BUS_SIMULATED], data={CONF_BUS_TYPE: BUS_SIMULATED}
                )
        return self.async_show_form(
            step_id="user",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_BUS_TYPE, default=BUS_SIMULATED): SelectSelector(
                        SelectSelectorConfig(
                            options=list(BUS_TYPES),
                            translation_key=CONF_BUS_TYPE,
                            mode=SelectSelectorMode.LIST,
                        )
                    )
                }
            ),
            errors=errors,
        )

    async def async_step_hid(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the hidraw device of a USB interface."""
        return await self._address_step("hid", CONF_PATH, "", user_input)

    async def async_step_serial(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the python-dali URL of a serial interface."""
        return await self._address_step("serial", CONF_URL, "", user_input)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Point an existing entry at another device path or URL."""
        entry = self._get_reconfigure_entry()
        self._bus_type = entry.data[CONF_BUS_TYPE]
        if self._bus_type == BUS_SIMULATED:
            return self.async_abort(reason="reconfigure_not_needed")
        key = CONF_PATH if self._bus_type in HID_BUS_TYPES else CONF_URL
        return await self._address_step("reconfigure", key, entry.data.get(key, ""), user_input)

    async def _address_step(
        self, step_id: str, key: str, default: str, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None and key in user_input:
            address = str(user_input[key]).strip()
            if self.source != SOURCE_RECONFIGURE:
                await self.async_set_unique_id(_unique_id(self._bus_type, address))
                self._abort_if_unique_id_configured()
                # an entry reconfigured onto this device keeps its first unique_id
                self._async_abort_entries_match({CONF_BUS_TYPE: self._bus_type, key: address})
            elif self._address_used_elsewhere(key, address):
                return self.async_abort(reason="already_configured")
            path, url = (address, None) if key == CONF_PATH else (None, address)
            if path is not None and not await self.hass.async_add_executor_job(
                is_hid_device_path, path
            ):
                errors, identity = {"base": "invalid_path"}, InterfaceIdentity()
            else:
                errors, identity = await self._test(path, url, invalid=f"invalid_{key}")
            if not errors:
                device = device_path({key: address})
                interface_id = await async_interface_id(self.hass, identity, device)
                if self.source == SOURCE_RECONFIGURE:
                    return await self._async_reconfigure(key, address, identity, interface_id)
                return await self._async_add(key, address, identity, interface_id)
            default = address
        field: Any = TextSelector()
        if key == CONF_PATH:
            field, default = await self._hid_field(default)
        return self.async_show_form(
            step_id=step_id,
            data_schema=vol.Schema(
                {vol.Required(key, **({"default": default} if default else {})): field}
            ),
            errors=errors,
            description_placeholders={"bus_type": TITLES[self._bus_type]},
        )

    async def _hid_field(self, default: str) -> tuple[Any, str]:
        """The hidraw devices to choose from (known DALI interfaces first), or a text field.

        A path can always be typed in (a udev link, a device that is not plugged in yet).
        Without a path of its own, the first interface of the chosen kind is preselected.
        """
        devices = await self.hass.async_add_executor_job(list_hidraw)
        if not devices:
            return TextSelector(), default or DEFAULT_HID_PATH
        rank = {self._bus_type: 0}
        devices.sort(key=lambda d: rank.get(d.interface or "", 1 if d.interface else 2))
        if not default and devices[0].interface == self._bus_type:
            default = devices[0].path
        options = [SelectOptionDict(value=d.path, label=d.label()) for d in devices]
        selector = SelectSelector(
            SelectSelectorConfig(
                options=options, custom_value=True, mode=SelectSelectorMode.DROPDOWN
            )
        )
        return selector, default

    async def _async_add(
        self, key: str, address: str, identity: InterfaceIdentity, interface_id: str | None
    ) -> ConfigFlowResult:
        """Create the entry, unless its interface is already set up (on another port)."""
        data = {CONF_BUS_TYPE: self._bus_type, key: address}
        if interface_id is not None:
            if (entry := self._entry_using(interface_id, identity.serial_number)) is not None:
                return self._async_follow(entry, key, address, interface_id)
            await self.async_set_unique_id(_unique_id(self._bus_type, interface_id))
            self._abort_if_unique_id_configured()
            data[CONF_INTERFACE_ID] = interface_id
        return self.async_create_entry(title=_title(self._bus_type, address), data=data)

    async def _async_reconfigure(
        self, key: str, address: str, identity: InterfaceIdentity, interface_id: str | None
    ) -> ConfigFlowResult:
        """Point the entry at the interface at ``address``; its unique_id stays.

        Entities, devices and their history belong to the bus, not to the device path or
        even the interface it has today: a replacement interface takes over the same bus.
        """
        if interface_id is not None and self._entry_using(interface_id, identity.serial_number):
            return self.async_abort(reason="already_configured")
        entry = self._get_reconfigure_entry()
        data = {**entry.data, CONF_BUS_TYPE: self._bus_type, key: address}
        data.pop(CONF_INTERFACE_ID, None)
        if interface_id is not None:
            data[CONF_INTERFACE_ID] = interface_id
        return self.async_update_reload_and_abort(
            entry, data=data, title=_title(self._bus_type, address)
        )

    def _other_entries(self) -> list[ConfigEntry[Any]]:
        """The entries of this bus type, without the one being reconfigured."""
        own = self._reconfigure_entry_id if self.source == SOURCE_RECONFIGURE else None
        return [
            entry
            for entry in self._async_current_entries(include_ignore=False)
            if entry.entry_id != own and entry.data.get(CONF_BUS_TYPE) == self._bus_type
        ]

    def _address_used_elsewhere(self, key: str, address: str) -> bool:
        old_scheme = _unique_id(self._bus_type, address)
        return any(
            entry.unique_id == old_scheme or entry.data.get(key) == address
            for entry in self._other_entries()
        )

    def _entry_using(self, interface_id: str, serial: str | None) -> ConfigEntry[Any] | None:
        """The entry that uses this interface, if any.

        Found by the identity it recorded, or by the serial number its bus device showed
        when it last connected (entries made before version 1.2 recorded none).
        """
        for entry in self._other_entries():
            if entry.data.get(CONF_INTERFACE_ID) == interface_id:
                return entry
            if serial and self._bus_device_serial(entry) == serial:
                return entry
        return None

    def _bus_device_serial(self, entry: ConfigEntry[Any]) -> str | None:
        """The serial number the entry's bus device shows in the device registry."""
        identifier = bus_identifier(entry)
        for device in dr.async_entries_for_config_entry(dr.async_get(self.hass), entry.entry_id):
            if identifier in device.identifiers:
                return device.serial_number
        return None

    @callback
    def _async_follow(
        self, entry: ConfigEntry[Any], key: str, address: str, interface_id: str
    ) -> ConfigFlowResult:
        """The interface moved to ``address``: take its entry along, then abort."""
        data = {**entry.data, key: address, CONF_INTERFACE_ID: interface_id}
        title = entry.title
        if title == _title(self._bus_type, entry.data.get(key)):  # not renamed by the user
            title = _title(self._bus_type, address)
        changed = self.hass.config_entries.async_update_entry(entry, data=data, title=title)
        if changed and entry.state in (ConfigEntryState.LOADED, ConfigEntryState.SETUP_RETRY):
            self.hass.config_entries.async_schedule_reload(entry.entry_id)
        return self.async_abort(reason="already_configured")

    async def _test(
        self, path: str | None, url: str | None, invalid: str = "cannot_connect"
    ) -> tuple[dict[str, str], InterfaceIdentity]:
        """Probe the interface: the form errors, and what the interface said it is."""
        try:
            identity = await probe_bus(self._bus_type, path=path, url=url)
        except DaliConfigError:
            return {"base": invalid}, InterfaceIdentity()
        except CannotConnect:
            return {"base": "cannot_connect"}, InterfaceIdentity()
        except NoGearFound:
            return {"base": "no_gear_found"}, InterfaceIdentity()
        return {}, identity
