"""Check an API key against the OpenAI-compatible service."""

from __future__ import annotations

import openai

from .errors import CannotConnect, InvalidAuth

VALIDATE_TIMEOUT = 10.0
_NOT_FOUND = 404


async def validate_api_key(client: openai.AsyncOpenAI) -> None:
    """List the models with ``client``'s key; raise if the key or the service is unusable.

    Raise :class:`InvalidAuth` when the service rejects the key (HTTP 401) and
    :class:`CannotConnect` when it cannot be reached or answers with another error. A 404 passes:
    some OpenAI-compatible servers have no ``/models`` endpoint, and reaching it without a 401
    means the key was not rejected.
    """
    try:
        await client.with_options(timeout=VALIDATE_TIMEOUT).models.list()
    except openai.AuthenticationError as err:
        raise InvalidAuth(str(err)) from err
    except openai.APIStatusError as err:
        if err.status_code != _NOT_FOUND:
            raise CannotConnect(f"HTTP {err.status_code}") from err
    except openai.APIError as err:
        raise CannotConnect(str(err)) from err
