"""The store is HA-free: it imports without Home Assistant."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_SCRIPT = """
import importlib, sys, types
for name, path in (
    ("custom_components", "custom_components"),
    ("custom_components.smart_lighting_ai", "custom_components/smart_lighting_ai"),
):
    package = types.ModuleType(name)
    package.__path__ = [path]  # skip the HA-side package __init__
    sys.modules[name] = package
importlib.import_module("custom_components.smart_lighting_ai.store")
loaded = sorted(m for m in sys.modules if m.split(".")[0] == "homeassistant")
print(",".join(loaded) or "none")
"""


def test_store_imports_without_home_assistant() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert result.stdout.strip() == "none"
