"""Config flow: pick the DALI interface, test it, and create one entry per bus."""

from __future__ import annotations

import asyncio
from typing import Any

import voluptuous as vol
from dali.address import GearBroadcast
from dali.gear.general import QueryControlGearPresent
from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.core import callback
from homeassistant.helpers.selector import (
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
from .dali.factory import BUS_SERIAL, BUS_SIMULATED
from .options_flow import SmartLightingOptionsFlow

TITLES = {
    BUS_SIMULATED: "DALI bus (simulated)",
    "hid_tridonic": "Tridonic DALI-USB",
    "hid_hasseb": "hasseb DALI Master",
    BUS_SERIAL: "DALI serial interface",
}


class CannotConnect(Exception):
    """The interface did not open or did not answer."""


class NoGearFound(Exception):
    """The interface works but no control gear answered."""


async def probe_bus(bus_type: str, path: str | None = None, url: str | None = None) -> None:
    """Open the interface, ask whether any control gear is there, and close it again.

    One broadcast query is enough (any answer, even a collision, means gear is
    present); the full scan runs when the entry is set up. Raises
    ``DaliConfigError`` for bad settings, :class:`CannotConnect` and :class:`NoGearFound`.
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


def _unique_id(bus_type: str, address: str | None) -> str:
    return bus_type if address is None else f"{bus_type}:{address}"


def _title(bus_type: str, address: str | None) -> str:
    return TITLES[bus_type] if address is None else f"{TITLES[bus_type]} ({address})"


class SmartLightingConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a DALI bus."""

    VERSION = 1

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
            errors = await self._test(None, None)
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
        return await self._address_step("hid", CONF_PATH, DEFAULT_HID_PATH, user_input)

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
            await self.async_set_unique_id(_unique_id(self._bus_type, address))
            if self.source != SOURCE_RECONFIGURE:
                self._abort_if_unique_id_configured()
                # an entry reconfigured onto this device keeps its first unique_id
                self._async_abort_entries_match({CONF_BUS_TYPE: self._bus_type, key: address})
            elif any(
                e.unique_id == self.unique_id and e.entry_id != self._reconfigure_entry_id
                for e in self._async_current_entries()
            ):
                return self.async_abort(reason="already_configured")
            path, url = (address, None) if key == CONF_PATH else (None, address)
            errors = await self._test(path, url, invalid=f"invalid_{key}")
            if not errors:
                data = {CONF_BUS_TYPE: self._bus_type, key: address}
                title = _title(self._bus_type, address)
                if self.source == SOURCE_RECONFIGURE:
                    entry = self._get_reconfigure_entry()
                    # the unique_id stays: entities, devices and their history belong to the
                    # bus, not to the device path it happens to have today
                    self.hass.config_entries.async_update_entry(
                        entry, data={**entry.data, **data}, title=title
                    )
                    await self.hass.config_entries.async_reload(entry.entry_id)
                    return self.async_abort(reason="reconfigure_successful")
                return self.async_create_entry(title=title, data=data)
            default = address
        return self.async_show_form(
            step_id=step_id,
            data_schema=vol.Schema({vol.Required(key, default=default): TextSelector()}),
            errors=errors,
            description_placeholders={"bus_type": TITLES[self._bus_type]},
        )

    async def _test(
        self, path: str | None, url: str | None, invalid: str = "cannot_connect"
    ) -> dict[str, str]:
        try:
            await probe_bus(self._bus_type, path=path, url=url)
        except DaliConfigError:
            return {"base": invalid}
        except CannotConnect:
            return {"base": "cannot_connect"}
        except NoGearFound:
            return {"base": "no_gear_found"}
        return {}
