"""The translated errors several parts of the shell raise."""

from __future__ import annotations

from homeassistant.exceptions import HomeAssistantError

from .const import DOMAIN
from .dali import DaliError, DaliNotConnectedError, DaliTimeoutError, UnknownGroupError


def bus_error(err: Exception) -> HomeAssistantError:
    """Wrap ``err`` as the translated "the DALI bus reported an error"."""
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="bus_error",
        translation_placeholders={"error": str(err)},
    )


def dali_error(err: DaliError | UnknownGroupError) -> HomeAssistantError:
    """The translated error a user reads for a failed bus command."""
    if isinstance(err, DaliNotConnectedError):
        return HomeAssistantError(translation_domain=DOMAIN, translation_key="not_connected")
    if isinstance(err, DaliTimeoutError):
        return HomeAssistantError(translation_domain=DOMAIN, translation_key="bus_timeout")
    return bus_error(err)


def database_unavailable() -> HomeAssistantError:
    """The database could not be used for this action."""
    return HomeAssistantError(translation_domain=DOMAIN, translation_key="database_unavailable")
