"""icons.json as hassfest checks it, and against what the integration has.

Source: home-assistant/core script/hassfest/icons.py (``icon_schema`` for an integration that is
not an entity component: ``entity.<platform>.<translation_key>`` with ``default``/``state``/
``state_attributes``/``range``, ``services.<action>`` with ``service``/``sections``, config,
options and fix flow section icons; every icon is ``mdi:...`` without HTML, and a state icon is
not the same as the default). Core integrations also need an icon per action (services.py).
Not checked: that each ``mdi:`` name exists. hassfest's mdi_icons.py reads the list from the
home-assistant-frontend package, which is not installed here.
"""

from __future__ import annotations

from typing import Any

from homeassistant.util.yaml import load_yaml_dict

from .common import INTEGRATION, load_json, strings
from .shapes import RE_HTML, Shape, all_of, each, obj, slug, translation_key

ICONS: dict[str, Any] = load_json(INTEGRATION / "icons.json")


def icon(value: Any, path: str) -> list[str]:
    """``icon_value_validator``."""
    if not isinstance(value, str):
        return [f"{path}: expected a string"]
    if RE_HTML.search(value) or not value.startswith("mdi:"):
        return [f"{path}: the icon needs to be a Material Design Icon starting with mdi:"]
    return []


def _not_same_as_default(value: Any, path: str) -> list[str]:
    """``ensure_not_same_as_default``."""
    return [
        f"{path}.{key}.state.{state}: the same as the default icon (remove it)"
        for key, section in value.items()
        for state, state_icon in (section.get("state") or {}).items()
        if state_icon == section.get("default")
    ]


STATE_ICONS = each(icon, translation_key)
ENTITY_ICON = obj(
    optional={
        "default": icon,
        "state": STATE_ICONS,
        "state_attributes": all_of(
            each(obj(optional={"default": icon, "state": STATE_ICONS}), translation_key),
            _not_same_as_default,
        ),
        "range": each(icon),
    }
)
DATA_ENTRY_ICONS = obj(optional={"step": each(obj(optional={"sections": each(icon)}))})
ICONS_SCHEMA: Shape = obj(
    optional={
        "config": DATA_ENTRY_ICONS,
        "options": DATA_ENTRY_ICONS,
        "issues": each(obj(optional={"fix_flow": DATA_ENTRY_ICONS})),
        "services": each(
            obj(optional={"service": icon, "sections": each(icon, translation_key)}),
            translation_key,
        ),
        "entity": each(all_of(each(ENTITY_ICON, translation_key), _not_same_as_default), slug),
    }
)


def test_icons_json_passes_the_hassfest_schema() -> None:
    """hassfest's icon schema for a hub integration."""
    assert ICONS_SCHEMA(ICONS, "icons.json") == []


def test_every_action_has_an_icon() -> None:
    """services.py (for core): "Service <x> has no icon in icons.json"."""
    services = load_yaml_dict(str(INTEGRATION / "services.yaml"))
    assert sorted(ICONS.get("services", {})) == sorted(services)


def test_entity_icons_belong_to_translated_entities() -> None:
    """An icon is looked up by the entity's translation key: one without an entity is dead."""
    entities = strings().get("entity", {})
    dead = [
        f"{platform}.{key}"
        for platform, keys in ICONS.get("entity", {}).items()
        for key in keys
        if key not in entities.get(platform, {})
    ]
    assert dead == []
