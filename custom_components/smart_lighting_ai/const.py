"""Constants of the Smart Lighting AI integration."""

from __future__ import annotations

import logging
from typing import Final

DOMAIN: Final = "smart_lighting_ai"
LOGGER = logging.getLogger(__package__)

CONF_BUS_TYPE: Final = "bus_type"
CONF_PATH: Final = "path"
CONF_URL: Final = "url"
CONF_CONFIG_ENTRY_ID: Final = "config_entry_id"

# Options (contract C5)
CONF_GROUPS: Final = "groups"
CONF_GROUP_NAME: Final = "name"
CONF_OCCUPANCY_ENTITIES: Final = "occupancy_entities"
CONF_ILLUMINANCE_ENTITIES: Final = "illuminance_entities"

DEFAULT_HID_PATH: Final = "/dev/hidraw0"
READ_BACK_INTERVAL_S: Final = 60
BUS_TIMEOUT_S: Final = 5.0
CONNECT_TIMEOUT_S: Final = 10.0
RECONNECT_DELAYS_S: Final = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)

DB_FILENAME: Final = "smart_lighting_ai.db"
CONF_WEATHER_ENTITY: Final = "weather_entity"
CONF_FEATURE_WINDOW: Final = "feature_window_minutes"
CONF_RETENTION_DAYS: Final = "retention_days"
DEFAULT_FEATURE_WINDOW: Final = 5
DEFAULT_RETENTION_DAYS: Final = 30
HEALTH_CHECK_INTERVAL_S: Final = 3600

# Predictor and policy options (contract C5)
CONF_PREDICTOR: Final = "predictor"
CONF_BASE_URL: Final = "base_url"
CONF_MODEL: Final = "model"
CONF_PAYLOAD_CAP: Final = "payload_cap_bytes"
CONF_AI_CALLS_PER_HOUR: Final = "ai_calls_per_hour"
CONF_ANTI_FLICKER: Final = "anti_flicker_seconds"
CONF_OVERRIDE_MINUTES: Final = "override_minutes"
CONF_SHADOW_MODE: Final = "shadow_mode"
PREDICTOR_LOCAL: Final = "local"
PREDICTOR_OPENAI: Final = "openai"
DEFAULT_BASE_URL: Final = "https://api.openai.com/v1"
DEFAULT_MODEL: Final = "gpt-4o-mini"
DEFAULT_PAYLOAD_CAP: Final = 16384
DEFAULT_AI_CALLS_PER_HOUR: Final = 60
DEFAULT_ANTI_FLICKER: Final = 120
DEFAULT_OVERRIDE_MINUTES: Final = 60
AUTOMATIC_FADE_S: Final = 2.8
SWITCH_ON_FADE_S: Final = 0.7
"""Lighting a dark room for someone: quick (DALI fade code 1, 0.7 s), never a slow fade-in."""

CONF_FERNET_KEYS: Final = "fernet_keys"
CONF_PRICE_INPUT: Final = "ai_price_input_per_mtok"
CONF_PRICE_OUTPUT: Final = "ai_price_output_per_mtok"
CONF_RATED_WATTS: Final = "rated_watts"
DEFAULT_WATTS_PER_GEAR: Final = 10.0
CONF_DESK_DAYLIGHT_RATIO: Final = "desk_daylight_ratio"
"""Room setting: daylight at the desks / daylight at the illuminance sensor."""
EVENT_AUTOMATIC_CHANGE: Final = f"{DOMAIN}_automatic_change"
"""Fired with the context of every automatic change (the logbook names its cause)."""
