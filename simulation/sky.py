"""Outdoor daylight in two parts: the diffuse sky and the direct sun beam.

A daylight factor is defined for diffuse (overcast) sky light, so the two parts are kept apart all
the way to the desk (:mod:`simulation.rooms`): the diffuse part reaches every point of a room
through its daylight factor; the direct beam reaches only the points a sun patch falls on.

- **Clear sky.** Diffuse horizontal illuminance ``800 + 15500 * sqrt(sin h)`` lx for a sun
  elevation ``h`` (about 12.9 klx at 38 degrees, 16.3 klx with the sun overhead: a clear sky's
  diffuse part stays well below 20 klx). Direct normal illuminance ``127500 * exp(-0.21 / sin h)``
  lx (extraterrestrial sun times the clear atmosphere's extinction); on a horizontal plane times
  ``sin h``. Together about 68 klx at 38 degrees.
- **Overcast sky.** Diffuse only: ``(300 + 21000 * sin h)`` lx times a slowly drifting cloud
  density (0.6-1.3); no direct beam.
- **Broken clouds** (``"mixed"``). The clear sky's beam, blocked while a cloud passes the sun
  (clouds of a few minutes, with 30 s edges); the diffuse part is 1.3 times the clear sky's
  (bright cloud edges). These are the daylight drops a controller must answer.

Below the horizon the diffuse part falls linearly to 0 through civil twilight (0 to -6 degrees).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Literal

type Sky = Literal["clear", "overcast", "mixed"]
SKIES: tuple[Sky, ...] = ("clear", "overcast", "mixed")

EXTRATERRESTRIAL_LUX = 127_500.0
CLEAR_EXTINCTION = 0.21
BROKEN_CLOUD_DIFFUSE = 1.3


@dataclass(frozen=True, slots=True)
class SkyLight:
    """Outdoor illuminance at one moment."""

    diffuse_horizontal: float
    """Sky light on an unobstructed horizontal plane, without the sun's beam (lx)."""
    direct_normal: float
    """The sun's beam on a plane facing the sun (lx); 0 under clouds."""
    elevation: float
    """Sun elevation (degrees)."""
    azimuth: float
    """Sun azimuth (degrees clockwise from north)."""

    @property
    def direct_horizontal(self) -> float:
        """The sun's beam on a horizontal plane (lx)."""
        if self.elevation <= 0.0:
            return 0.0
        return self.direct_normal * math.sin(math.radians(self.elevation))

    @property
    def global_horizontal(self) -> float:
        """Diffuse plus direct on a horizontal plane (lx)."""
        return self.diffuse_horizontal + self.direct_horizontal


def _twilight(elevation: float, at_horizon: float) -> float:
    return max(0.0, at_horizon * (elevation + 6.0) / 6.0)


def clear_diffuse(elevation: float) -> float:
    """Diffuse horizontal illuminance of a clear sky (lx)."""
    if elevation <= -6.0:
        return 0.0
    if elevation < 0.0:
        return _twilight(elevation, 800.0)
    return 800.0 + 15_500.0 * math.sqrt(math.sin(math.radians(elevation)))


def clear_direct_normal(elevation: float) -> float:
    """Direct normal illuminance of the sun through a clear atmosphere (lx)."""
    if elevation <= 0.5:
        return 0.0
    return EXTRATERRESTRIAL_LUX * math.exp(-CLEAR_EXTINCTION / math.sin(math.radians(elevation)))


def overcast_diffuse(elevation: float, density: float) -> float:
    """Horizontal illuminance of an overcast sky (lx), ``density`` scaling it."""
    if elevation <= -6.0:
        return 0.0
    if elevation < 0.0:
        return density * _twilight(elevation, 300.0)
    return density * (300.0 + 21_000.0 * math.sin(math.radians(elevation)))


def drift(rng: random.Random, count: int, low: float, high: float, step: float) -> list[float]:
    """A slow mean-reverting random walk inside ``low..high``."""
    mean = (low + high) / 2
    value, values = mean, []
    for _ in range(count):
        value += rng.gauss(0.0, step) + (mean - value) * 0.01
        value = min(high, max(low, value))
        values.append(value)
    return values


def sun_visibility(rng: random.Random, count: int, step_s: float) -> list[float]:
    """Share of the sun's beam that passes the clouds (0-1), per sample of ``step_s`` seconds.

    Sunny spells of 4-30 minutes (mean 12) alternate with clouds over the sun of 1-12 minutes
    (mean 5); each change takes 30 s.
    """
    values: list[float] = []
    visible = rng.random() < 0.7
    while len(values) < count:
        minutes = rng.expovariate(1 / 12) if visible else rng.expovariate(1 / 5)
        minutes = min(30.0, max(4.0, minutes)) if visible else min(12.0, max(1.0, minutes))
        samples = max(1, round(minutes * 60 / step_s))
        edge = max(1, round(30 / step_s))
        start = values[-1] if values else (1.0 if visible else 0.0)
        end = 1.0 if visible else 0.0
        for k in range(samples):
            share = min(1.0, (k + 1) / edge)
            values.append(start + (end - start) * share)
        visible = not visible
    return values[:count]


def sky_series(
    sky: Sky,
    elevations: list[float],
    azimuths: list[float],
    rng: random.Random,
    step_s: float,
) -> list[SkyLight]:
    """Outdoor light for each sample of a day on ``sky``."""
    count = len(elevations)
    if sky == "overcast":
        density = drift(rng, count, 0.6, 1.3, 0.01)
        return [
            SkyLight(overcast_diffuse(h, d), 0.0, h, a)
            for h, a, d in zip(elevations, azimuths, density, strict=True)
        ]
    haze = drift(rng, count, 0.93, 1.03, 0.002)
    visible = [1.0] * count if sky == "clear" else sun_visibility(rng, count, step_s)
    diffuse_gain = 1.0 if sky == "clear" else BROKEN_CLOUD_DIFFUSE
    return [
        SkyLight(clear_diffuse(h) * diffuse_gain * k, clear_direct_normal(h) * k * v, h, a)
        for h, a, k, v in zip(elevations, azimuths, haze, visible, strict=True)
    ]
