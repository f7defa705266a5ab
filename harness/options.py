"""List-valued factory options from the command line: `-P cameras=a,b` -> ["a", "b"], `-P cameras=a` -> ["a"].

Which options are lists is read from the factory's signature: a parameter annotated `list[...]`, `tuple[...]` or
`Sequence[...]` (alone or in a union without a plain `str`). Its items are converted to the annotated item type
(int, float, str). Other options, and factories taking `**options` (they parse their own values), are left as
parsed. A YAML list (`[a, b]`) passes unchanged.
"""

from __future__ import annotations

import collections.abc
import inspect
import types
import typing
from dataclasses import dataclass
from typing import Any, Callable

from vla_harness.harness.config import ConfigError
from vla_harness.harness.shapes import ShapeError, check_value

_SEQUENCES = (list, tuple, collections.abc.Sequence)
_PLAIN = (int, float, str, bool, type(None), list, tuple, dict, collections.abc.Sequence, collections.abc.Mapping)


def _item_type(hint: Any) -> type | None:
    """The item type when `hint` is a list-like annotation, else None."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        members = typing.get_args(hint)
        if str in members:
            return None
        found = [t for t in map(_item_type, members) if t is not None]
        return found[0] if found else None
    if hint in _SEQUENCES:
        return str
    if origin in _SEQUENCES:
        args = [a for a in typing.get_args(hint) if a is not Ellipsis]
        return args[0] if args and args[0] in (int, float, str) else str
    return None


@dataclass(frozen=True)
class AtLeast:
    """A bound a factory declares on a numeric option: `chunk: Annotated[int, AtLeast(1)]` refuses `-P chunk=0`."""

    minimum: float


def _hints(factory: Callable[..., Any], extras: bool = False) -> dict[str, Any]:
    target = factory.__init__ if inspect.isclass(factory) else factory
    try:
        return {k: v for k, v in typing.get_type_hints(target, include_extras=extras).items() if k != "return"}
    except Exception:  # noqa: BLE001 - an annotation that does not resolve: check nothing
        return {}


def list_options(factory: Callable[..., Any]) -> dict[str, type]:
    """Option name -> item type for the factory's list-valued parameters."""
    return {name: item for name, hint in _hints(factory).items() if (item := _item_type(hint))}


def _plain(hint: Any) -> bool:
    """An annotation built only of JSON-like types (what a -P value can be checked against)."""
    if hint is Any or hint in _PLAIN:
        return True
    origin = typing.get_origin(hint)
    return (origin in (typing.Union, types.UnionType, *_PLAIN)
            and all(a is Ellipsis or _plain(a) for a in typing.get_args(hint)))


def check_option_types(factory: Callable[..., Any], options: dict[str, Any], what: str) -> None:
    """Each option against the type its parameter is annotated with (`-P chunk=abc` for an int) and the bounds it
    declares (`AtLeast`): one line naming the option."""
    hints = _hints(factory, extras=True)
    for name, value in options.items():
        hint, bounds = hints.get(name), ()
        if typing.get_origin(hint) is typing.Annotated:
            hint, bounds = typing.get_args(hint)[0], hint.__metadata__
        if hint is None or not _plain(hint):
            continue
        try:
            check_value(list(value) if isinstance(value, tuple) else value, hint, name)
        except ShapeError as exc:
            raise ConfigError(f"{what} option {exc}") from None
        for bound in bounds:
            if isinstance(bound, AtLeast) and isinstance(value, (int, float)) and value < bound.minimum:
                raise ConfigError(f"{what} option {name} must be >= {bound.minimum:g}, got {value!r}")


def coerce_lists(factory: Callable[..., Any], options: dict[str, Any], what: str) -> dict[str, Any]:
    """`options` with the factory's list-valued ones as lists: a comma-separated string split, a scalar wrapped."""
    wanted = list_options(factory)
    out = dict(options)
    for name, item in wanted.items():
        value = out.get(name)
        if value is None or isinstance(value, (list, tuple)):
            continue
        parts = [p.strip() for p in value.split(",") if p.strip()] if isinstance(value, str) else [value]
        try:
            out[name] = [item(p) for p in parts]
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{what} option {name} takes a comma-separated list of {item.__name__}, "
                              f"got {value!r}") from exc
    return out


def int_ranges(text: str) -> list[int]:
    """`0,2,5`, `0-4` or both mixed (`0-2,5`): the ints in the order given, ranges inclusive; ValueError otherwise."""
    out: list[int] = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        lo, _, hi = part.partition("-")
        out.extend(range(int(lo), int(hi) + 1) if hi else [int(lo)])
    return out
