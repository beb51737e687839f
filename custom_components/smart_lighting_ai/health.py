"""One health report for the action, the HTTP endpoint and system health (contract C6/C7)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.util import dt as dt_util

from .runtime import SmartLightingConfigEntry

# A monitor polling the endpoint must not scan the database on every request.
HEALTH_CHECK_MAX_AGE = timedelta(seconds=30)


async def async_health(entry: SmartLightingConfigEntry) -> dict[str, Any]:
    """Check the database now and report bus, database and scheduler.

    ``error`` when the DALI interface is down, ``degraded`` when the lights
    work but the database or the scheduler does not, ``ok`` otherwise.
    """
    data = entry.runtime_data
    bus = data.bus
    database_ok = await data.pipeline.async_health_check(max_age=HEALTH_CHECK_MAX_AGE)
    scheduler_running = data.pipeline.running
    if not bus.connected:
        status = "error"
    elif not database_ok or not scheduler_running:
        status = "degraded"
    else:
        status = "ok"
    return {
        "status": status,
        "database": "ok" if database_ok else "error",
        "dali": {
            "connected": bus.connected,
            "interface": bus.kind,
            "gear": len(data.controller.inventory.gear),
            "groups": len(data.controller.groups),
            "last_error": bus.last_error,
            # forward frames and bus occupancy since this setup of the entry (the telemetry
            # action's "frames" also holds the earlier days and setups)
            "frames_sent": bus.frames_sent,
            "bus_time_s": round(bus.bus_time_s, 3),
            "counted_since": dt_util.as_local(data.telemetry.started).isoformat(),
        },
        "scheduler": "running" if scheduler_running else "stopped",
    }
