"""Build benchmarks and policies from `module:attr` targets: the core never imports the registries above it."""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from typing import Any, Callable

from vla_harness.harness.config import ConfigError
from vla_harness.harness.options import check_option_types, coerce_lists
from vla_harness.harness.protocols import Benchmark, Policy, RenamesOptions
from vla_harness.harness.schema import current_target

BUILDS = {"policy": Policy, "benchmark": Benchmark}  # what a factory of each kind must build


@dataclass(frozen=True)
class Targets:
    """Where the run's benchmark and policy factories live, resolved from registry names by the CLI."""

    bench: str
    policy: str


def load_target(target: str) -> Callable[..., Any]:
    module_name, sep, attr = current_target(target).partition(":")
    if not sep or not module_name or not attr:
        raise ConfigError(f"a target is 'package.module:Factory', got '{target}'")
    try:
        return getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"cannot import '{target}': {exc}") from exc


def current_options(factory: Callable[..., Any], options: dict[str, Any], what: str) -> dict[str, Any]:
    """The options under the factory's current names (RenamesOptions): a run written with an older name resumes."""
    if not isinstance(factory, RenamesOptions):
        return dict(options)
    out: dict[str, Any] = {}
    given: dict[str, str] = {}  # current name -> the name it was given under
    for key, value in options.items():
        new = factory.renamed_options.get(key, key)
        if new is None:
            continue
        if new in out and out[new] != value:
            raise ConfigError(f"{what}: options {given[new]} and {key} are one option, {new}, given two values "
                              f"({out[new]!r}, {value!r}); give it once, as {new}")
        out[new], given[new] = value, key
    return out


def checked_options(kind: str, name: str, factory: Callable[..., Any], options: dict[str, Any]) -> dict[str, Any]:
    """The options as the factory takes them (current names); one that it does not take, or of the wrong type or out
    of its declared bounds, is a one-line ConfigError naming the allowed ones."""
    options = current_options(factory, options, f"{kind} '{name}'")
    try:
        params = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return options
    if not any(p.kind is p.VAR_KEYWORD for p in params.values()):
        unknown = sorted(set(options) - set(params))
        if unknown:
            allowed = ", ".join(params) or "none"
            raise ConfigError(f"{kind} '{name}' takes no option(s) {', '.join(unknown)}; allowed: {allowed}")
    options = coerce_lists(factory, options, f"{kind} '{name}'")  # -P cameras=a,b -> [a, b]
    check_option_types(factory, options, f"{kind} '{name}'")
    return options


def check_options(kind: str, name: str, target: str, options: dict[str, Any]) -> None:
    """What `build` would refuse in the options, found without building anything (the factory's module is imported)."""
    checked_options(kind, name, load_target(target), options)


def build(kind: str, name: str, target: str, options: dict[str, Any]):
    """Call a factory with its options checked (`checked_options`), and check what it built (`checked`)."""
    factory = load_target(target)
    return checked(kind, name, target, factory(**checked_options(kind, name, factory, options)))


def checked(kind: str, name: str, target: str, built: Any) -> Any:
    """What a factory built, if it is what its kind must be (a Policy, a Benchmark); else a one-line ConfigError
    naming what it lacks, before anything runs (as lm-eval's registry checks a task's class)."""
    protocol = BUILDS.get(kind)
    if protocol is None or isinstance(built, protocol):
        return built
    members = [*getattr(protocol, "__annotations__", {}),
               *(n for n, v in vars(protocol).items() if callable(v) and not n.startswith("_"))]
    missing = [m for m in members if not hasattr(built, m)]
    raise ConfigError(f"{kind} '{name}' ({target}) built a {type(built).__name__}, which is not a {protocol.__name__}:"
                      f" it has no {', '.join(missing)} (harness/protocols.py; docs/adding_a_{kind}.md)")
