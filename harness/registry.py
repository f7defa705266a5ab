"""One Registry[T]: lazy "module:attr" entries, so listing names imports nothing heavy."""

from __future__ import annotations

import difflib
import importlib
from typing import Callable, Generic, TypeVar

from vla_harness.harness.errors import UserError

T = TypeVar("T")


class UnknownNameError(UserError, ValueError):
    pass


class Registry(Generic[T]):
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, str] = {}
        self._descriptions: dict[str, str] = {}

    def add(self, name: str, target: str, description: str = "") -> None:
        if name in self._entries:
            raise ValueError(f"{self.kind} '{name}' is registered twice")
        self._entries[name] = target
        self._descriptions[name] = description

    def names(self) -> list[str]:
        return sorted(self._entries)

    def describe(self, name: str) -> str:
        return self._descriptions[self.check(name)]

    def check(self, name: str) -> str:
        if name in self._entries:
            return name
        close = difflib.get_close_matches(name, self._entries, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise UnknownNameError(f"unknown {self.kind} '{name}'.{hint} Allowed: {', '.join(self.names())}")

    def target(self, name: str) -> str:
        """The `module:attr` a name stands for (what the core builds from)."""
        return self._entries[self.check(name)]

    def get(self, name: str) -> Callable[..., T]:
        module_name, attr = self._entries[self.check(name)].split(":")
        return getattr(importlib.import_module(module_name), attr)
