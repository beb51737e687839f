"""manifest.json and the integration's layout as hassfest checks a custom integration.

Sources (home-assistant/core, script/hassfest/):
- manifest.py: ``CUSTOM_INTEGRATION_MANIFEST_SCHEMA`` (no other keys), ``custom_documentation_url``,
  ``verify_version``, the IoT class, the domain matching its folder and not colliding with a
  core integration, and ``sort_manifest``: domain, name, then the rest alphabetically.
- dependencies.py: every ``homeassistant.components.<x>`` the code uses is a platform, an
  internal integration, a platform file of its own, or listed in (after_)dependencies.
- config_schema.py: an integration with ``async_setup`` defines ``CONFIG_SCHEMA``.
- config_flow.py: ``config_flow: true`` and a config flow handler go together.
- json.py: every JSON file parses.
- requirements.py: requirements are valid PEP 508 strings without spaces.
And hacs/integration custom_components/hacs/utils/validate.py ``INTEGRATION_MANIFEST_JSON_SCHEMA``
(codeowners, documentation, domain, issue_tracker, name, version are required by HACS).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import tomllib
from typing import Any
from urllib.parse import urlparse

from awesomeversion import AwesomeVersion, AwesomeVersionStrategy
from homeassistant import config_entries
from homeassistant.const import Platform
from packaging.requirements import Requirement

from .common import DOMAIN, INTEGRATION, ROOT, load_json, module, modules

MANIFEST: dict[str, Any] = load_json(INTEGRATION / "manifest.json")

# CUSTOM_INTEGRATION_MANIFEST_SCHEMA's keys (INTEGRATION_MANIFEST_SCHEMA + the custom ones)
ALLOWED_KEYS = {
    "domain",
    "name",
    "integration_type",
    "config_flow",
    "mqtt",
    "zeroconf",
    "ssdp",
    "bluetooth",
    "homekit",
    "dhcp",
    "usb",
    "documentation",
    "quality_scale",
    "requirements",
    "dependencies",
    "after_dependencies",
    "codeowners",
    "loggers",
    "disabled",
    "iot_class",
    "single_config_entry",
    "preview_features",
    "version",
    "issue_tracker",
    "import_executor",
}
INTEGRATION_TYPES = {"device", "entity", "hardware", "helper", "hub", "service", "system"}
IOT_CLASSES = {
    "assumed_state",
    "calculated",
    "cloud_polling",
    "cloud_push",
    "local_polling",
    "local_push",
}
QUALITY_SCALES = {
    "bronze",
    "silver",
    "gold",
    "platinum",
    "custom",
    "no_score",
    "internal",
    "legacy",
}
VERSION_STRATEGIES = [
    AwesomeVersionStrategy.CALVER,
    AwesomeVersionStrategy.SEMVER,
    AwesomeVersionStrategy.SIMPLEVER,
    AwesomeVersionStrategy.BUILDVER,
    AwesomeVersionStrategy.PEP440,
]
# dependencies.py ALLOWED_USED_COMPONENTS, besides every entity platform
ALLOWED_USED_COMPONENTS = {
    *(platform.value for platform in Platform),
    "alert",
    "automation",
    "conversation",
    "default_config",
    "device_automation",
    "frontend",
    "group",
    "homeassistant",
    "input_boolean",
    "input_button",
    "input_datetime",
    "input_number",
    "input_select",
    "input_text",
    "media_source",
    "onboarding",
    "panel_custom",
    "persistent_notification",
    "person",
    "script",
    "shopping_list",
    "sun",
    "system_health",
    "system_log",
    "timer",
    "webhook",
    "websocket_api",
    "zone",
}


def _is_url(value: Any) -> bool:
    parsed = urlparse(str(value))
    return parsed.scheme in {"http", "https"} and bool(parsed.netloc)


def test_manifest_has_only_known_keys_and_the_required_ones() -> None:
    """hassfest rejects an unknown key; a custom integration needs a version and an IoT class."""
    assert set(MANIFEST) - ALLOWED_KEYS == set()
    for key in ("domain", "name", "documentation", "codeowners", "version", "iot_class"):
        assert MANIFEST.get(key), key
    assert MANIFEST["domain"] == INTEGRATION.name == DOMAIN
    assert MANIFEST.get("integration_type", "hub") in INTEGRATION_TYPES
    assert MANIFEST["iot_class"] in IOT_CLASSES
    assert MANIFEST.get("quality_scale", "custom") in QUALITY_SCALES
    for key in ("config_flow", "single_config_entry", "import_executor"):
        assert isinstance(MANIFEST.get(key, False), bool), key
    for key in ("requirements", "dependencies", "after_dependencies", "codeowners", "loggers"):
        value = MANIFEST.get(key, [])
        assert isinstance(value, list), key
        assert all(isinstance(item, str) for item in value), key


def test_manifest_keys_are_sorted() -> None:
    """hassfest: "Manifest keys are not sorted correctly: domain, name, then alphabetical order"."""
    keys = list(MANIFEST)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])


def test_version_parses() -> None:
    """hassfest's verify_version (Home Assistant refuses a custom integration without one)."""
    version = AwesomeVersion(MANIFEST["version"], ensure_strategy=VERSION_STRATEGIES)
    assert version.strategy in VERSION_STRATEGIES
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["version"] == MANIFEST["version"]


def test_documentation_and_issue_tracker() -> None:
    """custom_documentation_url: https, and not a page of home-assistant.io/integrations."""
    documentation = MANIFEST["documentation"]
    assert _is_url(documentation)
    assert urlparse(documentation).scheme == "https"
    assert not documentation.startswith("https://www.home-assistant.io/integrations")
    assert _is_url(MANIFEST["issue_tracker"])  # optional for hassfest, required by HACS


def test_hacs_manifest_requirements() -> None:
    """HACS's INTEGRATION_MANIFEST_JSON_SCHEMA; code owners are GitHub handles."""
    for key in ("codeowners", "documentation", "domain", "issue_tracker", "name", "version"):
        assert key in MANIFEST, key
    assert MANIFEST["codeowners"]
    assert all(owner.startswith("@") and len(owner) > 1 for owner in MANIFEST["codeowners"])


def test_domain_does_not_collide_with_a_core_integration() -> None:
    """A custom integration with a core domain would replace the core one."""
    assert importlib.util.find_spec(f"homeassistant.components.{DOMAIN}") is None


def test_requirements_are_valid() -> None:
    """requirements.py: one PEP 508 requirement per entry, no spaces in it."""
    for requirement in MANIFEST.get("requirements", []):
        assert " " not in requirement, requirement
        assert Requirement(requirement).name


def test_dependencies_exist_and_are_not_repeated() -> None:
    """Every dependency is a Home Assistant integration, listed once."""
    dependencies = MANIFEST.get("dependencies", [])
    after = MANIFEST.get("after_dependencies", [])
    assert set(dependencies) & set(after) == set()
    for domain in [*dependencies, *after]:
        assert importlib.util.find_spec(f"homeassistant.components.{domain}"), domain


class _ComponentUse(ast.NodeVisitor):
    """dependencies.py ImportCollector: the integrations a module refers to."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def visit_If(self, node: ast.If) -> None:  # noqa: N802 (ast.NodeVisitor)
        if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            return
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:  # noqa: N802 (ast.NodeVisitor)
        if node.module is None or node.level:
            return
        if node.module == "homeassistant.components.http.auth" and [
            alias.name for alias in node.names
        ] == ["async_sign_path"]:
            return
        if node.module.startswith("homeassistant.components."):
            self.used.add(node.module.split(".")[2])
        elif node.module == "homeassistant.components":
            self.used.update(alias.name for alias in node.names)

    def visit_Import(self, node: ast.Import) -> None:  # noqa: N802 (ast.NodeVisitor)
        for alias in node.names:
            if alias.name.startswith("homeassistant.components."):
                self.used.add(alias.name.split(".")[2])

    def visit_Attribute(self, node: ast.Attribute) -> None:  # noqa: N802 (ast.NodeVisitor)
        value = node.value
        if (
            isinstance(value, ast.Attribute)
            and value.attr == "components"
            and (
                (isinstance(value.value, ast.Name) and value.value.id == "hass")
                or (
                    isinstance(value.value, ast.Attribute) and value.value.attr in {"hass", "_hass"}
                )
            )
        ):
            self.used.add(node.attr)
        else:
            self.generic_visit(node)


def test_used_integrations_are_dependencies() -> None:
    """hassfest: "Using component <x> but it's not in 'dependencies' or 'after_dependencies'"."""
    allowed = (
        ALLOWED_USED_COMPONENTS
        | set(MANIFEST.get("dependencies", []))
        | set(MANIFEST.get("after_dependencies", []))
        | {DOMAIN}
    )
    undeclared = {}
    for mod in modules():
        collector = _ComponentUse()
        collector.visit(mod.tree)
        for used in collector.used - allowed:
            # a platform of that integration implemented here (diagnostics.py, repairs.py, ...)
            if (INTEGRATION / f"{used}.py").is_file() or (INTEGRATION / used).is_dir():
                continue
            undeclared.setdefault(used, []).append(mod.local_name)
    assert undeclared == {}


def test_async_setup_comes_with_a_config_schema() -> None:
    """config_schema.py: ``async_setup`` needs ``CONFIG_SCHEMA`` (config entries only here)."""
    init = module("__init__").tree
    functions = {n.name for n in init.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    if not {"async_setup", "setup"} & functions:
        return
    assigned = {
        target.id
        for node in init.body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    }
    imported = {
        alias.asname or alias.name
        for node in init.body
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    schemas = {"CONFIG_SCHEMA", "PLATFORM_SCHEMA", "PLATFORM_SCHEMA_BASE"}
    assert schemas & (assigned | imported)


def test_config_flow_is_declared_and_registered() -> None:
    """config_flow.py: the manifest's ``config_flow`` and the handler in config_flow.py agree."""
    assert MANIFEST.get("config_flow") is True
    assert (INTEGRATION / "config_flow.py").is_file()
    module("config_flow").runtime()
    handler = config_entries.HANDLERS.get(DOMAIN)
    assert handler is not None
    assert handler.__module__ == module("config_flow").name


def test_every_json_file_parses() -> None:
    """json.py: every JSON file of the integration is valid JSON."""
    files = sorted(INTEGRATION.rglob("*.json"))
    assert files
    for path in files:
        json.loads(path.read_text(encoding="utf-8"))
