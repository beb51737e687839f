"""The simulated line's state as JSON, so it survives a reload and a restart like real gear.

Real gear keeps its short address, groups, scenes, limits and memory banks in non-volatile
memory, and its light output through a restart of Home Assistant. The simulated gear and
input devices are dataclasses: every public field is saved, and restored through the field's
type hint (sets, int-keyed dicts and nested dataclasses come back as they were). A field
added later takes its default when an older save lacks it.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any

STATE_VERSION = 1


def to_json(value: Any) -> Any:
    """``value`` (a dataclass, set, dict, list or scalar) in a JSON-safe form."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_json(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not f.name.startswith("_")
        }
    if isinstance(value, set | frozenset):
        return sorted(to_json(v) for v in value)
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value


def from_json[T](cls: type[T], data: dict[str, Any]) -> T:
    """Rebuild dataclass ``cls`` from :func:`to_json` output; unknown keys are ignored."""
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    kwargs = {
        name: _convert(hints[name], value)
        for name, value in data.items()
        if name in names and not name.startswith("_")
    }
    return cls(**kwargs)


def _convert(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in args if a is not type(None)]
        return _convert(options[0], value) if len(options) == 1 else value
    if isinstance(hint, type) and dataclasses.is_dataclass(hint) and isinstance(value, dict):
        return from_json(hint, value)
    if origin in (set, frozenset):
        return origin(_convert(args[0], v) for v in value) if args else origin(value)
    if origin is tuple:
        item = args[0] if args else Any
        return tuple(_convert(item, v) for v in value)
    if origin is list:
        return [_convert(args[0], v) for v in value] if args else list(value)
    if origin is dict:
        key, item = args if args else (Any, Any)
        return {(int(k) if key is int else k): _convert(item, v) for k, v in dict(value).items()}
    return value
