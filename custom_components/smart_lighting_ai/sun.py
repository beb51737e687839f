"""The sun's elevation at the home's location."""

from __future__ import annotations

from datetime import datetime

from astral import Observer
from astral.sun import elevation
from homeassistant.core import HomeAssistant


def sun_elevation_at(hass: HomeAssistant, when: datetime) -> float:
    """Sun elevation in degrees at the home's location at ``when``.

    Computed with astral (which Home Assistant ships) rather than ``helpers.sun``, whose
    ``get_astral_location`` 2026.7 deprecated and whose replacement 2025.4 lacks.
    """
    observer = Observer(hass.config.latitude, hass.config.longitude, hass.config.elevation)
    return float(elevation(observer, when))
