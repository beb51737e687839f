"""HA-free predictor core: features in, lighting decisions out.

``LocalPredictor`` applies deterministic rules; ``OpenAIPredictor`` asks an OpenAI-compatible
model under a byte cap and an hourly call budget and falls back to the local rules per group.
``make_safe`` applies the safety rules to any predictor's decision. ``LampHistory``,
``sensor_health`` and ``calibration`` supply the consistent daylight estimate and fault flags.
"""

from .auth import validate_api_key
from .calibration import calibrate
from .errors import CannotConnect, InvalidAuth, PredictorError
from .lamp_history import LampHistory
from .local import DaylightEstimate, LocalPredictor, Presence, assess_presence, estimate_daylight
from .openai_predictor import OpenAIPredictor
from .payload import PayloadTooLargeError, build_request
from .rate_limit import TokenBucket
from .safety import make_safe
from .schedule import decayed_offset, learn_offset
from .schema import RESPONSE_FORMAT, AnswerError, parse_answer
from .sensor_health import Reading, illuminance_fault, occupancy_stuck_on
from .types import Decision, Features, GroupLimits, Predictor, Source

__all__ = [
    "RESPONSE_FORMAT",
    "AnswerError",
    "CannotConnect",
    "DaylightEstimate",
    "Decision",
    "Features",
    "GroupLimits",
    "InvalidAuth",
    "LampHistory",
    "LocalPredictor",
    "OpenAIPredictor",
    "PayloadTooLargeError",
    "Predictor",
    "PredictorError",
    "Presence",
    "Reading",
    "Source",
    "TokenBucket",
    "assess_presence",
    "build_request",
    "calibrate",
    "decayed_offset",
    "estimate_daylight",
    "illuminance_fault",
    "learn_offset",
    "make_safe",
    "occupancy_stuck_on",
    "parse_answer",
    "validate_api_key",
]
