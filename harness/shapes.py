"""Stored JSON checked against the dataclass it is read into: every field's type, before anything uses it.

A record or manifest is a contract (docs/schema.md): `"success": "false"` must not count as a success, and `"time":
null` must not crash a reader. `check_fields` walks a dataclass's annotations (int, float, str, bool, None, unions,
lists, tuples, mappings, nested dataclasses) and raises `ShapeError` naming the first field that does not fit.
Fields the class does not know are ignored (a newer writer's additions); missing fields with a default are allowed.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import json
import types
import typing
from functools import cache
from typing import Any


class ShapeError(ValueError):
    """A stored value of the wrong type; the message names the field (`spec.task_id must be an integer, got "3"`)."""


_NAMES = {int: "an integer", float: "a number", str: "a string", bool: "true or false", type(None): "null"}


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _shown(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def _describe(hint: Any) -> str:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(h) for h in typing.get_args(hint))
    if dataclasses.is_dataclass(hint) or origin in (dict, collections.abc.Mapping) or hint in (dict,):
        return "an object"
    if origin in (list, tuple, collections.abc.Sequence) or hint in (list, tuple):
        return "a list"
    return _NAMES.get(hint, getattr(hint, "__name__", str(hint)))


def _fits_scalar(value: Any, hint: Any) -> bool:
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is type(None):
        return value is None
    return isinstance(value, hint)


def check_value(value: Any, hint: Any, where: str, loose: frozenset[str] = frozenset()) -> None:
    """Raise ShapeError unless `value` (parsed JSON) fits the annotation `hint` (`loose`: as in check_fields)."""
    origin = typing.get_origin(hint)
    if hint is Any:
        return
    if origin in (typing.Union, types.UnionType):
        for member in typing.get_args(hint):
            try:
                return check_value(value, member, where, loose)
            except ShapeError:
                continue
        raise ShapeError(f"{where} must be {_describe(hint)}, got {_shown(value)}")
    if dataclasses.is_dataclass(hint):
        return check_fields(hint, value, where, loose)
    container = origin or hint
    if container in (dict, collections.abc.Mapping):
        if not isinstance(value, dict):
            raise ShapeError(f"{where} must be an object, got {_shown(value)}")
        item = (typing.get_args(hint) or (Any, Any))[-1]
        for k, v in value.items():
            check_value(v, item, f"{where}.{k}", loose)
        return
    if container in (list, tuple, collections.abc.Sequence):
        if not isinstance(value, list):
            raise ShapeError(f"{where} must be a list, got {_shown(value)}")
        item = next((a for a in typing.get_args(hint) if a is not Ellipsis), Any)
        for i, v in enumerate(value):
            check_value(v, item, f"{where}[{i}]", loose)
        return
    if isinstance(hint, type) and not _fits_scalar(value, hint):
        raise ShapeError(f"{where} must be {_describe(hint)}, got {_shown(value)}")


def check_fields(cls: type, value: Any, where: str, loose: frozenset[str] = frozenset(), partial: bool = False) -> None:
    """`value` as stored for dataclass `cls`: an object whose known fields fit their annotations, required ones
    present (any may be absent when `partial`). Fields named in `loose` (`Class.field`) may hold any JSON value."""
    if not isinstance(value, dict):
        raise ShapeError(f"{where} must be an object, got {_shown(value)}")
    hints = _hints(cls)
    for f in dataclasses.fields(cls):
        prefix = f"{where}." if where else ""
        if f.name not in value:
            if not partial and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ShapeError(f"{prefix}{f.name} is missing")
            continue
        if f"{cls.__name__}.{f.name}" not in loose:
            check_value(value[f.name], hints[f.name], f"{prefix}{f.name}", loose)
