"""The translated errors several parts of the shell raise."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import wraps
from typing import Any

from homeassistant.exceptions import HomeAssistantError

from .const import DOMAIN
from .dali import DaliError, DaliNotConnectedError, DaliTimeoutError, UnknownGroupError
from .store import StoreError


def dali_error(err: DaliError | UnknownGroupError) -> HomeAssistantError:
    """The translated error a user reads for a failed bus command."""
    if isinstance(err, DaliNotConnectedError):
        return HomeAssistantError(translation_domain=DOMAIN, translation_key="not_connected")
    if isinstance(err, DaliTimeoutError):
        return HomeAssistantError(translation_domain=DOMAIN, translation_key="bus_timeout")
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="bus_error",
        translation_placeholders={"error": str(err)},
    )


def database_unavailable() -> HomeAssistantError:
    """The database could not be used for this action."""
    return HomeAssistantError(translation_domain=DOMAIN, translation_key="database_unavailable")


def translate_errors[**P, R](
    handler: Callable[P, Coroutine[Any, Any, R]],
) -> Callable[P, Coroutine[Any, Any, R]]:
    """Turn the bus's and the database's errors into the translated ones a user reads.

    Wraps every action handler; errors a handler translated itself pass through unchanged.
    """

    @wraps(handler)
    async def _translated(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await handler(*args, **kwargs)
        except (DaliError, UnknownGroupError) as err:
            raise dali_error(err) from err
        except StoreError as err:
            raise database_unavailable() from err

    return _translated
