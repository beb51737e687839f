"""A pytest plugin, loaded with ``-p`` before all others, that readies Home Assistant for tests.

- Home Assistant 2026.11 replaces ``httpx`` with its ``httpx2`` alias when it is imported and
  refuses to when something imported ``httpx`` before it; the harness's plugins do, so without
  this early import the suite stops at collection.
- ``pytest-homeassistant-custom-component`` 0.13.375 (cut for 2026.10.4, the newest there is)
  imports ``_clear_logger_overwrites`` from ``homeassistant.components.logger``; 2026.11 moved it
  to ``homeassistant.components.logger.helpers``. Re-export it where the harness looks.

On 2025.4 both are no-ops.
"""

import sys
from typing import Any

import homeassistant  # noqa: F401
from homeassistant.components import logger
from homeassistant.components.logger import helpers as _logger_helpers
from homeassistant.const import __version__ as ha_version

if not hasattr(logger, "_clear_logger_overwrites") and hasattr(
    _logger_helpers, "_clear_logger_overwrites"
):  # Home Assistant 2026.11
    logger._clear_logger_overwrites = _logger_helpers._clear_logger_overwrites


def pytest_report_header() -> str:
    """Name the Home Assistant release at the top of the run."""
    return f"Home Assistant {ha_version}"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """End the run with one line that names the release it ran on and what passed."""
    stats = terminalreporter.stats
    counts = ", ".join(
        f"{len(stats[key])} {key}"
        for key in ("passed", "failed", "error", "skipped")
        if stats.get(key)
    )
    python = ".".join(str(part) for part in sys.version_info[:3])
    terminalreporter.write_line(f"Home Assistant {ha_version} on Python {python}: {counts}")
