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
from typing import Any, Callable

from vla_harness.harness.config import ConfigError

_SEQUENCES = (list, tuple, collections.abc.Sequence)


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


def list_options(factory: Callable[..., Any]) -> dict[str, type]:
    """Option name -> item type for the factory's list-valued parameters."""
    target = factory.__init__ if inspect.isclass(factory) else factory
    try:
        hints = typing.get_type_hints(target)
    except Exception:  # noqa: BLE001 - an annotation that does not resolve: treat nothing as a list
        return {}
    return {name: item for name, hint in hints.items() if name != "return" and (item := _item_type(hint))}


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
