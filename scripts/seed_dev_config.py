"""Add a simulated-bus Smart Lighting AI entry to a development config folder, once.

Home Assistant keeps config entries in ``.storage/core.config_entries``; this
writes one there (contract C1: data ``{"bus_type": "simulated"}``) unless the
folder already has a Smart Lighting AI entry, so ``scripts/develop`` starts with
the four group lights and no clicks.
"""

from __future__ import annotations

import json
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

DOMAIN = "smart_lighting_ai"


def main(config_dir: Path) -> None:
    """Seed ``config_dir``."""
    storage = config_dir / ".storage" / "core.config_entries"
    content = (
        json.loads(storage.read_text())
        if storage.exists()
        else {
            "version": 1,
            "minor_version": 5,
            "key": "core.config_entries",
            "data": {"entries": []},
        }
    )
    entries = content["data"]["entries"]
    if any(e["domain"] == DOMAIN for e in entries):
        return
    now = datetime.now(UTC).isoformat()
    entries.append(
        {
            "entry_id": uuid.uuid4().hex,
            "version": 1,
            "minor_version": 1,
            "domain": DOMAIN,
            "title": "DALI bus (simulated)",
            "data": {"bus_type": "simulated"},
            "options": {},
            "pref_disable_new_entities": False,
            "pref_disable_polling": False,
            "source": "user",
            "unique_id": "simulated",
            "disabled_by": None,
            "discovery_keys": {},
            "subentries": [],
            "created_at": now,
            "modified_at": now,
        }
    )
    storage.parent.mkdir(parents=True, exist_ok=True)
    storage.write_text(json.dumps(content, indent=2))
    print(f"Added a simulated DALI bus entry to {storage}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "config"))
