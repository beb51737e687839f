"""strings.json and translations/en.json as hassfest and Home Assistant's pylint plugins check them.

Sources (home-assistant/core):
- script/hassfest/translations.py: the strings schema (``gen_strings_schema``, issues with a
  ``fix_flow`` or a ``description`` but not both, data_description keys inside data), the value
  rules (no HTML, URLs, single-quoted or non-identifier placeholders, combined references, edge
  spaces) and, for a custom integration, the same checks on translations/en.json.
- pylint/plugins/pylint_home_assistant/checkers/exception_translations.py: a Home Assistant
  exception names both translation_domain and translation_key, the key exists, and the
  placeholders passed are the ones the message uses.
- pylint/plugins/pylint_home_assistant/checkers/flow_translations.py: every field of a shown form
  is translated under its step.
Beyond them, what the frontend needs to show a text: every key the code uses (entities,
selectors, issues, flow errors and aborts, menu options) exists, and every placeholder a text
uses is passed where it is shown.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import Any

from homeassistant.components.repairs import RepairsFlow
from homeassistant.config_entries import ConfigFlow, OptionsFlow
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.selector import SelectSelectorConfig

from .common import (
    DOMAIN,
    FUNCTIONS,
    INTEGRATION,
    ClassInfo,
    Module,
    call_name,
    callee,
    classes,
    dig,
    enclosing,
    evaluate,
    is_unresolved,
    keyword,
    load_json,
    modules,
    parents,
    placeholders,
    strings,
    template_pattern,
    text_of,
    walk_strings,
)
from .shapes import (
    Shape,
    all_of,
    each,
    obj,
    plain_string,
    slug,
    slug_or_underscore,
    text,
    text_tree,
    translation_key,
)

TEXT = text()
NO_PLACEHOLDERS = text(allow_placeholders=False)

# homeassistant.components.<platform>: which platform an entity or description class belongs to
PLATFORM_BASES = {
    "binary_sensor": {"BinarySensorEntity", "BinarySensorEntityDescription"},
    "button": {"ButtonEntity", "ButtonEntityDescription"},
    "event": {"EventEntity", "EventEntityDescription"},
    "light": {"LightEntity", "LightEntityDescription"},
    "number": {"NumberEntity", "NumberEntityDescription", "RestoreNumber"},
    "scene": {"Scene"},
    "select": {"SelectEntity", "SelectEntityDescription"},
    "sensor": {"RestoreSensor", "SensorEntity", "SensorEntityDescription"},
    "switch": {"SwitchEntity", "SwitchEntityDescription"},
    "text": {"TextEntity", "TextEntityDescription"},
    "update": {"UpdateEntity", "UpdateEntityDescription"},
}


# --- the schema (script/hassfest/translations.py) -------------------------------------------


def _data_description_in_data(value: Any, path: str) -> list[str]:
    return [
        f"{path}.step.{step_id}.data_description.{key}: data_description key {key} is not in data"
        for step_id, step in value["step"].items()
        for key in step.get("data_description", {})
        if key not in step.get("data", {})
    ]


def data_entry_flow() -> Shape:
    """``gen_data_entry_schema``: a config, options or fix flow."""
    fields = {"data": each(TEXT), "data_description": each(TEXT)}
    step = obj(
        optional={
            "title": TEXT,
            "description": TEXT,
            **fields,
            "menu_options": each(TEXT),
            "menu_option_descriptions": each(TEXT),
            "submit": TEXT,
            "sections": each(obj(optional={**fields, "description": TEXT, "name": TEXT})),
        }
    )
    return all_of(
        obj(
            required={"step": each(step)},
            optional={
                "flow_title": TEXT,
                "error": each(TEXT),
                "abort": each(TEXT),
                "progress": each(TEXT),
                "create_entry": each(TEXT),
                "initiate_flow": obj(required={"user": TEXT}),
            },
        ),
        _data_description_in_data,
    )


def _issue(value: Any, path: str) -> list[str]:
    """``gen_issues_schema``: a title, and a description or a fix flow (exclusive)."""
    problems = obj(
        required={"title": TEXT}, optional={"description": TEXT, "fix_flow": data_entry_flow()}
    )(value, path)
    if isinstance(value, dict):
        if "description" in value and "fix_flow" in value:
            problems.append(
                f"{path}: two or more values in the same group of exclusion 'fixable' "
                "(an issue with a fix_flow shows its step's description, not its own: move the "
                "text to fix_flow.step.<step_id>.description)"
            )
        if "description" not in value and "fix_flow" not in value:
            problems.append(f"{path}: must contain at least one of description, fix_flow")
    return problems


STRINGS_SCHEMA = obj(
    optional={
        "title": TEXT,
        "config": data_entry_flow(),
        "config_subentries": text_tree,
        "options": data_entry_flow(),
        "preview_features": text_tree,
        "selector": each(
            obj(
                optional={
                    "choices": each(TEXT, translation_key),
                    "options": each(TEXT, translation_key),
                    "unit_of_measurement": each(TEXT, translation_key),
                    "fields": text_tree,
                }
            ),
            slug_or_underscore,
        ),
        "device_automation": obj(
            optional={
                key: each(TEXT)
                for key in (
                    "action_type",
                    "condition_type",
                    "trigger_type",
                    "trigger_subtype",
                    "extra_fields",
                    "extra_fields_descriptions",
                )
            }
        ),
        "system_health": obj(optional={"info": each(TEXT, translation_key)}),
        "config_panel": text_tree,
        "application_credentials": obj(optional={"description": TEXT}),
        "issues": each(_issue),
        "entity_component": text_tree,
        "device": each(obj(optional={"name": TEXT}), translation_key),
        "entity": each(
            each(
                obj(
                    optional={
                        "name": TEXT,
                        "state": each(NO_PLACEHOLDERS, translation_key),
                        "state_attributes": each(
                            obj(
                                optional={
                                    "name": NO_PLACEHOLDERS,
                                    "state": each(NO_PLACEHOLDERS, translation_key),
                                }
                            ),
                            translation_key,
                        ),
                        "unit_of_measurement": NO_PLACEHOLDERS,
                    }
                ),
                translation_key,
            ),
            slug,
        ),
        "exceptions": each(obj(optional={"message": TEXT}), slug),
        "services": each(
            obj(
                required={"name": TEXT, "description": TEXT},
                optional={
                    "fields": each(
                        obj(
                            required={"name": plain_string, "description": TEXT},
                            optional={"example": TEXT},
                        ),
                        translation_key,
                    ),
                    "sections": each(
                        obj(required={"name": plain_string}, optional={"description": TEXT}),
                        translation_key,
                    ),
                },
            ),
            translation_key,
        ),
        "conditions": text_tree,
        "triggers": text_tree,
        "conversation": text_tree,
        "common": each(TEXT, slug),
    }
)


def test_english_translation_is_strings_json() -> None:
    """A custom integration ships its English texts in translations/en.json: the same content."""
    assert load_json(INTEGRATION / "translations" / "en.json") == strings()


def test_translation_files_pass_the_hassfest_schema() -> None:
    """hassfest validates strings.json and, for a custom integration, translations/en.json."""
    for name in ("strings.json", "translations/en.json"):
        assert STRINGS_SCHEMA(load_json(INTEGRATION / name), name) == []


def test_issues_with_a_fix_flow_have_no_description_of_their_own() -> None:
    """The repairs dialog of a fixable issue shows the fix flow's step, never the issue's text."""
    wrong = [
        key
        for key, issue in strings()["issues"].items()
        if {"fix_flow", "description"} <= set(issue)
    ]
    assert wrong == []
    for key, issue in strings()["issues"].items():
        if "fix_flow" in issue:
            steps = issue["fix_flow"]["step"]
            assert all(step.get("description") for step in steps.values()), key


def test_no_string_holds_a_url() -> None:
    """hassfest: "the string should not contain URLs, please use description placeholders"."""
    urls = [path for path, value in walk_strings(strings()) if TEXT(value, path)]
    assert urls == []


# --- what the code uses ---------------------------------------------------------------------


def _calls() -> Iterator[tuple[Module, ast.Call, ast.AST | None, ast.ClassDef | None]]:
    for mod in modules():
        up = parents(mod.tree)
        for node in ast.walk(mod.tree):
            if isinstance(node, ast.Call):
                yield mod, node, enclosing(node, up, FUNCTIONS), enclosing(node, up, ast.ClassDef)


def _platform(names: list[str]) -> str | None:
    for name in names:
        for platform, bases in PLATFORM_BASES.items():
            if name in bases:
                return platform
    return None


def _entity_translation_keys() -> dict[tuple[str, str], str]:
    """``(platform, key)`` of every entity translation key in the code, with where it is."""
    found: dict[tuple[str, str], str] = {}
    for info in classes():
        if not issubclass(info.runtime, Entity):
            continue
        for item in info.node.body:
            target = (
                item.targets[0] if isinstance(item, ast.Assign) else getattr(item, "target", None)
            )
            if isinstance(target, ast.Name) and target.id == "_attr_translation_key":
                key = text_of(item.value, info.module)  # type: ignore[union-attr]
                platform = _platform(info.mro_names())
                assert key, f"{info.module.local_name}.{info.node.name}"
                assert platform, f"{info.module.local_name}.{info.node.name}"
                found[platform, key] = f"{info.module.local_name}.{info.node.name}"
    for mod, call, function, _ in _calls():
        target = callee(call, mod, function)
        if not (isinstance(target, type) and issubclass(target, EntityDescription)):
            continue
        if (node := keyword(call, "translation_key")) is None:
            continue
        key = text_of(node, mod, function)
        platform = _platform([c.__name__ for c in target.__mro__])
        assert key, f"{mod.local_name}:{call.lineno}"
        assert platform, f"{mod.local_name}:{call.lineno}"
        found[platform, key] = f"{mod.local_name}:{call.lineno}"
    return found


def test_entity_translation_keys_exist() -> None:
    """An entity's translation_key names it: ``entity.<platform>.<key>`` must be there."""
    used = _entity_translation_keys()
    assert used, "no entity translation key found: the scan is broken"
    missing = {
        where: f"entity.{platform}.{key}.name"
        for (platform, key), where in used.items()
        if not dig(strings(), f"entity.{platform}.{key}.name")
    }
    assert missing == {}
    declared = {
        (platform, key) for platform, keys in strings().get("entity", {}).items() for key in keys
    }
    assert sorted(declared - set(used)) == [], "translations of entities that do not exist"


def _exception_calls() -> Iterator[tuple[Module, ast.Call, ast.AST | None, type]]:
    for mod, call, function, _ in _calls():
        target = callee(call, mod, function)
        if isinstance(target, type) and issubclass(target, HomeAssistantError):
            yield mod, call, function, target


def _literal_keys(node: ast.expr | None, mod: Module, function: ast.AST | None) -> set[str] | None:
    """The keys of a dict literal (None when it is not one or has ``**`` in it)."""
    if not isinstance(node, ast.Dict) or None in node.keys:
        return None
    keys = {text_of(key, mod, function) for key in node.keys}
    return None if None in keys else keys  # type: ignore[return-value]


def test_exceptions_are_translated() -> None:
    """exception_translations.py (quality scale rule exception-translations is done)."""
    problems = []
    seen = set()
    for mod, call, function, target in _exception_calls():
        where = f"{mod.local_name}:{call.lineno} {target.__name__}"
        key_node, domain_node = (
            keyword(call, "translation_key"),
            keyword(call, "translation_domain"),
        )
        if call.args and key_node is None:
            problems.append(f"{where}: a hardcoded message instead of a translation_key")
            continue
        if call.args:
            problems.append(f"{where}: a message string as well as a translation_key")
        if (key_node is None) != (domain_node is None):
            problems.append(f"{where}: translation_key and translation_domain go together")
            continue
        if key_node is None:
            continue
        if text_of(domain_node, mod, function) != DOMAIN:
            problems.append(f"{where}: translation_domain is not {DOMAIN}")
        key = text_of(key_node, mod, function)
        if key is None:
            problems.append(f"{where}: the translation_key is not known before run time")
            continue
        seen.add(key)
        message = dig(strings(), f"exceptions.{key}.message")
        if message is None:
            problems.append(f"{where}: exceptions.{key}.message is missing")
            continue
        if not (expected := placeholders(message)):
            continue  # as the plugin: extra placeholders for a plain message are harmless
        given = keyword(call, "translation_placeholders")
        passed = set() if given is None else _literal_keys(given, mod, function)
        if passed is not None and passed != expected:
            problems.append(
                f"{where}: passes placeholders {sorted(passed)}, "
                f"exceptions.{key} uses {sorted(expected)}"
            )
    assert problems == []
    assert sorted(set(strings().get("exceptions", {})) - seen) == [], "unused exception texts"


def test_selector_options_are_translated() -> None:
    """A select selector with a translation_key shows ``selector.<key>.options.<option>``."""
    problems = []
    used = 0
    for mod, call, function, _ in _calls():
        if callee(call, mod, function) is not SelectSelectorConfig:
            continue
        if (key := text_of(keyword(call, "translation_key"), mod, function)) is None:
            continue
        used += 1
        options = evaluate(keyword(call, "options"), mod, function)
        labels = dig(strings(), f"selector.{key}.options") or {}
        if not labels:
            problems.append(f"{mod.local_name}:{call.lineno}: selector.{key}.options is missing")
        if not is_unresolved(options):
            problems.extend(
                f"{mod.local_name}:{call.lineno}: selector.{key}.options.{option} is missing"
                for option in options
                if isinstance(option, str) and option not in labels
            )
    assert used
    assert problems == []


# --- repair issues --------------------------------------------------------------------------


def _bind(function: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call) -> dict[str, Any]:
    """Which argument of ``call`` lands on which parameter of ``function``."""
    args = function.args
    positional = [a.arg for a in (*args.posonlyargs, *args.args)]
    if positional[:1] == ["self"] and isinstance(call.func, ast.Attribute):
        positional = positional[1:]
    bound: dict[str, Any] = dict(zip(positional, call.args, strict=False))
    extra: dict[str, ast.expr] = {}
    named = {*positional, *(a.arg for a in args.kwonlyargs)}
    for kw in call.keywords:
        if kw.arg in named:
            bound[kw.arg] = kw.value
        elif kw.arg is not None:
            extra[kw.arg] = kw.value
    defaults = dict(
        zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True)
    )
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        if default is not None:
            defaults[arg.arg] = default
    for name, default in defaults.items():
        bound.setdefault(name, default)
    bound["**"] = extra
    return bound


def _raised_issues() -> dict[str, dict[str, Any]]:
    """Every issue the code raises: ``{key: {"placeholders": set, "fixable": set, "at": [...]}}``.

    A call of ``ir.async_create_issue`` with a known key counts directly; a function that passes
    one of its parameters on as the key (a wrapper) counts at each of its call sites.
    """
    raised: dict[str, dict[str, Any]] = {}

    def add(key: str, given: set[str], fixable: Any, at: str) -> None:
        entry = raised.setdefault(key, {"placeholders": set(), "fixable": set(), "at": []})
        entry["placeholders"] |= given
        entry["fixable"].add(fixable)
        entry["at"].append(at)

    wrappers = {}
    for mod, call, function, _ in _calls():
        if call_name(call) != "async_create_issue":
            continue
        key_node = keyword(call, "translation_key")
        given_node = keyword(call, "translation_placeholders")
        fixable_node = keyword(call, "is_fixable")
        if (key := text_of(key_node, mod, function)) is not None:
            given = _literal_keys(given_node, mod, function) or set()
            add(
                key, given, evaluate(fixable_node, mod, function), f"{mod.local_name}:{call.lineno}"
            )
        elif isinstance(key_node, ast.Name) and isinstance(function, FUNCTIONS):
            wrappers[function.name] = (function, key_node.id, given_node, fixable_node)

    for mod, call, function, _ in _calls():
        if (name := call_name(call)) not in wrappers:
            continue
        wrapper, key_param, given_node, fixable_node = wrappers[name]
        bound = _bind(wrapper, call)
        key = text_of(bound.get(key_param), mod, function)
        assert key, f"{mod.local_name}:{call.lineno}: issue key unknown before run time"
        given = set()
        if isinstance(given_node, ast.Dict):
            given = {k.value for k in given_node.keys if isinstance(k, ast.Constant)}
            if None in given_node.keys:  # {..., **placeholders}: the wrapper's extra keywords
                given |= set(bound["**"])
        fixable: Any = False
        if isinstance(fixable_node, ast.Name):
            fixable = evaluate(bound.get(fixable_node.id), mod, function)
        elif isinstance(fixable_node, ast.Constant):
            fixable = fixable_node.value
        add(key, given, fixable, f"{mod.local_name}:{call.lineno}")
    return raised


def test_raised_issues_have_their_texts() -> None:
    """Each repair issue has its strings, gets every placeholder they use, and fix flows match.

    A fixable issue opens its fix flow, so it needs ``fix_flow`` texts; a ``fix_flow`` text for
    an issue never raised fixable is never shown.
    """
    raised = _raised_issues()
    issues = strings()["issues"]
    assert raised, "no repair issue found: the scan is broken"
    assert sorted(set(issues) - set(raised)) == [], "texts of issues the code never raises"
    problems = []
    for key, found in raised.items():
        if key not in issues:
            problems.append(f"{found['at']}: issues.{key} is missing")
            continue
        issue = issues[key]
        texts = [issue["title"], issue.get("description", "")]
        texts += [value for _, value in walk_strings(issue.get("fix_flow", {}).get("step", {}))]
        used = set().union(*(placeholders(t) for t in texts))
        if missing := used - found["placeholders"]:
            problems.append(f"issues.{key} uses {sorted(missing)}, never given at {found['at']}")
        if (True in found["fixable"]) != ("fix_flow" in issue):
            problems.append(
                f"issues.{key}: raised fixable={found['fixable']}, fix_flow texts: "
                f"{'fix_flow' in issue}"
            )
    assert problems == []


# --- flows -------------------------------------------------------------------------------------


def _flow_kind(info: ClassInfo) -> str | None:
    cls = info.runtime
    if issubclass(cls, ConfigFlow):
        return "config"
    if issubclass(cls, OptionsFlow):
        return "options"
    if issubclass(cls, RepairsFlow):
        return "repairs"
    return None


def _methods(info: ClassInfo) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    return {node.name: node for node in info.node.body if isinstance(node, FUNCTIONS)}


def _parameter_values(
    info: ClassInfo, function: ast.FunctionDef | ast.AsyncFunctionDef, name: str
) -> list[ast.expr]:
    """The expressions a method's parameter gets: its default and every ``self.m(...)`` call."""
    values = []
    for node in ast.walk(info.node):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == function.name
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "self"
        ):
            bound = _bind(function, node)
            if name in bound:
                values.append(bound[name])
    bound_default = _bind(function, ast.Call(func=ast.Name("f"), args=[], keywords=[]))
    if name in bound_default:
        values.append(bound_default[name])
    return values


def _values(
    info: ClassInfo, node: ast.expr, function: ast.AST | None
) -> list[str | re.Pattern[str]]:
    """The strings (or, for an f-string, the pattern) an expression can be in a flow."""
    if isinstance(node, ast.JoinedStr):
        return [template_pattern(node)]
    if (value := text_of(node, info.module, function)) is not None:
        return [value]
    if isinstance(node, ast.Name) and isinstance(function, FUNCTIONS):
        params = {a.arg for a in (*function.args.args, *function.args.kwonlyargs)}
        if node.id in params:
            return [
                v
                for expr in _parameter_values(info, function, node.id)
                for v in _values(info, expr, enclosing_function(info, expr))
            ]
    return []


def enclosing_function(info: ClassInfo, node: ast.AST) -> ast.AST | None:
    """The method of ``info`` that holds ``node``."""
    return enclosing(node, parents(info.node), FUNCTIONS)


def _schema_fields(
    node: ast.expr | None, mod: Module, function: ast.AST | None, depth: int = 0
) -> list[str]:
    """The field names of a data_schema, as far as they are known before run time."""
    if node is None or depth > 5:
        return []
    if isinstance(node, ast.Dict):
        names = []
        for marker in node.keys:
            key = marker
            if isinstance(marker, ast.Call) and call_name(marker) in {"Required", "Optional"}:
                key = marker.args[0]
            if key is not None and (name := text_of(key, mod, function)) is not None:
                names.append(name)
        return names
    if isinstance(node, ast.Call):
        name = call_name(node)
        if name == "Schema" and node.args:
            return _schema_fields(node.args[0], mod, function, depth + 1)
        if name == "extend" and isinstance(node.func, ast.Attribute) and node.args:
            return _schema_fields(node.func.value, mod, function, depth + 1) + _schema_fields(
                node.args[0], mod, function, depth + 1
            )
        if name == "add_suggested_values_to_schema":
            inner = node.args[0] if node.args else keyword(node, "data_schema")
            return _schema_fields(inner, mod, function, depth + 1)
        if isinstance(node.func, ast.Name):  # a module-level function building the schema
            for item in mod.tree.body:
                if isinstance(item, FUNCTIONS) and item.name == node.func.id:
                    returns = [r.value for r in item.body if isinstance(r, ast.Return)]
                    return [f for r in returns for f in _schema_fields(r, mod, item, depth + 1)]
        return []
    if isinstance(node, ast.Name):
        scopes = [function] if isinstance(function, FUNCTIONS) else []
        for scope in [*scopes, mod.tree]:
            for item in ast.walk(scope):  # type: ignore[arg-type]
                if isinstance(item, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == node.id for t in item.targets
                ):
                    return _schema_fields(item.value, mod, function, depth + 1)
    return []


def _sections(kind: str, step_ids: set[str]) -> list[tuple[str, dict[str, Any]]]:
    """The strings sections a flow's texts live in, with their dotted path."""
    if kind in ("config", "options"):
        return [(kind, strings()[kind])]
    return [
        (f"issues.{key}.fix_flow", issue["fix_flow"])
        for key, issue in strings()["issues"].items()
        if "fix_flow" in issue and step_ids & set(issue["fix_flow"]["step"])
    ]


def _flows() -> Iterator[tuple[ClassInfo, str]]:
    for info in classes():
        if (kind := _flow_kind(info)) is not None:
            yield info, kind


def _shown_steps(info: ClassInfo) -> list[tuple[ast.Call, ast.AST | None, str]]:
    shown = []
    up = parents(info.node)
    for node in ast.walk(info.node):
        if not (
            isinstance(node, ast.Call) and call_name(node) in {"async_show_form", "async_show_menu"}
        ):
            continue
        function = enclosing(node, up, FUNCTIONS)
        step_node = keyword(node, "step_id")
        if step_node is None:
            assert isinstance(function, FUNCTIONS)
            step_ids: list[Any] = [function.name.removeprefix("async_step_")]
        else:
            step_ids = _values(info, step_node, function)
        assert step_ids, f"{info.node.name}:{node.lineno}: step_id unknown before run time"
        shown.extend((node, function, step_id) for step_id in step_ids)
    return shown


def test_flows_show_translated_steps() -> None:
    """Each shown step has its texts, every field a label, every placeholder a value."""
    problems = []
    flows = list(_flows())
    assert {kind for _, kind in flows} == {"config", "options", "repairs"}
    for info, kind in flows:
        shown = _shown_steps(info)
        step_ids = {step_id for _, _, step_id in shown}
        sections = _sections(kind, step_ids)
        assert sections, f"{info.node.name}: no texts for steps {sorted(step_ids)}"
        for call, function, step_id in shown:
            where = f"{info.module.local_name}:{call.lineno} step {step_id!r}"
            for path, section in sections:
                step = section["step"].get(step_id)
                if step is None:
                    problems.append(f"{where}: {path}.step.{step_id} is missing")
                    continue
                for field in _schema_fields(keyword(call, "data_schema"), info.module, function):
                    if field not in step.get("data", {}):
                        problems.append(f"{where}: {path}.step.{step_id}.data.{field} is missing")
                used = set().union(*(placeholders(v) for _, v in walk_strings(step)))
                given_node = keyword(call, "description_placeholders")
                given = _literal_keys(given_node, info.module, function)
                if used and given_node is None:
                    problems.append(f"{where}: its texts use {sorted(used)}, no placeholders given")
                elif given is not None and used - given:
                    problems.append(f"{where}: {sorted(used - given)} are not given")
                menu = evaluate(keyword(call, "menu_options"), info.module, function)
                if call_name(call) == "async_show_menu" and not is_unresolved(menu):
                    for option in menu:
                        if option not in step.get("menu_options", {}):
                            problems.append(f"{where}: menu_options.{option} has no label")
        for path, section in sections:
            unused = set(section["step"]) - step_ids
            if kind == "repairs":
                unused = set()  # a fix flow's texts can be shared by flows of other issues
            problems.extend(f"{path}.step.{s}: no flow shows this step" for s in sorted(unused))
    assert problems == []


def _flow_errors(info: ClassInfo) -> list[tuple[int, str | re.Pattern[str]]]:
    """Every error key a flow can set, with its line."""
    found: list[tuple[int, str | re.Pattern[str]]] = []
    up = parents(info.node)
    for node in ast.walk(info.node):
        function = enclosing(node, up, FUNCTIONS)
        values: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "errors"
                ):
                    values.append(node.value)
                if (
                    isinstance(target, ast.Name)
                    and target.id == "errors"
                    and isinstance(node.value, ast.Dict)
                ):
                    values.extend(node.value.values)
        elif (
            isinstance(node, ast.Return)
            and isinstance(node.value, ast.Dict)
            and isinstance(function, FUNCTIONS)
            and function.returns is not None
            and ast.unparse(function.returns) == "dict[str, str]"
        ):
            values.extend(node.value.values)  # a helper returning the form's errors
        found.extend((node.lineno, v) for expr in values for v in _values(info, expr, function))  # type: ignore[attr-defined]
    return found


def _flow_aborts(info: ClassInfo) -> list[tuple[int, str | re.Pattern[str]]]:
    found: list[tuple[int, str | re.Pattern[str]]] = []
    up = parents(info.node)
    for node in ast.walk(info.node):
        if not isinstance(node, ast.Call):
            continue
        name = call_name(node)
        if name == "async_abort" and (reason := keyword(node, "reason")) is not None:
            found.extend(
                (node.lineno, v) for v in _values(info, reason, enclosing(node, up, FUNCTIONS))
            )
        elif name in {"_abort_if_unique_id_configured", "_async_abort_entries_match"}:
            found.append((node.lineno, "already_configured"))
    return found


def _known(value: str | re.Pattern[str], keys: dict[str, Any]) -> bool:
    if isinstance(value, str):
        return value in keys
    return any(value.match(key) for key in keys)


def test_flow_errors_and_aborts_are_translated() -> None:
    """Every error a form can show and every reason a flow can abort with has its text."""
    problems = []
    checked = 0
    for info, kind in _flows():
        step_ids = {step_id for _, _, step_id in _shown_steps(info)}
        for path, section in _sections(kind, step_ids):
            for part, found in (("error", _flow_errors(info)), ("abort", _flow_aborts(info))):
                for line, value in found:
                    checked += 1
                    if not _known(value, section.get(part, {})):
                        shown = value if isinstance(value, str) else value.pattern
                        problems.append(f"{info.module.local_name}:{line}: {path}.{part}.{shown}")
    assert checked > 10, "hardly any error found: the scan is broken"
    assert problems == []
