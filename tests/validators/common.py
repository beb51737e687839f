"""What the validator tests share: paths, the translation files, and a static view of the code.

The rules themselves come from Home Assistant's own validators (hassfest, its pylint plugins and
HACS's repository checks); each test module names the file a rule comes from. Their real
implementations cannot run here (docker images, or absent from the Home Assistant sdist), so the
tests restate the rules that apply to a custom integration.

The static view parses every module of the integration with ``ast`` and resolves names the way
the interpreter would at import time (by importing the module and reading the attribute), so
``translation_key=CONF_PREDICTOR`` or ``vol.Required(CONF_API_KEY)`` count like literals.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = "smart_lighting_ai"
PACKAGE = f"custom_components.{DOMAIN}"
INTEGRATION = ROOT / "custom_components" / DOMAIN


def load_json(path: Path) -> Any:
    """The parsed JSON file at ``path``."""
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def strings() -> dict[str, Any]:
    """strings.json, the source of the English texts."""
    data: dict[str, Any] = load_json(INTEGRATION / "strings.json")
    return data


def walk_strings(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every leaf of a translation tree with its dotted path."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield from walk_strings(child, f"{path}.{key}" if path else str(key))
    else:
        yield path, value


def placeholders(text: str) -> set[str]:
    """The ``{name}`` placeholders of a translation string."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def dig(tree: dict[str, Any], dotted: str) -> Any:
    """``tree["a"]["b"]`` for ``"a.b"``, or None where a level is missing."""
    node: Any = tree
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


# --- the code, statically -------------------------------------------------------------------


@dataclass(frozen=True)
class Module:
    """One Python module of the integration."""

    name: str
    path: Path
    tree: ast.Module

    @property
    def local_name(self) -> str:
        """The name inside the integration: ``light``, ``dali.bus``, ``__init__``."""
        parts = self.name.removeprefix(f"{PACKAGE}").lstrip(".").split(".")
        return ".".join(parts) if parts != [""] else "__init__"

    @property
    def is_package(self) -> bool:
        """True for an ``__init__.py``."""
        return self.path.name == "__init__.py"

    def runtime(self) -> Any:
        """The imported module."""
        return importlib.import_module(self.name)


@cache
def modules() -> tuple[Module, ...]:
    """Every module of the integration, sub-packages included."""
    found = []
    for path in sorted(INTEGRATION.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        relative = path.relative_to(ROOT).with_suffix("")
        parts = list(relative.parts)
        if parts[-1] == "__init__":
            parts.pop()
        found.append(Module(".".join(parts), path, ast.parse(path.read_text(encoding="utf-8"))))
    return tuple(found)


def module(local_name: str) -> Module:
    """The module ``local_name`` (``config_flow``, ``__init__``, ...)."""
    for candidate in modules():
        if candidate.local_name == local_name:
            return candidate
    raise LookupError(local_name)


def parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    """The parent of every node of ``tree``."""
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def enclosing(node: ast.AST, up: dict[ast.AST, ast.AST], kind: type | tuple[type, ...]) -> Any:
    """The nearest ancestor of ``node`` of type ``kind``, or None."""
    current = up.get(node)
    while current is not None and not isinstance(current, kind):
        current = up.get(current)
    return current


FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def local_names(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """The parameters and the names a function assigns."""
    args = function.args
    names = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
    names.update(a.arg for a in (args.vararg, args.kwarg) if a is not None)
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


_UNRESOLVED = object()


def evaluate(node: ast.expr | None, mod: Module, function: ast.AST | None = None) -> Any:
    """What ``node`` means at import time (a literal, a module constant, an imported name).

    Returns ``_UNRESOLVED`` for anything that depends on run time, including a name the
    enclosing ``function`` binds itself.
    """
    if node is None:
        return _UNRESOLVED
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if isinstance(function, FUNCTIONS) and node.id in local_names(function):
            return _UNRESOLVED
        return getattr(mod.runtime(), node.id, _UNRESOLVED)
    if isinstance(node, ast.Attribute):
        base = evaluate(node.value, mod, function)
        return _UNRESOLVED if base is _UNRESOLVED else getattr(base, node.attr, _UNRESOLVED)
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        items = [evaluate(e, mod, function) for e in node.elts]
        return _UNRESOLVED if _UNRESOLVED in items else items
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in {"list", "tuple", "sorted"}
        and len(node.args) == 1
        and not node.keywords
    ):
        inner = evaluate(node.args[0], mod, function)
        return _UNRESOLVED if inner is _UNRESOLVED else list(inner)
    return _UNRESOLVED


def as_text(value: Any) -> str | None:
    """``value`` as the string Home Assistant would see (enum members by value), or None."""
    if isinstance(value, Enum):
        value = value.value
    return value if isinstance(value, str) else None


def text_of(node: ast.expr | None, mod: Module, function: ast.AST | None = None) -> str | None:
    """The string ``node`` evaluates to at import time, or None."""
    return as_text(evaluate(node, mod, function))


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    """The value of keyword argument ``name`` of ``call``."""
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def call_name(call: ast.Call) -> str | None:
    """``f`` for ``f(...)``, ``m`` for ``x.y.m(...)``."""
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def callee(call: ast.Call, mod: Module, function: ast.AST | None = None) -> Any:
    """The object a call calls, when it is known at import time."""
    return evaluate(call.func, mod, function)


def template_pattern(node: ast.JoinedStr) -> re.Pattern[str]:
    """A pattern matching every value of an f-string: its fixed parts, anything between."""
    parts = []
    for value in node.values:
        if isinstance(value, ast.Constant):
            parts.append(re.escape(str(value.value)))
        else:
            parts.append(r"\w+")
    return re.compile("".join(parts) + "$")


def is_unresolved(value: Any) -> bool:
    """True when :func:`evaluate` could not tell the value."""
    return value is _UNRESOLVED


@dataclass(frozen=True)
class ClassInfo:
    """A class defined in the integration, statically and at run time."""

    module: Module
    node: ast.ClassDef

    @property
    def runtime(self) -> type:
        """The class object."""
        cls: type = getattr(self.module.runtime(), self.node.name)
        return cls

    def mro_names(self) -> list[str]:
        """The names of the class's ancestors, nearest first (itself left out)."""
        return [c.__name__ for c in self.runtime.__mro__[1:]]

    def base_names(self) -> list[str]:
        """The names of its direct bases."""
        return [c.__name__ for c in self.runtime.__bases__]


def classes() -> list[ClassInfo]:
    """Every module-level class of the integration."""
    return [
        ClassInfo(mod, node)
        for mod in modules()
        for node in mod.tree.body
        if isinstance(node, ast.ClassDef)
    ]
