"""services.yaml against the registered actions and their strings, as hassfest checks it.

Source: home-assistant/core script/hassfest/services.py: ``CUSTOM_INTEGRATION_SERVICES_SCHEMA``
(a targeted action has a valid ``target``; fields hold only example, default, required,
advanced, selector, filter (targeted only), name and description; a selector is valid; no field
twice across sections), then a name and description for each action and each field in the
``services`` section of the translations, no translated field the schema lacks, and a select
selector's translation_key in ``selector``. Core also wants an icon per action (icons.json,
tested in test_icons.py); that rule is held here too.
Beyond hassfest: the fields in services.yaml are the ones each action's schema accepts.
"""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.helpers import selector
from homeassistant.util import slugify
from homeassistant.util.yaml import load_yaml_dict

from .common import INTEGRATION, strings

# what cv.make_entity_service_schema adds for the target ("exclude" from 2026)
ENTITY_SERVICE_FIELDS = {"entity_id", "device_id", "area_id", "floor_id", "label_id", "exclude"}
FIELD_KEYS = {"example", "default", "required", "advanced", "selector", "name", "description"}
SECTION_KEYS = {"collapsed", "fields", "name", "description"}
SERVICE_KEYS = {"fields", "target", "name", "description"}


def _services_yaml() -> dict[str, Any]:
    data: dict[str, Any] = load_yaml_dict(str(INTEGRATION / "services.yaml"))
    return data


def _actions() -> dict[str, Any]:
    """The actions of services.py and of every ``*_actions.py`` module (each its ACTIONS)."""
    import importlib
    import pkgutil

    from custom_components.smart_lighting_ai.services import ACTIONS

    actions = dict(ACTIONS)
    for module in pkgutil.iter_modules([str(INTEGRATION)]):
        if module.name.endswith("_actions"):
            package = f"custom_components.smart_lighting_ai.{module.name}"
            actions.update(importlib.import_module(package).ACTIONS)
    return actions


def _flat_fields(service: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Fields with those inside sections lifted out (call data stays flat)."""
    fields: dict[str, dict[str, Any]] = {}
    for name, field in ((service or {}).get("fields") or {}).items():
        if isinstance(field, dict) and "fields" in field:
            fields.update(field["fields"])
        else:
            fields[name] = field or {}
    return fields


def _schema_keys(schema: Any) -> dict[str, bool] | None:
    """``{key: required}`` of a voluptuous/probatio schema, looking through ``All(...)``."""
    for validator in getattr(schema, "validators", ()):
        if (keys := _schema_keys(validator)) is not None:
            return keys
    inner = getattr(schema, "schema", None)
    if inner is not None and not isinstance(inner, dict):  # probatio: Schema(All(...))
        return _schema_keys(inner)
    if isinstance(inner, dict):
        return {
            str(getattr(key, "schema", key)): type(key).__name__ == "Required"
            for key in inner
            if type(key).__name__ != "Remove"  # "metadata", dropped before the handler
        }
    return None


def test_registered_actions_are_described() -> None:
    """Every registered action has an entry in services.yaml, and nothing else is in it."""
    assert sorted(_services_yaml()) == sorted(_actions())


def test_services_yaml_schema() -> None:
    """hassfest's CUSTOM_INTEGRATION_SERVICES_SCHEMA."""
    problems = []
    for name, described in _services_yaml().items():
        if slugify(name) != name:
            problems.append(f"{name}: not a slug")
        service = described or {}
        problems.extend(f"{name}.{key}: extra key" for key in set(service) - SERVICE_KEYS)
        targeted = "target" in service
        if targeted:
            try:
                selector.TargetSelector.CONFIG_SCHEMA(service["target"])
            except Exception as err:  # voluptuous or probatio Invalid
                problems.append(f"{name}.target: {err}")
        seen: set[str] = set()
        for key, described_field in (service.get("fields") or {}).items():
            field = described_field or {}
            if "fields" in field:
                problems.extend(f"{name}.{key}.{k}: extra key" for k in set(field) - SECTION_KEYS)
                inner = field["fields"]
            else:
                inner = {key: field}
            for field_name, described_spec in inner.items():
                spec = described_spec or {}
                if field_name in seen:
                    problems.append(f"{name}: duplicate use of field {field_name}")
                seen.add(field_name)
                allowed = FIELD_KEYS | ({"filter"} if targeted else set())
                problems.extend(f"{name}.{field_name}.{k}: extra key" for k in set(spec) - allowed)
                for k in ("example", "default"):
                    if k in spec and spec[k] is None:
                        problems.append(f"{name}.{field_name}.{k}: cannot be None")
                if "required" in spec and not isinstance(spec["required"], bool):
                    problems.append(f"{name}.{field_name}.required: not a boolean")
                if "selector" in spec:
                    try:
                        selector.validate_selector(spec["selector"])
                    except Exception as err:  # voluptuous or probatio Invalid
                        problems.append(f"{name}.{field_name}.selector: {err}")
    assert problems == []


def test_actions_and_fields_are_translated() -> None:
    """A name and description per action and field, and no translation for what is not there."""
    translated = strings()["services"]
    assert sorted(translated) == sorted(_services_yaml())
    problems = []
    for name, service in _services_yaml().items():
        texts = translated[name]
        for key in ("name", "description"):
            if not texts.get(key):
                problems.append(f"services.{name}.{key} is missing")
        fields = _flat_fields(service)
        for field_name, spec in fields.items():
            for key in ("name", "description"):
                if not texts.get("fields", {}).get(field_name, {}).get(key):
                    problems.append(f"services.{name}.fields.{field_name}.{key} is missing")
            key = (spec.get("selector") or {}).get("select", {}).get("translation_key")
            if key and key not in strings().get("selector", {}):
                problems.append(f"{name}.{field_name}: selector.{key} is missing")
        for section, spec in ((service or {}).get("fields") or {}).items():
            if (
                isinstance(spec, dict)
                and "fields" in spec
                and not texts.get("sections", {}).get(section, {}).get("name")
            ):
                problems.append(f"services.{name}.sections.{section}.name is missing")
        problems.extend(
            f"services.{name}.fields.{extra}: not a field of the action"
            for extra in set(texts.get("fields", {})) - set(fields)
        )
    assert problems == []


@pytest.mark.parametrize("name", sorted(_services_yaml()))
def test_fields_match_the_action_schema(name: str) -> None:
    """services.yaml offers exactly what the action accepts, required where the schema says."""
    _handler, schema, _supports_response = _actions()[name]
    keys = _schema_keys(schema)
    assert keys is not None, f"cannot read the schema of {name}"
    service = _services_yaml()[name] or {}
    targeted = bool(ENTITY_SERVICE_FIELDS & set(keys))
    assert ("target" in service) == targeted
    accepted = {key: required for key, required in keys.items() if key not in ENTITY_SERVICE_FIELDS}
    fields = _flat_fields(service)
    assert sorted(fields) == sorted(accepted)
    for field_name, required in accepted.items():
        assert bool(fields[field_name].get("required", False)) == required, field_name
