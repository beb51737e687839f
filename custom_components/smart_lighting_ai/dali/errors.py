"""Errors raised by the DALI core."""


class DaliError(Exception):
    """Base class of every DALI core error."""


class DaliConfigError(DaliError):
    """The bus settings are wrong (unknown bus type, bad path or URL)."""


class DaliConnectionError(DaliError):
    """The interface could not be opened or has gone away."""


class DaliNotConnectedError(DaliConnectionError):
    """A transaction was attempted while the bus is disconnected."""


class DaliTimeoutError(DaliError):
    """A transaction did not finish within its timeout."""
