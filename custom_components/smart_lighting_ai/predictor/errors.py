"""Errors raised by the predictor core."""


class PredictorError(Exception):
    """Base class of every predictor error."""


class InvalidAuth(PredictorError):
    """The AI service rejected the API key."""


class CannotConnect(PredictorError):
    """The AI service could not be reached or answered with an error."""
