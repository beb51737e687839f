"""The translated errors several parts of the shell raise."""

from __future__ import annotations

from homeassistant.exceptions import HomeAssistantError

from .const import DOMAIN


def bus_error(err: Exception) -> HomeAssistantError:
    """Wrap ``err`` as the translated "the DALI bus reported an error"."""
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="bus_error",
        translation_placeholders={"error": str(err)},
    )


def database_unavailable() -> HomeAssistantError:
    """The database could not be used for this action."""
    return HomeAssistantError(translation_domain=DOMAIN, translation_key="database_unavailable")
