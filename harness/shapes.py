"""Stored JSON checked against the dataclass it is read into: every field's type, before anything uses it.

A record or manifest is a contract (docs/schema.md): `"success": "false"` must not count as a success, and `"time":
null` must not crash a reader. `check_fields` walks a dataclass's annotations (int, float, str, bool, None, unions,
lists, tuples, mappings, nested dataclasses) and raises `ShapeError` naming the first field that does not fit.
Fields the class does not know are ignored (a newer writer's additions); missing fields with a default are allowed.
Each annotation is compiled once into a checker: reading 20,000 records stays a matter of seconds.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import json
import types
import typing
from functools import cache
from typing import Any, Callable

Checker = Callable[[Any, str], None]


class ShapeError(ValueError):
    """A stored value of the wrong type; the message names the field (`spec.task_id must be an integer, got "3"`)."""


_NAMES = {int: "an integer", float: "a number", str: "a string", bool: "true or false", type(None): "null"}
_MAPPINGS = (dict, collections.abc.Mapping)
_SEQUENCES = (list, tuple, collections.abc.Sequence)


def _shown(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def _describe(hint: Any) -> str:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(h) for h in typing.get_args(hint))
    if dataclasses.is_dataclass(hint) or (origin or hint) in _MAPPINGS:
        return "an object"
    if (origin or hint) in _SEQUENCES:
        return "a list"
    return _NAMES.get(hint, getattr(hint, "__name__", str(hint)))


def _fits(hint: Any) -> Callable[[Any], bool]:
    if hint is bool:
        return lambda v: isinstance(v, bool)
    if hint is int:
        return lambda v: isinstance(v, int) and not isinstance(v, bool)
    if hint is float:
        return lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
    if hint is type(None):
        return lambda v: v is None
    return lambda v: isinstance(v, hint)


def _fail(where: str, hint: Any, value: Any) -> None:
    raise ShapeError(f"{where or 'it'} must be {_describe(hint)}, got {_shown(value)}")


@cache
def _checker(hint: Any, loose: frozenset[str], partial: bool = False) -> Checker:
    """A function raising ShapeError unless a parsed JSON value fits `hint` (compiled once per annotation)."""
    origin = typing.get_origin(hint)
    if hint is Any:
        return lambda value, where: None
    if origin in (typing.Union, types.UnionType):
        return _union(hint, loose)
    if dataclasses.is_dataclass(hint):
        return _fields(hint, loose, partial)
    if (origin or hint) in _MAPPINGS:
        item = _checker((typing.get_args(hint) or (Any, Any))[-1], loose)

        def mapping(value: Any, where: str) -> None:
            if not isinstance(value, dict):
                _fail(where, hint, value)
            for k, v in value.items():
                item(v, f"{where}.{k}")
        return mapping
    if (origin or hint) in _SEQUENCES:
        item = _checker(next((a for a in typing.get_args(hint) if a is not Ellipsis), Any), loose)

        def sequence(value: Any, where: str) -> None:
            if not isinstance(value, (list, tuple)):  # JSON has lists; a Python caller may hand a tuple
                _fail(where, hint, value)
            for i, v in enumerate(value):
                item(v, f"{where}[{i}]")
        return sequence
    if not isinstance(hint, type):
        return lambda value, where: None  # an annotation stored JSON cannot be checked against
    fits = _fits(hint)
    return lambda value, where: None if fits(value) else _fail(where, hint, value)


def _union(hint: Any, loose: frozenset[str]) -> Checker:
    members = typing.get_args(hint)
    scalars = [_fits(m) for m in members if isinstance(m, type) and not dataclasses.is_dataclass(m)
               and m not in (*_MAPPINGS, *_SEQUENCES)]
    checks = [_checker(m, loose) for m in members]
    inner = [c for m, c in zip(members, checks) if m is not type(None)]

    def union(value: Any, where: str) -> None:
        if any(fits(value) for fits in scalars):  # the common case, without building an error per member
            return None
        if isinstance(value, (dict, list)) and len(inner) == 1:  # an object in `X | None`: X's message names the field
            return inner[0](value, where)
        for check in checks:
            try:
                return check(value, where)
            except ShapeError:
                continue
        _fail(where, hint, value)
    return union


def _fields(cls: type, loose: frozenset[str], partial: bool) -> Checker:
    hints = typing.get_type_hints(cls)
    plan = [(f.name, not partial and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
             None if f"{cls.__name__}.{f.name}" in loose else _checker(hints[f.name], loose))
            for f in dataclasses.fields(cls)]

    def fields(value: Any, where: str) -> None:
        if not isinstance(value, dict):
            _fail(where, cls, value)
        prefix = f"{where}." if where else ""
        for name, required, check in plan:
            if name not in value:
                if required:
                    raise ShapeError(f"{prefix}{name} is missing")
            elif check is not None:
                check(value[name], f"{prefix}{name}")
    return fields


def check_value(value: Any, hint: Any, where: str, loose: frozenset[str] = frozenset()) -> None:
    """Raise ShapeError unless `value` (parsed JSON) fits the annotation `hint` (`loose`: as in check_fields)."""
    _checker(hint, loose)(value, where)


def check_fields(cls: type, value: Any, where: str, loose: frozenset[str] = frozenset(), partial: bool = False) -> None:
    """`value` as stored for dataclass `cls`: an object whose known fields fit their annotations, required ones
    present (any may be absent when `partial`). Fields named in `loose` (`Class.field`) may hold any JSON value."""
    _checker(cls, loose, partial)(value, where)
