"""Home Assistant's own pylint rules, applied to the integration as if it were a core component.

Sources (home-assistant/core pylint/plugins/, both the ``hass_*.py`` plugins and their newer
``pylint_home_assistant/checkers/`` versions):
- hass_enforce_class_module.py / checkers/class_module.py (hass-enforce-class-module): a class
  derived from a platform's entity or description class lives in that platform's module
  (``sensor.py`` ...), a ``DataUpdateCoordinator`` in ``coordinator.py``, and a class built
  directly on the generic bases (``Entity``, ``CoordinatorEntity``, ``RestoreEntity`` ...)
  without any platform class in ``entity.py``. ``entity.py`` is no home for a platform class.
- hass_imports.py / checkers/imports.py: hass-component-root-import (no
  ``homeassistant.components.<x>.<module>`` nor ``<x>.const`` outside bluetooth,
  device_tracker, homeassistant, homeassistant_hardware, http and recorder), hass-relative-import,
  hass-absolute-import, hass-deprecated-import, hass-helper-namespace-import and the
  DOMAIN-alias rules.
- checkers/config_flow/step_id_match_method.py and menu_options.py: a step shown from
  ``async_step_<x>`` has step_id ``x``; each menu option has its ``async_step_<option>``.
- hass_enforce_sorted_platforms.py: ``PLATFORMS`` is sorted.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from homeassistant.components.repairs import RepairsFlow
from homeassistant.config_entries import ConfigFlow, OptionsFlow

from .common import (
    DOMAIN,
    FUNCTIONS,
    INTEGRATION,
    PACKAGE,
    Module,
    call_name,
    classes,
    enclosing,
    evaluate,
    is_unresolved,
    keyword,
    modules,
    parents,
    text_of,
)

BASE_ENTITY_CLASSES = {
    "BaseCoordinatorEntity",
    "CoordinatorEntity",
    "Entity",
    "EntityDescription",
    "ManualTriggerEntity",
    "RestoreEntity",
    "ToggleEntity",
    "ToggleEntityDescription",
    "TriggerBaseEntity",
}
MODULE_CLASSES: dict[str, set[str]] = {
    "air_quality": {"AirQualityEntity"},
    "alarm_control_panel": {"AlarmControlPanelEntity", "AlarmControlPanelEntityDescription"},
    "assist_satellite": {"AssistSatelliteEntity", "AssistSatelliteEntityDescription"},
    "binary_sensor": {"BinarySensorEntity", "BinarySensorEntityDescription"},
    "button": {"ButtonEntity", "ButtonEntityDescription"},
    "calendar": {"CalendarEntity", "CalendarEntityDescription"},
    "camera": {"Camera", "CameraEntityDescription"},
    "climate": {"ClimateEntity", "ClimateEntityDescription"},
    "coordinator": {"DataUpdateCoordinator"},
    "conversation": {"ConversationEntity"},
    "cover": {"CoverEntity", "CoverEntityDescription"},
    "date": {"DateEntity", "DateEntityDescription"},
    "datetime": {"DateTimeEntity", "DateTimeEntityDescription"},
    "device_tracker": {
        "DeviceTrackerEntity",
        "ScannerEntity",
        "ScannerEntityDescription",
        "TrackerEntity",
        "TrackerEntityDescription",
    },
    "event": {"EventEntity", "EventEntityDescription"},
    "fan": {"FanEntity", "FanEntityDescription"},
    "geo_location": {"GeolocationEvent"},
    "humidifier": {"HumidifierEntity", "HumidifierEntityDescription"},
    "image": {"ImageEntity", "ImageEntityDescription"},
    "image_processing": {
        "ImageProcessingEntity",
        "ImageProcessingFaceEntity",
        "ImageProcessingEntityDescription",
    },
    "lawn_mower": {"LawnMowerEntity", "LawnMowerEntityDescription"},
    "light": {"LightEntity", "LightEntityDescription"},
    "lock": {"LockEntity", "LockEntityDescription"},
    "media_player": {"MediaPlayerEntity", "MediaPlayerEntityDescription"},
    "notify": {"NotifyEntity", "NotifyEntityDescription"},
    "number": {"NumberEntity", "NumberEntityDescription", "RestoreNumber"},
    "remote": {"RemoteEntity", "RemoteEntityDescription"},
    "scene": {"BaseScene", "Scene"},
    "select": {"SelectEntity", "SelectEntityDescription"},
    "sensor": {"RestoreSensor", "SensorEntity", "SensorEntityDescription"},
    "siren": {"SirenEntity", "SirenEntityDescription"},
    "stt": {"SpeechToTextEntity"},
    "switch": {"SwitchEntity", "SwitchEntityDescription"},
    "text": {"TextEntity", "TextEntityDescription"},
    "time": {"TimeEntity", "TimeEntityDescription"},
    "todo": {"TodoListEntity"},
    "tts": {"TextToSpeechEntity"},
    "update": {"UpdateEntity", "UpdateEntityDescription"},
    "vacuum": {"StateVacuumEntity", "VacuumEntity", "VacuumEntityDescription"},
    "wake_word": {"WakeWordDetectionEntity"},
    "water_heater": {"WaterHeaterEntity"},
    "weather": {
        "CoordinatorWeatherEntity",
        "SingleCoordinatorWeatherEntity",
        "WeatherEntity",
        "WeatherEntityDescription",
    },
}
PLATFORM_CLASSES = set().union(*MODULE_CLASSES.values())


def _current_module(mod: Module) -> str:
    """``parts[3]`` of ``homeassistant.components.<domain>.<module>...``: the top-level file."""
    return mod.local_name.split(".")[0] if mod.local_name != "__init__" else ""


def test_classes_live_in_their_platform_module() -> None:
    """hass-enforce-class-module."""
    problems = []
    for info in classes():
        current = _current_module(info.module)
        ancestors = info.mro_names()
        where = f"{info.module.local_name}.{info.node.name}"
        if current != "entity":
            for base in info.base_names():
                if base in BASE_ENTITY_CLASSES and not PLATFORM_CLASSES & set(ancestors):
                    problems.append(f"{where}: derived {base} belongs in entity.py")
                    break
        for expected, names in MODULE_CLASSES.items():
            if expected in (current, DOMAIN):
                continue
            if found := next((name for name in ancestors if name in names), None):
                problems.append(f"{where}: derived {found} belongs in {expected}.py")
                break
    assert problems == []


# --- imports --------------------------------------------------------------------------------

IGNORE_ROOT_IMPORT = {
    "bluetooth",
    "device_tracker",
    "homeassistant",
    "homeassistant_hardware",
    "http",
    "recorder",
}
CORE = f"homeassistant.components.{DOMAIN}"


@dataclass(frozen=True)
class Obsolete:
    """An import that is deprecated, and why."""

    name: re.Pattern[str]
    reason: str


OBSOLETE_IMPORTS: dict[str, list[Obsolete]] = {
    "functools": [Obsolete(re.compile(r"^cached_property$"), "use propcache.api")],
    "homeassistant.components.light": [
        Obsolete(re.compile(r"^COLOR_MODE_(\w*)$"), "replaced by the ColorMode enum"),
        Obsolete(re.compile(r"^SUPPORT_(BRIGHTNESS|COLOR_TEMP|COLOR)$"), "use color modes"),
        Obsolete(re.compile(r"^SUPPORT_(EFFECT|FLASH|TRANSITION)$"), "use LightEntityFeature"),
    ],
    "homeassistant.config_entries": [
        Obsolete(re.compile(r"^DISABLED_(\w*)$"), "replaced by ConfigEntryDisabler")
    ],
    "homeassistant.const": [Obsolete(re.compile(r"^CONF_UNIT_SYSTEM_(\w+)$"), "use local ones")],
    "homeassistant.helpers.config_validation": [
        Obsolete(re.compile(r"^PLATFORM_SCHEMA(_BASE)?$"), "import it from the platform")
    ],
    "homeassistant.helpers.json": [
        Obsolete(
            re.compile(r"^JSON_DECODE_EXCEPTIONS|JSON_ENCODE_EXCEPTIONS|json_loads$"),
            "moved to homeassistant.util.json",
        )
    ],
    "homeassistant.util.unit_system": [
        Obsolete(re.compile(r"^IMPERIAL_SYSTEM$"), "replaced by US_CUSTOMARY_SYSTEM")
    ],
    "propcache": [Obsolete(re.compile(r"^(under_)?cached_property$"), "import propcache.api")],
}
NAMESPACE_IMPORTS = {
    "homeassistant.helpers.area_registry": ("ar", {"async_get"}),
    "homeassistant.helpers.category_registry": ("cr", {"async_get"}),
    "homeassistant.helpers.device_registry": (
        "dr",
        {"async_get", "async_entries_for_config_entry"},
    ),
    "homeassistant.helpers.entity_registry": (
        "er",
        {"async_get", "async_entries_for_config_entry"},
    ),
    "homeassistant.helpers.floor_registry": ("fr", {"async_get"}),
    "homeassistant.helpers.issue_registry": ("ir", {"async_get"}),
    "homeassistant.helpers.label_registry": ("lr", {"async_get"}),
}


def _as_core(name: str) -> str:
    """Our module name as it would be inside Home Assistant core."""
    return CORE + name.removeprefix(PACKAGE) if name.startswith(PACKAGE) else name


def _import_problems(mod: Module) -> list[str]:
    """hass_imports.py's messages for one module."""
    problems = []
    core_name = _as_core(mod.name)
    package = core_name if mod.is_package else core_name.rpartition(".")[0]
    split_package = package.split(".")
    for node in ast.walk(mod.tree):
        where = f"{mod.local_name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                name = _as_core(alias.name)
                if name.startswith(f"{package}."):
                    problems.append(f"{where}: hass-relative-import ({alias.name})")
                elif name.startswith("homeassistant.components.") and len(name.split(".")) > 3:
                    problems.append(f"{where}: hass-component-root-import ({alias.name})")
        if not isinstance(node, ast.ImportFrom):
            continue
        names = [(alias.name, alias.asname) for alias in node.names]
        if node.level:
            for name, alias in names:
                if name == "DOMAIN" and alias not in (None, "DOMAIN"):
                    problems.append(f"{where}: hass-import-constant-unnecessary-alias ({alias})")
            if node.level > 1:
                if not node.module and len(split_package) == node.level + 1:
                    if any(name != DOMAIN for name, _ in names):
                        problems.append(f"{where}: hass-absolute-import")
                elif len(split_package) < node.level + 2:
                    problems.append(f"{where}: hass-absolute-import")
            continue
        modname = _as_core(node.module or "")
        if (
            modname == package
            or modname.startswith(f"{package}.")
            or modname.startswith(f"{CORE}.")
        ):
            problems.append(f"{where}: hass-relative-import (from {node.module})")
            continue
        if modname in {"homeassistant.components", "custom_components"} and any(
            name == DOMAIN for name, _ in names
        ):
            problems.append(f"{where}: hass-relative-import (from {node.module})")
            continue
        if modname.startswith("homeassistant.components."):
            parts = modname.split(".")
            component = parts[2]
            if (
                component != DOMAIN
                and component not in IGNORE_ROOT_IMPORT
                and (len(parts) > 3 or any(name == "const" for name, _ in names))
            ):
                problems.append(f"{where}: hass-component-root-import (from {node.module})")
                continue
            if component != DOMAIN:
                for name, alias in names:
                    if name == "DOMAIN" and (alias is None or not alias.endswith("_DOMAIN")):
                        problems.append(
                            f"{where}: hass-import-constant-alias (DOMAIN as "
                            f"{component.upper()}_DOMAIN)"
                        )
        for obsolete in OBSOLETE_IMPORTS.get(modname, []):
            problems.extend(
                f"{where}: hass-deprecated-import {name} ({obsolete.reason})"
                for name, _ in names
                if obsolete.name.match(name)
            )
        if modname in NAMESPACE_IMPORTS:
            alias_name, functions = NAMESPACE_IMPORTS[modname]
            problems.extend(
                f"{where}: hass-helper-namespace-import (import {modname} as {alias_name})"
                for name, _ in names
                if name in functions
            )
    return problems


def test_imports_follow_home_assistant_rules() -> None:
    """hass-component-root-import and the other import rules, over every module."""
    problems = [problem for mod in modules() for problem in _import_problems(mod)]
    assert problems == []


def test_the_import_rules_catch_what_they_should() -> None:
    """The checks above find the mistakes they are for (so a silent pass means something)."""
    source = (
        "from homeassistant.components.light.const import ColorMode\n"
        "from homeassistant.components.sensor import const\n"
        "from homeassistant.components.light import SUPPORT_BRIGHTNESS\n"
        "from homeassistant.components.recorder.history import state_changes_during_period\n"
        "from homeassistant.helpers.entity_registry import async_get\n"
        "from homeassistant.components.light import DOMAIN\n"
        f"from {PACKAGE}.const import CONF_GROUPS\n"
        "from .const import DOMAIN as SLA\n"
        "import homeassistant.components.sensor.const\n"
    )
    fake = Module(f"{PACKAGE}.example", INTEGRATION / "example.py", ast.parse(source))
    found = [problem.split(": ", 1)[1].split(" ")[0] for problem in _import_problems(fake)]
    assert found == [
        "hass-component-root-import",
        "hass-component-root-import",
        "hass-deprecated-import",
        "hass-helper-namespace-import",
        "hass-import-constant-alias",
        "hass-relative-import",
        "hass-import-constant-unnecessary-alias",
        "hass-component-root-import",
    ]


# --- flows and platforms --------------------------------------------------------------------


def test_step_ids_match_their_methods_and_menus_have_steps() -> None:
    """step_id_match_method.py and menu_options.py, for every flow of the integration."""
    problems = []
    flows = [
        info
        for info in classes()
        if issubclass(info.runtime, ConfigFlow | OptionsFlow | RepairsFlow)
    ]
    assert len(flows) >= 3
    for info in flows:
        up = parents(info.node)
        for node in ast.walk(info.node):
            if not isinstance(node, ast.Call) or call_name(node) not in {
                "async_show_form",
                "async_external_step",
                "async_show_progress",
                "async_show_menu",
            }:
                continue
            where = f"{info.module.local_name}:{node.lineno}"
            function = enclosing(node, up, FUNCTIONS)
            step_node = keyword(node, "step_id")
            if (
                isinstance(function, ast.AsyncFunctionDef)
                and function.name.startswith("async_step_")
                and step_node is not None
                and (step_id := text_of(step_node, info.module, function)) is not None
                and step_id != function.name.removeprefix("async_step_")
            ):
                problems.append(f"{where}: step_id {step_id!r} shown from {function.name}")
            options = evaluate(keyword(node, "menu_options"), info.module, function)
            if call_name(node) == "async_show_menu" and not is_unresolved(options):
                problems.extend(
                    f"{where}: menu option {option!r} has no async_step_{option}"
                    for option in options
                    if not hasattr(info.runtime, f"async_step_{option}")
                )
    assert problems == []


def test_platforms_are_sorted() -> None:
    """hass-enforce-sorted-platforms."""
    checked = 0
    for mod in modules():
        for node in ast.walk(mod.tree):
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AnnAssign):
                targets = [node.target]
            for target in targets:
                value = node.value  # type: ignore[attr-defined]
                if (
                    isinstance(target, ast.Name)
                    and target.id in {"PLATFORMS", "_PLATFORMS"}
                    and isinstance(value, ast.List)
                ):
                    checked += 1
                    platforms = [ast.unparse(item) for item in value.elts]
                    assert platforms == sorted(platforms), mod.local_name
    assert checked
