"""Fix flows for the repair issues that have a fix."""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from homeassistant import data_entry_flow
from homeassistant.components.repairs import ConfirmRepairFlow, RepairsFlow
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_API_KEY
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.selector import TextSelector, TextSelectorConfig, TextSelectorType

from .const import CONF_BASE_URL, CONF_PREDICTOR, PREDICTOR_LOCAL
from .issues import ISSUE_API_KEY_REJECTED, ISSUE_INVALID_KEY, ISSUE_UNDECRYPTABLE
from .predictor import CannotConnect, InvalidAuth, validate_api_key
from .predictor_factory import async_create_client


def _issue_placeholders(flow: RepairsFlow) -> dict[str, str] | None:
    """The placeholders the issue was raised with (its groups), for the fix flow's texts."""
    issue = ir.async_get(flow.hass).async_get_issue(flow.handler, flow.issue_id)
    return None if issue is None else issue.translation_placeholders


class PurgeProfilesFlow(RepairsFlow):
    """Delete the profiles no key can read; their groups keep running on defaults.

    With ``replace_key`` (the key itself is not a valid key) the key is replaced too.
    """

    def __init__(self, entry_id: str, *, replace_key: bool = False) -> None:
        """Fix the issue of entry ``entry_id``."""
        self._entry_id = entry_id
        self._replace_key = replace_key

    async def async_step_init(
        self, user_input: dict[str, str] | None = None
    ) -> data_entry_flow.FlowResult:
        """Ask for confirmation."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> data_entry_flow.FlowResult:
        """Purge on confirmation."""
        if user_input is not None:
            entry = self.hass.config_entries.async_get_entry(self._entry_id)
            if entry is None or entry.state is not ConfigEntryState.LOADED:
                return self.async_abort(reason="not_loaded")
            profiles = entry.runtime_data.profiles
            if self._replace_key:
                await profiles.async_replace_invalid_key()
            else:
                await profiles.async_purge_undecryptable()
            return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="confirm", description_placeholders=_issue_placeholders(self)
        )


class NewApiKeyFlow(RepairsFlow):
    """Explain the rejected key, then take a new one or go back to the local predictor.

    A new key is checked with one request before it is saved. Going back to the local
    predictor keeps the key in the options (the AI can be chosen again later). Either way
    the options change reloads the entry, and the repairs manager deletes the issue.
    """

    def __init__(self, entry_id: str) -> None:
        """Fix the issue of entry ``entry_id``."""
        self._entry_id = entry_id

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> data_entry_flow.FlowResult:
        """What happened and what the lights do meanwhile, with the two ways out."""
        return self.async_show_menu(
            step_id="init",
            menu_options=["api_key", "use_local"],
            description_placeholders=_issue_placeholders(self),
        )

    async def async_step_use_local(
        self, user_input: dict[str, Any] | None = None
    ) -> data_entry_flow.FlowResult:
        """Let the local predictor decide from now on."""
        entry = self.hass.config_entries.async_get_entry(self._entry_id)
        if entry is None:
            return self.async_abort(reason="not_loaded")
        self.hass.config_entries.async_update_entry(
            entry, options={**entry.options, CONF_PREDICTOR: PREDICTOR_LOCAL}
        )
        return self.async_create_entry(data={})

    async def async_step_api_key(
        self, user_input: dict[str, Any] | None = None
    ) -> data_entry_flow.FlowResult:
        """Show the key form."""
        entry = self.hass.config_entries.async_get_entry(self._entry_id)
        if entry is None:
            return self.async_abort(reason="not_loaded")
        errors: dict[str, str] = {}
        if user_input is not None:
            client = await async_create_client(
                self.hass, user_input[CONF_API_KEY], entry.options.get(CONF_BASE_URL)
            )
            try:
                await validate_api_key(client.with_options(max_retries=0))
            except InvalidAuth:
                errors[CONF_API_KEY] = "invalid_auth"
            except CannotConnect:
                errors["base"] = "cannot_connect"
            else:
                self.hass.config_entries.async_update_entry(
                    entry, options={**entry.options, CONF_API_KEY: user_input[CONF_API_KEY]}
                )
                return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="api_key",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_API_KEY): TextSelector(
                        TextSelectorConfig(type=TextSelectorType.PASSWORD)
                    )
                }
            ),
            errors=errors,
        )


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, Any] | None
) -> RepairsFlow:
    """The fix flow of ``issue_id``."""
    kind = (data or {}).get("kind")
    entry_id = str((data or {}).get("entry_id"))
    if kind == ISSUE_UNDECRYPTABLE:
        return PurgeProfilesFlow(entry_id)
    if kind == ISSUE_INVALID_KEY:
        return PurgeProfilesFlow(entry_id, replace_key=True)
    if kind == ISSUE_API_KEY_REJECTED:
        return NewApiKeyFlow(entry_id)
    return ConfirmRepairFlow()
