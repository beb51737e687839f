"""Replay rooms and days through the real Smart Lighting AI integration, beside baselines.

Run ``python -m simulation``. See :mod:`simulation.sky` and :mod:`simulation.rooms` for the
physics, :mod:`simulation.people` for who is where, :mod:`simulation.scenario` for the
scenarios, :mod:`simulation.harness` for the Home Assistant side, :mod:`simulation.baselines`
for the strategies computed without Home Assistant, and :mod:`simulation.scoring` for the
figures.
"""

# Home Assistant's test harness makes ``dt_util.utcnow`` a plain function that freezegun can
# replace; that patch must happen before any other Home Assistant module is imported (under
# pytest the harness plugin has already done it, and this import is a no-op).
from pytest_homeassistant_custom_component import patch_time  # noqa: F401
