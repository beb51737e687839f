"""A small schema language for JSON-like trees that reports every problem with its path.

hassfest states its rules as voluptuous schemas; Home Assistant 2026 moved from voluptuous to
probatio, so the tests restate those schemas here instead of borrowing either library's.
A shape is a function ``(value, path) -> [problems]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.util import slugify

from .common import placeholders

Shape = Callable[[Any, str], list[str]]
KeyRule = Callable[[str], str | None]

# script/hassfest/translations.py
RE_TRANSLATION_KEY = re.compile(r"^(?!.+[_-]{2})(?![_-])[a-z0-9-_]+(?<![_-])$")
RE_COMBINED_REFERENCE = re.compile(r"(.+\[%)|(%\].+)")
RE_PLACEHOLDER_IN_SINGLE_QUOTES = re.compile(r"'{\w+}'")
RE_URL = re.compile(
    r"(((ftp|ftps|scp|http|https|mqtt|mqtts|socket|socks5):\/\/|www\.)"
    r"[a-z0-9]+([\-\.]{1}[a-z0-9]+)*\.[a-z]{2,5}(:[0-9]{1,5})?(\/.*)?)",
    re.IGNORECASE,
)
# The pattern above misses an address whose host is an IP or a single name
# (http://192.168.1.10:8080/v1); newer hassfest rejects those too, so these count as URLs as well.
RE_ANY_URL = re.compile(r"\b(ftp|ftps|scp|https?|mqtts?|socket|socks5)://[^\s/]+", re.IGNORECASE)
# homeassistant/helpers/config_validation.py string_with_no_html
RE_HTML = re.compile(r"<[a-z].*?>", re.IGNORECASE)


def translation_key(key: str) -> str | None:
    """hassfest's translation key rule: ``[a-z0-9-_]+``, no doubled or edge separators."""
    if RE_TRANSLATION_KEY.match(key):
        return None
    return f"invalid translation key {key!r} (lower case, digits, - and _, not at the ends)"


def slug(key: str) -> str | None:
    """``cv.slug``: the key is its own slugify()."""
    return None if slugify(key) == key else f"invalid slug {key!r} (try {slugify(key)!r})"


def slug_or_underscore(key: str) -> str | None:
    """``vol.Any("_", cv.slug)``."""
    return None if key == "_" else slug(key)


def any_key(key: str) -> str | None:
    """Every key is allowed."""
    return None


def text(*, allow_placeholders: bool = True) -> Shape:
    """A translation value as hassfest's ``validate_translation_value`` demands it."""

    def check(value: Any, path: str) -> list[str]:
        if not isinstance(value, str):
            return [f"{path}: expected a string, got {type(value).__name__}"]
        problems = []
        if RE_HTML.search(value):
            problems.append(f"{path}: the string should not contain HTML")
        if RE_PLACEHOLDER_IN_SINGLE_QUOTES.search(value):
            problems.append(f"{path}: the string should not contain placeholders in single quotes")
        try:
            used = placeholders(value)
        except ValueError as err:
            problems.append(f"{path}: unbalanced braces ({err})")
            used = set()
        if used and not allow_placeholders:
            problems.append(f"{path}: placeholders are not supported in this value")
        problems.extend(
            f"{path}: placeholder {{{name}}} is not a valid identifier"
            for name in sorted(used)
            if not name.isidentifier()
        )
        if RE_COMBINED_REFERENCE.search(value):
            problems.append(f"{path}: the string should not contain combined translations")
        if value != value.strip():
            problems.append(f"{path}: the string should not contain leading or trailing spaces")
        if RE_URL.search(value) or RE_ANY_URL.search(value):
            problems.append(
                f"{path}: the string should not contain URLs, "
                "please use description placeholders instead"
            )
        return problems

    return check


def plain_string(value: Any, path: str) -> list[str]:
    """Any string (hassfest types some names as bare ``str``)."""
    return [] if isinstance(value, str) else [f"{path}: expected a string"]


def obj(
    required: Mapping[str, Shape] | None = None, optional: Mapping[str, Shape] | None = None
) -> Shape:
    """A mapping with exactly these keys allowed, the ``required`` ones present."""
    required = dict(required or {})
    optional = dict(optional or {})

    def check(value: Any, path: str) -> list[str]:
        if not isinstance(value, dict):
            return [f"{path}: expected a mapping"]
        problems = [f"{path}.{key}: required key missing" for key in required if key not in value]
        for key, child in value.items():
            shape = required.get(key) or optional.get(key)
            if shape is None:
                problems.append(f"{path}.{key}: extra key not allowed")
            else:
                problems.extend(shape(child, f"{path}.{key}"))
        return problems

    return check


def each(value_shape: Shape, key_rule: KeyRule = any_key) -> Shape:
    """A mapping of any keys passing ``key_rule``, each value of ``value_shape``."""

    def check(value: Any, path: str) -> list[str]:
        if not isinstance(value, dict):
            return [f"{path}: expected a mapping"]
        problems = []
        for key, child in value.items():
            if (problem := key_rule(str(key))) is not None:
                problems.append(f"{path}: {problem}")
            problems.extend(value_shape(child, f"{path}.{key}"))
        return problems

    return check


def all_of(*shapes: Shape) -> Shape:
    """Every shape's problems (later shapes run only on a value the first accepts)."""

    def check(value: Any, path: str) -> list[str]:
        first, *rest = shapes
        problems = first(value, path)
        if problems:
            return problems
        for shape in rest:
            problems.extend(shape(value, path))
        return problems

    return check


def text_tree(value: Any, path: str) -> list[str]:
    """Nested mappings of translation values (a section this integration does not use)."""
    if isinstance(value, dict):
        return [p for key, child in value.items() for p in text_tree(child, f"{path}.{key}")]
    return text()(value, path)
