"""HA-free predictor core: features in, lighting decisions out.

``LocalPredictor`` applies deterministic rules; ``OpenAIPredictor`` asks an OpenAI-compatible
model under a byte cap and an hourly call budget and falls back to the local rules per group.
"""

from .auth import validate_api_key
from .errors import CannotConnect, InvalidAuth, PredictorError
from .local import LocalPredictor
from .openai_predictor import OpenAIPredictor
from .payload import PayloadTooLargeError, build_request
from .rate_limit import TokenBucket
from .schema import RESPONSE_FORMAT, AnswerError, parse_answer
from .types import Decision, Features, GroupLimits, Predictor, Source

__all__ = [
    "RESPONSE_FORMAT",
    "AnswerError",
    "CannotConnect",
    "Decision",
    "Features",
    "GroupLimits",
    "InvalidAuth",
    "LocalPredictor",
    "OpenAIPredictor",
    "PayloadTooLargeError",
    "Predictor",
    "PredictorError",
    "Source",
    "TokenBucket",
    "build_request",
    "parse_answer",
    "validate_api_key",
]
