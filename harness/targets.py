"""Build benchmarks and policies from `module:attr` targets: the core never imports the registries above it."""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from typing import Any, Callable

from vla_harness.harness.config import ConfigError
from vla_harness.harness.options import coerce_lists


@dataclass(frozen=True)
class Targets:
    """Where the run's benchmark and policy factories live, resolved from registry names by the CLI."""

    bench: str
    policy: str


def load_target(target: str) -> Callable[..., Any]:
    module_name, sep, attr = target.partition(":")
    if not sep or not module_name or not attr:
        raise ConfigError(f"a target is 'package.module:Factory', got '{target}'")
    try:
        return getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"cannot import '{target}': {exc}") from exc


def build(kind: str, name: str, target: str, options: dict[str, Any]):
    """Call a factory; options it does not take are a one-line ConfigError naming the allowed ones."""
    factory = load_target(target)
    try:
        params = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return factory(**options)
    if not any(p.kind is p.VAR_KEYWORD for p in params.values()):
        unknown = sorted(set(options) - set(params))
        if unknown:
            allowed = ", ".join(params) or "none"
            raise ConfigError(f"{kind} '{name}' takes no option(s) {', '.join(unknown)}; allowed: {allowed}")
    return factory(**coerce_lists(factory, options, f"{kind} '{name}'"))  # -P cameras=a,b -> [a, b]
